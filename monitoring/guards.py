"""Is Sentry on, and may personal data leave the process: the two questions every hook asks.

Most of our Sentry code is a hook that has nothing to do when the SDK is off (no DSN, tests,
``bench``). :func:`when_sentry_active` says so once, on the function, in the manner of
sentry-python's ``ensure_integration_enabled``: with Sentry off the call goes to ``fallback``
(by default: nothing, ``None``), so the hook's body never needs an ``if not active: return``.
A function that does work of its own either way (counts an error, writes a log line) and only
*then* talks to Sentry keeps an inline :func:`sentry_active` check, with a comment saying so.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import sentry_sdk
from django.conf import settings

__all__ = ["send_pii", "sentry_active", "when_sentry_active"]

P = ParamSpec("P")
R = TypeVar("R")


def sentry_active() -> bool:
    """Whether the SDK has a client that sends (``sentry_sdk.init`` ran with a DSN or Spotlight)."""
    return sentry_sdk.get_client().is_active()


def send_pii() -> bool:
    """``SENTRY_SEND_DEFAULT_PII``: off by default, because many of our users are children."""
    return settings.SENTRY.send_default_pii


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def when_sentry_active(
    fallback: Callable[P, R] = _nothing,  # type: ignore[assignment]
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the decorated hook only while Sentry is active; otherwise return ``fallback(...)``.

    The check happens at every call, not at import: the SDK is initialised (and re-initialised
    by the admin's runtime settings) after modules are imported. An ``async`` hook gets an
    ``async`` wrapper whose fallback is awaited when it returns an awaitable (pass the undecorated
    coroutine function to run it unmonitored). The wrapper keeps the hook's name, signature and
    docstring.
    """

    def decorate(hook: Callable[P, R]) -> Callable[P, R]:
        if inspect.iscoroutinefunction(hook):

            @functools.wraps(hook)
            async def async_runner(*args: P.args, **kwargs: P.kwargs) -> Any:
                if not sentry_active():
                    result = fallback(*args, **kwargs)
                    return await result if inspect.isawaitable(result) else result
                return await hook(*args, **kwargs)

            return async_runner  # type: ignore[return-value]

        @functools.wraps(hook)
        def runner(*args: P.args, **kwargs: P.kwargs) -> R:
            if not sentry_active():
                return fallback(*args, **kwargs)
            return hook(*args, **kwargs)

        return runner

    return decorate
