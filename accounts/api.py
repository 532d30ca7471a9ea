from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError, Throttled

from accounts import services, tokens
from accounts.auth import JWTAuth, api_auth
from accounts.schemas import LoginIn, LoginOut, LogoutIn, MeOut, MessageOut, RefreshIn, TokenOut

router = Router(tags=["auth"])


def _tokens_out(response: HttpResponse, pair: tokens.TokenPair) -> dict[str, object]:
    # Tokens must not be kept by a browser's or a proxy's cache (a shared computer in a class).
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return {"access": pair.access, "refresh": pair.refresh, "expires_in": pair.access_expires_in}


@router.post(
    "/login",
    response={200: LoginOut, 401: MessageOut, 429: MessageOut},
    auth=None,
    summary="Exchange a username and password for access and refresh tokens",
    description=(
        "Failed logins are limited per account (a lockout that doubles per repeat) and per "
        "client address; a locked login answers 429 with Retry-After, whether or not the "
        "account exists."
    ),
)
def login(request: HttpRequest, response: HttpResponse, payload: LoginIn) -> dict[str, object]:
    try:
        pair = services.auth_login(
            request=request, username=payload.username, password=payload.password
        )
    except services.AuthenticationFailed as exc:
        raise HttpError(401, str(exc)) from None
    except services.LoginThrottled as exc:
        # Ninja's Throttled: toolbox.api answers 429 with Retry-After and counts the client error.
        throttled = Throttled(wait=exc.retry_after)
        throttled.message = str(exc)
        raise throttled from None
    user = request.user
    return {
        **_tokens_out(response, pair),
        "user": {"id": user.pk, "username": user.username, "role": user.role},
    }


@router.post(
    "/refresh",
    response={200: TokenOut, 401: MessageOut},
    auth=None,
    summary="Exchange a refresh token for a new token pair (the old refresh token is revoked)",
    description=(
        "Each refresh token works once. Using one again (a stolen or replayed token) ends the "
        "whole login session: its newest access and refresh tokens stop working too."
    ),
)
def refresh(request: HttpRequest, response: HttpResponse, payload: RefreshIn) -> dict[str, object]:
    try:
        pair = services.auth_refresh(refresh_token=payload.refresh)
    except tokens.InvalidToken as exc:
        raise HttpError(401, f"Invalid refresh token: {exc}") from None
    return _tokens_out(response, pair)


@router.post(
    "/logout",
    response={200: MessageOut, 401: MessageOut},
    auth=JWTAuth(),
    summary="End this login session: its access and refresh tokens stop working",
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
