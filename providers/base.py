"""What a provider is asked for, what it answers, and the interface it implements."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Annotated, Any, Generic, Literal, Protocol, TypeVar

from django.db import models
from pydantic import BeforeValidator, Field, WithJsonSchema

import curriculum

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
MAX_GRADE_LEVEL = curriculum.MAX_GRADE_LEVEL  # grades K..12; 0 is kindergarten
MAX_SEED = curriculum.MAX_SEED  # fits every database's integer column

#: Model choices for a subject column, from the shared vocabulary.
SubjectChoices = models.TextChoices(
    "SubjectChoices", [(s.id.upper(), (s.id, s.label)) for s in curriculum.SUBJECTS]
)


def _grade_level(value: Any) -> int:
    return curriculum.grade_normalize(value)


#: A grade level in request bodies and query strings: 0..12, and "K" for kindergarten (0). A
#: bad one is a 422 whose message lists the allowed values.
GradeLevel = Annotated[
    int,
    BeforeValidator(_grade_level),
    Field(
        description='0..12; "K" (kindergarten) is 0',
        json_schema_extra={"minimum": 0, "maximum": MAX_GRADE_LEVEL},
    ),
]


def subject_field(kind: str) -> Any:
    """The request field type of a subject for content ``kind``: aliases (``"Maths"``) become
    the canonical id; any other value is a 422 whose message lists the allowed values. The
    OpenAPI schema shows the canonical ids as an enum."""
    allowed = curriculum.subject_ids(kind)

    def canonical(value: Any) -> str:
        return curriculum.subject_normalize(value, kind=kind)

    return Annotated[
        str,
        BeforeValidator(canonical),
        WithJsonSchema(
            {
                "type": "string",
                "enum": list(allowed),
                "description": "Aliases such as 'Maths' or 'CS' are accepted; "
                "GET /api/v1/catalog lists the subjects",
            }
        ),
    ]


LessonSubject = subject_field(curriculum.LESSON)
QuizSubject = subject_field(curriculum.QUIZ)


def seed_or_random(seed: int | None) -> int:
    """The seed to store: the one asked for, or a random one, so any content can be remade."""
    return secrets.randbelow(MAX_SEED + 1) if seed is None else seed


grade_label = curriculum.grade_label


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
    :meth:`curriculum.shapes.QuizQuestion.to_dict`.
    """

    name: str

    def generate_lesson(self, request: LessonRequest) -> dict[str, Any]: ...

    def generate_quiz_questions(self, request: QuizRequest) -> list[dict[str, Any]]: ...
