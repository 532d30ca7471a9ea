"""What Sentry receives from the LLM path: spans, one event per failure, one per trip, no key."""

from __future__ import annotations

import pytest
import sentry_sdk

from tests.support.api import live_login
from tests.support.envelopes import breadcrumbs, children_of, spans_by_op, transaction_named
from tests.support.llm import OPAQUE_PLANTED_KEY, PLANTED_KEY, RESET_SECONDS
from tests.support.sentry_receiver import relay_errors

pytestmark = pytest.mark.django_db(transaction=True)

QUIZ = {
    "subject": "geography",
    "grade_level": 8,
    "difficulty": "hard",
    "question_count": 2,
    "seed": 5,
}
GENERATE = "/api/v1/quizzes/generate"


def gen_ai_spans(receiver) -> list[dict]:
    """sentry-sdk sends gen_ai spans as standalone (v2) span items."""
    return [
        span
        for batch in receiver.items("span")
        for span in batch.get("items", [])
        if span["attributes"].get("sentry.op", {}).get("value") == "gen_ai.chat"
    ]


def assert_no_secret(receiver, key: str) -> None:
    sentry_sdk.flush(2)
    assert key.encode() not in receiver.raw_bytes


def test_openai_call__http_span_with_a_gen_ai_child_recording_usage(
    sentry_receiver, http, teacher, llm
):
    response = http.post(GENERATE, json=QUIZ, headers=live_login(http, teacher))
    assert response.json()["provider"] == "openai"

    (transaction,) = sentry_receiver.wait_for(transaction_named(GENERATE))
    assert relay_errors(transaction) == []
    (questions,) = spans_by_op(transaction, "quiz.generate")
    (call,) = [span for span in children_of(transaction, questions) if span["op"] == "http.client"]
    assert call["description"] == "openai API call"
    assert call["data"]["service"] == "openai"
    assert call["data"]["outcome"] == "ok"
    assert "prompt" not in call["data"]["parameters"]  # teachers' words stay out of span data

    (chat,) = sentry_receiver.wait_for(gen_ai_spans)
    assert chat["parent_span_id"] == call["span_id"]
    attributes = {name: value["value"] for name, value in chat["attributes"].items()}
    assert attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert attributes["gen_ai.usage.input_tokens"] == 321
    assert attributes["gen_ai.usage.output_tokens"] == 654
    assert attributes["gen_ai.usage.total_tokens"] == 975
    # With personal data off, neither the prompt nor the answer leaves the process.
    assert not any(name.startswith("gen_ai.request.messages") for name in attributes)
    assert "Grade 8 geography" not in sentry_receiver.raw_bytes.decode()
    assert sentry_receiver.events == []
    assert_no_secret(sentry_receiver, PLANTED_KEY)


@pytest.mark.parametrize(
    ("mode", "error", "reason"),
    [
        ("error", "ProviderUnavailable", "provider_unavailable"),
        ("hang", "ProviderUnavailable", "provider_unavailable"),
        ("invalid", "ProviderOutputInvalid", "invalid_output"),
    ],
)
@pytest.mark.parametrize("key", [PLANTED_KEY, OPAQUE_PLANTED_KEY])
def test_provider_failure__one_categorised_event_with_context_and_no_secret(
    sentry_receiver, http, teacher, llm, settings, caplog, mode, error, reason, key
):
    settings.OPENAI_API_KEY = key
    llm.set_mode(mode)
    response = http.post(GENERATE, json=QUIZ, headers=live_login(http, teacher))
    assert response.status_code == 201
    assert (response.json()["provider"], response.json()["fallback_reason"]) == ("offline", reason)

    (event,) = sentry_receiver.wait_for(lambda receiver: receiver.events)
    sentry_receiver.wait_for(transaction_named(GENERATE))
    assert len(sentry_receiver.events) == 1  # not also the OpenAI integration's own report
    assert relay_errors(event) == []
    assert event["level"] == "error"
    assert event["transaction"] == GENERATE
    assert event["exception"]["values"][-1]["type"] == error
    tags = event["tags"]
    assert tags["component"] == "providers"
    assert tags["error_category"] == "content_generation"
    assert tags["service"] == "openai"
    assert tags["user.role"] == "teacher"
    assert event["fingerprint"] == ["providers", "content_generation", error]
    assert event["contexts"]["educational_content"] == {**QUIZ, "provider": "openai"}
    assert [crumb["message"] for crumb in breadcrumbs(event, "content")] == [
        "Quiz generation started"
    ]
    assert_no_secret(sentry_receiver, key)
    assert "the offline generator answers" in caplog.text
    assert key not in caplog.text


def test_breaker_open__one_warning_event_then_offline_without_events(
    sentry_receiver, http, teacher, llm, settings
):
    settings.LLM_BREAKER_FAIL_MAX = 2
    llm.set_mode("error")
    auth = live_login(http, teacher)
    reasons = [
        http.post(GENERATE, json=QUIZ, headers=auth).json()["fallback_reason"] for _ in "1234"
    ]
    assert reasons == ["provider_unavailable"] * 2 + ["circuit_open"] * 2
    assert llm.calls == 2

    sentry_receiver.wait_for(lambda receiver: len(receiver.events) >= 3)
    sentry_receiver.wait_for(lambda r: len(transaction_named(GENERATE)(r)) == 4)
    events = sentry_receiver.events
    warnings = [event for event in events if event["level"] == "warning"]
    errors = [event for event in events if event["level"] == "error"]
    assert len(warnings) == 1 and len(errors) == 2 and len(events) == 3

    (warning,) = warnings
    assert relay_errors(warning) == []
    assert warning["message"] == (
        "Circuit breaker openai opened after 2 consecutive failures: "
        f"the offline generator answers for {RESET_SECONDS:g} s"
    )
    assert warning["tags"]["component"] == "providers"
    assert warning["tags"]["error_category"] == "external_api"
    assert warning["tags"]["service"] == "openai"
    assert warning["fingerprint"] == ["circuit-breaker", "openai", "open"]
    assert warning["contexts"]["circuit_breaker"]["storage"] == "memory"
    (trip,) = breadcrumbs(warning, "circuit_breaker")
    assert trip["message"] == "Circuit breaker openai: closed -> open"
    assert trip["level"] == "warning"
    assert_no_secret(sentry_receiver, PLANTED_KEY)
