"""Offline, deterministic quiz generation (pure Python: no Django, no network).

Two sources of questions:

* **Mathematics** is procedural (:mod:`curriculum.quizzes.maths`): every question is built from
  random operands and its answer is computed, never looked up. Distractors come from common
  mistakes and always differ *in value* from the answer and from each other.
* **Other subjects** come from the curated bank (:mod:`curriculum.quizzes.bank`).

Grading an attempt is :mod:`curriculum.quizzes.grading`.

Determinism: all randomness comes from one :class:`random.Random` whose seed is a SHA-256 digest
of every argument (:mod:`curriculum.seeds`), so the same arguments always give the same quiz. The
correct option's position is drawn from consecutive shuffled blocks of ``0..3``, so it varies
across a quiz and is evenly spread.
"""

from curriculum.quizzes.bank import BANK_PATH, load_question_bank
from curriculum.quizzes.common import (
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    SUBJECTS,
    grade_band,
    normalize_subject,
)
from curriculum.quizzes.generate import generate_questions
from curriculum.quizzes.grading import grade_attempt
from curriculum.quizzes.maths import MATH_TOPICS, generate_math_question, math_topics_for
from curriculum.shapes import OPTIONS_PER_QUESTION, QuizQuestion
from curriculum.vocabulary import DIFFICULTIES, GRADE_LEVELS

__all__ = [
    "BANK_PATH",
    "DIFFICULTIES",
    "GRADE_LEVELS",
    "MATH_TOPICS",
    "MAX_QUESTIONS",
    "MIN_QUESTIONS",
    "OPTIONS_PER_QUESTION",
    "SUBJECTS",
    "QuizQuestion",
    "generate_math_question",
    "generate_questions",
    "grade_attempt",
    "grade_band",
    "load_question_bank",
    "math_topics_for",
    "normalize_subject",
]
