"""Account writes: log in, refresh, log out, create users, mark activity."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib.auth import authenticate, password_validation, user_logged_in, user_logged_out
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from accounts import tokens
from accounts.models import Classroom, Role, TokenFamily, User
from accounts.selectors import token_session_user

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


def classroom_create(*, teacher: User, name: str, student_ids: list[int]) -> Classroom:
    students = list(User.objects.filter(pk__in=student_ids, role=Role.STUDENT))
    missing = sorted(set(student_ids) - {s.pk for s in students})
    if missing:
        raise ValueError(f"These ids are not students: {missing}")
    classroom = Classroom.objects.create(teacher=teacher, name=name)
    classroom.students.set(students)
    return classroom
