"""The ``educational_content`` context: what was being generated when something went wrong.

Subject, grade, objectives, type, complexity and the other generation parameters go on the
scope while a generation service works (:func:`educational_content_generation`), and on the
event when it fails (:func:`capture_educational_content_error`, one of the spec's monitors).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import sentry_sdk

from monitoring import errors
from monitoring.errors import mark_failure
from monitoring.facade import add_breadcrumb, capture_exception, set_context
from monitoring.guards import when_sentry_active
from monitoring.metrics.recording import record_generation_time

__all__ = [
    "CONTENT_CONTEXT_FIELDS",
    "ContentGeneration",
    "capture_educational_content_error",
    "content_kind",
    "educational_content_context",
    "educational_content_generation",
]

CONTENT_CONTEXT_FIELDS = (
    "subject",
    "grade_level",
    "learning_objectives",
    "content_type",
    "complexity",
    "difficulty",
    "question_count",
    "size",
    "biome",
    "seed",
    "provider",
)


class ContentGeneration:
    """Yielded by :func:`educational_content_generation`."""

    def __init__(self, content_request: dict[str, Any]) -> None:
        self.content_request = content_request

    def answered_by(self, provider: str) -> None:
        """Record which provider wrote the content (``openai``, ``offline``)."""
        set_context(
            "educational_content",
            educational_content_context({**self.content_request, "provider": provider}),
        )


@contextlib.contextmanager
def educational_content_generation(
    content_request: dict[str, Any], *, owner_id: int, started: str, data: dict[str, Any]
) -> Iterator[ContentGeneration]:
    """Around a generation service's work: the ``educational_content`` context and a ``content``
    breadcrumb (``started``, ``data``) first; a failure inside is captured with
    :func:`capture_educational_content_error` and re-raised."""
    set_context("educational_content", educational_content_context(content_request))
    add_breadcrumb(message=started, category="content", data=data)
    started_at = time.perf_counter()
    try:
        yield ContentGeneration(content_request)
    except Exception as exc:
        capture_educational_content_error(content_request, exc, owner_id)
        raise
    record_generation_time(
        kind=content_kind(content_request), seconds=time.perf_counter() - started_at
    )


def content_kind(content_request: dict[str, Any]) -> str:
    """``lesson``, ``quiz`` or ``terrain``, from the parameters each service passes: terrains say
    so in ``content_type``, only quizzes have a ``question_count``."""
    if content_request.get("content_type") == "terrain":
        return "terrain"
    return "quiz" if "question_count" in content_request else "lesson"


def educational_content_context(content_request: dict[str, Any]) -> dict[str, Any]:
    """Subject, grade, objectives, type, complexity and the other generation parameters."""
    context = {
        key: content_request[key] for key in CONTENT_CONTEXT_FIELDS if key in content_request
    }
    extra = {k: v for k, v in content_request.items() if k not in CONTENT_CONTEXT_FIELDS}
    if extra:
        context["generation_parameters"] = extra
    return context


@when_sentry_active()
def capture_educational_content_error(
    content_request: dict[str, Any], exc: BaseException, user_id: Any = None
) -> str | None:
    """Capture a generation failure with the ``educational_content`` context; returns event id
    (``None`` with Sentry off)."""
    with sentry_sdk.new_scope() as scope:
        scope.set_context("educational_content", educational_content_context(content_request))
        scope.set_tag("error_category", errors.CONTENT_GENERATION)
        if user_id is not None:
            scope.set_tag("user.id", str(user_id))
        mark_failure(exc, component=None, category=errors.CONTENT_GENERATION)
        return capture_exception(exc)
