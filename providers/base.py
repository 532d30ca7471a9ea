"""What a provider is asked for, what it answers, and the interface it implements."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Annotated, Any, Generic, Literal, Protocol, TypeVar

from django.db import models
from pydantic import BeforeValidator, Field

from quizzes.generation import normalize_subject

OFFLINE = "offline"
OPENAI = "openai"

# Why the offline generator answered a request the LLM should have answered.
CIRCUIT_OPEN = "circuit_open"
PROVIDER_UNAVAILABLE = "provider_unavailable"
INVALID_OUTPUT = "invalid_output"

ProviderName = Literal["offline", "openai"]
FallbackReason = Literal["circuit_open", "provider_unavailable", "invalid_output"]


class ProviderChoices(models.TextChoices):
    """For model fields: which provider produced a stored lesson or quiz, and why offline."""

    OFFLINE = OFFLINE, "Offline generator"
    OPENAI = OPENAI, "OpenAI"


class FallbackReasonChoices(models.TextChoices):
    CIRCUIT_OPEN = CIRCUIT_OPEN, "Circuit breaker open"
    PROVIDER_UNAVAILABLE = PROVIDER_UNAVAILABLE, "Provider unavailable"
    INVALID_OUTPUT = INVALID_OUTPUT, "Provider output invalid"


MATHEMATICS = "mathematics"
MAX_SUBJECT_LENGTH = 100
MAX_GRADE_LEVEL = 12  # grades K..12; 0 is kindergarten
MAX_SEED = 2**31 - 1  # fits every database's integer column
_KINDERGARTEN_WORDS = frozenset({"k", "kg", "kindergarten"})


def _kindergarten_is_zero(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in _KINDERGARTEN_WORDS:
        return 0
    return value


#: A grade level in request bodies and query strings: 0..12, and "K" for kindergarten (0).
GradeLevel = Annotated[
    int,
    BeforeValidator(_kindergarten_is_zero),
    Field(ge=0, le=MAX_GRADE_LEVEL, description='0..12; "K" (kindergarten) is 0'),
]


def subject_normalize(subject: str) -> str:
    """``"Maths"`` -> ``"mathematics"``; a subject without a curated bank keeps its own words."""
    try:
        return normalize_subject(subject)
    except ValueError:
        return " ".join(subject.split())


def seed_or_random(seed: int | None) -> int:
    """The seed to store: the one asked for, or a random one, so any content can be remade."""
    return secrets.randbelow(MAX_SEED + 1) if seed is None else seed


def grade_label(grade_level: int) -> str:
    return "Kindergarten" if grade_level == 0 else f"Grade {grade_level}"


@dataclass(frozen=True)
class LessonRequest:
    subject: str
    grade_level: int
    learning_objectives: tuple[str, ...]
    content_type: str
    complexity: str
    seed: int

    @property
    def is_mathematics(self) -> bool:
        return self.subject == MATHEMATICS

    def as_context(self) -> dict[str, Any]:
        """The ``educational_content`` context of this request."""
        return {**asdict(self), "learning_objectives": list(self.learning_objectives)}


@dataclass(frozen=True)
class QuizRequest:
    subject: str
    grade_level: int
    difficulty: str
    question_count: int
    seed: int

    @property
    def is_mathematics(self) -> bool:
        return self.subject == MATHEMATICS

    def as_context(self) -> dict[str, Any]:
        return asdict(self)


T = TypeVar("T")


@dataclass(frozen=True)
class Generated(Generic[T]):
    """Content and who produced it; ``fallback_reason`` says why offline answered, if it did."""

    content: T
    provider: ProviderName
    fallback_reason: FallbackReason | None = None


class ContentProvider(Protocol):
    """Writes lessons and quiz questions. Both methods return plain JSON-serialisable data.

    ``generate_lesson`` returns ``title``, ``summary``, ``sections`` (heading, body),
    ``vocabulary`` (term, definition), ``activities`` (title, instructions, duration_minutes),
    ``assessment`` (question, answer) and ``estimated_duration_minutes``.
    ``generate_quiz_questions`` returns ``request.question_count`` dicts shaped like
    :meth:`quizzes.generation.Question.to_dict`.
    """

    name: str

    def generate_lesson(self, request: LessonRequest) -> dict[str, Any]: ...

    def generate_quiz_questions(self, request: QuizRequest) -> list[dict[str, Any]]: ...
