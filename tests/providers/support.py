"""Shared by the lessons, quizzes and providers tests: an API client per user, a configured fake
LLM, and end-to-end helpers for the live server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from accounts import tokens
from accounts.models import Classroom, Role, User
from providers.breaker import breakers_reset
from tests.accounts.factories import PASSWORD, make_user
from tests.fake_openai import FakeOpenAI, fake_openai

# Planted where a leak would show: it must never reach an envelope, a log line or a response.
# The first looks like an OpenAI key (the scrubber's patterns know it); the second looks like
# nothing, so only our own care keeps it in.
PLANTED_KEY = "sk-test-PLANTED-1234567890abcdef"
OPAQUE_PLANTED_KEY = "planted7c1e4f09opaque2b6d8a35"

FAIL_MAX = 3
RESET_SECONDS = 0.3
TIMEOUT_SECONDS = 0.5


class TricklingServer:
    """Answers 200 with its headers at once, then one byte of body every 0.2 s for ``seconds``;
    a ``GET /quick`` gets a whole small answer at once, on a keep-alive connection."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            try:
                while (request := connection.recv(65536)).startswith(b"GET /quick "):
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 100000\r\n\r\n{"
                )
                started = time.monotonic()
                while request and time.monotonic() - started < self.seconds:
                    time.sleep(0.2)
                    connection.sendall(b" ")
            except OSError:
                return

    def stop(self) -> None:
        self.sock.close()


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


@pytest.fixture
def teacher() -> User:
    return make_user(Role.TEACHER)


@pytest.fixture
def student() -> User:
    return make_user(Role.STUDENT)


@pytest.fixture
def admin_user() -> User:
    return make_user(Role.ADMIN)


@pytest.fixture(autouse=True)
def fresh_breakers() -> Iterator[None]:
    breakers_reset()
    yield
    breakers_reset()


@pytest.fixture
def llm(settings) -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible server, configured as the app's LLM (breaker state in memory)."""
    with fake_openai() as server:
        settings.OPENAI_API_KEY = PLANTED_KEY
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_MODEL = "gpt-4o-mini"
        settings.OPENAI_TIMEOUT_SECONDS = TIMEOUT_SECONDS
        settings.LLM_BREAKER_FAIL_MAX = FAIL_MAX
        settings.LLM_BREAKER_RESET_SECONDS = RESET_SECONDS
        settings.REDIS_URL = ""
        yield server


@pytest.fixture
def offline_only(settings) -> None:
    settings.OPENAI_API_KEY = ""


def live_login(http: httpx.Client, user: User) -> dict[str, str]:
    """Log in through the API, as a client would; returns the Authorization header."""
    response = http.post(
        "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access']}"}


def spans_by_op(transaction: dict[str, Any], op: str) -> list[dict[str, Any]]:
    return [span for span in transaction.get("spans", []) if span.get("op") == op]


def children_of(transaction: dict[str, Any], span: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in transaction.get("spans", []) if s.get("parent_span_id") == span["span_id"]]


def transaction_named(name: str):
    """A ``wait_for`` predicate: the transactions called ``name``."""

    def predicate(receiver: Any) -> list[dict[str, Any]]:
        return [t for t in receiver.transactions if t.get("transaction") == name]

    return predicate


def breadcrumbs(event: dict[str, Any], category: str) -> list[dict[str, Any]]:
    values = (event.get("breadcrumbs") or {}).get("values") or []
    return [crumb for crumb in values if crumb.get("category") == category]
