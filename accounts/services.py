"""Account writes: log in, refresh, log out, create users, mark activity."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation, user_logged_in, user_logged_out
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from redis import RedisError

from accounts import tokens
from accounts.models import Classroom, Role, TokenFamily, User, join_code_expiry, join_code_new
from accounts.selectors import token_session_user
from accounts.signals import classroom_student_removed
from monitoring.facade import add_breadcrumb
from toolbox.errors import NotFound

logger = logging.getLogger(__name__)

LAST_ACTIVE_RESOLUTION = timedelta(minutes=1)


class AuthenticationFailed(Exception):
    pass


class LoginThrottled(Exception):
    """Too many failed logins for this account or from this client address."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many failed logins. Try again later.")
        self.retry_after = retry_after


def token_session_start(*, user: User) -> tokens.TokenPair:
    """Open a login session (a token family) for a user and issue its first token pair."""
    family_id = uuid.uuid4()
    pair = tokens.encode_pair(
        user.pk, user.role, family_id=family_id.hex, refresh_jti=tokens.new_jti()
    )
    TokenFamily.objects.create(
        id=family_id,
        user=user,
        refresh_jti=pair.refresh_jti,
        password_fingerprint=user.get_session_auth_hash(),
        expires_at=pair.refresh_expires_at,
    )
    return pair


def auth_login(*, request: HttpRequest, username: str, password: str) -> tokens.TokenPair:
    """Check credentials and open a session. Failures are counted and throttled by
    ``accounts.throttling`` (an authentication backend and signal receivers), exactly as for
    the admin's login form."""
    # authenticate() sends user_login_failed itself (credentials cleansed) on failure.
    user = authenticate(request, username=username, password=password)
    if user is None:
        retry_after = getattr(request, "login_retry_after", None)
        if retry_after:
            raise LoginThrottled(retry_after)
        raise AuthenticationFailed("Invalid username or password")
    request.user = user
    user_logged_in.send(sender=type(user), request=request, user=user)
    user_mark_active(user=user)
    return token_session_start(user=user)


def token_family_revoke(*, family_id: str | uuid.UUID) -> None:
    """End a login session: every access and refresh token it issued stops working."""
    TokenFamily.objects.filter(pk=family_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def auth_refresh(*, refresh_token: str) -> tokens.TokenPair:
    """Exchange a refresh token for a new pair; the old refresh token stops working.

    Rotation is one conditional UPDATE (compare-and-swap of the session's current refresh token
    id), so of any number of concurrent refreshes with one token exactly one wins. A refresh
    token that is no longer current was stolen or replayed: the whole session is revoked, its
    newest tokens included, and the owner must log in again.
    """
    claims = tokens.decode(refresh_token, tokens.REFRESH)
    user = token_session_user(claims=claims)
    if user is None:
        raise tokens.InvalidToken("token revoked")
    pair = tokens.encode_pair(
        user.pk, user.role, family_id=claims["fam"], refresh_jti=tokens.new_jti()
    )
    rotated = TokenFamily.objects.filter(
        pk=claims["fam"], refresh_jti=claims["jti"], revoked_at__isnull=True
    ).update(refresh_jti=pair.refresh_jti, expires_at=pair.refresh_expires_at)
    if not rotated:
        token_family_revoke(family_id=claims["fam"])
        raise tokens.InvalidToken("token revoked")
    return pair


def auth_logout(
    *, request: HttpRequest, user: User, access_claims: dict, refresh_token: str | None
) -> None:
    """End the session of the access token used, whatever the body says; a refresh token of
    another session of the same user, when given, ends that one too."""
    token_family_revoke(family_id=access_claims["fam"])
    if refresh_token:
        try:
            refresh_claims = tokens.decode(refresh_token, tokens.REFRESH)
        except tokens.InvalidToken:
            refresh_claims = None
        if refresh_claims and refresh_claims["sub"] == access_claims["sub"]:
            token_family_revoke(family_id=refresh_claims["fam"])
    user_logged_out.send(sender=type(user), request=request, user=user)


class PasswordRejected(ValueError):
    """The password fails the configured validators (AUTH_PASSWORD_VALIDATORS)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


def _password_validate(*, password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise PasswordRejected(list(exc.messages)) from None


def user_create(*, username: str, password: str, role: str = Role.STUDENT, email: str = "") -> User:
    """Create a user; the password must pass the validators (raises :class:`PasswordRejected`)."""
    is_admin = role == Role.ADMIN
    _password_validate(password=password, user=User(username=username, email=email, role=role))
    return User.objects.create_user(
        username=username,
        password=password,
        email=email,
        role=role,
        is_staff=is_admin,
        is_superuser=is_admin,
    )


def user_mark_active(*, user: User) -> None:
    """Record ``last_active``, at most one write per user per minute."""
    now = timezone.now()
    if user.last_active and now - user.last_active < LAST_ACTIVE_RESOLUTION:
        return
    User.objects.filter(pk=user.pk).update(last_active=now)
    user.last_active = now


# --- classrooms ---------------------------------------------------------------------------------


class JoinCodeInvalid(NotFound):
    """No class has this code, or it expired: one answer, so that nothing is revealed."""


class JoinThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many wrong join codes; try again later")
        self.retry_after = retry_after


def classroom_create(*, teacher: User, name: str) -> Classroom:
    """A new, empty class with a fresh join code: students join it themselves."""
    return Classroom.objects.create(teacher=teacher, name=name)


def classroom_join_code_rotate(*, classroom: Classroom) -> Classroom:
    """Replace the join code (the old one stops working at once) and restart its lifetime."""
    for _ in range(5):  # a collision among 31**8 codes is rare; never fail on one
        classroom.join_code = join_code_new()
        classroom.join_code_expires_at = join_code_expiry()
        try:
            with transaction.atomic():
                classroom.save(update_fields=["join_code", "join_code_expires_at"])
        except IntegrityError:
            continue
        return classroom
    raise RuntimeError("Could not draw an unused join code")


def _join_failures_key(student: User) -> str:
    return f"classroom-join-failures:{student.pk}"


def _join_failures(student: User) -> int:
    try:
        return int(cache.get(_join_failures_key(student), 0))
    except (RedisError, OSError) as exc:
        # Fail open: a code has ~40 bits, so a short outage does not make guessing practical,
        # while failing closed would stop every child joining a class.
        logger.warning("join-code failures not read: cache unreachable (%s)", type(exc).__name__)
        return 0


def _join_failure_record(student: User) -> None:
    key, window = _join_failures_key(student), settings.CLASSROOM_JOIN_FAILURE_WINDOW
    try:
        if not cache.add(key, 1, timeout=window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=window)
    except (RedisError, OSError) as exc:
        logger.warning("join-code failure not counted: cache unreachable (%s)", type(exc).__name__)


def join_code_normalize(code: str) -> str:
    """What a child typed, as stored: case, spaces and dashes do not matter."""
    return "".join(code.split()).replace("-", "").upper()


def classroom_join(*, student: User, code: str) -> Classroom:
    """Enrol ``student`` in the class whose valid join code is ``code``.

    Raises ``JoinThrottled`` after ``CLASSROOM_JOIN_FAILURE_LIMIT`` wrong codes in the window
    (counted per student; a success does not reset the count, so right and wrong guesses cannot
    be interleaved), and ``JoinCodeInvalid`` for an unknown or expired code alike.
    """
    if _join_failures(student) >= settings.CLASSROOM_JOIN_FAILURE_LIMIT:
        raise JoinThrottled(settings.CLASSROOM_JOIN_FAILURE_WINDOW)
    classroom = (
        Classroom.objects.filter(
            join_code=join_code_normalize(code), join_code_expires_at__gt=timezone.now()
        )
        .select_related("teacher")
        .first()
    )
    if classroom is None:
        _join_failure_record(student)
        raise JoinCodeInvalid("No class has this join code, or it has expired")
    classroom.students.add(student)
    add_breadcrumb(
        message="Student joined a classroom",
        category="classroom",
        data={"classroom_id": classroom.pk, "student_id": student.pk},
    )
    return classroom


def classroom_student_remove(*, classroom: Classroom, student_id: int) -> bool:
    """Take a student off the roster; False if they were not on it. Their open classroom
    sockets are told at once (and the periodic access check would close them anyway)."""
    through = Classroom.students.through
    removed, _ = through.objects.filter(classroom=classroom, user_id=student_id).delete()
    if not removed:
        return False
    add_breadcrumb(
        message="Student removed from a classroom",
        category="classroom",
        data={"classroom_id": classroom.pk, "student_id": student_id},
    )
    classroom_student_removed.send(
        sender=Classroom, classroom_id=classroom.pk, student_id=student_id
    )
    return True


def classroom_student_enrol(*, classroom: Classroom, student: User) -> None:
    """Admin-side enrolment (the Django admin, the demo seed): no join code needed."""
    if student.role != Role.STUDENT:
        raise ValueError("Only students can be enrolled in a classroom")
    classroom.students.add(student)
