"""Account writes: log in, refresh, log out, create users, mark activity."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from django.db import IntegrityError
from django.http import HttpRequest
from django.utils import timezone

from accounts import tokens
from accounts.models import Classroom, RevokedToken, Role, User
from accounts.throttling import login_failure_throttle

LAST_ACTIVE_RESOLUTION = timedelta(minutes=1)


class AuthenticationFailed(Exception):
    pass


def auth_login(*, request: HttpRequest, username: str, password: str) -> tokens.TokenPair:
    """Check credentials and issue a token pair. Failures are counted for throttling."""
    # authenticate() sends user_login_failed itself (credentials cleansed) on failure.
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_failure_throttle.record_failure(request)
        raise AuthenticationFailed("Invalid username or password")
    login_failure_throttle.reset(request)
    request.user = user
    user_logged_in.send(sender=type(user), request=request, user=user)
    user_mark_active(user=user)
    return tokens.issue_pair(user.pk, user.role)


def token_revoke(*, claims: dict) -> None:
    try:
        RevokedToken.objects.get_or_create(
            jti=claims["jti"], defaults={"expires_at": tokens.expiry(claims)}
        )
    except IntegrityError:  # revoked concurrently: the outcome is the same
        pass


def auth_refresh(*, refresh_token: str) -> tokens.TokenPair:
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    claims = tokens.decode(refresh_token, tokens.REFRESH)
    if RevokedToken.objects.filter(jti=claims["jti"]).exists():
        raise tokens.InvalidToken("token revoked")
    user = User.objects.filter(pk=claims["sub"], is_active=True).first()
    if user is None:
        raise tokens.InvalidToken("user inactive")
    token_revoke(claims=claims)
    return tokens.issue_pair(user.pk, user.role)


def auth_logout(
    *, request: HttpRequest, user: User, access_claims: dict, refresh_token: str | None
) -> None:
    token_revoke(claims=access_claims)
    if refresh_token:
        try:
            refresh_claims = tokens.decode(refresh_token, tokens.REFRESH)
        except tokens.InvalidToken:
            refresh_claims = None
        if refresh_claims and refresh_claims["sub"] == access_claims["sub"]:
            token_revoke(claims=refresh_claims)
    user_logged_out.send(sender=type(user), request=request, user=user)


def user_create(*, username: str, password: str, role: str = Role.STUDENT, email: str = "") -> User:
    is_admin = role == Role.ADMIN
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
