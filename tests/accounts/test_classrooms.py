"""Classrooms over HTTP: no teacher can enrol a child; students join with the class's code.

The attacks of the audit are performed as a client would: a teacher sending ``student_ids``, a
stranger reading or managing someone else's class, a student guessing codes, a teacher probing
which user ids exist through the roster endpoints.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, Classroom, Role
from tests.accounts.factories import make_user
from tests.support.api import Api
from tests.support.servers import ROOT, app_environment

pytestmark = pytest.mark.django_db

CLASSROOMS = "/api/v1/classrooms"
JOIN = "/api/v1/classrooms/join"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # join-code failure counts
    yield
    cache.clear()


def delete(api: Api, path: str):
    return api.client.delete(path, headers=api.headers)


def create(api: Api, name: str = "4B") -> dict:
    response = api.post(CLASSROOMS, {"name": name})
    assert response.status_code == 201, response.content
    return response.json()


def join(api: Api, code: str):
    return api.post(JOIN, {"code": code})


@pytest.fixture
def teacher():
    return make_user(Role.TEACHER)


@pytest.fixture
def student():
    return make_user(Role.STUDENT)


# --- create ---------------------------------------------------------------------------------------


def test_classroom_create__student_ids_are_refused_and_nobody_is_enrolled(client, teacher):
    child = make_user(Role.STUDENT)
    response = Api(client, teacher).post(CLASSROOMS, {"name": "4B", "student_ids": [child.pk]})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "extra_forbidden" and error["loc"][-1] == "student_ids"
    assert not Classroom.objects.exists()
    assert not child.classrooms.exists()


def test_classroom_create__a_new_class_has_a_fresh_code_and_an_empty_roster(
    client, teacher, settings
):
    settings.CLASSROOM_JOIN_CODE_TTL_DAYS = 3
    first, second = create(Api(client, teacher)), create(Api(client, teacher), "5C")
    assert first["students"] == [] and first["teacher_id"] == teacher.pk
    for body in (first, second):
        assert len(body["join_code"]) == JOIN_CODE_LENGTH
        assert set(body["join_code"]) <= set(JOIN_CODE_ALPHABET)
        assert not set(body["join_code"]) & set("0O1I")
    assert first["join_code"] != second["join_code"]
    expires = Classroom.objects.get(pk=first["id"]).join_code_expires_at
    assert abs(expires - (timezone.now() + timedelta(days=3))) < timedelta(minutes=1)


def test_classroom_create__students_may_not_create_classes(client, student):
    assert Api(client, student).post(CLASSROOMS, {"name": "4B"}).status_code == 403


# --- join -----------------------------------------------------------------------------------------


def test_classroom_join__a_student_joins_with_the_code_however_it_is_typed(
    client, teacher, student
):
    classroom = create(Api(client, teacher))
    code = classroom["join_code"]
    typed = f" {code[:4].lower()}-{code[4:]} "
    response = join(Api(client, student), typed)
    assert response.status_code == 200
    assert response.json() == {
        "id": classroom["id"],
        "name": "4B",
        "teacher_name": teacher.username,
    }
    roster = Api(client, teacher).get(f"{CLASSROOMS}/{classroom['id']}").json()["students"]
    assert roster == [{"id": student.pk, "username": student.username}]
    # Joining twice is harmless.
    assert join(Api(client, student), code).status_code == 200
    assert Classroom.objects.get().students.count() == 1


def test_classroom_join__teachers_and_admins_cannot_join(client, teacher):
    code = create(Api(client, teacher))["join_code"]
    for user in (make_user(Role.TEACHER), make_user(Role.ADMIN)):
        assert join(Api(client, user), code).status_code == 403
    assert Classroom.objects.get().students.count() == 0


def test_classroom_join__unknown_and_expired_codes_get_one_answer(client, teacher, student):
    code = create(Api(client, teacher))["join_code"]
    unknown = join(Api(client, student), "ZZZZZZZZ" if code != "ZZZZZZZZ" else "YYYYYYYY")
    Classroom.objects.update(join_code_expires_at=timezone.now() - timedelta(seconds=1))
    expired = join(Api(client, student), code)
    assert unknown.status_code == expired.status_code == 404
    assert unknown.json() == expired.json()
    assert Classroom.objects.get().students.count() == 0


def test_classroom_join__guessing_codes_is_throttled_per_student(
    client, teacher, student, settings
):
    settings.CLASSROOM_JOIN_FAILURE_LIMIT = 3
    settings.CLASSROOM_JOIN_FAILURE_WINDOW = 600
    code = create(Api(client, teacher))["join_code"]
    guesser = Api(client, student)
    for guess in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC"):
        assert join(guesser, guess).status_code == 404
    throttled = join(guesser, code)  # even the right code, once over the limit
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "600"
    assert "detail" in throttled.json()
    assert not Classroom.objects.get().students.exists()
    # Another child is not locked out by someone else's guessing.
    assert join(Api(client, make_user(Role.STUDENT)), code).status_code == 200


def test_classroom_join_code__rotation_invalidates_the_old_code(client, teacher, student):
    classroom = create(Api(client, teacher))
    rotated = Api(client, teacher).post(f"{CLASSROOMS}/{classroom['id']}/join-code", {})
    assert rotated.status_code == 200
    new_code = rotated.json()["join_code"]
    assert new_code != classroom["join_code"]
    assert join(Api(client, student), classroom["join_code"]).status_code == 404
    assert join(Api(client, student), new_code).status_code == 200


def test_classroom_join_code__only_the_teacher_or_an_admin_can_rotate_it(client, teacher, student):
    classroom = create(Api(client, teacher))
    join(Api(client, student), classroom["join_code"])
    path = f"{CLASSROOMS}/{classroom['id']}/join-code"
    assert Api(client, make_user(Role.TEACHER)).post(path, {}).status_code == 404
    assert Api(client, student).post(path, {}).status_code == 403
    assert Api(client, make_user(Role.STUDENT)).post(path, {}).status_code == 404
    assert Api(client).post(path, {}).status_code == 401
    assert Classroom.objects.get().join_code == classroom["join_code"]
    assert Api(client, make_user(Role.ADMIN)).post(path, {}).status_code == 200


# --- read -----------------------------------------------------------------------------------------


def test_classroom_get__code_and_roster_for_teacher_and_admin_only(client, teacher, student):
    classroom = create(Api(client, teacher))
    classmate = make_user(Role.STUDENT)
    for pupil in (student, classmate):
        join(Api(client, pupil), classroom["join_code"])
    path = f"{CLASSROOMS}/{classroom['id']}"
    for manager in (teacher, make_user(Role.ADMIN)):
        body = Api(client, manager).get(path).json()
        assert body["join_code"] == classroom["join_code"]
        assert [s["id"] for s in body["students"]] == sorted([student.pk, classmate.pk])
    as_student = Api(client, student).get(path)
    assert as_student.status_code == 200
    assert as_student.json() == {
        "id": classroom["id"],
        "name": "4B",
        "teacher_name": teacher.username,
    }
    assert classmate.username not in as_student.content.decode()
    listed = Api(client, student).get(CLASSROOMS).json()
    assert listed == [as_student.json()]
    assert Api(client, make_user(Role.TEACHER)).get(path).status_code == 404
    assert Api(client, make_user(Role.STUDENT)).get(path).status_code == 404
    assert Api(client).get(path).status_code == 401


# --- remove and leave -----------------------------------------------------------------------------


def test_classroom_student_remove__teacher_removes_a_student_of_their_class(
    client, teacher, student
):
    classroom = create(Api(client, teacher))
    join(Api(client, student), classroom["join_code"])
    path = f"{CLASSROOMS}/{classroom['id']}/students/{student.pk}"
    response = delete(Api(client, teacher), path)
    assert response.status_code == 204
    assert not student.classrooms.exists()
    assert Api(client, student).get(f"{CLASSROOMS}/{classroom['id']}").status_code == 404


def test_classroom_student_remove__reveals_neither_existence_nor_role_of_an_id(client, teacher):
    classroom = create(Api(client, teacher))
    outsider_student, other_teacher = make_user(Role.STUDENT), make_user(Role.TEACHER)
    answers = [
        delete(Api(client, teacher), f"{CLASSROOMS}/{classroom['id']}/students/{user_id}")
        for user_id in (outsider_student.pk, other_teacher.pk, teacher.pk, 987654321)
    ]
    assert {(r.status_code, r.content) for r in answers} == {
        (404, json.dumps({"detail": "No such student in this classroom"}).encode())
    }


def test_classroom_student_remove__strangers_cannot_touch_a_roster(client, teacher, student):
    classroom = create(Api(client, teacher))
    join(Api(client, student), classroom["join_code"])
    classmate = make_user(Role.STUDENT)
    join(Api(client, classmate), classroom["join_code"])
    path = f"{CLASSROOMS}/{classroom['id']}/students/{student.pk}"
    assert delete(Api(client, make_user(Role.TEACHER)), path).status_code == 404
    assert delete(Api(client, make_user(Role.STUDENT)), path).status_code == 404
    assert delete(Api(client, classmate), path).status_code == 403
    assert delete(Api(client), path).status_code == 401
    assert Classroom.objects.get().students.count() == 2
    assert delete(Api(client, make_user(Role.ADMIN)), path).status_code == 204


def test_classroom_leave__a_student_leaves_a_class(client, teacher, student):
    classroom = create(Api(client, teacher))
    join(Api(client, student), classroom["join_code"])
    me = f"{CLASSROOMS}/{classroom['id']}/students/me"
    assert delete(Api(client, student), me).status_code == 204
    assert not student.classrooms.exists()
    assert delete(Api(client, student), me).status_code == 404


# --- the Django admin: where admins manage rosters -----------------------------------------------


def test_classroom_admin__rotates_codes_and_offers_only_students_for_the_roster(
    client, teacher, student
):
    classroom = Classroom.objects.create(teacher=teacher, name="4B")
    old_code = classroom.join_code
    admin = make_user(Role.ADMIN)
    client.force_login(admin)
    change = client.get(f"/admin/accounts/classroom/{classroom.pk}/change/")
    assert change.status_code == 200
    roster_field = change.context["adminform"].form.fields["students"]
    choices = set(roster_field.queryset.values_list("pk", flat=True))
    assert choices == {student.pk}  # not the teacher, not the admin
    assert old_code in change.content.decode()  # shown, read-only
    response = client.post(
        "/admin/accounts/classroom/",
        {"action": "rotate_join_code", "_selected_action": [classroom.pk]},
    )
    assert response.status_code == 302
    classroom.refresh_from_db()
    assert classroom.join_code != old_code
    assert join(Api(client, student), old_code).status_code == 404


# --- settings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variable",
    [
        "CLASSROOM_JOIN_CODE_TTL_DAYS",
        "CLASSROOM_JOIN_FAILURE_LIMIT",
        "CLASSROOM_JOIN_FAILURE_WINDOW_SECONDS",
    ],
)
def test_classroom_settings__a_bad_value_stops_startup_with_one_line(variable):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=app_environment({variable: "0"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"toolbox: configuration error: {variable}='0' is invalid: expected a whole number >= 1"
    ]
