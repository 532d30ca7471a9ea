"""The admin lists and shows generated content, with its JSON readable and not editable."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from accounts.models import Role
from lessons.models import Lesson
from quizzes.models import Quiz, QuizAttempt
from tests.accounts.factories import make_user
from tests.support.api import Api, classroom_with

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("offline_only")]


def test_admin__content_pages_show_content_as_a_reader_would(
    client, admin_client, teacher, student
):
    api = Api(client, teacher)
    lesson = api.post(
        "/api/v1/content/generate",
        {"subject": "science", "grade_level": 3, "learning_objectives": ["Name the planets"]},
    ).json()
    quiz = api.post("/api/v1/quizzes/generate", {"subject": "history", "grade_level": 3}).json()
    classroom = classroom_with(teacher, student)
    api.post(f"/api/v1/quizzes/{quiz['id']}/publish", {"classroom_id": classroom.pk})
    Api(client, student).post(f"/api/v1/quizzes/{quiz['id']}/attempts", {"answers": [0] * 10})
    attempt = QuizAttempt.objects.get()

    for model, pk in [(Lesson, lesson["id"]), (Quiz, quiz["id"]), (QuizAttempt, attempt.pk)]:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        filters = {} if model is QuizAttempt else {"provider": "offline"}
        assert admin_client.get(base, filters).status_code == 200
        assert admin_client.get(f"{base}{pk}/change/").status_code == 200

    # The content is random: it may hold ' or " or &, hence escape().
    html = admin_client.get(f"/admin/lessons/lesson/{lesson['id']}/change/").content.decode()
    assert f"<h4>{escape(lesson['sections'][0]['heading'])}</h4>" in html
    assert f"<li>{escape('Name the planets')}</li>" in html
    assert escape(lesson["vocabulary"][0]["term"]) in html
    assert 'name="content"' not in html and '"sections":' not in html  # not a JSON blob

    html = admin_client.get(f"/admin/quizzes/quiz/{quiz['id']}/change/").content.decode()
    stored = Quiz.objects.get(pk=quiz["id"]).questions
    assert html.count('data-correct="true"') == len(stored)  # one marked option per question
    first = stored[0]
    correct = escape(first["options"][first["correct_index"]])
    assert re.search(r'data-correct="true">' + re.escape(correct) + " <span>✔ correct", html)
    assert escape(first["explanation"]) in html
    assert 'name="questions"' not in html and '"correct_index":' not in html

    html = admin_client.get(f"/admin/quizzes/quizattempt/{attempt.pk}/change/").content.decode()
    assert escape('"correct_index"') in html  # an attempt's grading record stays JSON
    assert admin_client.get("/admin/quizzes/quizattempt/add/").status_code == 403


def test_admin__content_text_is_escaped_not_markup(admin_client, teacher):
    """A teacher's objectives and an LLM's answer are text: markup in them must not run."""
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    lesson = Lesson.objects.create(
        owner=teacher,
        subject="science",
        grade_level=3,
        learning_objectives=[attack],
        content_type="lesson",
        complexity="basic",
        title="Planets",
        content={
            "summary": attack,
            "sections": [{"heading": attack, "body": f"line one\n{attack}"}],
            "vocabulary": [{"term": attack, "definition": attack}],
            "activities": [{"title": attack, "instructions": attack, "duration_minutes": 5}],
            "assessment": [{"question": attack, "answer": attack}],
            "estimated_duration_minutes": 30,
        },
        provider="offline",
        seed=1,
    )
    quiz = Quiz.objects.create(
        owner=teacher,
        subject="history",
        grade_level=3,
        difficulty="easy",
        question_count=1,
        seed=1,
        provider="offline",
        title="Kings",
        questions=[
            {
                "prompt": attack,
                "options": [attack, "b", "c", "d"],
                "correct_index": 0,
                "explanation": attack,
                "topic": attack,
            }
        ],
    )
    for url in (
        f"/admin/lessons/lesson/{lesson.pk}/change/",
        f"/admin/quizzes/quiz/{quiz.pk}/change/",
    ):
        html = admin_client.get(url).content.decode()
        assert attack not in html and "<img src=x" not in html
        assert escape(attack) in html


def test_admin__content_of_an_unexpected_shape_is_shown_as_json(admin_client, teacher):
    lesson = Lesson.objects.create(
        owner=teacher,
        subject="science",
        grade_level=3,
        content_type="lesson",
        complexity="basic",
        title="Old row",
        content={"sections": "not a list of sections"},
        provider="offline",
        seed=1,
    )
    html = admin_client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").content.decode()
    assert "&quot;not a list of sections&quot;" in html and "<pre" in html


def test_admin__requires_staff(client):
    staff_less = make_user(Role.TEACHER)
    client.force_login(staff_less)
    assert client.get("/admin/lessons/lesson/").status_code == 302
