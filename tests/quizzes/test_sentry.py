"""What Sentry receives when quizzes are generated through the real app (live server)."""

from __future__ import annotations

import pytest
import sentry_sdk

from providers.offline import OfflineProvider
from tests.support.api import live_login
from tests.support.envelopes import breadcrumbs, children_of, spans_by_op, transaction_named
from tests.support.sentry_receiver import relay_errors

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("offline_only")]

BODY = {
    "subject": "science",
    "grade_level": 5,
    "difficulty": "easy",
    "question_count": 3,
    "seed": 9,
}
CONTEXT = {**BODY, "provider": "offline"}


def test_quiz_generate__transaction_has_the_generation_span_tree_and_context(
    sentry_receiver, http, teacher
):
    response = http.post("/api/v1/quizzes/generate", json=BODY, headers=live_login(http, teacher))
    assert response.status_code == 201

    (transaction,) = sentry_receiver.wait_for(transaction_named("/api/v1/quizzes/generate"))
    assert relay_errors(transaction) == []
    (generation,) = spans_by_op(transaction, "content.generation")
    assert generation["description"] == "Generate a quiz"
    assert generation["data"]["parameters"]["subject"] == "science"
    children = children_of(transaction, generation)
    (questions,) = [span for span in children if span["op"] == "quiz.generate"]
    assert questions["description"] == "Write the quiz questions"
    inserts = [
        span
        for span in children
        if span["op"] == "db" and span["description"].startswith('INSERT INTO "quizzes_quiz"')
    ]
    assert len(inserts) == 1
    assert transaction["contexts"]["educational_content"] == CONTEXT
    assert transaction["tags"]["user.role"] == "teacher"
    assert sentry_receiver.events == []
    # Personal data stays home: the monitors record the owner's id, never their username.
    assert teacher.username.encode() not in sentry_receiver.raw_bytes


def test_quiz_generate__a_generator_crash_is_one_event_with_content_breadcrumbs(
    sentry_receiver, http, teacher, monkeypatch
):
    def crash(self, request):
        raise RuntimeError("question bank unreadable")

    monkeypatch.setattr(OfflineProvider, "generate_quiz_questions", crash)
    response = http.post("/api/v1/quizzes/generate", json=BODY, headers=live_login(http, teacher))
    assert response.status_code == 500

    (event,) = sentry_receiver.wait_for(lambda receiver: receiver.events)
    sentry_receiver.wait_for(transaction_named("/api/v1/quizzes/generate"))
    sentry_sdk.flush(2)
    assert len(sentry_receiver.events) == 1  # captured once, not again on the way out
    assert relay_errors(event) == []
    assert event["transaction"] == "/api/v1/quizzes/generate"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["tags"]["component"] == "quizzes"
    assert event["tags"]["error_category"] == "content_generation"
    assert event["tags"]["user.role"] == "teacher"
    assert event["contexts"]["educational_content"] == {
        key: value for key, value in CONTEXT.items() if key != "provider"
    }
    crumbs = breadcrumbs(event, "content")
    assert [crumb["message"] for crumb in crumbs] == ["Quiz generation started"]
    assert crumbs[0]["data"] == {
        "subject": "science",
        "grade_level": 5,
        "difficulty": "easy",
        "question_count": 3,
    }
