"""Lesson writes: generate (through a provider) and publish to a classroom."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import Classroom, Role, User
from accounts.selectors import classroom_list
from lessons.models import Lesson
from live import broadcasting
from monitoring.context import sentry_manager
from monitoring.decorators import (
    capture_educational_content_error,
    educational_content_context,
    sentry_performance_monitor,
)
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
    content_request = request.as_context()
    sentry_manager.set_context("educational_content", educational_content_context(content_request))
    sentry_manager.add_breadcrumb(
        message="Lesson generation started",
        category="content",
        data={
            "subject": request.subject,
            "grade_level": request.grade_level,
            "content_type": request.content_type,
            "complexity": request.complexity,
        },
    )
    try:
        generated = _lesson_content(request=request, owner_id=owner_id)
        sentry_manager.set_context(
            "educational_content",
            educational_content_context({**content_request, "provider": generated.provider}),
        )
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
    except Exception as exc:
        capture_educational_content_error(content_request, exc, owner_id)
        raise


@sentry_performance_monitor(operation="lesson.generate", description="Write the lesson content")
def _lesson_content(*, request: LessonRequest, owner_id: int) -> Generated[dict]:
    return lesson_content_generate(request=request, user_id=owner_id)


def lesson_publish(*, lesson: Lesson, user: User, classroom_id: int) -> Lesson:
    """Give ``lesson`` to a classroom's students. Raises ``PermissionDenied`` or
    ``Classroom.DoesNotExist``."""
    if not (user.role == Role.ADMIN or user.is_superuser or lesson.owner_id == user.pk):
        raise PermissionDenied("Only the lesson's owner or an admin can publish it")
    classroom = classroom_list(user=user).filter(pk=classroom_id).first()
    if classroom is None:
        if Classroom.objects.filter(pk=classroom_id).exists():
            raise PermissionDenied("You can only publish to a classroom you teach")
        raise Classroom.DoesNotExist(f"Classroom {classroom_id} not found")
    lesson.classrooms.add(classroom)
    sentry_manager.add_breadcrumb(
        message="Lesson published",
        category="content",
        data={"lesson_id": lesson.pk, "classroom_id": classroom.pk},
    )
    broadcasting.lesson_published(lesson=lesson, classroom_id=classroom.pk)
    return lesson
