"""Who sees which content, over HTTP: one rule per content kind, tested for every kind of viewer.

Viewers: anonymous, a student in the class the content was published to, a student of another
teacher's class, the owner (a teacher), another teacher, an admin. Students see only what was
published to a class they are in, never an unpublished draft, and never teacher-only fields (a
lesson's model answers, a quiz's answers, the ids of the classes something was published to).
Terrain and Roblox scripts are never published to a class: students see none of them.
"""

from __future__ import annotations

import pytest

from accounts.models import Role
from lessons.schemas import LessonForStudentOut
from quizzes.schemas import QuizForStudentOut
from tests.accounts.factories import make_user
from tests.support.api import Api, classroom_with
from tests.support.llm import offline_only  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("offline_only")]

VIEWERS = ("anonymous", "student_in", "student_elsewhere", "owner", "other_teacher", "admin")
FULL = ("owner", "admin")  # teacher-only fields included
HIDDEN = ("student_elsewhere", "other_teacher")  # reads as missing

LESSON = {
    "subject": "science",
    "grade_level": 4,
    "learning_objectives": ["Describe the water cycle"],
    "seed": 3,
}
QUIZ = {"subject": "mathematics", "grade_level": 5, "question_count": 4, "seed": 7}
LUAU = 'print("hello from the plugin")'


def created(api: Api, path: str, body: dict) -> dict:
    response = api.post(path, body)
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def world(client) -> dict:
    owner, other_teacher = make_user(Role.TEACHER), make_user(Role.TEACHER)
    student_in, student_elsewhere = make_user(Role.STUDENT), make_user(Role.STUDENT)
    users = {
        "anonymous": None,
        "student_in": student_in,
        "student_elsewhere": student_elsewhere,
        "owner": owner,
        "other_teacher": other_teacher,
        "admin": make_user(Role.ADMIN),
    }
    own_class, second_class = classroom_with(owner, student_in), classroom_with(owner)
    classroom_with(other_teacher, student_elsewhere)
    teacher = Api(client, owner)
    ids = {
        "lesson": created(teacher, "/api/v1/content/generate", LESSON)["id"],
        "lesson_draft": created(teacher, "/api/v1/content/generate", {**LESSON, "seed": 4})["id"],
        "quiz": created(teacher, "/api/v1/quizzes/generate", QUIZ)["id"],
        "quiz_draft": created(teacher, "/api/v1/quizzes/generate", {**QUIZ, "seed": 8})["id"],
        "terrain": created(teacher, "/api/v1/terrain/generate", {"size": 32, "seed": 1})["id"],
        "script": created(teacher, "/api/v1/roblox/scripts", {"name": "Hi", "source": LUAU})["id"],
    }
    for classroom in (own_class, second_class):
        for kind, path in (("lesson", "content"), ("quiz", "quizzes")):
            response = teacher.post(
                f"/api/v1/{path}/{ids[kind]}/publish", {"classroom_id": classroom.pk}
            )
            assert response.status_code == 200
    return {
        "apis": {name: Api(client, user) for name, user in users.items()},
        "ids": ids,
        "classroom_ids": sorted([own_class.pk, second_class.pk]),
    }


def listed(api: Api, path: str) -> list[int] | int:
    response = api.get(path)
    if response.status_code != 200:
        return response.status_code
    return sorted(item["id"] for item in response.json()["items"])


@pytest.mark.parametrize("viewer", VIEWERS)
def test_lesson_visibility__by_viewer(world, viewer):
    api, ids = world["apis"][viewer], world["ids"]
    lesson, draft = ids["lesson"], ids["lesson_draft"]
    detail = api.get(f"/api/v1/content/{lesson}")
    draft_detail = api.get(f"/api/v1/content/{draft}")
    if viewer == "anonymous":
        assert (detail.status_code, draft_detail.status_code) == (401, 401)
        assert listed(api, "/api/v1/content") == 401
    elif viewer in HIDDEN:
        assert (detail.status_code, draft_detail.status_code) == (404, 404)
        assert listed(api, "/api/v1/content") == []
    elif viewer == "student_in":
        assert (detail.status_code, draft_detail.status_code) == (200, 404)
        assert listed(api, "/api/v1/content") == [lesson]
        body = detail.json()
        assert set(body) == set(LessonForStudentOut.model_fields)
        assert "classroom_ids" not in body
        assert body["assessment"] and all(set(item) == {"question"} for item in body["assessment"])
        # The marking guidance is nowhere in the answer (vocabulary answers are the lesson's own
        # definitions, which students do read).
        full = world["apis"]["owner"].get(f"/api/v1/content/{lesson}").json()
        definitions = {term["definition"] for term in full["vocabulary"]}
        guidance = [i["answer"] for i in full["assessment"] if i["answer"] not in definitions]
        assert guidance and not any(text in detail.content.decode() for text in guidance)
    else:
        assert viewer in FULL
        assert (detail.status_code, draft_detail.status_code) == (200, 200)
        assert listed(api, "/api/v1/content") == sorted([lesson, draft])
        body = detail.json()
        assert body["classroom_ids"] == world["classroom_ids"]
        assert all(item["answer"] for item in body["assessment"])


@pytest.mark.parametrize("viewer", VIEWERS)
def test_quiz_visibility__by_viewer(world, viewer):
    api, ids = world["apis"][viewer], world["ids"]
    quiz, draft = ids["quiz"], ids["quiz_draft"]
    detail = api.get(f"/api/v1/quizzes/{quiz}")
    draft_detail = api.get(f"/api/v1/quizzes/{draft}")
    if viewer == "anonymous":
        assert (detail.status_code, draft_detail.status_code) == (401, 401)
        assert listed(api, "/api/v1/quizzes") == 401
    elif viewer in HIDDEN:
        assert (detail.status_code, draft_detail.status_code) == (404, 404)
        assert listed(api, "/api/v1/quizzes") == []
    elif viewer == "student_in":
        assert (detail.status_code, draft_detail.status_code) == (200, 404)
        assert listed(api, "/api/v1/quizzes") == [quiz]
        body = detail.json()
        assert set(body) == set(QuizForStudentOut.model_fields)
        assert all(set(q) == {"index", "prompt", "options", "topic"} for q in body["questions"])
    else:
        assert viewer in FULL
        assert (detail.status_code, draft_detail.status_code) == (200, 200)
        assert listed(api, "/api/v1/quizzes") == sorted([quiz, draft])
        body = detail.json()
        assert body["classroom_ids"] == world["classroom_ids"]
        assert all("correct_index" in q and q["explanation"] for q in body["questions"])


@pytest.mark.parametrize("viewer", VIEWERS)
def test_terrain_visibility__by_viewer(world, viewer):
    """Never published to a class: only its owner and admins see a terrain and its script."""
    api, terrain = world["apis"][viewer], world["ids"]["terrain"]
    paths = [f"/api/v1/terrain/{terrain}{suffix}" for suffix in ("", "/preview.png", "/script.lua")]
    statuses = [api.get(path).status_code for path in paths]
    if viewer == "anonymous":
        assert statuses == [401] * 3
        assert listed(api, "/api/v1/terrain") == 401
    elif viewer in FULL:
        assert statuses == [200] * 3
        assert listed(api, "/api/v1/terrain") == [terrain]
    else:  # students, even of the owner's class, and other teachers
        assert statuses == [404] * 3
        assert listed(api, "/api/v1/terrain") == []


@pytest.mark.parametrize("viewer", VIEWERS)
def test_roblox_script_visibility__by_viewer(world, viewer):
    """The plugin feed is its owner's Studio queue: nobody else's, admins' included."""
    api, script = world["apis"][viewer], world["ids"]["script"]
    detail = api.get(f"/api/v1/roblox/plugin/scripts/{script}").status_code
    feed = api.get("/api/v1/roblox/plugin/scripts")
    fed = [s["id"] for s in feed.json()["scripts"]] if feed.status_code == 200 else None
    expected = {
        "anonymous": (401, 401, None),
        "student_in": (403, 403, None),
        "student_elsewhere": (403, 403, None),
        "owner": (200, 200, fed),
        "other_teacher": (404, 200, []),
        "admin": (404, 200, []),
    }[viewer]
    assert (detail, feed.status_code, fed) == expected
    if viewer == "owner":
        assert script in fed  # with the terrain's build script
