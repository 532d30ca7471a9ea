"""``/api/v1/quizzes``: generate, read, list, publish and take quizzes."""

# No ``from __future__ import annotations``: Ninja resolves the query parameters' types.
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from accounts.auth import api_auth, require_role
from accounts.models import Role
from accounts.ratelimit import QUIZ_GENERATE, rate_limit_consume
from accounts.schemas import MessageOut
from jobs.models import JobKind
from jobs.schemas import BackgroundIn, JobOut
from providers.base import GradeLevel, QuizSubject
from publishing.api import content_found, generation_answer
from publishing.services import content_publish
from quizzes import selectors, services
from quizzes.models import Quiz, QuizAttempt
from quizzes.schemas import (
    STUDENT_QUESTION_FIELDS,
    AttemptIn,
    AttemptOut,
    QuizForStudentOut,
    QuizIn,
    QuizOut,
    QuizPublishIn,
    QuizSummaryOut,
)

router = Router(tags=["quizzes"], auth=api_auth)

MAX_PAGE_SIZE = 100


class QuizGenerateIn(QuizIn, BackgroundIn):
    pass


def _summary(quiz: Quiz) -> dict[str, object]:
    return {
        "id": quiz.pk,
        "title": quiz.title,
        "subject": quiz.subject,
        "grade_level": quiz.grade_level,
        "difficulty": quiz.difficulty,
        "question_count": quiz.question_count,
        "created_at": quiz.created_at,
    }


def _out(quiz: Quiz) -> dict[str, object]:
    return {
        **_summary(quiz),
        "seed": quiz.seed,
        "provider": quiz.provider,
        "fallback_reason": quiz.fallback_reason or None,
        "questions": quiz.questions,
        "owner_id": quiz.owner_id,
        "classroom_ids": sorted(classroom.pk for classroom in quiz.classrooms.all()),
    }


def _student_out(quiz: Quiz) -> dict[str, object]:
    # Built field by field: what a student must not see is never copied in.
    questions = [
        {
            "index": index,
            **{name: question[name] for name in STUDENT_QUESTION_FIELDS if name in question},
        }
        for index, question in enumerate(quiz.questions)
    ]
    return {**_summary(quiz), "questions": questions}


def _attempt_out(attempt: QuizAttempt) -> dict[str, object]:
    return {
        "id": attempt.pk,
        "quiz_id": attempt.quiz_id,
        "score": attempt.score,
        "total": attempt.total,
        "percentage": attempt.percentage,
        "results": attempt.results,
        "created_at": attempt.created_at,
    }


def _visible_quiz(request: HttpRequest, quiz_id: int) -> Quiz:
    return content_found(selectors.quiz_get(user=request.auth, quiz_id=quiz_id), kind="quiz")


@router.post(
    "/generate",
    response={201: QuizOut, 202: JobOut, 403: MessageOut, 429: MessageOut},
    summary="Generate a quiz (teachers and admins, rate-limited); with background: a job",
)
def quiz_generate(request: HttpRequest, payload: QuizGenerateIn) -> Status:
    owner = require_role(request, Role.TEACHER, Role.ADMIN)
    rate_limit_consume(user=owner, scope=QUIZ_GENERATE)  # a background job counts the same
    return generation_answer(
        owner_id=owner.pk,
        kind=JobKind.QUIZ,
        payload=payload,
        generate=services.quiz_generate,
        out=_out,
    )


@router.get("", response=list[QuizSummaryOut], summary="Quizzes you may read")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def quiz_list(
    request: HttpRequest,
    subject: Query[QuizSubject | None] = None,
    grade_level: Query[GradeLevel | None] = None,
):
    return selectors.quiz_list(user=request.auth, subject=subject, grade_level=grade_level)


@router.get(
    "/{int:quiz_id}",
    response={200: QuizOut | QuizForStudentOut, 404: MessageOut},
    summary="A quiz: with answers for teachers and admins, without for students",
)
def quiz_get(request: HttpRequest, quiz_id: int) -> dict[str, object]:
    quiz = _visible_quiz(request, quiz_id)
    if selectors.quiz_answers_visible(user=request.auth):
        return _out(quiz)
    return _student_out(quiz)


@router.post(
    "/{int:quiz_id}/publish",
    response={200: QuizOut, 403: MessageOut, 404: MessageOut},
    summary="Publish a quiz to one of your classrooms (its owner or an admin)",
)
def quiz_publish(request: HttpRequest, quiz_id: int, payload: QuizPublishIn) -> dict[str, object]:
    user = require_role(request, Role.TEACHER, Role.ADMIN)
    quiz = content_publish(
        content=_visible_quiz(request, quiz_id), user=user, classroom_id=payload.classroom_id
    )
    return _out(selectors.quiz_get(user=user, quiz_id=quiz.pk))


@router.post(
    "/{int:quiz_id}/attempts",
    response={201: AttemptOut, 403: MessageOut, 404: MessageOut, 409: MessageOut},
    summary="Submit your answers to a quiz given to your class (students; once per quiz)",
)
def quiz_attempt_submit(request: HttpRequest, quiz_id: int, payload: AttemptIn) -> Status:
    student = require_role(request, Role.STUDENT)
    quiz = content_found(selectors.quiz_get_for_attempt(user=student, quiz_id=quiz_id), kind="quiz")
    attempt = services.quiz_attempt_submit(quiz=quiz, student=student, answers=payload.answers)
    return Status(201, _attempt_out(attempt))
