"""Quiz writes: generate (through a provider), publish, and grade a student's attempt."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import Classroom, Role, User
from accounts.selectors import classroom_list
from live import broadcasting
from monitoring.context import sentry_manager
from monitoring.decorators import (
    capture_educational_content_error,
    educational_content_context,
    sentry_performance_monitor,
)
from providers.base import Generated, QuizRequest, grade_label, seed_or_random
from providers.selection import quiz_questions_generate
from quizzes.generation import grade_attempt
from quizzes.models import Quiz, QuizAttempt, Subject


def quiz_title(*, subject: str, grade_level: int, difficulty: str) -> str:
    return f"{Subject(subject).label} quiz: {grade_label(grade_level)} ({difficulty})"


# Ids, not User objects, in monitored signatures: the monitors record parameters, and a user's
# repr is their username.
@sentry_performance_monitor(operation="content.generation", description="Generate a quiz")
def quiz_generate(
    *,
    owner_id: int,
    subject: str,
    grade_level: int,
    difficulty: str,
    question_count: int,
    seed: int | None = None,
) -> Quiz:
    """Write ``question_count`` questions with the provider for the subject and store the quiz."""
    request = QuizRequest(
        subject=subject,
        grade_level=grade_level,
        difficulty=difficulty,
        question_count=question_count,
        seed=seed_or_random(seed),
    )
    content_request = request.as_context()
    sentry_manager.set_context("educational_content", educational_content_context(content_request))
    sentry_manager.add_breadcrumb(
        message="Quiz generation started",
        category="content",
        data={
            "subject": request.subject,
            "grade_level": request.grade_level,
            "difficulty": request.difficulty,
            "question_count": request.question_count,
        },
    )
    try:
        generated = _quiz_questions(request=request, owner_id=owner_id)
        sentry_manager.set_context(
            "educational_content",
            educational_content_context({**content_request, "provider": generated.provider}),
        )
        return Quiz.objects.create(
            owner_id=owner_id,
            subject=request.subject,
            grade_level=request.grade_level,
            difficulty=request.difficulty,
            question_count=request.question_count,
            seed=request.seed,
            provider=generated.provider,
            fallback_reason=generated.fallback_reason or "",
            title=quiz_title(
                subject=request.subject,
                grade_level=request.grade_level,
                difficulty=request.difficulty,
            ),
            questions=generated.content,
        )
    except Exception as exc:
        capture_educational_content_error(content_request, exc, owner_id)
        raise


@sentry_performance_monitor(operation="quiz.generate", description="Write the quiz questions")
def _quiz_questions(*, request: QuizRequest, owner_id: int) -> Generated[list[dict]]:
    return quiz_questions_generate(request=request, user_id=owner_id)


def quiz_publish(*, quiz: Quiz, user: User, classroom_id: int) -> Quiz:
    """Give ``quiz`` to a classroom's students. Raises ``PermissionDenied`` or
    ``Classroom.DoesNotExist``."""
    if not (user.role == Role.ADMIN or user.is_superuser or quiz.owner_id == user.pk):
        raise PermissionDenied("Only the quiz's owner or an admin can publish it")
    classroom = classroom_list(user=user).filter(pk=classroom_id).first()
    if classroom is None:
        if Classroom.objects.filter(pk=classroom_id).exists():
            raise PermissionDenied("You can only publish to a classroom you teach")
        raise Classroom.DoesNotExist(f"Classroom {classroom_id} not found")
    quiz.classrooms.add(classroom)
    sentry_manager.add_breadcrumb(
        message="Quiz published",
        category="content",
        data={"quiz_id": quiz.pk, "classroom_id": classroom.pk},
    )
    broadcasting.quiz_published(quiz=quiz, classroom_id=classroom.pk)
    return quiz


def quiz_attempt_submit(*, quiz: Quiz, student: User, answers: list[int | None]) -> QuizAttempt:
    """Grade and store a student's answers. Raises ``ValueError`` when the answers do not fit
    the quiz (wrong count, an option that does not exist)."""
    graded = grade_attempt(questions=quiz.questions, answers=answers)
    attempt = QuizAttempt.objects.create(
        quiz=quiz,
        student=student,
        answers=list(answers),
        score=graded["score"],
        total=graded["total"],
        percentage=graded["percentage"],
        results=graded["results"],
    )
    sentry_manager.add_breadcrumb(
        message="Quiz attempt graded",
        category="content",
        data={"quiz_id": quiz.pk, "score": attempt.score, "total": attempt.total},
    )
    return attempt
