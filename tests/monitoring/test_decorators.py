"""monitoring/decorators.py: the monitors put spans on the transaction that reaches Sentry and
mark failures so the error policy can tag them; without Sentry they change nothing."""

import asyncio

import pytest
import sentry_sdk

from monitoring.decorators import (
    sentry_database_monitor,
    sentry_external_api_monitor,
    sentry_performance_monitor,
)
from tests.support.envelopes import spans_by_op, transaction_named


@sentry_performance_monitor("quiz.generate", "Generate a quiz", component="quizzes")
def generate(subject: str, *, count: int) -> list[str]:
    return [subject] * count


@sentry_external_api_monitor("openai", component="providers")
def call_llm() -> None:
    raise TimeoutError("the provider did not answer")


@sentry_database_monitor("save", component="lessons")
async def save() -> str:
    return "saved"


def test_performance_monitor__span_with_parameters_and_outcome(sentry_receiver):
    with sentry_sdk.start_transaction(name="monitored", op="test"):
        assert generate("fractions", count=2) == ["fractions", "fractions"]
    (transaction,) = sentry_receiver.wait_for(transaction_named("monitored"))
    (span,) = spans_by_op(transaction, "quiz.generate")
    assert span["description"] == "Generate a quiz"
    assert span["status"] == "ok"
    assert span["data"]["outcome"] == "ok"
    assert span["data"]["duration_ms"] >= 0
    assert "fractions" in str(span["data"]["parameters"])


def test_external_api_monitor__failure_is_marked_and_re_raised(sentry_receiver):
    with sentry_sdk.start_transaction(name="failing call", op="test"):
        with pytest.raises(TimeoutError) as caught:
            call_llm()
    assert caught.value.sentry_component == "providers"
    assert caught.value.sentry_tags == {"service": "openai"}
    assert caught.value.error_category == "external_api"
    (transaction,) = sentry_receiver.wait_for(transaction_named("failing call"))
    (span,) = spans_by_op(transaction, "http.client")
    assert span["description"] == "openai API call"
    assert span["status"] == "internal_error"
    assert span["data"]["error.type"] == "TimeoutError"


def test_database_monitor__async_function_gets_a_db_span(sentry_receiver):
    async def scenario() -> str:
        with sentry_sdk.start_transaction(name="async save", op="test"):
            return await save()

    assert asyncio.run(scenario()) == "saved"
    (transaction,) = sentry_receiver.wait_for(transaction_named("async save"))
    (span,) = spans_by_op(transaction, "db.save")
    assert span["data"]["outcome"] == "ok"


def test_monitors__without_sentry_the_function_is_unchanged(configure_sentry):
    configure_sentry("development", dsn="")
    assert generate("maths", count=1) == ["maths"]
    with pytest.raises(TimeoutError) as caught:
        call_llm()
    assert not hasattr(caught.value, "sentry_component")  # nothing recorded for nobody
