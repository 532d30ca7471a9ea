"""Content we wrote that we cannot read back is a server error: 500 in the JSON shape of every
other crash, one Sentry event carrying the content kind and id, counted once as a server error,
never a 4xx that blames the client (and that production would not report)."""

from __future__ import annotations

import pytest
import sentry_sdk

from accounts import tokens
from lessons.models import Lesson
from quizzes.models import Quiz
from tests.support.api import classroom_with

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("offline_only")]


def auth(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.issue_pair(user.pk, user.role).access}"}


def server_errors(http, component: str) -> tuple[int, int]:
    figures = http.get("/metrics").json()["errors"]["by_component"].get(component, {})
    return figures.get("errors", 0), figures.get("client_errors", 0)


def published(http, teacher, student, kind: str) -> int:
    path, body = {
        "quiz": ("/api/v1/quizzes", {"subject": "science", "grade_level": 5, "question_count": 3}),
        "lesson": (
            "/api/v1/content",
            {"subject": "science", "grade_level": 5, "learning_objectives": ["Describe rain"]},
        ),
    }[kind]
    created = http.post(f"{path}/generate", json=body, headers=auth(teacher))
    assert created.status_code == 201, created.text
    content_id = created.json()["id"]
    classroom = classroom_with(teacher, student)
    publish = http.post(
        f"{path}/{content_id}/publish", json={"classroom_id": classroom.pk}, headers=auth(teacher)
    )
    assert publish.status_code == 200
    return content_id


def assert_server_error(response) -> str:
    assert response.status_code == 500, response.text
    body = response.json()
    assert body["detail"] == "Internal server error"
    assert "bogus" not in response.text and "validation" not in response.text.lower()
    return response.headers["X-Sentry-Event-ID"]


def corrupt_events(receiver, kind: str, content_id: int) -> list[dict]:
    return [
        event
        for event in receiver.events
        if event.get("tags", {}).get("content.kind") == kind
        and event["tags"].get("content.id") == str(content_id)
    ]


def test_corrupt_quiz__owner_and_student_get_500_with_one_event_each(
    http, sentry_receiver, teacher, student
):
    quiz_id = published(http, teacher, student, "quiz")
    Quiz.objects.filter(pk=quiz_id).update(questions=[{"bogus": 1}])
    errors_before, client_errors_before = server_errors(http, "quizzes")

    event_ids = [
        assert_server_error(http.get(f"/api/v1/quizzes/{quiz_id}", headers=auth(teacher))),
        assert_server_error(http.get(f"/api/v1/quizzes/{quiz_id}", headers=auth(student))),
        # Grading used to answer 422 "question 0 has no options": the student's fault, unheard of.
        assert_server_error(
            http.post(
                f"/api/v1/quizzes/{quiz_id}/attempts", json={"answers": [0]}, headers=auth(student)
            )
        ),
    ]

    sentry_sdk.flush(timeout=5)
    events = sentry_receiver.wait_for(
        lambda r: len(found := corrupt_events(r, "quiz", quiz_id)) >= 3 and found
    )
    assert sorted(event["event_id"] for event in events) == sorted(event_ids)
    for event in events:
        assert event["tags"]["error_category"] == "database"
        assert event["tags"]["component"] == "quizzes"
        context = event["contexts"]["stored_content"]
        assert (context["kind"], context["id"], context["field"]) == ("quiz", quiz_id, "questions")
        assert "bogus" not in str(context)  # where and what, not the stored value
    # One event per request: nothing else was sent for them.
    assert len(sentry_receiver.events) == 3
    assert server_errors(http, "quizzes") == (errors_before + 3, client_errors_before)
    assert Quiz.objects.get(pk=quiz_id).attempts.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("content", {"sections": [{"heading": "only a heading"}]}),
        ("content", ["not", "an", "object"]),
        ("learning_objectives", [{"text": "not a string"}]),
    ],
)
def test_corrupt_lesson__owner_and_student_get_500_with_one_event_each(
    http, sentry_receiver, teacher, student, field, value
):
    lesson_id = published(http, teacher, student, "lesson")
    Lesson.objects.filter(pk=lesson_id).update(**{field: value})
    errors_before, client_errors_before = server_errors(http, "lessons")

    event_ids = [
        assert_server_error(http.get(f"/api/v1/content/{lesson_id}", headers=auth(user)))
        for user in (teacher, student)
    ]

    sentry_sdk.flush(timeout=5)
    events = sentry_receiver.wait_for(
        lambda r: len(found := corrupt_events(r, "lesson", lesson_id)) >= 2 and found
    )
    assert sorted(event["event_id"] for event in events) == sorted(event_ids)
    assert {event["contexts"]["stored_content"]["field"] for event in events} == {field}
    assert len(sentry_receiver.events) == 2
    assert server_errors(http, "lessons") == (errors_before + 2, client_errors_before)


def test_sound_quiz__still_reads_and_grades(http, teacher, student):
    quiz_id = published(http, teacher, student, "quiz")
    assert http.get(f"/api/v1/quizzes/{quiz_id}", headers=auth(student)).status_code == 200
    attempt = http.post(
        f"/api/v1/quizzes/{quiz_id}/attempts", json={"answers": [0, 1, 2]}, headers=auth(student)
    )
    assert attempt.status_code == 201


def test_old_lesson_beyond_the_writers_limits__reads_but_the_wrong_shape_is_still_a_500(
    http, sentry_receiver, teacher, student
):
    """Readers are built from ``curriculum.shapes`` without its limits: a row written before
    them (or by hand) reads as stored, while a row of the wrong shape still cannot be read."""
    lesson_id = published(http, teacher, student, "lesson")
    old = Lesson.objects.get(pk=lesson_id).content
    body = "  " + "A section written before the limits. " * 200  # 7,400 characters, unstripped
    old.update(sections=[{"heading": "", "body": body}] * 31, estimated_duration_minutes=900)
    Lesson.objects.filter(pk=lesson_id).update(content=old)

    for user in (teacher, student):
        response = http.get(f"/api/v1/content/{lesson_id}", headers=auth(user))
        assert response.status_code == 200, response.text
        assert response.json()["sections"] == old["sections"]
        assert response.json()["estimated_duration_minutes"] == 900
    sentry_sdk.flush(timeout=5)
    assert corrupt_events(sentry_receiver, "lesson", lesson_id) == []

    Lesson.objects.filter(pk=lesson_id).update(content={**old, "sections": [{"body": body}]})
    event_id = assert_server_error(http.get(f"/api/v1/content/{lesson_id}", headers=auth(student)))
    sentry_sdk.flush(timeout=5)
    events = sentry_receiver.wait_for(lambda r: corrupt_events(r, "lesson", lesson_id))
    assert [event["event_id"] for event in events] == [event_id]
    assert events[0]["contexts"]["stored_content"]["problems"] == ["sections.0.heading: missing"]


def test_old_quiz_beyond_the_writers_limits__reads_and_grades(http, teacher, student):
    quiz_id = published(http, teacher, student, "quiz")
    old = [
        {**question, "prompt": "  " + "Which? " * 700, "options": ["a", "A", "b", "c", "d"]}
        for question in Quiz.objects.get(pk=quiz_id).questions
    ]
    Quiz.objects.filter(pk=quiz_id).update(questions=old)

    teacher_view = http.get(f"/api/v1/quizzes/{quiz_id}", headers=auth(teacher))
    assert teacher_view.status_code == 200, teacher_view.text
    assert [q["prompt"] for q in teacher_view.json()["questions"]] == [q["prompt"] for q in old]
    student_view = http.get(f"/api/v1/quizzes/{quiz_id}", headers=auth(student))
    assert student_view.status_code == 200, student_view.text
    assert student_view.json()["questions"][0]["options"] == ["a", "A", "b", "c", "d"]
    attempt = http.post(
        f"/api/v1/quizzes/{quiz_id}/attempts", json={"answers": [4, 0, 1]}, headers=auth(student)
    )
    assert attempt.status_code == 201, attempt.text
