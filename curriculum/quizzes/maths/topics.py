"""Which mathematics topics a grade and difficulty get, and building questions from them.

Each topic has one generator (a function of the random draw, the grade and the difficulty) in a
module of this package by concern; the registry below is the one list of them.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from curriculum.quizzes.common import (
    SEED_NAMESPACE,
    check_difficulty,
    check_grade,
    place,
)
from curriculum.quizzes.maths.arithmetic import (
    gen_addition,
    gen_division,
    gen_missing_number,
    gen_multiplication,
    gen_subtraction,
    gen_three_addends,
    gen_two_step,
)
from curriculum.quizzes.maths.choices import MathItem, Retry, pick_distractors
from curriculum.quizzes.maths.equations import gen_linear_equation, gen_quadratic, gen_system
from curriculum.quizzes.maths.expressions import gen_order_of_operations
from curriculum.quizzes.maths.powers import gen_exponents
from curriculum.quizzes.maths.ratios import (
    gen_fraction_add,
    gen_fraction_multiply,
    gen_fraction_subtract,
    gen_percentages,
)
from curriculum.seeds import seed_derive
from curriculum.shapes import OPTIONS_PER_QUESTION, QuizQuestion

# Topics per difficulty; which ones apply depends on the grade (see math_topics_for).
#   easy:   arithmetic.addition, arithmetic.subtraction, arithmetic.multiplication (grade 2+)
#   medium: K-2 -> arithmetic.three_addends, arithmetic.missing_number;
#           3+  -> fractions.add, fractions.subtract, order_of_operations,
#                  fractions.multiply (4+), percentages (6+)
#   hard:   K-2 -> arithmetic.two_step, arithmetic.missing_number;
#           3-4 -> arithmetic.division, linear_equations (one step);
#           5+  -> linear_equations, exponents, arithmetic.division (5 only),
#                  systems_of_equations (8+), quadratic_equations (9+)


def math_topics_for(*, grade_level: int, difficulty: str) -> tuple[str, ...]:
    """The mathematics topics used for a grade and difficulty."""
    grade = check_grade(grade_level)
    level = check_difficulty(difficulty)
    if level == "easy":
        topics = ["arithmetic.addition", "arithmetic.subtraction"]
        if grade >= 2:
            topics.append("arithmetic.multiplication")
    elif level == "medium":
        if grade <= 2:
            topics = ["arithmetic.three_addends", "arithmetic.missing_number"]
        else:
            topics = ["fractions.add", "fractions.subtract", "order_of_operations"]
            if grade >= 4:
                topics.append("fractions.multiply")
            if grade >= 6:
                topics.append("percentages")
    else:
        if grade <= 2:
            topics = ["arithmetic.two_step", "arithmetic.missing_number"]
        elif grade <= 4:
            topics = ["arithmetic.division", "linear_equations"]
        else:
            topics = ["linear_equations", "exponents"]
            if grade == 5:
                topics.append("arithmetic.division")
            if grade >= 8:
                topics.append("systems_of_equations")
            if grade >= 9:
                topics.append("quadratic_equations")
    return tuple(topics)


def generate_math(
    rng: random.Random, grade: int, difficulty: str, positions: list[int]
) -> list[QuizQuestion]:
    topics = list(math_topics_for(grade_level=grade, difficulty=difficulty))
    rotation: list[str] = []
    seen_prompts: set[str] = set()
    questions = []
    for position in positions:
        if not rotation:  # cycle through shuffled topics so a quiz mixes them evenly
            rotation = topics[:]
            rng.shuffle(rotation)
        topic = rotation.pop()
        item = None
        for _attempt in range(60):
            try:
                candidate = _MATH_GENERATORS[topic](rng, grade, difficulty)
            except Retry:
                continue
            item = candidate
            if candidate.prompt not in seen_prompts:
                break
        if item is None:  # pragma: no cover - generators always succeed within a few draws
            raise RuntimeError(f"could not generate a {topic} question")
        seen_prompts.add(item.prompt)
        questions.append(_build_math_question(rng, item, position))
    return questions


def _build_math_question(rng: random.Random, item: MathItem, position: int) -> QuizQuestion:
    distractors = pick_distractors(rng, item)
    options, correct_index = place(rng, item.answer.text, distractors, position)
    return QuizQuestion(
        prompt=item.prompt,
        options=options,
        correct_index=correct_index,
        explanation=item.explanation,
        topic=item.topic,
    )


def generate_math_question(
    *, topic: str, grade_level: int, seed: int, difficulty: str = "medium"
) -> QuizQuestion:
    """One procedural mathematics question on a given topic (see ``MATH_TOPICS``).

    Used e.g. for worked examples in lessons. Deterministic for the same arguments; any topic
    can be requested for any grade (number sizes still follow the grade).
    """
    if topic not in _MATH_GENERATORS:
        raise ValueError(f"unknown mathematics topic {topic!r}; expected one of: {MATH_TOPICS}")
    grade = check_grade(grade_level)
    level = check_difficulty(difficulty)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    rng = random.Random(seed_derive(SEED_NAMESPACE, "single", topic, grade, level, seed))
    for _attempt in range(200):
        try:
            item = _MATH_GENERATORS[topic](rng, grade, level)
        except Retry:
            continue
        return _build_math_question(rng, item, rng.randrange(OPTIONS_PER_QUESTION))
    raise RuntimeError(f"could not generate a {topic} question")  # pragma: no cover


_MATH_GENERATORS: dict[str, Callable[[random.Random, int, str], MathItem]] = {
    "arithmetic.addition": gen_addition,
    "arithmetic.subtraction": gen_subtraction,
    "arithmetic.multiplication": gen_multiplication,
    "arithmetic.division": gen_division,
    "arithmetic.three_addends": gen_three_addends,
    "arithmetic.two_step": gen_two_step,
    "arithmetic.missing_number": gen_missing_number,
    "fractions.add": gen_fraction_add,
    "fractions.subtract": gen_fraction_subtract,
    "fractions.multiply": gen_fraction_multiply,
    "percentages": gen_percentages,
    "order_of_operations": gen_order_of_operations,
    "linear_equations": gen_linear_equation,
    "systems_of_equations": gen_system,
    "quadratic_equations": gen_quadratic,
    "exponents": gen_exponents,
}
#: Every procedural mathematics topic (usable with ``generate_math_question``).
MATH_TOPICS: tuple[str, ...] = tuple(_MATH_GENERATORS)
