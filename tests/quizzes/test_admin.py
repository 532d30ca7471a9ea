"""The admin lists and shows generated content, with its JSON readable and not editable."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from accounts.models import Role
from lessons.models import Lesson
from quizzes.models import Quiz, QuizAttempt
from tests.accounts.factories import make_user
from tests.support.api import Api, classroom_with

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("offline_only")]


def test_admin__content_pages_render_json_read_only(client, admin_client, teacher, student):
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

    for model, pk, shown in [
        (Lesson, lesson["id"], lesson["sections"][0]["heading"]),
        (Quiz, quiz["id"], quiz["questions"][0]["explanation"]),
        (QuizAttempt, attempt.pk, '"correct_index"'),
    ]:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        filters = {} if model is QuizAttempt else {"provider": "offline"}
        listing = admin_client.get(base, filters)
        assert listing.status_code == 200
        page = admin_client.get(f"{base}{pk}/change/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "<pre" in html
        assert escape(shown) in html  # the content is random: it may hold ' or " or &
        assert 'name="content"' not in html and 'name="questions"' not in html
    assert admin_client.get("/admin/quizzes/quizattempt/add/").status_code == 403


def test_admin__requires_staff(client):
    staff_less = make_user(Role.TEACHER)
    client.force_login(staff_less)
    assert client.get("/admin/lessons/lesson/").status_code == 302
