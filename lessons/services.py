"""Lesson writes: generate (through a provider). Publishing is ``publishing.services``."""

from __future__ import annotations

from lessons.models import Lesson
from monitoring.content_context import educational_content_generation
from monitoring.decorators import sentry_performance_monitor
from providers.base import Generated, LessonRequest, seed_or_random
from providers.selection import lesson_content_generate


# Ids, not User objects, in monitored signatures: the monitors record parameters, and a user's
# repr is their username.
@sentry_performance_monitor(operation="content.generation", description="Generate a lesson")
def lesson_generate(
    *,
    owner_id: int,
    subject: str,
    grade_level: int,
    learning_objectives: list[str],
    content_type: str,
    complexity: str,
    seed: int | None = None,
) -> Lesson:
    """Write a lesson with the provider for its subject and store it, owned by ``owner_id``."""
    request = LessonRequest(
        subject=subject,
        grade_level=grade_level,
        learning_objectives=tuple(learning_objectives),
        content_type=content_type,
        complexity=complexity,
        seed=seed_or_random(seed),
    )
    with educational_content_generation(
        request.as_context(),
        owner_id=owner_id,
        started="Lesson generation started",
        data={
            "subject": request.subject,
            "grade_level": request.grade_level,
            "content_type": request.content_type,
            "complexity": request.complexity,
        },
    ) as generation:
        generated = _lesson_content(request=request, owner_id=owner_id)
        generation.answered_by(generated.provider)
        content = dict(generated.content)
        return Lesson.objects.create(
            owner_id=owner_id,
            subject=request.subject,
            grade_level=request.grade_level,
            learning_objectives=list(request.learning_objectives),
            content_type=request.content_type,
            complexity=request.complexity,
            title=content.pop("title")[:300],
            content=content,
            provider=generated.provider,
            fallback_reason=generated.fallback_reason or "",
            seed=request.seed,
        )


@sentry_performance_monitor(operation="lesson.generate", description="Write the lesson content")
def _lesson_content(*, request: LessonRequest, owner_id: int) -> Generated[dict]:
    return lesson_content_generate(request=request, user_id=owner_id)
