"""A slow LLM provider never holds a request much past ``OPENAI_TIMEOUT_SECONDS``: the offline
generator answers, the breaker opens after ``LLM_BREAKER_FAIL_MAX`` slow calls (then answers
without waiting at all) and closes again once the provider is quick.

tests/providers covers failures, invalid output and the breaker's states; here the clock is
what is checked, through a real HTTP server.
"""

from __future__ import annotations

import time

import pytest

from providers.breaker import OPENAI, breaker_states
from tests.support.api import live_login
from tests.support.llm import FAIL_MAX, RESET_SECONDS, TIMEOUT_SECONDS, TricklingServer

pytestmark = pytest.mark.django_db(transaction=True)

QUIZ = {"subject": "science", "grade_level": 6, "question_count": 3, "seed": 1}
MARGIN_SECONDS = 1.0


def timed_quiz(http, auth) -> tuple[dict, float]:
    started = time.monotonic()
    response = http.post("/api/v1/quizzes/generate", json=QUIZ, headers=auth)
    assert response.status_code == 201, response.text
    return response.json(), time.monotonic() - started


def test_llm_slow__requests_answer_within_timeout_then_breaker_skips_the_wait(http, teacher, llm):
    auth = live_login(http, teacher)
    llm.set_mode("slow", delay=TIMEOUT_SECONDS * 4)
    for _ in range(FAIL_MAX):
        body, seconds = timed_quiz(http, auth)
        assert (body["provider"], body["fallback_reason"]) == ("offline", "provider_unavailable")
        assert TIMEOUT_SECONDS <= seconds < TIMEOUT_SECONDS + MARGIN_SECONDS
    assert breaker_states() == {OPENAI: "open"}

    body, seconds = timed_quiz(http, auth)
    assert body["fallback_reason"] == "circuit_open"
    assert seconds < TIMEOUT_SECONDS  # no call, no wait

    llm.set_mode("ok")
    time.sleep(RESET_SECONDS + 0.05)
    body, _ = timed_quiz(http, auth)
    assert (body["provider"], body["fallback_reason"]) == ("openai", None)
    assert breaker_states() == {OPENAI: "closed"}


def test_llm_trickling__request_answers_within_timeout(http, teacher, llm, settings):
    server = TricklingServer(seconds=TIMEOUT_SECONDS * 4)
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{server.port}/v1"
    try:
        body, seconds = timed_quiz(http, live_login(http, teacher))
    finally:
        server.stop()
    assert body["provider"] == "offline"
    assert seconds < TIMEOUT_SECONDS + MARGIN_SECONDS
