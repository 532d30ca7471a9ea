"""providers.deadline: one deadline for a whole HTTP call, against real loopback servers."""

from __future__ import annotations

import threading
import time

import httpx2
import pytest

from providers.deadline import DeadlineTransport, deadline
from tests.support.llm import TricklingServer
from tests.support.sentry_receiver import HangingServer, free_port

SLACK = 0.15  # scheduling and the trickler's 0.2 s beat do not matter at this scale


@pytest.fixture
def trickler():
    server = TricklingServer(seconds=5)
    yield server
    server.stop()


def client(timeout: float = 5.0) -> httpx2.Client:
    return httpx2.Client(transport=DeadlineTransport(), timeout=timeout)


def test_deadline__a_trickled_answer_is_cut_off_when_the_time_is_up(trickler):
    with client() as http:
        started = time.monotonic()
        with pytest.raises(httpx2.ReadTimeout), deadline(0.5):
            http.get(f"{trickler.url}/slow")
        assert 0.5 <= time.monotonic() - started < 0.5 + SLACK


def test_deadline__without_one_per_operation_timeouts_apply_as_usual(trickler):
    """Each read gets a byte within 0.2 s, so a 0.5 s read timeout alone never fires."""
    with client(timeout=0.5) as http, http.stream("GET", f"{trickler.url}/slow") as response:
        started = time.monotonic()
        for _ in response.iter_raw():
            if time.monotonic() - started > 1.2:
                break
    assert time.monotonic() - started > 1.2


def test_deadline__covers_a_server_that_never_answers():
    hanging = HangingServer().start()
    try:
        with client() as http:
            started = time.monotonic()
            with pytest.raises(httpx2.ReadTimeout), deadline(0.3):
                http.get(f"http://127.0.0.1:{hanging.port}/")
            assert time.monotonic() - started < 0.3 + SLACK
    finally:
        hanging.stop()


def test_deadline__already_passed_fails_at_once_without_connecting():
    with client() as http, deadline(0):
        with pytest.raises(httpx2.ConnectTimeout):
            http.get(f"http://127.0.0.1:{free_port()}/")


def test_deadline__quick_calls_succeed_and_reuse_their_connection(trickler):
    with client() as http:
        for _ in range(3):
            with deadline(0.5):
                assert http.get(f"{trickler.url}/quick").json() == {}
    assert trickler.connections == 1


def test_deadline__each_thread_has_its_own(trickler):
    """A call with a short deadline fails; one running beside it on the same client, with none,
    is not cut off."""
    outcomes: dict[str, object] = {}
    with client(timeout=0.5) as http:

        def short() -> None:
            try:
                with deadline(0.3):
                    http.get(f"{trickler.url}/slow")
            except httpx2.TimeoutException as exc:
                outcomes["short"] = type(exc)

        def unbounded() -> None:
            with http.stream("GET", f"{trickler.url}/slow") as response:
                started = time.monotonic()
                for _ in response.iter_raw():
                    if time.monotonic() - started > 0.8:
                        outcomes["unbounded"] = "still reading"
                        return

        threads = [threading.Thread(target=short), threading.Thread(target=unbounded)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(5)
    assert outcomes == {"short": httpx2.ReadTimeout, "unbounded": "still reading"}
