"""Who may export what, and the content an export is built from.

An export hands the whole quiz (answers and explanations) or lesson to another system, so it is
for the content's owner or an admin: a student is refused outright (403), content the user may
not see reads as missing (404, as everywhere in the API), and content a teacher sees only
because it was published to a class they teach is refused (403). Every stored JSON field is
checked by the content's own selector first: a corrupt quiz is a server error, never a broken
package.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import Role, User
from lessons import selectors as lesson_selectors
from lessons.models import Lesson
from lessons.schemas import STORED_LESSON_CONTENT, STUDENT_ITEM_FIELDS
from quizzes import selectors as quiz_selectors
from quizzes.models import Quiz

#: How many quizzes one cartridge may carry: enough for a unit, bounded for the server.
MAX_CARTRIDGE_QUIZZES = 20


class ExportNotFound(Exception):
    """The lesson or quiz does not exist or the user may not see it."""


def export_allowed(*, user: User, owner_id: int) -> bool:
    """Whether ``user`` may export content owned by ``owner_id``: its owner or an admin."""
    return user.role == Role.ADMIN or user.is_superuser or owner_id == user.pk


def export_owner_id(*, kind: str, content_id: int) -> int | None:
    """The owner of lesson or quiz ``content_id`` (``kind``), or None if there is none."""
    model = {"lesson": Lesson, "quiz": Quiz}[kind]
    return model.objects.filter(pk=content_id).values_list("owner_id", flat=True).first()


def _exportable(*, user: User, content, noun: str):
    if content is None:
        raise ExportNotFound(f"{noun.title()} not found")
    if not export_allowed(user=user, owner_id=content.owner_id):
        raise PermissionDenied(f"Only the {noun}'s owner or an admin can export it")
    return content


def quiz_for_export(*, user: User, quiz_id: int) -> Quiz:
    """The quiz ``user`` may export, its questions checked. Raises ``ExportNotFound``,
    ``PermissionDenied`` or ``StoredContentInvalid``."""
    return _exportable(
        user=user, content=quiz_selectors.quiz_get(user=user, quiz_id=quiz_id), noun="quiz"
    )


def lesson_for_export(*, user: User, lesson_id: int) -> Lesson:
    """The lesson ``user`` may export, its content checked (see ``quiz_for_export``)."""
    return _exportable(
        user=user,
        content=lesson_selectors.lesson_get(user=user, lesson_id=lesson_id),
        noun="lesson",
    )


def lesson_export_content(*, lesson: Lesson) -> dict[str, object]:
    """What the cartridge's lesson page shows: what a student in the class reads (no model
    answers to the assessment)."""
    content = STORED_LESSON_CONTENT.validate_python(lesson.content).model_dump()
    for name, keys in STUDENT_ITEM_FIELDS.items():
        content[name] = [{key: item[key] for key in keys} for item in content[name]]
    return {
        "id": lesson.pk,
        "title": lesson.title,
        "subject": lesson.subject,
        "grade_level": lesson.grade_level,
        "learning_objectives": list(lesson.learning_objectives),
        **content,
    }


def lesson_export_quizzes(*, user: User, lesson: Lesson, quiz_ids: list[int] | None) -> list[Quiz]:
    """The quizzes a lesson's cartridge carries.

    With ``quiz_ids``: exactly those, in that order, each one the user may export (else
    ``ExportNotFound`` / ``PermissionDenied`` naming it). Without: the lesson owner's quizzes
    published to any class the lesson is published to, oldest first: what the class already
    has alongside the lesson. An empty ``quiz_ids`` means the lesson alone.
    """
    if quiz_ids is not None:
        return [quiz_for_export(user=user, quiz_id=quiz_id) for quiz_id in dict.fromkeys(quiz_ids)]
    alongside = (
        Quiz.objects.filter(owner_id=lesson.owner_id, classrooms__lessons=lesson)
        .distinct()
        .order_by("created_at", "id")[:MAX_CARTRIDGE_QUIZZES]
    )
    return [quiz_selectors.quiz_checked(quiz) for quiz in alongside]
