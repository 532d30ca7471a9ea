"""A bare secret and the events, views and tracebacks carrying it, for the known-secret tests
(tests/monitoring/test_scrubbing_known_*.py)."""

from __future__ import annotations

import sys
from typing import Any

BARE = "Hunter2-PLANTED-pw"  # nothing about it says "password"
MESSAGE = f"login failed for lesson Fractions 101 ({BARE})"


def exception_event(message: str = MESSAGE, vars_: dict[str, Any] | None = None) -> dict:
    frame: dict[str, Any] = {"filename": "accounts/views.py", "function": "login", "lineno": 3}
    if vars_ is not None:
        frame["vars"] = vars_
    return {
        "event_id": "9ec79c33ec9942ab8353589fcb2e04dc",
        "exception": {
            "values": [
                {"type": "LoginFailure", "value": message, "stacktrace": {"frames": [frame]}}
            ]
        },
    }


def exception_value(event: dict) -> str:
    return event["exception"]["values"][0]["value"]


class Payload:
    """A request schema: the password is an attribute, not a key."""

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password
        self.lesson = "Fractions 101"


def failing_view(payload: Payload) -> None:
    pwd = payload.password  # noqa: F841 - a local the traceback holds
    body = {"password": payload.password, "lesson": "Fractions 101"}  # noqa: F841
    raise RuntimeError(f"login failed for lesson Fractions 101 ({payload.password})")


def exc_info_of(view: Any, *args: Any) -> Any:
    try:
        view(*args)
    except Exception:
        return sys.exc_info()
    raise AssertionError("the view did not fail")
