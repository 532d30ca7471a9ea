"""What Sentry receives when lessons are generated and read through the real app (live server)."""

from __future__ import annotations

import pytest

from tests.support.api import live_login
from tests.support.envelopes import children_of, spans_by_op, transaction_named
from tests.support.sentry_receiver import relay_errors

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("offline_only")]

BODY = {
    "subject": "history",
    "grade_level": "K",
    "learning_objectives": ["Retell a story about long ago"],
    "content_type": "activity",
    "complexity": "basic",
    "seed": 4,
}


def test_lesson_generate__transaction_has_the_generation_span_tree_and_context(
    sentry_receiver, http, teacher
):
    auth = live_login(http, teacher)
    response = http.post("/api/v1/content/generate", json=BODY, headers=auth)
    assert response.status_code == 201
    lesson_id = response.json()["id"]
    assert http.get(f"/api/v1/content/{lesson_id}", headers=auth).status_code == 200

    (transaction,) = sentry_receiver.wait_for(transaction_named("/api/v1/content/generate"))
    assert relay_errors(transaction) == []
    (generation,) = spans_by_op(transaction, "content.generation")
    assert generation["description"] == "Generate a lesson"
    children = children_of(transaction, generation)
    (content,) = [span for span in children if span["op"] == "lesson.generate"]
    assert content["description"] == "Write the lesson content"
    assert any(
        span["op"] == "db" and span["description"].startswith('INSERT INTO "lessons_lesson"')
        for span in children
    )
    assert transaction["contexts"]["educational_content"] == {
        "subject": "history",
        "grade_level": 0,
        "learning_objectives": ["Retell a story about long ago"],
        "content_type": "activity",
        "complexity": "basic",
        "seed": 4,
        "provider": "offline",
    }
    assert transaction["tags"]["user.role"] == "teacher"

    # Routes with parameters are named by their pattern, not by the id.
    (read,) = sentry_receiver.wait_for(transaction_named("/api/v1/content/{lesson_id}"))
    assert read["tags"]["http.status_code"] == "200"
    assert sentry_receiver.events == []
