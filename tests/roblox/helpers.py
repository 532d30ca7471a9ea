"""Helpers shared by the terrain and roblox API tests."""

from __future__ import annotations

import json
from typing import Any

from accounts import tokens
from accounts.models import User
from tests.accounts.factories import PASSWORD

VALID_LUAU = 'local part = Instance.new("Part")\npart.Anchored = true\npart.Parent = workspace\n'
BROKEN_LUAU = "local function broken(\n\tprint('never closed')\n"


def bearer(user: User) -> dict[str, str]:
    """An ``Authorization`` header with a fresh access token for ``user`` (no login round trip,
    so the login throttle and its cache stay out of these tests)."""
    return {"Authorization": f"Bearer {tokens.issue_pair(user.pk, user.role).access}"}


def post_json(client: Any, path: str, body: Any, user: User | None = None, **headers: str):
    if user is not None:
        headers.update(bearer(user))
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def get(client: Any, path: str, user: User | None = None, **headers: str):
    if user is not None:
        headers.update(bearer(user))
    return client.get(path, headers=headers)


def login_token(http: Any, user: User) -> str:
    """Log in through the real endpoint (end-to-end tests): the access token."""
    response = http.post(
        "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response.json()["access"]


def error_events(receiver: Any, exception_type: str | None = None) -> list[dict[str, Any]]:
    """Error events (with an exception) that reached the receiver, optionally of one type."""
    return [
        event
        for event in receiver.events
        if event.get("exception")
        and exception_type in (None, event["exception"]["values"][-1]["type"])
    ]
