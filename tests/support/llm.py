"""The LLM as the tests see it: a fake OpenAI-compatible server configured as the app's provider,
circuit breakers reset around every test, keys planted where a leak would show, and a server that
trickles its answer (for deadlines)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from providers.breaker import breakers_reset
from tests.support.fake_openai import FakeOpenAI, fake_openai

# Planted where a leak would show: it must never reach an envelope, a log line or a response.
# The first looks like an OpenAI key (the scrubber's patterns know it); the second looks like
# nothing, so only our own care keeps it in.
PLANTED_KEY = "sk-test-PLANTED-1234567890abcdef"
OPAQUE_PLANTED_KEY = "planted7c1e4f09opaque2b6d8a35"

FAIL_MAX = 3
# Long enough that the request after the one that opened the breaker still finds it open on a
# busy machine (0.3 s was not: 375 ms passed once between the two in a full run).
RESET_SECONDS = 1.5
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
