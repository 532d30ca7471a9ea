"""Who may download an export: the content's owner or an admin. A package holds every answer,
so a student, a teacher who only sees the quiz through a class they teach, or anyone who cannot
see it at all is refused, in Ninja's ``{"detail": ...}`` shape; a corrupt stored quiz is a
server error, never a broken package."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from quizzes.models import Quiz
from tests.accounts.factories import make_user
from tests.lms.support import assert_cartridge, assert_qti_package, class_of, lesson_of, quiz_of
from tests.support.api import Api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("offline_only")]


def qti_url(quiz_id: int) -> str:
    return f"/api/v1/lms/quizzes/{quiz_id}/qti.zip"


def cartridge_url(lesson_id: int) -> str:
    return f"/api/v1/lms/lessons/{lesson_id}/cartridge.imscc"


@pytest.fixture
def published(teacher, student):
    """A lesson and a quiz by ``teacher``, published to a class ``student`` is in and that a
    second teacher co-teaches through a class of their own."""
    classroom = class_of(teacher, student)
    lesson, quiz = lesson_of(teacher), quiz_of(teacher)
    lesson.classrooms.add(classroom)
    quiz.classrooms.add(classroom)
    return lesson, quiz


def refused(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert b"PK" not in response.content[:2]
    return response.json()["detail"]


def test_export__admin_may_export_anyones_content(client, published):
    lesson, quiz = published
    admin = make_user(Role.ADMIN)
    assert_qti_package(Api(client, admin).get(qti_url(quiz.pk)).content)
    assert_cartridge(Api(client, admin).get(cartridge_url(lesson.pk)).content)


def test_export__student_of_the_class_is_403(client, published, student):
    lesson, quiz = published
    api = Api(client, student)
    assert "teacher or admin" in refused(api.get(qti_url(quiz.pk)), 403)
    assert "teacher or admin" in refused(api.get(cartridge_url(lesson.pk)), 403)


def test_export__teacher_who_cannot_see_it_is_404(client, published):
    lesson, quiz = published
    api = Api(client, make_user(Role.TEACHER))
    assert refused(api.get(qti_url(quiz.pk)), 404) == "Quiz not found"
    assert refused(api.get(cartridge_url(lesson.pk)), 404) == "Lesson not found"
    assert refused(api.get(qti_url(999_999)), 404) == "Quiz not found"


def test_export__teacher_who_sees_it_through_a_class_they_teach_is_403(client, published):
    """Visible (published to a class they teach) is not theirs to hand to another system."""
    lesson, quiz = published
    other = make_user(Role.TEACHER)
    theirs = class_of(other)
    lesson.classrooms.add(theirs)
    quiz.classrooms.add(theirs)
    api = Api(client, other)
    assert "owner or an admin" in refused(api.get(qti_url(quiz.pk)), 403)
    assert "owner or an admin" in refused(api.get(cartridge_url(lesson.pk)), 403)


def test_lesson_cartridge__someone_elses_quiz_in_quiz_ids_is_refused(client, teacher, published):
    """The lesson is the teacher's own; a quiz they name must be too (else 404 or 403)."""
    lesson = lesson_of(teacher)
    other = make_user(Role.TEACHER)
    hidden = quiz_of(other)
    api = Api(client, teacher)
    assert refused(api.get(cartridge_url(lesson.pk), quiz_ids=str(hidden.pk)), 404)
    visible = quiz_of(other)
    visible.classrooms.add(class_of(teacher))  # published by an admin to the teacher's class
    detail = refused(api.get(cartridge_url(lesson.pk), quiz_ids=str(visible.pk)), 403)
    assert "owner or an admin" in detail


def test_export__anonymous_is_401(client, published):
    lesson, quiz = published
    assert refused(client.get(qti_url(quiz.pk)), 401)
    assert refused(client.get(cartridge_url(lesson.pk)), 401)


def test_export__teacher_signed_in_to_the_classroom_downloads_with_the_session(teacher):
    """The teacher pages' "Download for LMS" links use the page's session, not a token."""
    browser = Client()
    browser.force_login(teacher)
    response = browser.get(qti_url(quiz_of(teacher).pk))
    assert response.status_code == 200
    assert_qti_package(response.content)


@pytest.mark.parametrize("kind", ["quiz", "lesson"])
def test_export__corrupt_stored_quiz_is_a_500_not_a_broken_zip(teacher, kind):
    lesson, quiz = lesson_of(teacher), quiz_of(teacher)
    Quiz.objects.filter(pk=quiz.pk).update(questions=[{"prompt": "bogus", "options": ["one"]}])
    url = qti_url(quiz.pk) if kind == "quiz" else cartridge_url(lesson.pk)
    browser = Client(raise_request_exception=False)
    browser.force_login(teacher)
    response = browser.get(url, {"quiz_ids": str(quiz.pk)} if kind == "lesson" else {})
    assert response.status_code == 500
    assert response.json()["detail"] == "Internal server error"
    assert "bogus" not in response.text and "Content-Disposition" not in response
