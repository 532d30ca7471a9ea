"""One typed shape per kind of generated content.

The offline generators build their output through these models and the LLM's answer is
validated against the same ones (their JSON schema is the structured-output ``response_format``),
so the two producers cannot drift apart: whatever either returns, a reader gets the same shape.
Limits are generous for a real lesson and tight enough that a runaway LLM answer is rejected;
the offline generators stay within them for every input they accept
(``tests/lessons/test_generation.py`` checks the largest).

**Writers and readers.** The limits (lengths, ranges, whitespace stripping, "options differ",
no extra keys) hold for what is *written*: the offline generators and the LLM's answer. The API,
socket and page schemas that *read* stored content are built from the same shapes by
:func:`reader_fields` (same field names, order, types and defaults, nested shapes replaced by
their readers) but without the limits. What is stored was written by those two producers only
(the admin shows content read-only; no migration, fixture or seed writes it), yet rows from
before these shapes existed (the offline generators were not built through them until
2026-12-05), a hand edit, or a limit tightened later could exceed them: read with the limits,
such a row would turn every read into an error. A row of the wrong *shape* (a missing field, a
wrong type) still fails to read (``toolbox.stored``: a 500 reported with its id). So a field
added to a shape appears in every reader without being declared again; give it a default if
rows stored before it must stay readable.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache, reduce
from types import UnionType
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    create_model,
    field_validator,
)
from pydantic.fields import FieldInfo

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]

OPTIONS_PER_QUESTION = 4


class _Shape(BaseModel):
    # additionalProperties: false, as structured outputs require; content never changes once made.
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The fields a student must not see (the answers): their readers leave them out.
    teacher_only: ClassVar[tuple[str, ...]] = ()


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
    teacher_only = ("answer",)

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

    teacher_only = ("correct_index", "explanation")

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


# ---- readers -------------------------------------------------------------------------------


def reader_fields(
    shape: type[BaseModel],
    *,
    nested: Mapping[type[BaseModel], type[BaseModel]] | None = None,
    exclude: Iterable[str] = (),
) -> dict[str, tuple[Any, FieldInfo]]:
    """``shape``'s fields as :func:`pydantic.create_model` definitions for a reader of stored
    content (see the module's docstring): the same names in the same order, the same types,
    defaults and descriptions, none of the limits, and each nested shape replaced by its reader
    in ``nested`` (or by a plain reader named after it). ``exclude`` names fields to leave out."""
    excluded = set(exclude)
    if unknown := excluded - set(shape.model_fields):
        raise ValueError(f"{shape.__name__} has no field {sorted(unknown)}")
    readers = dict(nested or {})
    return {
        name: (_unlimited(field.annotation, readers), _reader_field(field))
        for name, field in shape.model_fields.items()
        if name not in excluded
    }


def reader(shape: type[BaseModel], *, name: str | None = None) -> type[BaseModel]:
    """A plain reader of ``shape`` (:func:`reader_fields` as a model), one per shape."""
    return _reader(shape, name or shape.__name__)


@cache
def _reader(shape: type[BaseModel], name: str) -> type[BaseModel]:
    return create_model(name, __module__=shape.__module__, **reader_fields(shape))


def _reader_field(field: FieldInfo) -> FieldInfo:
    if field.default_factory is not None:
        return Field(default_factory=field.default_factory, description=field.description)
    return Field(default=field.default, description=field.description)  # Undefined: required


def _unlimited(annotation: Any, readers: Mapping[type[BaseModel], type[BaseModel]]) -> Any:
    """``annotation`` without its ``Annotated`` constraints, at any depth (``list[Short]`` ->
    ``list[str]``), nested shapes replaced by their readers."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unlimited(get_args(annotation)[0], readers)
    if isinstance(annotation, type) and issubclass(annotation, _Shape):
        return readers.get(annotation) or reader(annotation)
    args = get_args(annotation)
    if origin is None or origin is Literal or not args:
        return annotation
    loose = tuple(_unlimited(arg, readers) for arg in args)
    if origin in (Union, UnionType):
        return reduce(operator.or_, loose)
    return origin[loose]
