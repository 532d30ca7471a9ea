"""The quiz entry point: checks the arguments, draws the answer positions and hands the
questions to the source of the subject (procedural mathematics or the curated bank)."""

from __future__ import annotations

import random

from curriculum.quizzes.bank import generate_from_bank
from curriculum.quizzes.common import (
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    SEED_NAMESPACE,
    check_difficulty,
    check_grade,
    check_int,
    normalize_subject,
    position_schedule,
)
from curriculum.quizzes.maths.topics import generate_math
from curriculum.seeds import seed_derive
from curriculum.shapes import QuizQuestion


def generate_questions(
    *, subject: str, grade_level: int, difficulty: str, question_count: int, seed: int
) -> list[QuizQuestion]:
    """Generate ``question_count`` multiple-choice questions.

    Deterministic: the same arguments always produce the same list.
    """
    subject_key = normalize_subject(subject)
    grade = check_grade(grade_level)
    level = check_difficulty(difficulty)
    count = check_int("question_count", question_count, MIN_QUESTIONS, MAX_QUESTIONS)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")

    rng = random.Random(seed_derive(SEED_NAMESPACE, subject_key, grade, level, count, seed))
    positions = position_schedule(rng, count)
    if subject_key == "mathematics":
        return generate_math(rng, grade, level, positions)
    return generate_from_bank(rng, subject_key, grade, level, positions)
