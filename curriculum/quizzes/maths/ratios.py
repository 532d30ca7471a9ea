"""Fractions (add, subtract, multiply) and percentages, with the classic mistakes (adding
denominators, not finding a common one, percent of the wrong amount) as distractors."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from fractions import Fraction

from curriculum.quizzes.maths.choices import (
    MathItem,
    Retry,
    fmt,
    is_int,
    near_fraction,
    near_number,
    negatives_ok,
    num,
    number_choices,
    operand,
    plausible_number,
)


def _proper_fraction(rng: random.Random, max_denominator: int) -> tuple[int, int]:
    d = rng.randint(2, max_denominator)
    n = rng.randint(1, d - 1)
    while math.gcd(n, d) != 1:
        n = rng.randint(1, d - 1)
    return n, d


def _frac_text(n: int, d: int) -> str:
    return f"{n}/{d}"


def _fraction_ok(grade: int) -> Callable[[Fraction], bool]:
    def check(value: Fraction) -> bool:
        if value < 0 and not negatives_ok(grade):
            return False
        return value != 0 and abs(value) <= 100

    return check


def _gen_fraction_add_sub(rng: random.Random, grade: int, difficulty: str, op: str) -> MathItem:
    ok = _fraction_ok(grade)
    like = grade <= 4
    if like:
        d = rng.randint(3, 8 if grade == 3 else 12)
        n1, n2 = rng.randint(1, d - 1), rng.randint(1, d - 1)
        if op == "-" and n1 <= n2:
            if n1 == n2:
                raise Retry
            n1, n2 = n2, n1
        d1 = d2 = d
    else:
        max_den = 10 if grade <= 6 else 12
        n1, d1 = _proper_fraction(rng, max_den)
        n2, d2 = _proper_fraction(rng, max_den)
        if d1 == d2:
            raise Retry
        if op == "-" and Fraction(n1, d1) < Fraction(n2, d2) and not negatives_ok(grade):
            n1, d1, n2, d2 = n2, d2, n1, d1
    x, y = Fraction(n1, d1), Fraction(n2, d2)
    answer = x + y if op == "+" else x - y
    if answer == 0:
        raise Retry
    sign = 1 if op == "+" else -1
    mistakes = [
        Fraction(n1 + sign * n2, d1 + d2) if n1 + sign * n2 else None,  # combined denominators
        x - y if op == "+" else x + y,  # wrong operation
        answer + Fraction(1, math.lcm(d1, d2)),
        answer - Fraction(1, math.lcm(d1, d2)),
        Fraction(n1 + sign * n2, d1 * d2) if n1 + sign * n2 else None,
        Fraction(n1 * n2, d1 * d2),
    ]
    common = math.lcm(d1, d2)
    a_scaled, b_scaled = n1 * (common // d1), n2 * (common // d2)
    raw_result = a_scaled + sign * b_scaled
    symbol = "+" if op == "+" else "-"
    if like:
        verb = "add" if op == "+" else "subtract"
        explanation = (
            f"The denominators are the same, so {verb} the "
            f"numerators and keep the denominator: {n1}/{d1} {symbol} {n2}/{d2} = "
            f"{raw_result}/{common}"
        )
    else:
        explanation = (
            f"Use the common denominator {common}: {n1}/{d1} = {a_scaled}/{common} and "
            f"{n2}/{d2} = {b_scaled}/{common}, so the result is {raw_result}/{common}"
        )
    if fmt(answer) != f"{raw_result}/{common}":
        explanation += f", which simplifies to {fmt(answer)}."
    else:
        explanation += "."
    return MathItem(
        topic="fractions.add" if op == "+" else "fractions.subtract",
        prompt=f"What is {_frac_text(n1, d1)} {symbol} {_frac_text(n2, d2)}?"
        " Give your answer in lowest terms.",
        answer=num(answer),
        explanation=explanation,
        mistakes=[num(v) for v in mistakes if v is not None and ok(v)],
        near=near_fraction(answer, ok),
    )


def gen_fraction_add(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    return _gen_fraction_add_sub(rng, grade, difficulty, "+")


def gen_fraction_subtract(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    return _gen_fraction_add_sub(rng, grade, difficulty, "-")


def gen_fraction_multiply(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    ok = _fraction_ok(grade)
    if grade == 4:
        whole = rng.randint(2, 9)
        n, d = _proper_fraction(rng, 10)
        answer = whole * Fraction(n, d)
        prompt = f"What is {whole} × {_frac_text(n, d)}? Give your answer in lowest terms."
        mistakes = [
            Fraction(n, whole * d),  # multiplied the denominator
            whole + Fraction(n, d),  # added instead
            Fraction(n, d),  # multiplied top and bottom
            answer + Fraction(1, d),
            answer - Fraction(1, d),
        ]
        explanation = (
            f"Multiply the whole number by the numerator: {whole} × {n}/{d} = {whole * n}/{d}"
        )
        explanation += f" = {fmt(answer)}." if fmt(answer) != f"{whole * n}/{d}" else "."
    else:
        n1, d1 = _proper_fraction(rng, 9 if grade <= 6 else 12)
        n2, d2 = _proper_fraction(rng, 9 if grade <= 6 else 12)
        if negatives_ok(grade) and rng.random() < 0.3:
            n1 = -n1
        answer = Fraction(n1, d1) * Fraction(n2, d2)
        prompt = (
            f"What is {operand(Fraction(n1, d1), True)} × {_frac_text(n2, d2)}?"
            " Give your answer in lowest terms."
        )
        mistakes = [
            Fraction(n1 * d2, d1 * n2),  # cross-multiplied (that is division)
            Fraction(n1, d1) + Fraction(n2, d2),  # added instead
            Fraction(n1 * n2, d1 + d2),  # added denominators
            -answer,
            answer + Fraction(1, d1 * d2),
        ]
        explanation = (
            f"Multiply numerators and denominators: ({n1} × {n2})/({d1} × {d2}) = "
            f"{n1 * n2}/{d1 * d2}"
        )
        explanation += f" = {fmt(answer)}." if fmt(answer) != f"{n1 * n2}/{d1 * d2}" else "."
    return MathItem(
        topic="fractions.multiply",
        prompt=prompt,
        answer=num(answer),
        explanation=explanation,
        mistakes=[num(v) for v in mistakes if ok(v)],
        near=near_fraction(answer, ok),
    )


_PERCENTS = (5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 80)


def gen_percentages(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    positive = plausible_number(0)  # percentages of positive amounts stay positive
    forms = ["of", "what_percent"] + (["change"] if grade >= 7 else [])
    form = rng.choice(forms)
    percent = rng.choice(_PERCENTS)
    unit = 100 // math.gcd(percent, 100)
    base = unit * rng.randint(1, max(2, (400 if grade >= 9 else 200) // unit))
    part = percent * base // 100
    if form == "of":
        mistakes = [Fraction(percent * base, 10), base - part, part + unit, part - unit, percent]
        return MathItem(
            topic="percentages",
            prompt=f"What is {percent}% of {base}?",
            answer=num(part),
            explanation=f"{percent}% means {percent}/100, so {percent}/100 × {base} = {part}.",
            mistakes=number_choices(mistakes, positive),
            near=near_number(part, positive, spread=max(3, part // 5)),
        )
    if form == "what_percent":
        if part == base or part == 0:
            raise Retry
        pct_ok = plausible_number(grade, limit=1000)
        mistakes = [
            100 - percent,
            part,
            percent + 5,
            percent - 5,
            percent * 2,
            Fraction(base, part),
        ]
        return MathItem(
            topic="percentages",
            prompt=f"What percent of {base} is {part}?",
            answer=num(percent, "%"),
            explanation=f"{part} ÷ {base} = {fmt(Fraction(part, base))} = {percent}/100, "
            f"so {part} is {percent}% of {base}.",
            mistakes=number_choices(
                [m for m in mistakes if 0 < m < 100 and is_int(Fraction(m))], pct_ok, "%"
            ),
            near=near_number(percent, lambda v: 0 < v < 100 and is_int(v), spread=10, suffix="%"),
        )
    increase = rng.random() < 0.5
    answer = base + part if increase else base - part
    if answer <= 0:
        raise Retry
    other = base - part if increase else base + part
    word = "increased" if increase else "decreased"
    mistakes = [
        other,
        part,
        base + percent if increase else base - percent,
        answer + unit,
        answer - unit,
    ]
    return MathItem(
        topic="percentages",
        prompt=f"What is {base} {word} by {percent}%?",
        answer=num(answer),
        explanation=f"{percent}% of {base} is {part}; {base} {'+' if increase else '-'} {part} "
        f"= {answer}.",
        mistakes=number_choices([m for m in mistakes if m > 0], positive),
        near=near_number(answer, lambda v: positive(v) and v > 0, spread=max(3, answer // 10)),
    )
