"""Reads only the pages need. Who may see what is decided by the apps' own selectors; these
assemble it for a page. Students' views of content are built through the API's student schemas,
so a field a student must not see (an answer, an explanation, a model answer) cannot reach
their page's HTML by a template mistake."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accounts.models import Classroom, User
from accounts.selectors import classroom_list
from lessons.models import Lesson
from lessons.schemas import LessonForStudentOut
from lessons.selectors import lesson_reading, lesson_visible
from live.payloads import quiz_for_students
from quizzes.models import Quiz, QuizAttempt
from quizzes.selectors import quiz_visible


def lesson_page_content(*, lesson: Lesson, teacher_view: bool) -> dict[str, Any]:
    """A lesson as its page shows it: in full for teachers, as ``LessonForStudentOut`` for
    students (no assessment answers)."""
    full = lesson_reading(lesson=lesson, answers=teacher_view)
    if teacher_view:
        return full
    return LessonForStudentOut.model_validate(full).model_dump()


def quiz_for_taking(*, quiz: Quiz) -> dict[str, Any]:
    """A quiz as a student taking it sees it (``QuizForStudentOut``: no answers)."""
    return quiz_for_students(quiz)


def quiz_attempt_get(*, quiz: Quiz, student: User) -> QuizAttempt | None:
    return QuizAttempt.objects.filter(quiz=quiz, student=student).first()


def quiz_result_rows(*, quiz: Quiz, attempt: QuizAttempt) -> list[dict[str, Any]]:
    """Each question with the student's choice, the right answer and why, after submitting."""
    rows = []
    for result in attempt.results:
        question = quiz.questions[result["index"]]
        chosen = result.get("chosen")
        rows.append(
            {
                "number": result["index"] + 1,
                "prompt": question["prompt"],
                "correct": result["correct"],
                "chosen": question["options"][chosen] if chosen is not None else None,
                "answer": question["options"][result["correct_index"]],
                "explanation": result.get("explanation", ""),
            }
        )
    return rows


@dataclass
class PublishedItem:
    kind: str  # "lesson" or "quiz"
    id: int
    title: str
    classrooms: list[str]
    created_at: Any
    done: bool = False  # a quiz the student has submitted


def student_published(*, student: User) -> list[PublishedItem]:
    """What was published to the student's classes, newest first."""
    items: list[PublishedItem] = []
    mine = set(classroom_list(user=student).values_list("pk", flat=True))
    submitted = set(QuizAttempt.objects.filter(student=student).values_list("quiz_id", flat=True))
    lessons = lesson_visible(user=student).defer("content").prefetch_related("classrooms")
    quizzes = quiz_visible(user=student).defer("questions").prefetch_related("classrooms")
    for kind, rows in (("lesson", lessons), ("quiz", quizzes)):
        for row in rows:
            names = [c.name for c in row.classrooms.all() if c.pk in mine]
            items.append(
                PublishedItem(
                    kind=kind,
                    id=row.pk,
                    title=row.title,
                    classrooms=names,
                    created_at=row.created_at,
                    done=kind == "quiz" and row.pk in submitted,
                )
            )
    items.sort(key=lambda item: item.created_at, reverse=True)
    return items


def classroom_published(*, classroom: Classroom) -> dict[str, list]:
    return {
        "lessons": list(classroom.lessons.defer("content").order_by("-created_at")),
        "quizzes": list(classroom.quizzes.defer("questions").order_by("-created_at")),
    }


@dataclass
class GradebookRow:
    student: User
    attempt: QuizAttempt | None


@dataclass
class Gradebook:
    classroom: Classroom
    quiz: Quiz
    rows: list[GradebookRow]
    # Per question: the share of submitted attempts that answered it right (its difficulty).
    questions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def attempts(self) -> int:
        return sum(1 for row in self.rows if row.attempt is not None)

    @property
    def average_percentage(self) -> float | None:
        scores = [row.attempt.percentage for row in self.rows if row.attempt is not None]
        return round(sum(scores) / len(scores), 1) if scores else None


def gradebook_get(*, classroom: Classroom, quiz: Quiz) -> Gradebook:
    """Attempts of the class's current students at ``quiz``, and per-question difficulty."""
    students = sorted(classroom.students.all(), key=lambda s: s.username.lower())
    attempts = {
        attempt.student_id: attempt
        for attempt in QuizAttempt.objects.filter(quiz=quiz, student__in=students)
    }
    rows = [GradebookRow(student=s, attempt=attempts.get(s.pk)) for s in students]
    taken = list(attempts.values())
    questions = []
    for index, question in enumerate(quiz.questions):
        right = sum(
            1
            for attempt in taken
            if index < len(attempt.results) and attempt.results[index]["correct"]
        )
        share = round(100 * right / len(taken)) if taken else None
        questions.append({"number": index + 1, "prompt": question["prompt"], "share": share})
    return Gradebook(classroom=classroom, quiz=quiz, rows=rows, questions=questions)


def classroom_quiz_get(*, classroom: Classroom, quiz_id: int) -> Quiz | None:
    """A quiz published to ``classroom`` (the gradebook of any other reads as missing)."""
    return classroom.quizzes.filter(pk=quiz_id).first()
