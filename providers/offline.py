"""The offline provider: the pure generators, deterministic for a given request and seed."""

from __future__ import annotations

from typing import Any

from lessons.generation import generate_lesson
from providers.base import OFFLINE, LessonRequest, QuizRequest
from quizzes.generation import generate_questions

LESSON_FIELDS = (
    "title",
    "summary",
    "sections",
    "vocabulary",
    "activities",
    "assessment",
    "estimated_duration_minutes",
)


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
