"""Quiz reads: who may see which quizzes, and with or without the answers."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role, User
from accounts.selectors import published_given_to, published_visible
from quizzes.models import Quiz
from quizzes.schemas import STORED_QUESTIONS
from toolbox.stored import stored_validate


def quiz_answers_visible(*, user: User) -> bool:
    """Teachers and admins see answers and explanations; students are taking the quiz."""
    return user.role in (Role.TEACHER, Role.ADMIN) or user.is_superuser


def quiz_visible(*, user: User) -> QuerySet[Quiz]:
    return published_visible(Quiz.objects.all(), user=user)


def quiz_ids_given_to(*, user: User) -> QuerySet:
    return published_given_to(Quiz, user=user)


def quiz_list(
    *, user: User, subject: str | None = None, grade_level: int | None = None
) -> QuerySet[Quiz]:
    quizzes = quiz_visible(user=user).defer("questions")
    if subject:
        quizzes = quizzes.filter(subject=subject)
    if grade_level is not None:
        quizzes = quizzes.filter(grade_level=grade_level)
    return quizzes


def quiz_checked(quiz: Quiz | None) -> Quiz | None:
    """``quiz`` once its stored questions are known to be readable; ``StoredContentInvalid`` (a
    server error, reported with the quiz id) when they are not."""
    if quiz is not None:
        stored_validate(
            kind="quiz",
            content_id=quiz.pk,
            field="questions",
            adapter=STORED_QUESTIONS,
            value=quiz.questions,
        )
    return quiz


def quiz_get(*, user: User, quiz_id: int) -> Quiz | None:
    return quiz_checked(
        quiz_visible(user=user).filter(pk=quiz_id).prefetch_related("classrooms").first()
    )


def quiz_get_for_attempt(*, user: User, quiz_id: int) -> Quiz | None:
    """A quiz the user may take: one published to a class they are a student in."""
    return quiz_checked(
        Quiz.objects.filter(pk=quiz_id, pk__in=quiz_ids_given_to(user=user)).first()
    )
