"""Quiz writes: generate (through a provider) and grade a student's attempt. Publishing is
``publishing.services``."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import User
from curriculum.quizzes import grade_attempt
from monitoring.content_context import educational_content_generation
from monitoring.decorators import sentry_performance_monitor
from monitoring.facade import sentry_manager
from providers.base import Generated, QuizRequest, grade_label, seed_or_random
from providers.selection import quiz_questions_generate
from quizzes.models import Quiz, QuizAttempt, Subject
from quizzes.signals import quiz_attempt_graded
from toolbox.errors import Conflict, Invalid


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
    with educational_content_generation(
        request.as_context(),
        owner_id=owner_id,
        started="Quiz generation started",
        data={
            "subject": request.subject,
            "grade_level": request.grade_level,
            "difficulty": request.difficulty,
            "question_count": request.question_count,
        },
    ) as generation:
        generated = _quiz_questions(request=request, owner_id=owner_id)
        generation.answered_by(generated.provider)
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


@sentry_performance_monitor(operation="quiz.generate", description="Write the quiz questions")
def _quiz_questions(*, request: QuizRequest, owner_id: int) -> Generated[list[dict]]:
    return quiz_questions_generate(request=request, user_id=owner_id)


class AlreadySubmitted(Conflict):
    """The student has submitted this quiz before: grading showed them the answers."""


def quiz_attempt_submit(*, quiz: Quiz, student: User, answers: list[int | None]) -> QuizAttempt:
    """Grade and store a student's answers, once per quiz. Raises ``ValueError`` when the
    answers do not fit the quiz (wrong count, an option that does not exist; an ``Invalid``
    about ``answers``) and :class:`AlreadySubmitted` for a second attempt."""
    try:
        graded = grade_attempt(questions=quiz.questions, answers=answers)
    except ValueError as exc:
        raise Invalid(str(exc), field="answers") from None
    try:
        with transaction.atomic():  # the constraint decides between two concurrent submits
            attempt = QuizAttempt.objects.create(
                quiz=quiz,
                student=student,
                answers=list(answers),
                score=graded["score"],
                total=graded["total"],
                percentage=graded["percentage"],
                results=graded["results"],
            )
    except IntegrityError:
        if QuizAttempt.objects.filter(quiz=quiz, student=student).exists():
            raise AlreadySubmitted("You have already submitted this quiz") from None
        raise
    sentry_manager.add_breadcrumb(
        message="Quiz attempt graded",
        category="content",
        data={"quiz_id": quiz.pk, "score": attempt.score, "total": attempt.total},
    )
    # Whether answered over HTTP or the socket, the teachers' gradebooks hear of it.
    taken_in = list(quiz.classrooms.filter(students=student).values_list("pk", flat=True))
    quiz_attempt_graded.send(sender=QuizAttempt, attempt=attempt, classroom_ids=taken_in)
    return attempt
