"""The shape an LLM must answer in: the content shapes of :mod:`curriculum.shapes`.

The JSON schema of these models is sent as the structured-output ``response_format``, and the
answer is validated against the same models: a model that ignores the schema (or an
OpenAI-compatible server that does not enforce it) produces :class:`ProviderOutputInvalid`, never
a stored lesson or quiz. They are the very models the offline generators build their output
with, so both providers answer in one shape.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, ValidationError

from curriculum.shapes import LessonContent, QuizQuestion

#: A lesson as the LLM writes it.
LLMLesson = LessonContent


def quiz_model(question_count: int) -> type[BaseModel]:
    """The quiz answer for exactly ``question_count`` questions (the count is in the schema)."""

    class LLMQuiz(BaseModel):
        model_config = LessonContent.model_config  # extra="forbid": additionalProperties false
        questions: list[QuizQuestion] = Field(min_length=question_count, max_length=question_count)

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
