from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from accounts import services, tokens
from accounts.auth import JWTAuth, api_auth
from accounts.schemas import LoginIn, LoginOut, LogoutIn, MeOut, MessageOut, RefreshIn, TokenOut
from accounts.throttling import login_failure_throttle

router = Router(tags=["auth"])


def _tokens_out(pair: tokens.TokenPair) -> dict[str, object]:
    return {"access": pair.access, "refresh": pair.refresh, "expires_in": pair.access_expires_in}


@router.post(
    "/login",
    response={200: LoginOut, 401: MessageOut, 429: MessageOut},
    auth=None,
    throttle=[login_failure_throttle],
    summary="Exchange a username and password for access and refresh tokens",
)
def login(request: HttpRequest, payload: LoginIn) -> dict[str, object]:
    try:
        pair = services.auth_login(
            request=request, username=payload.username, password=payload.password
        )
    except services.AuthenticationFailed as exc:
        raise HttpError(401, str(exc)) from None
    user = request.user
    return {
        **_tokens_out(pair),
        "user": {"id": user.pk, "username": user.username, "role": user.role},
    }


@router.post(
    "/refresh",
    response={200: TokenOut, 401: MessageOut},
    auth=None,
    summary="Exchange a refresh token for a new token pair (the old refresh token is revoked)",
)
def refresh(request: HttpRequest, payload: RefreshIn) -> dict[str, object]:
    try:
        pair = services.auth_refresh(refresh_token=payload.refresh)
    except tokens.InvalidToken as exc:
        raise HttpError(401, f"Invalid refresh token: {exc}") from None
    return _tokens_out(pair)


@router.post(
    "/logout",
    response={200: MessageOut, 401: MessageOut},
    auth=JWTAuth(),
    summary="Revoke the access token (and the refresh token, when given)",
)
def logout(request: HttpRequest, payload: LogoutIn | None = None) -> dict[str, str]:
    services.auth_logout(
        request=request,
        user=request.auth,
        access_claims=request.token_claims,
        refresh_token=payload.refresh if payload else None,
    )
    return {"detail": "Logged out"}


@router.get("/me", response={200: MeOut, 401: MessageOut}, auth=api_auth, summary="Who am I")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "permissions": user.permission_names(),
        "last_active": user.last_active,
    }
