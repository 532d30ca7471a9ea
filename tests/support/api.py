"""Calling the API as a user: the Django test client speaking JSON with a bearer token, and
logging in over real HTTP for end-to-end tests."""

from __future__ import annotations

import json
from typing import Any

from accounts import tokens
from accounts.models import Classroom, User
from tests.accounts.factories import PASSWORD


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


class Api:
    """The Django test client as one user (or anonymous), speaking JSON."""

    def __init__(self, client: Any, user: User | None = None) -> None:
        self.client = client
        self.user = user
        self._headers: dict[str, str] | None = None

    @property
    def headers(self) -> dict[str, str]:
        # Issued on first use: opening a login session writes a row, and an Api is often built
        # on an event loop but used through database_sync_to_async.
        if self._headers is None:
            self._headers = {}
            if self.user is not None:
                access = tokens.issue_pair(self.user.pk, self.user.role).access
                self._headers = {"Authorization": f"Bearer {access}"}
        return self._headers

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )


def classroom_with(teacher: User, *students: User, name: str = "Class") -> Classroom:
    classroom = Classroom.objects.create(teacher=teacher, name=name)
    classroom.students.set(students)
    return classroom


def login_token(http: Any, user: User) -> str:
    """Log in through the real endpoint (end-to-end tests): the access token."""
    response = http.post(
        "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response.json()["access"]


def live_login(http: Any, user: User) -> dict[str, str]:
    """Log in through the API, as a client would; returns the Authorization header."""
    return {"Authorization": f"Bearer {login_token(http, user)}"}
