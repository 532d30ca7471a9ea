"""What every quiz source shares: the limits, argument checks and answer placement."""

from __future__ import annotations

import random
from collections.abc import Sequence

from curriculum.shapes import OPTIONS_PER_QUESTION
from curriculum.vocabulary import (
    DIFFICULTIES,
    GRADE_BAND_NAMES,
    GRADE_LEVELS,
    QUIZ,
    grade_band_index,
    subject_ids,
    subject_normalize,
)

#: Subjects quizzes are generated in: the shared vocabulary's.
SUBJECTS: tuple[str, ...] = subject_ids(QUIZ)
MIN_QUESTIONS = 1
MAX_QUESTIONS = 50
#: Keeps quiz seeds apart from the other generators' (``curriculum.seeds``).
SEED_NAMESPACE = "toolboxai.quizzes.v1"


def normalize_subject(subject: str) -> str:
    """Return the canonical subject name (``"Computer Science"`` -> ``"computer_science"``).

    Raises ``ValueError`` naming the allowed values for a subject quizzes are not made in.
    """
    return subject_normalize(subject, kind=QUIZ)


def check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def check_grade(grade_level: object) -> int:
    return check_int("grade_level", grade_level, GRADE_LEVELS[0], GRADE_LEVELS[-1])


def check_difficulty(difficulty: object) -> str:
    if not isinstance(difficulty, str) or difficulty.strip().lower() not in DIFFICULTIES:
        raise ValueError(
            f"unknown difficulty {difficulty!r}; expected one of: {', '.join(DIFFICULTIES)}"
        )
    return difficulty.strip().lower()


def grade_band(grade_level: int) -> str:
    """Grade band label for a grade: ``"K-2"``, ``"3-5"``, ``"6-8"`` or ``"9-12"``."""
    grade = check_grade(grade_level)
    return GRADE_BAND_NAMES[grade_band_index(grade)]


def position_schedule(rng: random.Random, count: int) -> list[int]:
    """Correct-answer positions: consecutive shuffled blocks of 0..3 (balanced and varied)."""
    positions: list[int] = []
    while len(positions) < count:
        block = list(range(OPTIONS_PER_QUESTION))
        rng.shuffle(block)
        positions.extend(block)
    return positions[:count]


def place(rng: random.Random, answer: str, distractors: Sequence[str], position: int):
    others = list(distractors)
    rng.shuffle(others)
    options = others[:position] + [answer] + others[position:]
    return tuple(options), position
