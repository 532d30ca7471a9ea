"""Provider choice, offline fallback and the circuit breaker, seen through the API and /health."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import types
from urllib.parse import urlsplit

import pybreaker
import pytest
import redis

from lessons.models import Lesson
from providers.base import LessonRequest, QuizRequest
from providers.breaker import (
    OPENAI,
    REDIS_TIMEOUT_SECONDS,
    breaker_states,
    breakers_reset,
    get_breaker,
)
from providers.offline import offline_provider
from providers.selection import provider_for
from quizzes.models import Quiz
from tests.support.api import Api
from tests.support.fake_openai import LLM_PROMPT_PREFIX, LLM_TITLE_PREFIX
from tests.support.llm import FAIL_MAX, RESET_SECONDS

pytestmark = pytest.mark.django_db

QUIZ = {
    "subject": "science",
    "grade_level": 6,
    "difficulty": "hard",
    "question_count": 3,
    "seed": 1,
}
LESSON = {
    "subject": "geography",
    "grade_level": 8,
    "learning_objectives": ["Explain how rivers shape valleys"],
    "seed": 2,
}


def offline_questions(body: dict) -> list[dict]:
    request = QuizRequest(
        subject=body["subject"],
        grade_level=body["grade_level"],
        difficulty=body["difficulty"],
        question_count=body["question_count"],
        seed=body["seed"],
    )
    return offline_provider.generate_quiz_questions(request)


def generate_quiz(client, teacher, **overrides) -> dict:
    response = Api(client, teacher).post("/api/v1/quizzes/generate", {**QUIZ, **overrides})
    assert response.status_code == 201, response.content
    return response.json()


def test_provider_for__offline_without_a_key_llm_with_one_but_never_for_maths(settings):
    settings.OPENAI_API_KEY = ""
    assert provider_for(subject="science").name == "offline"
    settings.OPENAI_API_KEY = "sk-anything"
    assert provider_for(subject="science").name == "openai"
    assert provider_for(subject="Art history").name == "openai"
    assert provider_for(subject="mathematics").name == "offline"


def test_quiz_generate__non_maths_questions_come_from_the_llm(client, teacher, llm):
    body = generate_quiz(client, teacher)
    assert body["provider"] == "openai" and body["fallback_reason"] is None
    assert all(q["prompt"].startswith(LLM_PROMPT_PREFIX) for q in body["questions"])
    assert Quiz.objects.get().provider == "openai"
    assert llm.calls == 1


def test_lesson_generate__non_maths_lesson_comes_from_the_llm(client, teacher, llm):
    response = Api(client, teacher).post("/api/v1/content/generate", LESSON)
    assert response.status_code == 201
    body = response.json()
    assert body["provider"] == "openai" and body["fallback_reason"] is None
    assert body["title"].startswith(LLM_TITLE_PREFIX)
    assert body["vocabulary"][0] == {
        "term": "evaporation",
        "definition": "Liquid water turning into vapour.",
    }
    assert body["learning_objectives"] == LESSON["learning_objectives"]
    assert Lesson.objects.get().title.startswith(LLM_TITLE_PREFIX)


def test_generate__mathematics_always_stays_offline(client, teacher, llm):
    quiz = generate_quiz(client, teacher, subject="maths")
    assert quiz["provider"] == "offline" and quiz["fallback_reason"] is None
    assert quiz["questions"] == offline_questions({**QUIZ, "subject": "mathematics"})
    response = Api(client, teacher).post(
        "/api/v1/content/generate", {**LESSON, "subject": "Mathematics"}
    )
    assert response.json()["provider"] == "offline"
    assert llm.calls == 0


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("error", "provider_unavailable"),
        ("hang", "provider_unavailable"),
        ("malformed", "invalid_output"),
        ("invalid", "invalid_output"),
    ],
)
def test_quiz_generate__llm_failure_falls_back_to_offline_and_says_why(
    client, teacher, llm, mode, reason
):
    llm.set_mode(mode)
    body = generate_quiz(client, teacher)
    assert body["provider"] == "offline"
    assert body["fallback_reason"] == reason
    # Nothing the LLM said is stored: the quiz is exactly the offline one.
    assert body["questions"] == offline_questions(QUIZ)
    stored = Quiz.objects.get()
    assert (stored.provider, stored.fallback_reason) == ("offline", reason)
    assert not any(LLM_PROMPT_PREFIX in q["prompt"] for q in stored.questions)


def test_lesson_generate__invalid_llm_lesson_is_not_stored(client, teacher, llm):
    llm.set_mode("invalid")
    body = Api(client, teacher).post("/api/v1/content/generate", LESSON).json()
    assert (body["provider"], body["fallback_reason"]) == ("offline", "invalid_output")
    expected = offline_provider.generate_lesson(
        LessonRequest(
            "geography", 8, tuple(LESSON["learning_objectives"]), "lesson", "intermediate", 2
        )
    )
    assert body["title"] == expected["title"]
    assert not Lesson.objects.filter(title__startswith=LLM_TITLE_PREFIX).exists()


def test_breaker__opens_after_fail_max_failures_and_offline_answers_without_calling(
    client, teacher, llm
):
    llm.set_mode("error")
    for _ in range(FAIL_MAX):
        assert generate_quiz(client, teacher)["fallback_reason"] == "provider_unavailable"
    assert llm.calls == FAIL_MAX
    assert breaker_states() == {OPENAI: "open"}

    started = time.monotonic()
    body = generate_quiz(client, teacher)
    assert (body["provider"], body["fallback_reason"]) == ("offline", "circuit_open")
    assert body["questions"] == offline_questions(QUIZ)
    assert llm.calls == FAIL_MAX  # no call while open
    assert time.monotonic() - started < 1.0


def test_breaker__closes_again_after_the_reset_timeout_when_the_trial_succeeds(
    client, teacher, llm
):
    llm.set_mode("error")
    for _ in range(FAIL_MAX):
        generate_quiz(client, teacher)
    assert breaker_states() == {OPENAI: "open"}
    llm.set_mode("ok")
    assert generate_quiz(client, teacher)["fallback_reason"] == "circuit_open"

    time.sleep(RESET_SECONDS + 0.05)
    body = generate_quiz(client, teacher)  # the half-open trial call
    assert (body["provider"], body["fallback_reason"]) == ("openai", None)
    assert breaker_states() == {OPENAI: "closed"}
    assert generate_quiz(client, teacher)["provider"] == "openai"
    assert llm.calls == FAIL_MAX + 2


def test_breaker__a_failed_trial_opens_it_again(client, teacher, llm):
    llm.set_mode("invalid")
    for _ in range(FAIL_MAX):
        generate_quiz(client, teacher)
    time.sleep(RESET_SECONDS + 0.05)
    assert generate_quiz(client, teacher)["fallback_reason"] == "invalid_output"
    assert breaker_states() == {OPENAI: "open"}
    assert generate_quiz(client, teacher)["fallback_reason"] == "circuit_open"
    assert llm.calls == FAIL_MAX + 1


def test_breaker__a_success_resets_the_failure_count(client, teacher, llm):
    for mode in ["error"] * (FAIL_MAX - 1) + ["ok"] + ["error"] * (FAIL_MAX - 1):
        llm.set_mode(mode)
        generate_quiz(client, teacher)
    assert breaker_states() == {OPENAI: "closed"}


def test_breaker__settings_are_read_on_use(settings, llm):
    settings.LLM_BREAKER_FAIL_MAX = 7
    settings.LLM_BREAKER_RESET_SECONDS = 42
    breaker = get_breaker(OPENAI)
    assert (breaker.fail_max, breaker.reset_timeout, breaker.storage_kind) == (7, 42, "memory")
    assert get_breaker(OPENAI) is breaker


def test_breaker__llm_calls_are_not_serialised(llm, teacher):
    """``with breaker.calling()`` holds no lock during the call (``breaker.call`` would)."""
    from providers.selection import quiz_questions_generate

    llm.set_mode("slow", delay=0.4)
    request = QuizRequest(
        subject="science", grade_level=3, difficulty="easy", question_count=2, seed=1
    )
    results = []

    def generate():
        results.append(quiz_questions_generate(request=request, user_id=teacher.pk).provider)

    threads = [threading.Thread(target=generate) for _ in range(3)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["openai"] * 3
    assert time.monotonic() - started < 1.0  # one after the other would take 1.2 s


# --- /health ------------------------------------------------------------------------------------


def test_health__circuit_breakers_degraded_while_open_healthy_once_closed(client, teacher, llm):
    body = client.get("/health").json()
    assert body["checks"]["circuit_breakers"]["status"] == "healthy"

    llm.set_mode("error")
    for _ in range(FAIL_MAX):
        generate_quiz(client, teacher)
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["circuit_breakers"] == {
        "status": "degraded",
        "latency_ms": body["checks"]["circuit_breakers"]["latency_ms"],
        "message": "circuit breaker open: openai",
    }
    assert body["checks"]["database"]["status"] == "healthy"

    llm.set_mode("ok")
    time.sleep(RESET_SECONDS + 0.05)
    generate_quiz(client, teacher)
    body = client.get("/health").json()
    assert body["status"] == "healthy"
    assert body["checks"]["circuit_breakers"]["status"] == "healthy"


# --- shared state in Redis ----------------------------------------------------------------------


@pytest.fixture
def redis_url(settings):
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")

    def clean() -> None:
        for key in client.scan_iter("toolbox:breaker:*"):
            client.delete(key)

    clean()
    settings.REDIS_URL = url
    yield url
    clean()
    breakers_reset()


def test_breaker__with_redis_every_worker_sees_one_breaker(redis_url, settings):
    settings.LLM_BREAKER_FAIL_MAX = 2
    settings.LLM_BREAKER_RESET_SECONDS = 60
    first_worker = get_breaker(OPENAI)
    assert first_worker.storage_kind == "redis"
    for _ in range(2):
        with contextlib.suppress(RuntimeError), first_worker.calling():
            raise RuntimeError("provider down")
    assert first_worker.current_state == "open"

    breakers_reset()  # another process: a new breaker object, the same Redis state
    second_worker = get_breaker(OPENAI)
    assert second_worker is not first_worker
    assert breaker_states() == {OPENAI: "open"}
    with pytest.raises(pybreaker.CircuitBreakerError), second_worker.calling():
        pass


def test_breaker__unreachable_redis_keeps_the_state_in_memory_without_waiting(settings, caplog):
    from tests.support.sentry_receiver import HangingServer

    hanging = HangingServer().start()  # accepts connections and never answers
    settings.REDIS_URL = f"redis://127.0.0.1:{hanging.port}/0"
    settings.LLM_BREAKER_FAIL_MAX = 2
    try:
        breaker = get_breaker(OPENAI)
        started = time.monotonic()
        assert breaker_states() == {OPENAI: "closed"}  # the one call that waits on Redis
        assert time.monotonic() - started < 1.0
        started = time.monotonic()
        for _ in range(2):
            with contextlib.suppress(RuntimeError), breaker.calling():
                raise RuntimeError("provider down")
        assert breaker.current_state == "open"  # counted in memory
        # One wait on the hanging Redis would take its whole timeout; anything less is noise of
        # the machine (a full collection of the suite's heap alone can take 0.1 s).
        assert time.monotonic() - started < REDIS_TIMEOUT_SECONDS
    finally:
        hanging.stop()
    records = [r for r in caplog.records if r.name.startswith(("pybreaker", "providers"))]
    assert [(r.levelname, r.getMessage()) for r in records if "redis" in r.getMessage()] == [
        (
            "WARNING",
            "circuit breaker openai keeps its state in memory for 30 s: redis unreachable "
            "(TimeoutError)",
        )
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_breaker__back_to_redis_after_an_outage_without_a_restart(redis_url, settings, monkeypatch):
    from providers import breaker as breaker_module
    from tests.faults.tcp_proxy import TcpProxy

    # The breaker's clock, moved by the test: Redis is retried once REDIS_RETRY_SECONDS passed.
    now = [time.monotonic()]
    monkeypatch.setattr(breaker_module, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    url = urlsplit(redis_url)
    proxy = TcpProxy(url.port or 6379, url.hostname or "127.0.0.1").start()
    settings.REDIS_URL = f"redis://127.0.0.1:{proxy.port}{url.path or '/0'}"
    state_key = "toolbox:breaker:openai:pybreaker:state"
    shared = redis.Redis.from_url(redis_url)
    try:
        breaker = get_breaker(OPENAI)
        assert breaker.current_state == "closed"
        proxy.stop()
        breaker.open()  # Redis refuses: kept in memory
        assert breaker.current_state == "open"
        assert shared.get(state_key) == b"closed"
        proxy.start()
        assert breaker.current_state == "open"  # not retried yet: still the memory's state
        now[0] += breaker_module.REDIS_RETRY_SECONDS
        assert breaker.current_state == "closed"  # Redis's state again, shared by every worker
        breaker.open()
        assert shared.get(state_key) == b"open"
    finally:
        proxy.stop()
