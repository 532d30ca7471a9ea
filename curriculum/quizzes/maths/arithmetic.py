"""Whole-number arithmetic: the four operations, three addends, two steps, missing numbers.
Number sizes follow the grade; negatives appear from grade 7."""

from __future__ import annotations

import random
from collections.abc import Callable

from curriculum.quizzes.maths.choices import (
    MathItem,
    Retry,
    near_number,
    num,
    number_choices,
    operand,
    plausible_number,
)


def _addition_range(grade: int) -> tuple[int, int]:
    return {0: (0, 10), 1: (0, 20), 2: (10, 99), 3: (100, 999), 4: (100, 999)}.get(
        grade, (1000, 9999) if grade <= 6 else (-99, 99) if grade <= 8 else (-999, 999)
    )


def _digitwise(a: int, b: int, op: Callable[[int, int], int]) -> int:
    """Combine two non-negative numbers digit by digit (models carrying/borrowing errors)."""
    width = max(len(str(a)), len(str(b)))
    da, db = str(a).zfill(width), str(b).zfill(width)
    return int("".join(str(op(int(x), int(y))) for x, y in zip(da, db, strict=True)))


def gen_addition(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    low, high = _addition_range(grade)
    ok = plausible_number(grade)
    if grade <= 1:
        a = rng.randint(1, high - 1)
        b = rng.randint(1, high - a)
    else:
        a, b = rng.randint(low, high), rng.randint(low, high)
        if low < 0 and a >= 0 and b >= 0:
            b = -b if rng.random() < 0.5 else b
    answer = a + b
    mistakes = [answer + 1, answer - 1, a - b, answer + 10, answer - 10]
    if a >= 0 and b >= 0:
        mistakes.append(_digitwise(a, b, lambda x, y: (x + y) % 10))  # forgot to carry
    else:
        mistakes += [-answer, abs(a) + abs(b), -(abs(a) + abs(b))]
    return MathItem(
        topic="arithmetic.addition",
        prompt=f"What is {operand(a, True)} + {operand(b)}?",
        answer=num(answer),
        explanation=f"{operand(a, True)} + {operand(b)} = {answer}.",
        mistakes=number_choices(mistakes, ok),
        near=near_number(answer, ok),
    )


def gen_subtraction(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    low, high = _addition_range(grade)
    ok = plausible_number(grade)
    if grade <= 1:
        a = rng.randint(2, high)
        b = rng.randint(1, a - 1)
    elif low >= 0:
        a, b = sorted((rng.randint(low, high), rng.randint(low, high)), reverse=True)
        if a == b:
            raise Retry
    else:
        a, b = rng.randint(low, high), rng.randint(low, high)
    answer = a - b
    mistakes = [answer + 1, answer - 1, a + b, answer + 10, answer - 10]
    if low >= 0:
        mistakes.append(_digitwise(a, b, lambda x, y: abs(x - y)))  # smaller-from-larger
    else:
        mistakes += [-answer, a + b, -(a + b)]
    return MathItem(
        topic="arithmetic.subtraction",
        prompt=f"What is {operand(a, True)} - {operand(b)}?",
        answer=num(answer),
        explanation=f"{operand(a, True)} - {operand(b)} = {answer}.",
        mistakes=number_choices(mistakes, ok),
        near=near_number(answer, ok),
    )


def gen_multiplication(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    ok = plausible_number(grade)
    if grade == 2:
        a, b = rng.randint(1, 5), rng.randint(1, 10)
    elif grade == 3:
        a, b = rng.randint(2, 10), rng.randint(2, 10)
    elif grade == 4:
        a, b = rng.randint(2, 12), rng.randint(2, 12)
    elif grade <= 6:
        a, b = rng.randint(11, 99), rng.randint(2, 9)
    elif grade <= 8:
        a = rng.choice([-1, 1]) * rng.randint(2, 12)
        b = rng.choice([-1, 1]) * rng.randint(2, 12)
    else:
        a = rng.choice([-1, 1]) * rng.randint(11, 99)
        b = rng.choice([-1, 1]) * rng.randint(2, 25)
    if rng.random() < 0.5:
        a, b = b, a
    answer = a * b
    mistakes = [a * (b + 1), a * (b - 1), (a + 1) * b, (a - 1) * b, a + b, answer + 10, -answer]
    return MathItem(
        topic="arithmetic.multiplication",
        prompt=f"What is {operand(a, True)} × {operand(b)}?",
        answer=num(answer),
        explanation=f"{operand(a, True)} × {operand(b)} = {answer}.",
        mistakes=number_choices(mistakes, ok),
        near=near_number(answer, ok, spread=max(3, abs(min(abs(a), abs(b))))),
    )


def gen_division(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    ok = plausible_number(grade)
    if grade == 3:
        divisor, quotient = rng.randint(2, 9), rng.randint(2, 10)
    elif grade == 4:
        divisor, quotient = rng.randint(2, 12), rng.randint(2, 12)
    else:
        divisor, quotient = rng.randint(3, 9), rng.randint(12, 111)
    dividend = divisor * quotient
    mistakes = [quotient + 1, quotient - 1, dividend - divisor, quotient + 10, quotient * 10]
    return MathItem(
        topic="arithmetic.division",
        prompt=f"What is {dividend} ÷ {divisor}?",
        answer=num(quotient),
        explanation=f"{dividend} ÷ {divisor} = {quotient}, because {divisor} × {quotient} = "
        f"{dividend}.",
        mistakes=number_choices(mistakes, ok),
        near=near_number(quotient, ok),
    )


def _small_limit(grade: int) -> int:
    return {0: 10, 1: 20}.get(grade, 100)


def gen_three_addends(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    limit = _small_limit(grade)
    ok = plausible_number(grade)
    top = max(3, limit // 3)
    a, b, c = rng.randint(1, top), rng.randint(1, top), rng.randint(1, top)
    if a + b + c > limit:
        raise Retry
    answer = a + b + c
    mistakes = [a + b, b + c, answer + 1, answer - 1, answer + 10]
    return MathItem(
        topic="arithmetic.three_addends",
        prompt=f"What is {a} + {b} + {c}?",
        answer=num(answer),
        explanation=f"Add two numbers first, then the third: {a} + {b} = {a + b}, and "
        f"{a + b} + {c} = {answer}.",
        mistakes=number_choices(mistakes, ok),
        near=near_number(answer, ok),
    )


def gen_two_step(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    limit = _small_limit(grade)
    ok = plausible_number(grade)
    a = rng.randint(limit // 2, limit)
    b = rng.randint(1, a - 1)
    c = rng.randint(1, max(1, limit - (a - b)))
    answer = a - b + c
    mistakes = [a - (b + c), a + b + c, answer + 1, answer - 1, a - b, answer + 10]
    return MathItem(
        topic="arithmetic.two_step",
        prompt=f"What is {a} - {b} + {c}?",
        answer=num(answer),
        explanation=f"Work from left to right: {a} - {b} = {a - b}, then {a - b} + {c} = {answer}.",
        mistakes=number_choices(mistakes, ok),
        near=near_number(answer, ok),
    )


def gen_missing_number(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    limit = _small_limit(grade)
    ok = plausible_number(grade)
    forms = ["a+?"] if difficulty == "medium" else ["?-b", "a-?", "?+b"]
    if difficulty == "hard" and grade == 2:
        forms.append("a×?")
    form = rng.choice(forms)
    if form == "a×?":
        a, missing = rng.randint(2, 5), rng.randint(2, 10)
        total = a * missing
        equation, mistakes = f"{a} × □ = {total}", [total - a, total + a, missing + 1]
        why = f"{a} × {missing} = {total}, so the missing number is {missing}."
    elif form in ("a+?", "?+b"):
        total = rng.randint(3, limit)
        missing = rng.randint(1, total - 1)
        a = total - missing
        equation = f"{a} + □ = {total}" if form == "a+?" else f"□ + {a} = {total}"
        mistakes = [total + a, total, missing + 1, missing - 1]
        why = f"{total} - {a} = {missing}, and {a} + {missing} = {total}."
    elif form == "?-b":
        result = rng.randint(1, limit // 2)
        b = rng.randint(1, limit // 2)
        missing = result + b
        equation = f"□ - {b} = {result}"
        mistakes = [result - b, result, missing + 1, missing - 1]
        why = f"Add to undo the subtraction: {result} + {b} = {missing}, and {missing} - {b} = "
        why += f"{result}."
    else:
        a = rng.randint(3, limit)
        missing = rng.randint(1, a - 1)
        result = a - missing
        equation = f"{a} - □ = {result}"
        mistakes = [a + result, result, missing + 1, missing - 1]
        why = f"{a} - {result} = {missing}, and {a} - {missing} = {result}."
    return MathItem(
        topic="arithmetic.missing_number",
        prompt=f"What number goes in the box? {equation}",
        answer=num(missing),
        explanation=why,
        mistakes=number_choices(mistakes, ok),
        near=near_number(missing, ok),
    )
