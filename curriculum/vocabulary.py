"""Subjects and grade levels: the one vocabulary of every content kind.

A subject is listed here only for the content kinds the product can actually generate in it
*offline* (the LLM is optional and falls back to the offline generators), so a request the
product accepts is one it can always answer: lessons need a curated glossary
(``curriculum/data/glossary.json``), quizzes a question bank
(``curriculum/data/question_bank.json``)
or, for mathematics, the procedural generator. A subject some kind cannot generate is refused for
that kind with the allowed values listed, never silently written with generic filler.
"""

from __future__ import annotations

from dataclasses import dataclass

LESSON = "lesson"
QUIZ = "quiz"
#: Content kinds that take a subject (terrain and Roblox scripts do not).
CONTENT_KINDS: tuple[str, ...] = (LESSON, QUIZ)


@dataclass(frozen=True)
class Subject:
    id: str  # canonical, stored and sent by the API
    label: str  # for people
    kinds: tuple[str, ...] = CONTENT_KINDS  # the content kinds generated in this subject


SUBJECTS: tuple[Subject, ...] = (
    Subject("mathematics", "Mathematics"),
    Subject("science", "Science"),
    Subject("history", "History"),
    Subject("geography", "Geography"),
    Subject("english", "English"),
    Subject("computer_science", "Computer Science"),
)
_BY_ID = {subject.id: subject for subject in SUBJECTS}

#: What people type for a subject, after the key normalisation below (lower case, words joined by
#: ``_``): ``"Maths"``, ``"CS"``, ``"English Language Arts"``.
SUBJECT_ALIASES: dict[str, str] = {
    "math": "mathematics",
    "maths": "mathematics",
    "cs": "computer_science",
    "computing": "computer_science",
    "ela": "english",
    "english_language_arts": "english",
}

MIN_GRADE_LEVEL = 0  # kindergarten
MAX_GRADE_LEVEL = 12
#: Grade levels K..12 as ints; 0 is kindergarten.
GRADE_LEVELS: tuple[int, ...] = tuple(range(MIN_GRADE_LEVEL, MAX_GRADE_LEVEL + 1))
#: The bands that the generators' wording and question fit follow, each with its grades.
GRADE_BANDS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("K-2", (0, 1, 2)),
    ("3-5", (3, 4, 5)),
    ("6-8", (6, 7, 8)),
    ("9-12", (9, 10, 11, 12)),
)
#: The band names alone, in order: ``("K-2", "3-5", "6-8", "9-12")``.
GRADE_BAND_NAMES: tuple[str, ...] = tuple(name for name, _ in GRADE_BANDS)
#: Words accepted for kindergarten wherever a grade level is.
KINDERGARTEN: frozenset[str] = frozenset({"k", "kg", "kindergarten"})


#: What a lesson can be, with the label its title and the LLM prompt use.
LESSON_CONTENT_TYPES: dict[str, str] = {
    "lesson": "Lesson",
    "study_guide": "Study Guide",
    "activity": "Activity Plan",
    "review": "Review",
}
CONTENT_TYPES: tuple[str, ...] = tuple(LESSON_CONTENT_TYPES)
#: How deep a lesson goes.
COMPLEXITIES: tuple[str, ...] = ("basic", "intermediate", "advanced")
#: How hard a quiz is.
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
#: The largest seed of any generator: fits every database's integer column.
MAX_SEED = 2**31 - 1


def subject_ids(kind: str | None = None) -> tuple[str, ...]:
    """Canonical subject ids, all of them or those ``kind`` can be generated in."""
    if kind is not None and kind not in CONTENT_KINDS:
        raise ValueError(
            f"unknown content kind {kind!r}; expected one of: {_listed(CONTENT_KINDS)}"
        )
    return tuple(s.id for s in SUBJECTS if kind is None or kind in s.kinds)


def _key(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def subject_normalize(subject: object, *, kind: str | None = None) -> str:
    """The canonical id of ``subject`` (``"Maths"`` -> ``"mathematics"``, ``"Computer Science"``
    -> ``"computer_science"``). Raises ``ValueError`` naming the allowed values (for ``kind``,
    when given) for anything else."""
    allowed = subject_ids(kind)
    if isinstance(subject, str):
        key = _key(subject)
        key = SUBJECT_ALIASES.get(key, key)
        if key in allowed:
            return key
    shown = repr(subject) if len(repr(subject)) <= 60 else repr(subject)[:57] + "..."
    where = f" for a {kind}" if kind else ""
    raise ValueError(f"unknown subject {shown}{where}; allowed values: {_listed(allowed)}")


def subject_label(subject_id: str) -> str:
    """``"computer_science"`` -> ``"Computer Science"``; an id outside the vocabulary (a row
    stored before it existed) reads as its own words."""
    known = _BY_ID.get(subject_id)
    return known.label if known else subject_id.replace("_", " ").strip().capitalize()


def grade_normalize(grade: object) -> int:
    """A grade level as an int 0..12: ints, digit strings and ``"K"`` (kindergarten). Raises
    ``ValueError`` naming the allowed values for anything else."""
    value: object = grade
    if isinstance(value, str):
        text = value.strip().lower()
        value = 0 if text in KINDERGARTEN else int(text) if text.isdigit() else None
    if isinstance(value, int) and not isinstance(value, bool) and value in GRADE_LEVELS:
        return value
    shown = repr(grade) if len(repr(grade)) <= 60 else repr(grade)[:57] + "..."
    raise ValueError(
        f"unknown grade_level {shown}; allowed values: K (kindergarten, same as 0), "
        f"{_listed(GRADE_LEVELS)}"
    )


def grade_band_index(grade: int) -> int:
    """Index into :data:`GRADE_BANDS` of a (valid) grade level."""
    for index, (_, grades) in enumerate(GRADE_BANDS):
        if grade in grades:
            return index
    raise ValueError(f"unknown grade level {grade!r}")


def grade_band(grade: int) -> str:
    """``"K-2"``, ``"3-5"``, ``"6-8"`` or ``"9-12"``."""
    return GRADE_BANDS[grade_band_index(grade)][0]


def grade_label(grade: int) -> str:
    return "Kindergarten" if grade == 0 else f"Grade {grade}"


def _listed(values: tuple[object, ...]) -> str:
    return ", ".join(str(value) for value in values)
