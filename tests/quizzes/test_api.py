"""The quiz API as each role uses it, through Django's test client (offline provider)."""

from __future__ import annotations

import pytest

from accounts.models import Role
from curriculum import DIFFICULTIES
from quizzes.models import Difficulty, Quiz, QuizAttempt
from tests.accounts.factories import make_user
from tests.support.api import Api, classroom_with

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("offline_only")]

GENERATE = "/api/v1/quizzes/generate"
SCIENCE = {"subject": "science", "grade_level": 5, "difficulty": "easy", "question_count": 4}
STUDENT_QUESTION_KEYS = {"index", "prompt", "options", "topic"}


def test_quiz_model__difficulties_are_curriculums_labelled_in_sentence_case():
    assert tuple(Difficulty.values) == DIFFICULTIES
    assert Quiz._meta.get_field("difficulty").choices == [
        ("easy", "Easy"),
        ("medium", "Medium"),
        ("hard", "Hard"),
    ]
    assert Difficulty.MEDIUM == "medium"


def generate(api: Api, **overrides) -> dict:
    response = api.post(GENERATE, {**SCIENCE, "seed": 7, **overrides})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def published(client, teacher, student):
    """A quiz by ``teacher`` published to a class ``student`` is in."""
    quiz = generate(Api(client, teacher))
    classroom = classroom_with(teacher, student)
    response = Api(client, teacher).post(
        f"/api/v1/quizzes/{quiz['id']}/publish", {"classroom_id": classroom.pk}
    )
    assert response.status_code == 200
    return quiz


# --- generate -------------------------------------------------------------------------------------


def test_quiz_generate__teacher_gets_questions_with_answers_and_explanations(client, teacher):
    response = Api(client, teacher).post(GENERATE, {**SCIENCE, "seed": 7})
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Science quiz: Grade 5 (easy)"
    assert (body["subject"], body["grade_level"], body["difficulty"]) == ("science", 5, "easy")
    assert body["question_count"] == 4 and len(body["questions"]) == 4
    assert body["provider"] == "offline" and body["fallback_reason"] is None
    assert body["seed"] == 7 and body["owner_id"] == teacher.pk and body["classroom_ids"] == []
    for question in body["questions"]:
        assert len(question["options"]) == 4
        assert question["options"][question["correct_index"]] == question["answer"]
        assert question["explanation"]
    stored = Quiz.objects.get()
    assert stored.pk == body["id"] and stored.questions == body["questions"]


def test_quiz_generate__same_seed_same_questions_and_a_seed_is_always_stored(client, teacher):
    api = Api(client, teacher)
    first, second = generate(api, seed=11), generate(api, seed=11)
    assert first["questions"] == second["questions"]
    unseeded = api.post(GENERATE, SCIENCE).json()
    assert isinstance(unseeded["seed"], int)
    again = generate(api, seed=unseeded["seed"])
    assert again["questions"] == unseeded["questions"]


def test_quiz_generate__kindergarten_and_subject_aliases(client, teacher):
    body = generate(Api(client, teacher), subject="Maths", grade_level="K")
    assert body["subject"] == "mathematics"
    assert body["grade_level"] == 0
    assert body["title"] == "Mathematics quiz: Kindergarten (easy)"


def test_quiz_generate__admin_may_generate(client, admin_user):
    assert generate(Api(client, admin_user))["owner_id"] == admin_user.pk


def test_quiz_generate__student_is_403_and_nothing_created(client, student):
    response = Api(client, student).post(GENERATE, SCIENCE)
    assert response.status_code == 403
    assert response.json() == {"detail": "This action requires the role teacher or admin"}
    assert Quiz.objects.count() == 0


def test_quiz_generate__anonymous_is_401(client):
    response = Api(client).post(GENERATE, SCIENCE)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert Quiz.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("question_count", 0),
        ("question_count", 51),
        ("grade_level", 13),
        ("grade_level", -1),
        ("grade_level", "first"),
        ("difficulty", "extreme"),
        ("subject", "astrology"),
        ("seed", -1),
    ],
)
def test_quiz_generate__out_of_range_is_422_and_nothing_created(client, teacher, field, value):
    response = Api(client, teacher).post(GENERATE, {**SCIENCE, field: value})
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [error["loc"][-1] for error in errors] == [field]
    assert Quiz.objects.count() == 0


def test_quiz_generate__missing_subject_is_422(client, teacher):
    body = {key: value for key, value in SCIENCE.items() if key != "subject"}
    response = Api(client, teacher).post(GENERATE, body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "subject"]
    assert Quiz.objects.count() == 0


# --- read ---------------------------------------------------------------------------------------


def test_quiz_get__student_sees_questions_without_answers(client, student, published):
    response = Api(client, student).get(f"/api/v1/quizzes/{published['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == published["title"]
    assert [q["prompt"] for q in body["questions"]] == [q["prompt"] for q in published["questions"]]
    for index, question in enumerate(body["questions"]):
        assert set(question) == STUDENT_QUESTION_KEYS
        assert question["index"] == index
    for hidden in ("correct_index", "answer", "explanation", "seed"):
        assert f'"{hidden}"' not in response.content.decode()


def test_quiz_get__owner_sees_everything(client, teacher, published):
    body = Api(client, teacher).get(f"/api/v1/quizzes/{published['id']}").json()
    assert body["questions"] == published["questions"]
    assert len(body["classroom_ids"]) == 1


def test_quiz_get__unpublished_or_other_class_is_404_for_students(client, teacher, student):
    quiz = generate(Api(client, teacher))
    outsider = make_user(Role.STUDENT)
    classroom_with(teacher, outsider)
    for user in (student, outsider):
        response = Api(client, user).get(f"/api/v1/quizzes/{quiz['id']}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Quiz not found"}


def test_quiz_get__another_teachers_quiz_is_404_but_admin_sees_it(client, teacher, admin_user):
    quiz = generate(Api(client, teacher))
    other = make_user(Role.TEACHER)
    assert Api(client, other).get(f"/api/v1/quizzes/{quiz['id']}").status_code == 404
    assert Api(client, admin_user).get(f"/api/v1/quizzes/{quiz['id']}").status_code == 200


def test_quiz_get__anonymous_is_401(client, teacher):
    quiz = generate(Api(client, teacher))
    assert Api(client).get(f"/api/v1/quizzes/{quiz['id']}").status_code == 401


# --- list ---------------------------------------------------------------------------------------


def test_quiz_list__filters_by_subject_and_grade_and_paginates(client, teacher):
    api = Api(client, teacher)
    science5 = [generate(api, seed=seed)["id"] for seed in range(3)]
    generate(api, grade_level=6)
    generate(api, subject="history")

    page = api.get("/api/v1/quizzes", subject="science", grade_level=5, limit=2, offset=0).json()
    assert page["count"] == 3
    assert [item["id"] for item in page["items"]] == science5[::-1][:2]  # newest first
    rest = api.get("/api/v1/quizzes", subject="science", grade_level=5, limit=2, offset=2).json()
    assert [item["id"] for item in rest["items"]] == science5[:1]
    assert api.get("/api/v1/quizzes").json()["count"] == 5
    assert "questions" not in page["items"][0]


def test_quiz_list__bad_filters_are_422(client, teacher):
    api = Api(client, teacher)
    assert api.get("/api/v1/quizzes", grade_level=13).status_code == 422
    assert api.get("/api/v1/quizzes", subject="astrology").status_code == 422
    assert api.get("/api/v1/quizzes", limit=0).status_code == 422
    assert api.get("/api/v1/quizzes", grade_level="K").status_code == 200


def test_quiz_list__students_see_only_what_was_given_to_their_class(
    client, teacher, student, published
):
    generate(Api(client, teacher), seed=99)  # not published
    page = Api(client, student).get("/api/v1/quizzes").json()
    assert page["count"] == 1
    assert [item["id"] for item in page["items"]] == [published["id"]]


# --- publish ------------------------------------------------------------------------------------


def test_quiz_publish__to_own_classroom_is_idempotent(client, teacher, student):
    api = Api(client, teacher)
    quiz = generate(api)
    classroom = classroom_with(teacher, student)
    for _ in range(2):
        response = api.post(f"/api/v1/quizzes/{quiz['id']}/publish", {"classroom_id": classroom.pk})
        assert response.status_code == 200
        assert response.json()["classroom_ids"] == [classroom.pk]


def test_quiz_publish__refusals(client, teacher, student, admin_user):
    api = Api(client, teacher)
    quiz = generate(api)
    path = f"/api/v1/quizzes/{quiz['id']}/publish"
    other_teacher = make_user(Role.TEACHER)
    others_classroom = classroom_with(other_teacher)
    own_classroom = classroom_with(teacher, student)

    response = api.post(path, {"classroom_id": others_classroom.pk})
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "You can only publish to a classroom you teach"},
    )
    response = api.post(path, {"classroom_id": 999_999})
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "Classroom 999999 not found"},
    )
    response = Api(client, student).post(path, {"classroom_id": own_classroom.pk})
    assert response.status_code == 403
    response = Api(client, other_teacher).post(path, {"classroom_id": others_classroom.pk})
    assert response.status_code == 404  # not theirs to see
    assert api.post(path, {"classroom_id": 0}).status_code == 422
    assert Quiz.objects.get().classrooms.count() == 0

    # An admin may publish anyone's quiz to any classroom.
    response = Api(client, admin_user).post(path, {"classroom_id": others_classroom.pk})
    assert response.status_code == 200
    assert response.json()["classroom_ids"] == [others_classroom.pk]


def test_quiz_publish__a_teacher_cannot_publish_a_quiz_an_admin_gave_their_class(
    client, teacher, admin_user
):
    quiz = generate(Api(client, admin_user))
    classroom = classroom_with(teacher)
    path = f"/api/v1/quizzes/{quiz['id']}/publish"
    assert Api(client, admin_user).post(path, {"classroom_id": classroom.pk}).status_code == 200
    response = Api(client, teacher).post(path, {"classroom_id": classroom.pk})
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the quiz's owner or an admin can publish it"}


# --- attempts -----------------------------------------------------------------------------------


def test_quiz_attempt__student_gets_score_and_explanations(client, student, published):
    questions = published["questions"]
    answers = [questions[0]["correct_index"], (questions[1]["correct_index"] + 1) % 4, None]
    answers.append(questions[3]["correct_index"])
    response = Api(client, student).post(
        f"/api/v1/quizzes/{published['id']}/attempts", {"answers": answers}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["score"], body["total"], body["percentage"]) == (2, 4, 50.0)
    assert [r["correct"] for r in body["results"]] == [True, False, False, True]
    assert [r["chosen"] for r in body["results"]] == answers
    assert [r["explanation"] for r in body["results"]] == [q["explanation"] for q in questions]
    attempt = QuizAttempt.objects.get()
    assert (attempt.student, attempt.quiz_id, attempt.answers) == (
        student,
        published["id"],
        answers,
    )


def test_quiz_attempt__once_per_student_a_second_one_is_409_and_changes_nothing(
    client, student, published
):
    path = f"/api/v1/quizzes/{published['id']}/attempts"
    correct = [q["correct_index"] for q in published["questions"]]
    first = Api(client, student).post(path, {"answers": [None] * len(correct)})
    assert (first.status_code, first.json()["score"]) == (201, 0)
    # Having seen the correct answers, the student tries again.
    again = Api(client, student).post(path, {"answers": correct})
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "You have already submitted this quiz"},
    )
    assert list(QuizAttempt.objects.values_list("score", flat=True)) == [0]
    # Another student of the class still has their attempt.
    classmate = make_user(Role.STUDENT)
    Quiz.objects.get(pk=published["id"]).classrooms.get().students.add(classmate)
    assert Api(client, classmate).post(path, {"answers": correct}).status_code == 201


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([0, 1, 2], "expected 4 answers (one per question), got 3"),
        ([0, 1, 2, 3, 0], "expected 4 answers (one per question), got 5"),
        ([0, 1, 4, 0], "answer 2 is out of range: 4 (question has 4 options)"),
        ([0, -1, 2, 0], "answer 1 is out of range: -1 (question has 4 options)"),
    ],
)
def test_quiz_attempt__answers_that_do_not_fit_are_422_and_not_stored(
    client, student, published, answers, message
):
    response = Api(client, student).post(
        f"/api/v1/quizzes/{published['id']}/attempts", {"answers": answers}
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"type": "value_error", "loc": ["body", "payload", "answers"], "msg": message}]
    }
    assert QuizAttempt.objects.count() == 0


@pytest.mark.parametrize("answers", [[True, 0, 0, 0], ["1", 0, 0, 0], "0,1,2,3", None])
def test_quiz_attempt__answers_must_be_option_indexes(client, student, published, answers):
    response = Api(client, student).post(
        f"/api/v1/quizzes/{published['id']}/attempts", {"answers": answers}
    )
    assert response.status_code == 422
    assert QuizAttempt.objects.count() == 0


def test_quiz_attempt__only_students_of_a_class_it_was_given_to(client, teacher, published):
    path = f"/api/v1/quizzes/{published['id']}/attempts"
    body = {"answers": [0, 0, 0, 0]}
    response = Api(client, teacher).post(path, body)
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "This action requires the role student"},
    )
    outsider = make_user(Role.STUDENT)
    response = Api(client, outsider).post(path, body)
    assert (response.status_code, response.json()) == (404, {"detail": "Quiz not found"})
    assert Api(client).post(path, body).status_code == 401
    assert QuizAttempt.objects.count() == 0
