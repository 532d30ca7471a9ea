"""``GET /api/v1/catalog``: one vocabulary of subjects and grades, the same for every content kind,
and every value it offers is one the generate endpoints accept (and nothing else is)."""

from __future__ import annotations

import pytest

from lessons.models import Lesson
from quizzes.models import Quiz
from tests.support.api import Api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("offline_only")]

ALLOWED_SUBJECTS = ["mathematics", "science", "history", "geography", "english", "computer_science"]
GENERATE = {
    "lesson": ("/api/v1/content/generate", {"learning_objectives": ["Explain one key idea"]}),
    "quiz": ("/api/v1/quizzes/generate", {"question_count": 3}),
}


def catalog(client) -> dict:
    response = client.get("/api/v1/catalog")
    assert response.status_code == 200
    return response.json()


def test_catalog__public_and_cacheable(client):
    response = client.get("/api/v1/catalog")  # no credentials
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=300"} <= directives


def test_catalog__lists_subjects_grades_and_form_choices(client):
    body = catalog(client)
    assert [s["id"] for s in body["subjects"]] == ALLOWED_SUBJECTS
    maths = body["subjects"][0]
    assert maths["label"] == "Mathematics" and {"math", "maths"} <= set(maths["aliases"])
    assert all(set(s["kinds"]) == {"lesson", "quiz"} for s in body["subjects"])
    assert [g["value"] for g in body["grade_levels"]] == list(range(13))
    assert body["grade_levels"][0] == {"value": 0, "label": "Kindergarten", "band": "K-2"}
    assert [b["id"] for b in body["grade_bands"]] == ["K-2", "3-5", "6-8", "9-12"]
    assert [c["id"] for c in body["lesson"]["content_types"]] == [
        "lesson",
        "study_guide",
        "activity",
        "review",
    ]
    assert [c["id"] for c in body["lesson"]["complexities"]] == [
        "basic",
        "intermediate",
        "advanced",
    ]
    assert [d["id"] for d in body["quiz"]["difficulties"]] == ["easy", "medium", "hard"]
    assert (body["quiz"]["min_questions"], body["quiz"]["max_questions"]) == (1, 50)
    assert "grassland" in body["terrain"]["biomes"]


def test_catalog__every_subject_and_alias_generates_for_each_of_its_kinds(client, teacher):
    api = Api(client, teacher)
    for subject in catalog(client)["subjects"]:
        for kind in subject["kinds"]:
            path, extra = GENERATE[kind]
            for typed in [subject["id"], subject["label"], *subject["aliases"]]:
                response = api.post(path, {"subject": typed, "grade_level": 4, **extra})
                assert response.status_code == 201, (kind, typed, response.content)
                assert response.json()["subject"] == subject["id"]


@pytest.mark.parametrize("kind", ["lesson", "quiz"])
@pytest.mark.parametrize("subject", ["astrology", "", "Art history"])
def test_catalog__subject_outside_it_is_422_naming_allowed_values(client, teacher, kind, subject):
    path, extra = GENERATE[kind]
    response = Api(client, teacher).post(path, {"subject": subject, "grade_level": 4, **extra})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "payload", "subject"]
    assert "allowed values: " + ", ".join(ALLOWED_SUBJECTS) in error["msg"]
    assert Lesson.objects.count() == Quiz.objects.count() == 0


@pytest.mark.parametrize("kind", ["lesson", "quiz"])
@pytest.mark.parametrize("grade", [13, -1, "first", 4.5, True])
def test_catalog__grade_outside_it_is_422_naming_allowed_values(client, teacher, kind, grade):
    path, extra = GENERATE[kind]
    body = {"subject": "science", "grade_level": grade, **extra}
    response = Api(client, teacher).post(path, body)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "payload", "grade_level"]
    assert "allowed values: K (kindergarten, same as 0), 0, 1, 2" in error["msg"]
    assert error["msg"].endswith("11, 12")


@pytest.mark.parametrize("path", ["/api/v1/content", "/api/v1/quizzes"])
def test_catalog__list_filters_use_the_same_vocabulary(client, teacher, path):
    api = Api(client, teacher)
    assert api.get(path, subject="Maths", grade_level="K").status_code == 200
    bad_subject = api.get(path, subject="astrology")
    assert bad_subject.status_code == 422
    assert "allowed values: mathematics" in str(bad_subject.json()["detail"])
    bad_grade = api.get(path, grade_level=13)
    assert bad_grade.status_code == 422
    assert "allowed values: K" in str(bad_grade.json()["detail"])
