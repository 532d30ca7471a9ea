"""The classroom pages through Django's test client: who may see each page, CSRF on forms,
sign-in with the lockout, joining a class, generating, publishing, and a quiz's answers kept
from students until they submit."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from accounts.models import Role
from jobs.models import GenerationJob, JobStatus
from quizzes.models import QuizAttempt
from tests.accounts.factories import PASSWORD, make_user
from tests.classroom.support import another_teacher, class_of, lesson_of, quiz_of, terrain_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("offline_only")]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(teacher, student):
    classroom = class_of(teacher, student)
    quiz = quiz_of(teacher, classroom)
    lesson = lesson_of(teacher, classroom)
    terrain = terrain_of(teacher)
    job = GenerationJob.objects.create(owner=teacher, kind="quiz", params={})
    return {
        "classroom": classroom,
        "quiz": quiz,
        "lesson": lesson,
        "terrain": terrain,
        "job": job,
        "teacher": teacher,
        "student": student,
    }


# (path, owner teacher, student of the class, another teacher)
def pages(w) -> list[tuple[str, int, int, int]]:
    c, q = w["classroom"].pk, w["quiz"].pk
    return [
        ("/classroom/classes/", 200, 403, 200),
        (f"/classroom/classes/{c}/", 200, 403, 404),
        (f"/classroom/classes/{c}/quizzes/{q}/gradebook/", 200, 403, 404),
        ("/classroom/generate/lesson/", 200, 403, 200),
        ("/classroom/generate/quiz/", 200, 403, 200),
        ("/classroom/generate/terrain/", 200, 403, 200),
        (f"/classroom/jobs/{w['job'].pk}/", 200, 403, 404),
        (f"/classroom/lessons/{w['lesson'].pk}/", 200, 200, 404),
        (f"/classroom/quizzes/{q}/", 200, 200, 404),
        (f"/classroom/terrain/{w['terrain'].pk}/", 200, 403, 404),
        ("/classroom/me/", 403, 200, 403),
        ("/classroom/me/published/", 403, 200, 403),
        ("/classroom/join/", 403, 200, 403),
    ]


def test_pages__anonymous_visitors_are_sent_to_sign_in(world):
    client = Client()
    for path, *_ in pages(world):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/classroom/sign-in/?next="), path


def test_pages__who_may_see_each_page(world):
    users = [world["teacher"], world["student"], another_teacher()]
    clients = [signed_in(user) for user in users]
    for path, *expected in pages(world):
        got = [client.get(path).status_code for client in clients]
        assert got == expected, path


def test_pages__a_student_in_another_class_sees_none_of_this_class(world):
    outsider = make_user(Role.STUDENT)
    class_of(another_teacher(), outsider)
    client = signed_in(outsider)
    assert client.get(f"/classroom/quizzes/{world['quiz'].pk}/").status_code == 404
    assert client.get(f"/classroom/lessons/{world['lesson'].pk}/").status_code == 404
    page = client.get("/classroom/me/").content.decode()
    assert world["quiz"].title not in page and world["lesson"].title not in page


def test_forms__post_without_the_csrf_token_is_refused(teacher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    assert client.post("/classroom/classes/", {"name": "Forged"}).status_code == 403
    page = client.get("/classroom/classes/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    created = client.post("/classroom/classes/", {"name": "Real", "csrfmiddlewaretoken": token})
    assert created.status_code == 302


def test_forms__htmx_posts_carry_the_token_in_a_header(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["teacher"])
    page = client.get(f"/classroom/classes/{world['classroom'].pk}/").content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page)[1]
    path = f"/classroom/classes/{world['classroom'].pk}/join-code/"
    old = world["classroom"].join_code
    assert client.post(path, HTTP_HX_REQUEST="true").status_code == 403
    rotated = client.post(path, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert rotated.status_code == 200
    world["classroom"].refresh_from_db()
    assert world["classroom"].join_code != old
    assert world["classroom"].join_code in rotated.content.decode()


def test_sign_in__then_home_by_role(teacher, student):
    for user, home in ((teacher, "/classroom/classes/"), (student, "/classroom/me/")):
        client = Client()
        response = client.post(
            "/classroom/sign-in/", {"username": user.username, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert client.get(response["Location"]).url == home


def test_sign_in__a_locked_account_is_told_when_to_retry(settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    user = make_user(Role.STUDENT, username=f"pupil-{uuid.uuid4().hex[:8]}")
    client = Client()
    for _ in range(2):
        wrong = client.post("/classroom/sign-in/", {"username": user.username, "password": "x"})
        assert wrong.status_code == 400
        assert "do not match" in wrong.content.decode()
    locked = client.post("/classroom/sign-in/", {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert int(locked["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_sign_out__needs_a_post(student):
    client = signed_in(student)
    assert client.get("/classroom/sign-out/").status_code == 405
    assert client.post("/classroom/sign-out/").status_code == 302
    assert client.get("/classroom/me/").status_code == 302


def test_join__a_student_joins_with_the_code_and_a_wrong_code_is_refused(teacher, student):
    classroom = class_of(teacher)
    client = signed_in(student)
    wrong = client.post("/classroom/join/", {"code": "ZZZZ-ZZZZ"})
    assert wrong.status_code == 400 and "No class has this code" in wrong.content.decode()
    typed = f"{classroom.join_code[:4].lower()}-{classroom.join_code[4:]}"
    joined = client.post("/classroom/join/", {"code": typed})
    assert joined.status_code == 302
    assert classroom.students.filter(pk=student.pk).exists()
    assert classroom.name in client.get("/classroom/me/").content.decode()


def test_join__guessing_codes_is_throttled(settings, student):
    settings.CLASSROOM_JOIN_FAILURE_LIMIT = 2
    client = signed_in(student)
    for _ in range(2):
        client.post("/classroom/join/", {"code": "ZZZZZZZZ"})
    assert client.post("/classroom/join/", {"code": "ZZZZZZZZ"}).status_code == 429


def test_class_page__teacher_sees_code_roster_and_removes_a_student(world):
    client = signed_in(world["teacher"])
    classroom, student = world["classroom"], world["student"]
    page = client.get(f"/classroom/classes/{classroom.pk}/").content.decode()
    assert classroom.join_code in page and student.username in page
    removed = client.post(f"/classroom/classes/{classroom.pk}/students/{student.pk}/remove/")
    assert removed.status_code == 302
    assert not classroom.students.filter(pk=student.pk).exists()
    again = client.post(f"/classroom/classes/{classroom.pk}/students/{student.pk}/remove/")
    assert again.status_code == 404


def test_class_page__another_teacher_cannot_rotate_or_remove(world):
    client = signed_in(another_teacher())
    classroom = world["classroom"]
    assert client.post(f"/classroom/classes/{classroom.pk}/join-code/").status_code == 404
    path = f"/classroom/classes/{classroom.pk}/students/{world['student'].pk}/remove/"
    assert client.post(path).status_code == 404
    assert classroom.students.filter(pk=world["student"].pk).exists()


def test_generate__forms_offer_the_subjects_and_grades(teacher):
    page = signed_in(teacher).get("/classroom/generate/quiz/").content.decode()
    for value in ("mathematics", "science", "computer_science"):
        assert f'value="{value}"' in page
    assert "Kindergarten" in page and "Grade 12" in page


def test_generate__a_quiz_runs_as_a_job_whose_page_links_the_quiz(
    teacher, django_capture_on_commit_callbacks
):
    client = signed_in(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/classroom/generate/quiz/",
            {"subject": "science", "grade_level": "4", "difficulty": "easy", "question_count": "3"},
        )
    assert response.status_code == 302 and response["Location"].startswith("/classroom/jobs/")
    job = GenerationJob.objects.get(owner=teacher)
    assert job.status == JobStatus.DONE  # no broker in tests: run in the request
    page = client.get(response["Location"]).content.decode()
    assert f"/classroom/quizzes/{job.content_id}/" in page


def test_generate__an_invalid_request_is_answered_with_the_form(teacher):
    response = signed_in(teacher).post(
        "/classroom/generate/quiz/",
        {"subject": "alchemy", "grade_level": "13", "difficulty": "easy", "question_count": "99"},
    )
    assert response.status_code == 400
    assert not GenerationJob.objects.exists()


def test_generate__terrain_then_its_page_with_preview_and_script(teacher):
    client = signed_in(teacher)
    response = client.post(
        "/classroom/generate/terrain/", {"biome": "desert", "size": "32", "seed": "9", "name": ""}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    preview = re.search(r'src="(/api/v1/terrain/\d+/preview.png)"', page)[1]
    script = re.search(r'href="(/api/v1/terrain/\d+/script.lua)"', page)[1]
    assert client.get(preview)["Content-Type"] == "image/png"
    assert "Terrain" in client.get(script).content.decode()


def test_publish__a_quiz_to_your_class_and_not_to_anothers(teacher, student):
    mine = class_of(teacher, student)
    theirs = class_of(another_teacher())
    quiz = quiz_of(teacher)
    client = signed_in(teacher)
    refused = client.post(f"/classroom/publish/quiz/{quiz.pk}/", {"classroom_id": theirs.pk})
    assert refused.status_code == 404
    published = client.post(f"/classroom/publish/quiz/{quiz.pk}/", {"classroom_id": mine.pk})
    assert published.status_code == 302
    assert list(quiz.classrooms.all()) == [mine]
    assert quiz.title in signed_in(student).get("/classroom/me/").content.decode()


def test_publish__someone_elses_quiz_reads_as_missing(world):
    client = signed_in(another_teacher())
    response = client.post(
        f"/classroom/publish/quiz/{world['quiz'].pk}/", {"classroom_id": world["classroom"].pk}
    )
    assert response.status_code == 404


def test_lesson_page__students_get_no_model_answers(world):
    answers = [item["answer"] for item in world["lesson"].content["assessment"]]
    assert answers
    student_page = signed_in(world["student"]).get(f"/classroom/lessons/{world['lesson'].pk}/")
    teacher_page = signed_in(world["teacher"]).get(f"/classroom/lessons/{world['lesson'].pk}/")

    # A model answer may also be a glossary definition elsewhere on the page: look at the
    # assessment section itself.
    def assessment(page) -> str:
        return page.content.decode().split("Check your understanding", 1)[1].split("</section>")[0]

    for answer in answers:
        assert answer not in assessment(student_page)
        assert answer in assessment(teacher_page)
    assert "Model answer" not in student_page.content.decode()


def test_quiz_page__no_answers_in_the_students_html_before_submitting(world):
    quiz, client = world["quiz"], signed_in(world["student"])
    html = client.get(f"/classroom/quizzes/{quiz.pk}/").content.decode()
    for question in quiz.questions:
        assert question["prompt"] in html
        assert question["explanation"] not in html
    assert "correct" not in html.lower().replace("incorrect", "")  # no marking of any option
    assert 'class="right"' not in html

    answers = {f"q{i}": str(q["correct_index"]) for i, q in enumerate(quiz.questions)}
    submitted = client.post(f"/classroom/quizzes/{quiz.pk}/submit/", answers)
    assert submitted.status_code == 302
    result = client.get(f"/classroom/quizzes/{quiz.pk}/").content.decode()
    assert f"{len(quiz.questions)} / {len(quiz.questions)}" in result
    for question in quiz.questions:
        assert question["explanation"] in result


def test_quiz_submit__once_only(world):
    quiz, client = world["quiz"], signed_in(world["student"])
    client.post(f"/classroom/quizzes/{quiz.pk}/submit/", {"q0": "0"})
    first = QuizAttempt.objects.get(quiz=quiz, student=world["student"])
    answers = {f"q{i}": str(q["correct_index"]) for i, q in enumerate(quiz.questions)}
    client.post(f"/classroom/quizzes/{quiz.pk}/submit/", answers)
    assert QuizAttempt.objects.get(quiz=quiz, student=world["student"]).score == first.score


def test_quiz_submit__teachers_and_outsiders_cannot(world):
    path = f"/classroom/quizzes/{world['quiz'].pk}/submit/"
    assert signed_in(world["teacher"]).post(path, {}).status_code == 403
    outsider = make_user(Role.STUDENT)
    assert signed_in(outsider).post(path, {}).status_code == 404
    assert not QuizAttempt.objects.exists()


def test_gradebook__scores_and_per_question_share_correct(world):
    quiz, classroom = world["quiz"], world["classroom"]
    other = make_user(Role.STUDENT)
    classroom.students.add(other)
    right = {f"q{i}": str(q["correct_index"]) for i, q in enumerate(quiz.questions)}
    signed_in(world["student"]).post(f"/classroom/quizzes/{quiz.pk}/submit/", right)
    first_wrong = dict(right, q0=str((quiz.questions[0]["correct_index"] + 1) % 2))
    signed_in(other).post(f"/classroom/quizzes/{quiz.pk}/submit/", first_wrong)
    page = signed_in(world["teacher"]).get(
        f"/classroom/classes/{classroom.pk}/quizzes/{quiz.pk}/gradebook/?part=table"
    )
    html = page.content.decode()
    assert 'data-attempts="2"' in html
    assert "3 / 3 (100%)" in html and "2 / 3 (67%)" in html
    shares = re.findall(r"<td>(\d+)%</td>", html)
    assert shares == ["50", "100", "100"]


def test_pages__our_own_js_and_css_stay_under_100_kb(world):
    from django.contrib.staticfiles import finders

    client = signed_in(world["teacher"])
    html = client.get(f"/classroom/classes/{world['classroom'].pk}/").content.decode()
    assets = re.findall(r'(?:src|href)="/static/([^"]+\.(?:js|css))"', html)
    assert assets
    total = sum(len(open(finders.find(asset), "rb").read()) for asset in assets)
    assert total < 100 * 1024


def test_generate__over_the_teachers_limit_the_form_says_so_and_nothing_runs(teacher, rate_limit):
    rate_limit("terrain_generate", 1)
    client = signed_in(teacher)
    form = {"biome": "desert", "size": "32", "seed": "9", "name": ""}
    assert client.post("/classroom/generate/terrain/", form).status_code == 302
    refused = client.post("/classroom/generate/terrain/", form)
    assert refused.status_code == 429
    assert "Too many terrain generations" in refused.content.decode()
    assert teacher.terrains.count() == 1
