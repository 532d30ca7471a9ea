"""One typed shape per kind of generated content.

The offline generators build their output through these models and the LLM's answer is
validated against the same ones (their JSON schema is the structured-output ``response_format``),
so the two producers cannot drift apart: whatever either returns, a reader gets the same shape.
Limits are generous for a real lesson and tight enough that a runaway LLM answer is rejected;
the offline generators stay within them for every input they accept
(``tests/lessons/test_generation.py`` checks the largest).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]

OPTIONS_PER_QUESTION = 4


class _Shape(BaseModel):
    # additionalProperties: false, as structured outputs require; content never changes once made.
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- lessons -------------------------------------------------------------------------------


class Section(_Shape):
    heading: Short
    body: Text


class VocabularyTerm(_Shape):
    term: Short
    definition: Text


class Activity(_Shape):
    title: Short
    instructions: Text
    duration_minutes: int = Field(ge=1, le=240)


class AssessmentItem(_Shape):
    question: Text
    answer: Text


class LessonContent(_Shape):
    """What a provider writes for a lesson (the request's subject, grade... are not part of it)."""

    title: Short
    summary: Text
    sections: list[Section] = Field(min_length=1, max_length=30)
    vocabulary: list[VocabularyTerm] = Field(max_length=40)
    activities: list[Activity] = Field(min_length=1, max_length=20)
    assessment: list[AssessmentItem] = Field(min_length=1, max_length=60)
    estimated_duration_minutes: int = Field(ge=5, le=600)


#: The keys of a lesson's content, in order.
LESSON_FIELDS: tuple[str, ...] = tuple(LessonContent.model_fields)


# ---- quizzes -------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def option_normalize(text: str) -> str:
    """How options are compared: two options that read the same are the same option. (Cached:
    bank options recur in every quiz, and each question checks all four of its options.)"""
    return " ".join(str(text).casefold().split())


class QuizQuestion(_Shape):
    """A multiple-choice question. ``options[correct_index]`` is the right answer."""

    prompt: Text
    options: list[Short] = Field(min_length=OPTIONS_PER_QUESTION, max_length=OPTIONS_PER_QUESTION)
    correct_index: int = Field(ge=0, le=OPTIONS_PER_QUESTION - 1)
    explanation: Text
    topic: Short

    @field_validator("options")
    @classmethod
    def _options_differ(cls, options: list[str], info: ValidationInfo) -> list[str]:
        # Two options that read the same would make a right answer count as wrong. (A field
        # validator: a third of the cost of a model validator, and quizzes make 50 of these.)
        if len({option_normalize(option) for option in options}) != len(options):
            prompt = info.data.get("prompt")
            raise ValueError(f"duplicate options in question {prompt!r}: {options}")
        return options

    @property
    def answer(self) -> str:
        return self.options[self.correct_index]

    def to_dict(self) -> dict[str, Any]:
        """The stored and sent form: the fields plus the answer's text."""
        return {
            "prompt": self.prompt,
            "options": list(self.options),
            "correct_index": self.correct_index,
            "answer": self.answer,
            "explanation": self.explanation,
            "topic": self.topic,
        }


# ---- terrain -------------------------------------------------------------------------------


class TerrainPeak(_Shape):
    row: int
    col: int
    height: float
    height_studs: float


class TerrainHistogram(_Shape):
    edges: list[float]
    counts: list[int]


class TerrainStatistics(_Shape):
    """Summary of a heightmap (heights as fractions of ``max_height``, coverages 0..1)."""

    min: float
    max: float
    mean: float
    std: float
    water_level: float
    water_coverage: float
    land_coverage: float
    peak: TerrainPeak
    histogram: TerrainHistogram
