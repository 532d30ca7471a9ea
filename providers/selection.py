"""Which provider answers a request, and what happens when the LLM cannot.

* Without ``OPENAI_API_KEY`` the offline generators answer everything.
* With it, lessons and quiz questions in every subject but mathematics come from the LLM.
  Mathematics always stays offline: its questions are procedural and their answers computed, so
  they are right by construction, which no LLM guarantees.
* The LLM call runs inside the ``openai`` circuit breaker. When the breaker is open no call is
  made. When the call fails (timeout, HTTP error, an answer that does not validate) the failure
  is reported once, as a categorised event with the ``educational_content`` context
  (``capture_educational_content_error``), and counted by the breaker.
* Either way the offline generator answers, so a teacher always gets a lesson or quiz. The result
  says so: ``provider="offline"`` and ``fallback_reason`` ``circuit_open``,
  ``provider_unavailable`` or ``invalid_output``. Nothing the LLM said is kept after a failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import pybreaker
from django.conf import settings

from monitoring.content_context import capture_educational_content_error
from monitoring.facade import add_breadcrumb
from providers.base import (
    CIRCUIT_OPEN,
    MATHEMATICS,
    OFFLINE,
    ContentProvider,
    FallbackReason,
    Generated,
    LessonRequest,
    QuizRequest,
)
from providers.breaker import BREADCRUMB_CATEGORY, get_breaker
from providers.errors import ProviderError
from providers.offline import offline_provider
from providers.openai_provider import openai_provider

logger = logging.getLogger(__name__)

T = TypeVar("T")


def llm_configured() -> bool:
    return bool(settings.OPENAI_API_KEY)


def provider_for(*, subject: str) -> ContentProvider:
    """The provider that should answer for ``subject`` (a normalised subject)."""
    if llm_configured() and subject != MATHEMATICS:
        return openai_provider
    return offline_provider


def lesson_content_generate(*, request: LessonRequest, user_id: Any) -> Generated[dict[str, Any]]:
    return _generate(request, user_id, lambda provider: provider.generate_lesson(request))


def quiz_questions_generate(
    *, request: QuizRequest, user_id: Any
) -> Generated[list[dict[str, Any]]]:
    return _generate(request, user_id, lambda provider: provider.generate_quiz_questions(request))


def _generate(
    request: LessonRequest | QuizRequest,
    user_id: Any,
    produce: Callable[[ContentProvider], T],
) -> Generated[T]:
    provider = provider_for(subject=request.subject)
    if provider.name == OFFLINE:
        return Generated(produce(offline_provider), OFFLINE)

    breaker = get_breaker(provider.name)
    reason: FallbackReason
    try:
        with breaker.calling():
            content = produce(provider)
    except pybreaker.CircuitBreakerError:
        reason = CIRCUIT_OPEN
        add_breadcrumb(
            message=f"Circuit breaker {breaker.name} is open: the offline generator answers",
            category=BREADCRUMB_CATEGORY,
            level="warning",
            data={"breaker": breaker.name},
        )
    except ProviderError as exc:
        reason = exc.fallback_reason  # type: ignore[assignment]
        capture_educational_content_error(
            {**request.as_context(), "provider": provider.name}, exc, user_id
        )
        logger.warning("%s; the offline generator answers (%s)", exc, reason)
    else:
        return Generated(content, provider.name)  # type: ignore[arg-type]
    return Generated(produce(offline_provider), OFFLINE, reason)
