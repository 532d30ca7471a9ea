"""Content as pushed to a classroom's sockets, built through the API's own output schemas.

Validating through the student schema keeps out, by construction, every field a student must not
see: a question's ``correct_index``, ``answer`` and ``explanation`` are not in
``QuestionForStudentOut``, so pydantic drops them.
"""

from __future__ import annotations

from typing import Any

from lessons.models import Lesson
from lessons.schemas import LessonSummaryOut
from quizzes.models import Quiz
from quizzes.schemas import QuizForStudentOut


def quiz_for_students(quiz: Quiz) -> dict[str, Any]:
    questions = [{**question, "index": index} for index, question in enumerate(quiz.questions)]
    out = QuizForStudentOut.model_validate(
        {
            "id": quiz.pk,
            "title": quiz.title,
            "subject": quiz.subject,
            "grade_level": quiz.grade_level,
            "difficulty": quiz.difficulty,
            "question_count": quiz.question_count,
            "created_at": quiz.created_at,
            "questions": questions,
        }
    )
    return {**out.model_dump(mode="json"), "url": f"/api/v1/quizzes/{quiz.pk}"}


def lesson_for_students(lesson: Lesson) -> dict[str, Any]:
    out = LessonSummaryOut.model_validate(
        {
            "id": lesson.pk,
            "title": lesson.title,
            "subject": lesson.subject,
            "grade_level": lesson.grade_level,
            "content_type": lesson.content_type,
            "complexity": lesson.complexity,
            "provider": lesson.provider,
            "owner_id": lesson.owner_id,
            "created_at": lesson.created_at,
        }
    )
    return {
        **out.model_dump(mode="json"),
        "summary": (lesson.content or {}).get("summary", ""),
        "url": f"/api/v1/content/{lesson.pk}",
    }
