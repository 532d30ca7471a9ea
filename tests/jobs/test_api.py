"""Background generation through the HTTP API, with jobs run eagerly (no broker configured)."""

from __future__ import annotations

import pytest

from accounts.models import Role
from jobs import services
from jobs.models import GenerationJob, JobKind
from lessons.models import Lesson
from quizzes.models import Quiz
from tests.accounts.factories import make_user
from tests.support.api import Api

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("offline_only")]

LESSON = {
    "subject": "history",
    "grade_level": 6,
    "learning_objectives": ["Explain the Magna Carta"],
}
QUIZ = {"subject": "mathematics", "grade_level": 3, "question_count": 3, "seed": 9}


def test_background_lesson__answers_202_with_a_job_that_has_the_lesson(client, teacher):
    api = Api(client, teacher)
    response = api.post("/api/v1/content/generate", {**LESSON, "background": True})
    assert response.status_code == 202, response.content
    job = response.json()
    # No broker here: the job ran in the request, so it is already done.
    assert (job["kind"], job["status"], job["progress"]) == ("lesson", "done", 100)
    assert job["error"] is None
    assert job["status_url"] == f"/api/v1/jobs/{job['id']}"
    assert job["websocket_path"] == f"/ws/jobs/{job['id']}/"
    lesson = Lesson.objects.get()
    assert job["content_id"] == lesson.pk and lesson.owner == teacher
    assert job["content_url"] == f"/api/v1/content/{lesson.pk}"
    assert api.get(job["content_url"]).json()["title"] == lesson.title

    status = api.get(job["status_url"])
    assert status.status_code == 200
    assert status.json() == job
    assert [j["id"] for j in api.get("/api/v1/jobs").json()["items"]] == [job["id"]]
    stored = GenerationJob.objects.get()
    assert stored.params == {
        **LESSON,
        "content_type": "lesson",
        "complexity": "intermediate",
        "seed": None,
    }


def test_background_quiz__the_same_quiz_as_in_the_foreground(client, teacher):
    api = Api(client, teacher)
    job = api.post("/api/v1/quizzes/generate", {**QUIZ, "background": True}).json()
    assert (job["kind"], job["status"]) == ("quiz", "done")
    background = Quiz.objects.get(pk=job["content_id"])
    foreground = api.post("/api/v1/quizzes/generate", {**QUIZ, "background": False})
    assert foreground.status_code == 201
    assert foreground.json()["questions"] == background.questions
    assert job["content_url"] == f"/api/v1/quizzes/{background.pk}"


def test_jobs__only_teachers_start_them_and_only_owners_and_admins_see_them(client, teacher):
    student, other, admin = (make_user(role) for role in (Role.STUDENT, Role.TEACHER, Role.ADMIN))
    job = Api(client, teacher).post("/api/v1/quizzes/generate", {**QUIZ, "background": True})
    job_id = job.json()["id"]
    refused = Api(client, student).post("/api/v1/quizzes/generate", {**QUIZ, "background": True})
    assert refused.status_code == 403
    assert GenerationJob.objects.count() == 1
    assert Api(client, other).get(f"/api/v1/jobs/{job_id}").status_code == 404
    assert Api(client, student).get(f"/api/v1/jobs/{job_id}").status_code == 404
    assert Api(client, other).get("/api/v1/jobs").json()["items"] == []
    assert Api(client, admin).get(f"/api/v1/jobs/{job_id}").status_code == 200
    assert Api(client).get(f"/api/v1/jobs/{job_id}").status_code == 401
    assert Api(client, teacher).get("/api/v1/jobs/not-a-uuid").status_code == 404


def test_background__invalid_request_is_refused_before_any_job(client, teacher):
    response = Api(client, teacher).post(
        "/api/v1/quizzes/generate", {**QUIZ, "question_count": 0, "background": True}
    )
    assert response.status_code == 422
    assert not GenerationJob.objects.exists()


def test_background__a_failed_generation_is_a_failed_job_with_a_safe_message(
    client, teacher, monkeypatch, sentry_receiver
):
    def explode(**kwargs):
        raise RuntimeError("model weights missing at /opt/secret/path")

    monkeypatch.setattr("lessons.services._lesson_content", explode)
    job = Api(client, teacher).post("/api/v1/content/generate", {**LESSON, "background": True})
    assert job.status_code == 202
    body = job.json()
    assert (body["status"], body["content_id"]) == ("failed", None)
    assert body["error"] == services.GENERATION_FAILED
    assert "weights" not in job.content.decode()
    # Reported once, by the generation service, with its educational context and the owner.
    events = sentry_receiver.wait_for(lambda r: [e for e in r.events if e.get("exception")])
    assert len(events) == 1
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["contexts"]["educational_content"]["subject"] == "history"
    assert event["contexts"]["generation_job"] == {"id": body["id"], "kind": JobKind.LESSON}
    assert event["user"]["id"] == str(teacher.pk)
