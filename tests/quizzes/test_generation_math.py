"""Tests for the offline quiz generator's mathematics (pure Python, no Django, no database).

Mathematics answers are checked against an independent evaluator (tests/support/math_evaluator.py):
prompts are parsed and recomputed with ``fractions.Fraction`` (expressions via ``ast``,
equations by evaluating both sides), never by calling the generator's own arithmetic. Covers
whole quizzes (answers, distinct options, lowest terms, topics by grade and difficulty, no
repeats) and the single-topic helper ``generate_math_question`` used by lessons.
"""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction

import pytest

from curriculum.quizzes import (
    DIFFICULTIES,
    MATH_TOPICS,
    QuizQuestion,
    generate_math_question,
    generate_questions,
    math_topics_for,
)
from tests.support.math_evaluator import _expected, _option_value


def _math_quiz(grade: int, difficulty: str, seed: int, count: int = 12) -> list[QuizQuestion]:
    return generate_questions(
        subject="mathematics",
        grade_level=grade,
        difficulty=difficulty,
        question_count=count,
        seed=seed,
    )


# ---- mathematics --------------------------------------------------------------------------------


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_generate_questions__math_answer_matches_independent_computation(difficulty):
    checked = Counter()
    for grade in range(13):
        for seed in range(8):
            for question in _math_quiz(grade, difficulty, seed):
                expected = _expected(question.prompt)
                got = _option_value(question.options[question.correct_index], question.prompt)
                assert got == expected, (question.prompt, question.options, question.correct_index)
                assert question.to_dict()["answer"] == question.options[question.correct_index]
                checked[question.topic] += 1
    assert set(checked) == {
        topic
        for grade in range(13)
        for topic in math_topics_for(grade_level=grade, difficulty=difficulty)
    }


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_generate_questions__math_options_never_equal_in_value(difficulty):
    for grade in range(13):
        for seed in range(8):
            for question in _math_quiz(grade, difficulty, seed):
                values = [_option_value(option, question.prompt) for option in question.options]
                assert len(question.options) == 4
                assert len(set(values)) == 4, (question.prompt, question.options)


def test_generate_questions__math_fractions_are_in_lowest_terms():
    seen = 0
    for grade in range(3, 13):
        for seed in range(10):
            for question in _math_quiz(grade, "medium", seed):
                if not question.topic.startswith("fractions."):
                    continue
                seen += 1
                for option in question.options:
                    # str(Fraction(...)) is the canonical lowest-terms spelling ("6/8" -> "3/4")
                    assert option == str(Fraction(option)), (question.prompt, option)
    assert seen > 100


def test_generate_questions__math_young_grades_have_no_negative_options():
    for grade in range(0, 6):
        for difficulty in DIFFICULTIES:
            for seed in range(6):
                for question in _math_quiz(grade, difficulty, seed):
                    for option in question.options:
                        assert "-" not in option, (grade, question.prompt, question.options)


def test_generate_questions__math_topics_follow_difficulty_and_grade():
    kindergarten = [q for seed in range(5) for q in _math_quiz(0, "easy", seed)]
    assert {q.topic for q in kindergarten} == {"arithmetic.addition", "arithmetic.subtraction"}
    numbers = [int(n) for q in kindergarten for n in re.findall(r"\d+", q.prompt)]
    assert max(numbers) <= 10

    grade6 = [q for seed in range(5) for q in _math_quiz(6, "easy", seed)]
    assert max(int(n) for q in grade6 for n in re.findall(r"\d+", q.prompt)) >= 1000

    medium = {q.topic for seed in range(5) for q in _math_quiz(7, "medium", seed)}
    assert {"fractions.add", "fractions.multiply", "percentages", "order_of_operations"} <= medium

    hard = {q.topic for seed in range(5) for q in _math_quiz(10, "hard", seed)}
    assert {"linear_equations", "quadratic_equations", "systems_of_equations"} <= hard


def test_generate_questions__math_prompts_not_repeated_within_quiz():
    for grade in range(13):
        for difficulty in DIFFICULTIES:
            prompts = [q.prompt for q in _math_quiz(grade, difficulty, seed=3, count=25)]
            assert len(set(prompts)) == len(prompts), (grade, difficulty)


# ---- single-topic helper (used by lessons) ----------------------------------------------------


@pytest.mark.parametrize("topic", MATH_TOPICS)
def test_generate_math_question__every_topic_correct_at_every_grade(topic):
    for grade in range(13):
        for seed in range(3):
            question = generate_math_question(topic=topic, grade_level=grade, seed=seed)
            assert question.topic == topic
            expected = _expected(question.prompt)
            values = [_option_value(option, question.prompt) for option in question.options]
            assert values[question.correct_index] == expected, question.prompt
            assert len(set(values)) == 4
    assert generate_math_question(topic=topic, grade_level=6, seed=1) == generate_math_question(
        topic=topic, grade_level=6, seed=1
    )


def test_generate_math_question__unknown_topic_raises():
    with pytest.raises(ValueError, match="unknown mathematics topic"):
        generate_math_question(topic="calculus", grade_level=12, seed=0)
