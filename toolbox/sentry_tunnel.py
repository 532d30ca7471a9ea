"""``POST /api/v1/sentry-tunnel``: where our pages' Sentry SDK sends every envelope (its
``tunnel`` option), so that browsers never contact Sentry and nothing unscrubbed leaves.

Anonymous posts are allowed (errors on the sign-in page matter) but limited per client address
(``SENTRY_TUNNEL_CLIENT_RATE_LIMIT``) and, when signed in, per user
(``SENTRY_TUNNEL_USER_RATE_LIMIT``); bodies over ``SENTRY_TUNNEL_MAX_BYTES`` answer 413 before
they are read, and only uncompressed bodies are accepted (the browser SDK sends plain text; a
compressed body could hide a decompression bomb). CSRF does not apply: the SDK posts text/plain
without the token, and a forged post can only add monitoring data, scrubbed and limited like any.
Not in the OpenAPI document: it is the SDK's endpoint, not an API for people.

The router sits in the project layer, above accounts (whose limiter and known user names it
uses); what it does to an envelope (the DSN check, scrubbing, forwarding) is monitoring's,
``monitoring.browser``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from accounts.ratelimit import BROWSER_ENVELOPES, rate_limit_consume_key
from accounts.selectors import user_known_names
from monitoring.browser.config import browser_dsn
from monitoring.browser.envelopes import (
    TunnelRefused,
    count_dropped,
    envelope_body_read,
    envelope_forward,
)
from monitoring.network import client_address
from monitoring.sentry_requests import keep_body_private

router = Router(tags=["monitoring"])


def _user(request: HttpRequest):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@router.post("", include_in_schema=False, auth=None)
def sentry_tunnel(request: HttpRequest) -> dict[str, object]:
    # The body is a browser's envelope before our scrubbing: an error here must not send it.
    keep_body_private(request)
    dsn = browser_dsn()
    if not dsn:
        count_dropped("sentry_off")
        raise HttpError(404, "Browser monitoring is off")
    user = _user(request)
    try:
        rate_limit_consume_key(
            key=f"client:{client_address(request.META)}",
            scope=BROWSER_ENVELOPES,
            rate=settings.SENTRY_TUNNEL_CLIENT_RATE_LIMIT,
        )
        if user is not None:
            rate_limit_consume_key(
                key=f"user:{user.pk}",
                scope=BROWSER_ENVELOPES,
                rate=settings.SENTRY_TUNNEL_USER_RATE_LIMIT,
            )
    except HttpError:
        count_dropped("rate_limited")
        raise
    try:
        body = envelope_body_read(request, settings.SENTRY_TUNNEL_MAX_BYTES)
    except TunnelRefused as refused:
        count_dropped(refused.reason)
        raise HttpError(refused.status, refused.detail) from None
    names = user_known_names(user=user) if user is not None else set()
    try:
        forwarded = envelope_forward(body=body, dsn=dsn, user=user, names=names)
    except TunnelRefused as refused:
        raise HttpError(refused.status, refused.detail) from None
    return {"forwarded_items": forwarded}
