"""The OpenAI provider: any OpenAI-compatible chat-completions API with structured output.

Settings are read at call time (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``OPENAI_MODEL``,
``OPENAI_TIMEOUT_SECONDS``), so ``override_settings`` works. ``OPENAI_TIMEOUT_SECONDS`` bounds
the whole call (connecting, sending, and reading the answer however slowly it arrives: see
:mod:`providers.deadline`), not each socket operation. The client never retries
(``max_retries=0``): the circuit breaker and the offline fallback decide what happens after a
failure, and a retry would only double the time a teacher waits.

Each call is one ``http.client`` span tagged ``service: openai`` (``sentry_external_api_monitor``)
around the ``gen_ai.chat`` span of sentry-sdk's OpenAI integration, which records the model and
token usage (prompts and answers only with ``SENTRY_SEND_DEFAULT_PII``). The answer is parsed and
validated with the models of :mod:`providers.output`; anything else raises
:class:`~providers.errors.ProviderOutputInvalid`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, TypeVar

import openai
import sentry_sdk
from django.conf import settings
from pydantic import BaseModel, ValidationError

from curriculum import LESSON_CONTENT_TYPES
from monitoring.decorators import sentry_external_api_monitor
from providers.base import OPENAI, LessonRequest, QuizRequest, grade_label
from providers.deadline import DeadlineTransport, deadline
from providers.errors import COMPONENT, ProviderOutputInvalid, ProviderUnavailable
from providers.output import LLMLesson, describe_validation_error, quiz_model

SERVICE = "openai"

M = TypeVar("M", bound=BaseModel)

SYSTEM_PROMPT = (
    "You write classroom material for K-12 teachers. Answer with a single JSON object that "
    "matches the given JSON schema exactly and nothing else. Write for the learners' grade: short "
    "sentences and everyday words for young children, precise vocabulary for older students. Be "
    "factually accurate; never include personal data, links or content unsuitable for children."
)


def _lesson_prompt(request: LessonRequest) -> str:
    objectives = "\n".join(
        f"{number}. {objective}"
        for number, objective in enumerate(request.learning_objectives, start=1)
    )
    kind = LESSON_CONTENT_TYPES.get(request.content_type, request.content_type).lower()
    return (
        f"Write a {request.complexity} {kind} for {grade_label(request.grade_level)} "
        f"{request.subject.replace('_', ' ')}.\nLearning objectives:\n{objectives}\n"
        "Include: an introduction section, one section per objective and a wrap-up section; the "
        "key vocabulary with child-friendly definitions; classroom activities with their "
        "duration in minutes; check-for-understanding questions with their answers; a one-"
        "paragraph summary; and the estimated duration of the whole lesson in minutes."
    )


def _quiz_prompt(request: QuizRequest) -> str:
    return (
        f"Write {request.question_count} multiple-choice questions for "
        f"{grade_label(request.grade_level)} {request.subject.replace('_', ' ')} at "
        f"{request.difficulty} difficulty. Each question has exactly 4 different options and "
        "exactly one correct option; correct_index is its 0-based position (vary it across "
        "questions). Give a one-sentence explanation of the correct answer and a short topic "
        "label (one to three words). No two questions may ask the same thing."
    )


@lru_cache(maxsize=4)
def _client(base_url: str, timeout: float, api_key: str) -> openai.OpenAI:
    # Cached so that connections are reused; a settings change simply makes a new client.
    return openai.OpenAI(
        api_key=api_key,
        base_url=base_url,
        timeout=timeout,
        max_retries=0,
        http_client=openai.DefaultHttpxClient(transport=DeadlineTransport()),
    )


def _drop_integration_report(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    """sentry-sdk's OpenAI integration reports every failed call as an unhandled error. Ours are
    handled (the offline generator answers) and reported once, categorised, by the caller."""
    values = (event.get("exception") or {}).get("values") or []
    if any((value.get("mechanism") or {}).get("type") == "openai" for value in values):
        return None
    return event


def _describe_api_error(exc: openai.OpenAIError) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return f"{SERVICE} did not answer within {settings.OPENAI_TIMEOUT_SECONDS} s"
    if isinstance(exc, openai.APIConnectionError):
        return f"could not connect to {SERVICE}"
    if isinstance(exc, openai.APIStatusError):
        return f"{SERVICE} answered HTTP {exc.status_code}"
    return f"{SERVICE} call failed ({type(exc).__name__})"


def _topic(subject: str, label: str) -> str:
    slug = "_".join(re.findall(r"[a-z0-9]+", label.lower()))[:60] or "general"
    return f"{subject}.{slug}"


class OpenAIProvider:
    name = OPENAI

    def generate_lesson(self, request: LessonRequest) -> dict[str, Any]:
        lesson = self._complete(request, schema=LLMLesson)
        return lesson.model_dump()

    def generate_quiz_questions(self, request: QuizRequest) -> list[dict[str, Any]]:
        quiz = self._complete(request, schema=quiz_model(request.question_count))
        # The shape already refused unusable questions (two options that read the same...);
        # only the topic label becomes the offline generator's "subject.topic" form.
        return [
            item.model_copy(update={"topic": _topic(request.subject, item.topic)}).to_dict()
            for item in quiz.questions
        ]

    # The monitor records parameters as span data, except one called ``request``. The prompt
    # (teachers' words) is built inside, so it stays out of span data, as gen_ai inputs do.
    @sentry_external_api_monitor(service_name=SERVICE, component=COMPONENT)
    def _complete(self, request: LessonRequest | QuizRequest, *, schema: type[M]) -> M:
        if isinstance(request, LessonRequest):
            prompt = _lesson_prompt(request)
        else:
            prompt = _quiz_prompt(request)
        timeout = float(settings.OPENAI_TIMEOUT_SECONDS)
        client = _client(settings.OPENAI_BASE_URL, timeout, settings.OPENAI_API_KEY)
        with sentry_sdk.new_scope() as scope, deadline(timeout):
            scope.add_event_processor(_drop_integration_report)
            try:
                completion = client.chat.completions.create(
                    model=settings.OPENAI_MODEL,
                    messages=[
                        {"role": "system", "content": SYSTEM_PROMPT},
                        {"role": "user", "content": prompt},
                    ],
                    response_format={
                        "type": "json_schema",
                        "json_schema": {
                            "name": schema.__name__,
                            "strict": True,
                            "schema": schema.model_json_schema(),
                        },
                    },
                    seed=request.seed,
                )
            except openai.OpenAIError as exc:
                raise ProviderUnavailable(_describe_api_error(exc), service=SERVICE) from exc
        return _parse(completion, schema)


def _invalid(problem: str) -> ProviderOutputInvalid:
    return ProviderOutputInvalid(f"{SERVICE} answer rejected: {problem}", service=SERVICE)


def _parse(completion: Any, schema: type[M]) -> M:
    choices = getattr(completion, "choices", None) or []
    if not choices:
        raise _invalid("no choices")
    choice = choices[0]
    if choice.finish_reason == "length":
        raise _invalid("truncated (finish_reason=length)")
    if getattr(choice.message, "refusal", None):
        raise _invalid("the model refused")
    content = choice.message.content
    if not content:
        raise _invalid("empty content")
    try:
        return schema.model_validate_json(content)
    except ValidationError as exc:
        raise _invalid(describe_validation_error(exc)) from None


openai_provider = OpenAIProvider()
