"""The shape an LLM must answer in, as pydantic models.

The JSON schema of these models is sent as the structured-output ``response_format``, and the
answer is validated against the same models: a model that ignores the schema (or an
OpenAI-compatible server that does not enforce it) produces :class:`ProviderOutputInvalid`, never
a stored lesson or quiz. Limits are generous for a real lesson and tight enough that a runaway
answer is rejected.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class _Strict(BaseModel):
    # additionalProperties: false, as structured outputs require.
    model_config = ConfigDict(extra="forbid")


class LLMSection(_Strict):
    heading: Short
    body: Text


class LLMVocabularyTerm(_Strict):
    term: Short
    definition: Text


class LLMActivity(_Strict):
    title: Short
    instructions: Text
    duration_minutes: int = Field(ge=1, le=240)


class LLMAssessmentItem(_Strict):
    question: Text
    answer: Text


class LLMLesson(_Strict):
    title: Short
    summary: Text
    sections: list[LLMSection] = Field(min_length=1, max_length=30)
    vocabulary: list[LLMVocabularyTerm] = Field(max_length=40)
    activities: list[LLMActivity] = Field(min_length=1, max_length=20)
    assessment: list[LLMAssessmentItem] = Field(min_length=1, max_length=60)
    estimated_duration_minutes: int = Field(ge=5, le=600)


class LLMQuestion(_Strict):
    prompt: Text
    options: list[Short] = Field(min_length=4, max_length=4)
    correct_index: int = Field(ge=0, le=3)
    explanation: Text
    topic: Short


def quiz_model(question_count: int) -> type[BaseModel]:
    """The quiz answer for exactly ``question_count`` questions (the count is in the schema)."""

    class LLMQuiz(_Strict):
        questions: list[LLMQuestion] = Field(min_length=question_count, max_length=question_count)

    return LLMQuiz


def describe_validation_error(exc: ValidationError, limit: int = 5) -> str:
    """Where the answer is wrong, never the answer itself (it may be long or carry anything)."""
    problems = [
        f"{'.'.join(str(part) for part in error['loc']) or '(root)'}: {error['msg']}"
        for error in exc.errors(include_input=False, include_url=False)
    ]
    shown = "; ".join(problems[:limit])
    more = f" (+{len(problems) - limit} more)" if len(problems) > limit else ""
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''}: {shown}{more}"
