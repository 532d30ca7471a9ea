"""The offline provider: the pure generators, deterministic for a given request and seed.

Their lessons and questions are built with the shapes of :mod:`curriculum.shapes`, the ones
the LLM's answers are validated against."""

from __future__ import annotations

from typing import Any

from curriculum.lessons import generate_lesson
from curriculum.quizzes import generate_questions
from curriculum.shapes import LESSON_FIELDS
from providers.base import OFFLINE, LessonRequest, QuizRequest

__all__ = ["LESSON_FIELDS", "OfflineProvider", "offline_provider"]


class OfflineProvider:
    name = OFFLINE

    def generate_lesson(self, request: LessonRequest) -> dict[str, Any]:
        lesson = generate_lesson(
            subject=request.subject,
            grade_level=request.grade_level,
            learning_objectives=list(request.learning_objectives),
            content_type=request.content_type,
            complexity=request.complexity,
            seed=request.seed,
        )
        return {field: lesson[field] for field in LESSON_FIELDS}

    def generate_quiz_questions(self, request: QuizRequest) -> list[dict[str, Any]]:
        questions = generate_questions(
            subject=request.subject,
            grade_level=request.grade_level,
            difficulty=request.difficulty,
            question_count=request.question_count,
            seed=request.seed,
        )
        return [question.to_dict() for question in questions]


offline_provider = OfflineProvider()
