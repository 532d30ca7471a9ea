"""Tests for the offline quiz generator (pure Python, no Django, no database).

Mathematics answers are checked against an independent evaluator in this module: prompts are
parsed and recomputed with ``fractions.Fraction`` (expressions via ``ast``, equations by
evaluating both sides), never by calling the generator's own arithmetic.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from curriculum.quizzes import (
    DIFFICULTIES,
    MATH_TOPICS,
    SUBJECTS,
    QuizQuestion,
    generate_math_question,
    generate_questions,
    grade_attempt,
    math_topics_for,
)

BANK_FILE = Path(__file__).resolve().parents[2] / "curriculum" / "data" / "question_bank.json"
BANK_SUBJECTS = [s for s in SUBJECTS if s != "mathematics"]
BANDS = ("K-2", "3-5", "6-8", "9-12")


# ---- independent evaluator ------------------------------------------------------------------


def _evaluate(expression: str, env: dict[str, Fraction] | None = None) -> Fraction:
    env = env or {}
    text = expression.replace("×", "*").replace("÷", "/").replace("^", "**").replace("□", "x")
    text = re.sub(r"(\d)([xy])", r"\1*\2", text)

    def walk(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return Fraction(node.value)
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div):
                return left / right
            if isinstance(node.op, ast.Pow):
                assert right.denominator == 1
                return left ** int(right)
        raise AssertionError(f"unexpected syntax in {expression!r}: {ast.dump(node)}")

    return walk(ast.parse(text.strip(), mode="eval"))


def _equation(equation: str):
    left, right = equation.split("=")
    return lambda **env: _evaluate(left, env) - _evaluate(right, env)


def _solve_single_variable(equation: str) -> frozenset[Fraction]:
    f = _equation(equation)
    f0, f1, fm1, f2 = (f(x=Fraction(v)) for v in (0, 1, -1, 2))
    a = (f1 + fm1) / 2 - f0
    b = (f1 - fm1) / 2
    c = f0
    assert a * 4 + b * 2 + c == f2, f"{equation!r} is not of degree <= 2"
    if a == 0:
        assert b != 0, f"{equation!r} has no unique solution"
        return frozenset({-c / b})
    discriminant = b * b - 4 * a * c
    assert discriminant > 0
    root = math.isqrt(int(discriminant))
    assert root * root == discriminant, "roots should be integers"
    return frozenset({(-b - root) / (2 * a), (-b + root) / (2 * a)})


def _solve_system(first: str, second: str) -> tuple[Fraction, Fraction]:
    rows = []
    for equation in (first, second):
        f = _equation(equation)
        zero = Fraction(0)
        c = -f(x=zero, y=zero)
        a = f(x=Fraction(1), y=zero) + c
        b = f(x=zero, y=Fraction(1)) + c
        rows.append((a, b, c))
    (a1, b1, c1), (a2, b2, c2) = rows
    determinant = a1 * b2 - a2 * b1
    assert determinant != 0
    return (c1 * b2 - c2 * b1) / determinant, (a1 * c2 - a2 * c1) / determinant


def _expected(prompt: str):
    if m := re.fullmatch(r"What is (\d+)% of (\d+)\?", prompt):
        return Fraction(int(m[1]) * int(m[2]), 100)
    if m := re.fullmatch(r"What percent of (\d+) is (\d+)\?", prompt):
        return Fraction(int(m[2]) * 100, int(m[1]))
    if m := re.fullmatch(r"What is (\d+) (increased|decreased) by (\d+)%\?", prompt):
        base, change = int(m[1]), Fraction(int(m[1]) * int(m[3]), 100)
        return base + change if m[2] == "increased" else base - change
    if m := re.fullmatch(r"What is (.+)\?( Give your answer in lowest terms\.)?", prompt):
        return _evaluate(m[1])
    if m := re.fullmatch(r"What number goes in the box\? (.+)", prompt):
        return _solve_single_variable(m[1])
    if m := re.fullmatch(r"Solve for x: (.+)", prompt):
        return _solve_single_variable(m[1])
    if m := re.fullmatch(r"Solve the system of equations: (.+); (.+)", prompt):
        return _solve_system(m[1], m[2])
    raise AssertionError(f"unrecognised prompt: {prompt!r}")


def _option_value(text: str, prompt: str):
    if m := re.fullmatch(r"x = (-?\d+), y = (-?\d+)", text):
        return Fraction(int(m[1])), Fraction(int(m[2]))
    if roots := re.findall(r"x = (-?\d+(?:/\d+)?)", text):
        return frozenset(Fraction(r) for r in roots)
    if prompt.startswith("What number goes in the box?"):
        return frozenset({Fraction(text)})
    return Fraction(text.removesuffix("%"))


def _math_quiz(grade: int, difficulty: str, seed: int, count: int = 12) -> list[QuizQuestion]:
    return generate_questions(
        subject="mathematics",
        grade_level=grade,
        difficulty=difficulty,
        question_count=count,
        seed=seed,
    )


def _load_bank() -> dict:
    return json.loads(BANK_FILE.read_text(encoding="utf-8"))


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


# ---- position, determinism, counts ------------------------------------------------------------


@pytest.mark.parametrize("subject", SUBJECTS)
def test_generate_questions__correct_position_varies(subject):
    for seed in range(5):
        questions = generate_questions(
            subject=subject, grade_level=5, difficulty="medium", question_count=8, seed=seed
        )
        positions = Counter(q.correct_index for q in questions)
        assert set(positions) == {0, 1, 2, 3}
        assert max(positions.values()) == 2


@pytest.mark.parametrize("subject", SUBJECTS)
def test_generate_questions__same_arguments_same_output(subject):
    kwargs = dict(subject=subject, grade_level=7, difficulty="hard", question_count=15, seed=42)
    first = generate_questions(**kwargs)
    second = generate_questions(**kwargs)
    assert first == second
    assert [q.to_dict() for q in first] == [q.to_dict() for q in second]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_generate_questions__different_seed_different_output(subject):
    kwargs = dict(subject=subject, grade_level=7, difficulty="hard", question_count=15)
    assert generate_questions(**kwargs, seed=1) != generate_questions(**kwargs, seed=2)


def test_generate_questions__subject_name_is_normalised():
    kwargs = dict(grade_level=3, difficulty="easy", question_count=5, seed=9)
    assert generate_questions(subject="Maths", **kwargs) == generate_questions(
        subject="mathematics", **kwargs
    )
    assert generate_questions(subject="Computer Science", **kwargs) == generate_questions(
        subject="computer_science", **kwargs
    )


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("count", [1, 50])
def test_generate_questions__returns_requested_count(subject, count):
    questions = generate_questions(
        subject=subject, grade_level=9, difficulty="easy", question_count=count, seed=0
    )
    assert len(questions) == count
    for question in questions:
        data = question.to_dict()
        assert json.loads(json.dumps(data)) == data
        assert set(data) == {
            "prompt",
            "options",
            "correct_index",
            "answer",
            "explanation",
            "topic",
        }
        assert data["explanation"].strip()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject": "astrology"}, "unknown subject"),
        ({"subject": ""}, "unknown subject"),
        ({"difficulty": "extreme"}, "unknown difficulty"),
        ({"grade_level": -1}, "grade_level"),
        ({"grade_level": 13}, "grade_level"),
        ({"grade_level": "5"}, "grade_level"),
        ({"grade_level": True}, "grade_level"),
        ({"question_count": 0}, "question_count"),
        ({"question_count": 51}, "question_count"),
        ({"seed": "abc"}, "seed"),
    ],
)
def test_generate_questions__invalid_arguments_raise_value_error(overrides, message):
    kwargs = dict(subject="mathematics", grade_level=5, difficulty="easy", question_count=5, seed=1)
    kwargs.update(overrides)
    with pytest.raises(ValueError, match=message):
        generate_questions(**kwargs)


def test_question__rejects_duplicate_options():
    with pytest.raises(ValueError, match="duplicate"):
        QuizQuestion(
            prompt="?",
            options=("Paris", " paris", "Rome", "Oslo"),
            correct_index=0,
            explanation="x",
            topic="t",
        )


# ---- curated bank -----------------------------------------------------------------------------


def test_question_bank__every_entry_well_formed():
    bank = _load_bank()["subjects"]
    assert set(bank) == set(BANK_SUBJECTS)
    ids = set()
    for subject, entries in bank.items():
        assert len(entries) >= 25, subject
        assert {e["band"] for e in entries} == set(BANDS), subject
        assert {e["difficulty"] for e in entries} == set(DIFFICULTIES), subject
        prompts = [e["prompt"] for e in entries]
        assert len(set(prompts)) == len(prompts), subject
        for entry in entries:
            assert entry["id"] not in ids
            ids.add(entry["id"])
            assert entry["band"] in BANDS and entry["difficulty"] in DIFFICULTIES
            assert entry["prompt"].strip() and entry["topic"].strip()
            assert entry["explanation"].strip()
            options = entry["options"]
            assert len(options) == 4, entry["id"]
            normalised = {" ".join(o.casefold().split()) for o in options}
            assert len(normalised) == 4, entry["id"]
            assert options.count(entry["answer"]) == 1, entry["id"]


@pytest.mark.parametrize("subject", BANK_SUBJECTS)
def test_generate_questions__bank_options_shuffled_around_bank_answer(subject):
    by_prompt = {e["prompt"]: e for e in _load_bank()["subjects"][subject]}
    questions = generate_questions(
        subject=subject, grade_level=6, difficulty="medium", question_count=20, seed=11
    )
    for question in questions:
        entry = by_prompt[question.prompt]
        assert sorted(question.options) == sorted(entry["options"])
        assert question.options[question.correct_index] == entry["answer"]
        assert question.explanation == entry["explanation"]


@pytest.mark.parametrize("subject", BANK_SUBJECTS)
def test_generate_questions__bank_prefers_matching_grade_band(subject):
    by_prompt = {e["prompt"]: e for e in _load_bank()["subjects"][subject]}
    for grade, band in ((1, "K-2"), (4, "3-5"), (7, "6-8"), (11, "9-12")):
        for difficulty in DIFFICULTIES:
            questions = generate_questions(
                subject=subject, grade_level=grade, difficulty=difficulty, question_count=5, seed=3
            )
            assert {by_prompt[q.prompt]["band"] for q in questions} == {band}


def test_generate_questions__bank_falls_back_to_neighbouring_band():
    entries = _load_bank()["subjects"]["history"]
    by_prompt = {e["prompt"]: e for e in entries}
    in_band = sum(e["band"] == "K-2" for e in entries)
    questions = generate_questions(
        subject="history", grade_level=0, difficulty="easy", question_count=in_band + 3, seed=5
    )
    bands = Counter(by_prompt[q.prompt]["band"] for q in questions)
    assert bands == {"K-2": in_band, "3-5": 3}


@pytest.mark.parametrize("subject", BANK_SUBJECTS)
def test_generate_questions__bank_repeats_only_after_exhaustion(subject):
    size = len(_load_bank()["subjects"][subject])
    unique = generate_questions(
        subject=subject, grade_level=8, difficulty="hard", question_count=size, seed=4
    )
    assert len({q.prompt for q in unique}) == size

    overflow = generate_questions(
        subject=subject, grade_level=8, difficulty="hard", question_count=50, seed=4
    )
    counts = Counter(q.prompt for q in overflow)
    assert len(counts) == size  # every bank question used before any repeats
    assert max(counts.values()) == 2
    assert all(a.prompt != b.prompt for a, b in zip(overflow, overflow[1:], strict=False))


# ---- grading ----------------------------------------------------------------------------------


def _quiz_dicts(count: int = 4) -> list[dict]:
    return [
        q.to_dict()
        for q in generate_questions(
            subject="science", grade_level=4, difficulty="easy", question_count=count, seed=8
        )
    ]


def test_grade_attempt__scores_correct_wrong_and_unanswered():
    questions = _quiz_dicts(3)
    wrong = (questions[1]["correct_index"] + 1) % 4
    answers = [questions[0]["correct_index"], wrong, None]
    result = grade_attempt(questions=questions, answers=answers)
    assert result["score"] == 1
    assert result["total"] == 3
    assert result["percentage"] == 33.3
    assert [r["correct"] for r in result["results"]] == [True, False, False]
    assert [r["chosen"] for r in result["results"]] == answers
    assert [r["index"] for r in result["results"]] == [0, 1, 2]
    for question, row in zip(questions, result["results"], strict=True):
        assert row["correct_index"] == question["correct_index"]
        assert row["explanation"] == question["explanation"]


def test_grade_attempt__all_correct_scores_full_marks():
    questions = _quiz_dicts(7)
    result = grade_attempt(questions=questions, answers=[q["correct_index"] for q in questions])
    assert (result["score"], result["total"], result["percentage"]) == (7, 7, 100.0)
    result = grade_attempt(questions=questions, answers=[None] * 7)
    assert (result["score"], result["percentage"]) == (0, 0.0)


def test_grade_attempt__length_mismatch_raises():
    questions = _quiz_dicts(3)
    with pytest.raises(ValueError, match="expected 3 answers"):
        grade_attempt(questions=questions, answers=[0, 1])


@pytest.mark.parametrize("bad", [4, -1, True, "1"])
def test_grade_attempt__invalid_answer_index_raises(bad):
    questions = _quiz_dicts(2)
    with pytest.raises(ValueError):
        grade_attempt(questions=questions, answers=[0, bad])


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
