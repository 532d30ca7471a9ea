"""The teacher pages' "Download for LMS" links: offered to whoever the API would serve, and
followed with the page's own session to a valid package."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import Role
from tests.accounts.factories import make_user
from tests.lms.support import assert_cartridge, assert_qti_package, class_of, lesson_of, quiz_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("offline_only")]

LINK = re.compile(r'<a href="([^"]+)" download>Download for LMS</a>')


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def lms_links(browser: Client, path: str) -> list[str]:
    response = browser.get(path)
    assert response.status_code == 200
    return LINK.findall(response.content.decode())


def test_quiz_review__owner_downloads_the_qti_package_from_the_page(teacher):
    quiz = quiz_of(teacher)
    browser = signed_in(teacher)
    (link,) = lms_links(browser, f"/classroom/quizzes/{quiz.pk}/")
    download = browser.get(link)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert_qti_package(download.content)


def test_lesson_page__owner_downloads_the_cartridge_from_the_page(teacher):
    classroom = class_of(teacher)
    lesson, quiz = lesson_of(teacher), quiz_of(teacher)
    lesson.classrooms.add(classroom)
    quiz.classrooms.add(classroom)
    browser = signed_in(teacher)
    (link,) = lms_links(browser, f"/classroom/lessons/{lesson.pk}/")
    download = browser.get(link)
    assert download.status_code == 200
    archive = assert_cartridge(download.content)
    assert f"quiz-{quiz.pk}/assessment.xml" in archive.namelist()


def test_pages__no_link_for_a_co_teacher_or_a_student(teacher, student):
    """A teacher who sees the content through their own class, and a student of the class,
    get the page but no link (the API would refuse them)."""
    classroom = class_of(teacher, student)
    lesson, quiz = lesson_of(teacher), quiz_of(teacher)
    co_teacher = make_user(Role.TEACHER)
    for content in (lesson, quiz):
        content.classrooms.add(classroom, class_of(co_teacher))
    for user in (co_teacher, student):
        browser = signed_in(user)
        assert lms_links(browser, f"/classroom/lessons/{lesson.pk}/") == []
        assert lms_links(browser, f"/classroom/quizzes/{quiz.pk}/") == []
    admin = signed_in(make_user(Role.ADMIN))
    assert len(lms_links(admin, f"/classroom/quizzes/{quiz.pk}/")) == 1
