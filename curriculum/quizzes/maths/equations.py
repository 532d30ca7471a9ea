"""Equations: linear (one and two steps, unknowns on both sides), systems of two and
quadratics that factor, each solution computed and shown by substitution."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from fractions import Fraction

from curriculum.quizzes.maths.choices import (
    Choice,
    MathItem,
    Retry,
    fmt,
    negatives_ok,
    plausible_number,
)


def _term(coefficient: int, variable: str, first: bool) -> str:
    """Format ``coefficient·variable`` as part of a sum (``3x``, ``- x``, ``+ 2y``)."""
    magnitude = abs(coefficient)
    body = f"{'' if magnitude == 1 else magnitude}{variable}"
    if first:
        return f"-{body}" if coefficient < 0 else body
    return f"- {body}" if coefficient < 0 else f"+ {body}"


def _constant(value: int, first: bool = False) -> str:
    if first:
        return str(value)
    return f"- {abs(value)}" if value < 0 else f"+ {value}"


def _linear_side(a: int, b: int) -> str:
    parts = []
    if a:
        parts.append(_term(a, "x", True))
    if b or not parts:
        parts.append(_constant(b, first=not parts))
    return " ".join(parts)


def _x_choice(value: Fraction | int) -> Choice:
    return Choice(key=("x", Fraction(value)), text=f"x = {fmt(value)}")


def _x_choices(values: Sequence[Fraction | None], ok: Callable[[Fraction], bool]):
    return [_x_choice(v) for v in values if v is not None and ok(Fraction(v))]


def _near_x(answer: int, ok: Callable[[Fraction], bool]):
    def near(rng: random.Random) -> Choice | None:
        candidate = Fraction(answer + rng.choice([-1, 1]) * rng.randint(1, 6))
        return _x_choice(candidate) if ok(candidate) else None

    return near


def _div_or_none(numerator: int, denominator: int) -> Fraction | None:
    if denominator == 0 or numerator % denominator:
        return None
    return Fraction(numerator // denominator)


def gen_linear_equation(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    ok = plausible_number(grade)
    negatives = negatives_ok(grade)
    if grade <= 4:  # one-step equations
        form = rng.choice(["x+b", "x-b", "ax"])
        x = rng.randint(2, 20 if grade == 4 else 12)
        if form == "ax":
            a = rng.randint(2, 9)
            c = a * x
            equation = f"{a}x = {c}"
            mistakes = [c - a, c + a, x + 1, x - 1]
            explanation = f"Divide both sides by {a}: x = {c} ÷ {a} = {x}."
        else:
            b = rng.randint(2, 20)
            if form == "x+b":
                c = x + b
                equation = f"x + {b} = {c}"
                mistakes = [c + b, b, x + 1, x - 1]
                explanation = f"Subtract {b} from both sides: x = {c} - {b} = {x}."
            else:
                c = x - b
                if c <= 0:
                    raise Retry
                equation = f"x - {b} = {c}"
                mistakes = [c - b, b, x + 1, x - 1]
                explanation = f"Add {b} to both sides: x = {c} + {b} = {x}."
        return MathItem(
            topic="linear_equations",
            prompt=f"Solve for x: {equation}",
            answer=_x_choice(x),
            explanation=explanation,
            mistakes=_x_choices([Fraction(m) for m in mistakes], ok),
            near=_near_x(x, ok),
        )

    both_sides = grade >= 8 and rng.random() < 0.5
    if negatives:
        x = rng.randint(-12, 12)
        a = rng.choice([-1, 1]) * rng.randint(2, 12 if grade >= 9 else 9)
        b = rng.choice([-1, 1]) * rng.randint(1, 20)
    else:
        x = rng.randint(1, 12)
        a = rng.randint(2, 9)
        b = rng.randint(1, 20)
    if not both_sides:
        c = a * x + b
        action = f"Subtract {b} from" if b > 0 else f"Add {-b} to"
        explanation = (
            f"{action} both sides: {a}x = {c - b}. Divide both sides by {a}: x = {x}."
            if a != 1
            else f"{action} both sides: x = {x}."
        )
        mistakes = [
            _div_or_none(c + b, a),  # sign error when moving b
            Fraction(c - b),  # forgot to divide
            _div_or_none(c, a),
            Fraction(-x),
            Fraction(x + 1),
            Fraction(x - 1),
        ]
        return MathItem(
            topic="linear_equations",
            prompt=f"Solve for x: {_linear_side(a, b)} = {c}",
            answer=_x_choice(x),
            explanation=explanation,
            mistakes=_x_choices(mistakes, ok),
            near=_near_x(x, ok),
        )
    a2 = rng.randint(1, 9) * (rng.choice([-1, 1]) if grade >= 9 else 1)
    if a2 == a:
        raise Retry
    d = (a - a2) * x + b
    mistakes = [
        _div_or_none(d - b, a + a2),  # added the x-terms instead of subtracting
        _div_or_none(d + b, a - a2),  # sign error on the constant
        Fraction(-x),
        Fraction(x + 1),
        Fraction(x - 1),
    ]
    return MathItem(
        topic="linear_equations",
        prompt=f"Solve for x: {_linear_side(a, b)} = {_linear_side(a2, d)}",
        answer=_x_choice(x),
        explanation=(
            f"Collect the x-terms on one side and the numbers on the other: "
            f"{a - a2}x = {d - b}, so x = {d - b} ÷ {a - a2} = {x}."
        ),
        mistakes=_x_choices(mistakes, ok),
        near=_near_x(x, ok),
    )


def _pair_choice(x: int, y: int) -> Choice:
    return Choice(key=("xy", x, y), text=f"x = {x}, y = {y}")


def _substituted(a: int, b: int, x: int, y: int) -> str:
    return f"{a}({x}) {'+' if b > 0 else '-'} {abs(b)}({y})"


def gen_system(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    span = 9 if grade >= 9 else 6
    x, y = rng.randint(-span, span), rng.randint(-span, span)
    if grade == 8:
        x, y = abs(x), abs(y)
    coefficients = [c for c in range(-5, 6) if c != 0]
    a1, b1, a2, b2 = (rng.choice(coefficients) for _ in range(4))
    if grade == 8:
        a2, b2 = 1, rng.choice([-1, 1])  # keep one equation simple for substitution
    if a1 * b2 - a2 * b1 == 0:
        raise Retry
    c1, c2 = a1 * x + b1 * y, a2 * x + b2 * y
    equation1 = f"{_term(a1, 'x', True)} {_term(b1, 'y', False)} = {c1}"
    equation2 = f"{_term(a2, 'x', True)} {_term(b2, 'y', False)} = {c2}"
    mistakes = [(y, x), (x, -y), (-x, y), (-x, -y), (x + 1, y), (x, y - 1)]

    def near(r: random.Random) -> Choice:
        return _pair_choice(x + r.randint(-3, 3), y + r.randint(-3, 3))

    return MathItem(
        topic="systems_of_equations",
        prompt=f"Solve the system of equations: {equation1}; {equation2}",
        answer=_pair_choice(x, y),
        explanation=(
            f"Eliminate one variable (or substitute) to get x = {x} and y = {y}. "
            f"Check: {_substituted(a1, b1, x, y)} = {c1} and {_substituted(a2, b2, x, y)} = {c2}."
        ),
        mistakes=[_pair_choice(px, py) for px, py in mistakes],
        near=near,
    )


def _roots_choice(r1: int, r2: int) -> Choice | None:
    if r1 == r2:
        return None
    low, high = sorted((r1, r2))
    return Choice(key=("roots", frozenset((low, high))), text=f"x = {low} or x = {high}")


def gen_quadratic(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    r1, r2 = rng.randint(-9, 9), rng.randint(-9, 9)
    if r1 == r2:
        raise Retry
    leading = rng.choice([1, 1, 2, 3]) if grade >= 11 else 1
    b, c = -leading * (r1 + r2), leading * r1 * r2
    terms = [f"{'' if leading == 1 else leading}x^2"]
    if b:
        terms.append(_term(b, "x", False))
    if c:
        terms.append(_constant(c))
    low, high = sorted((r1, r2))

    def factor(root: int) -> str:
        return "x" if root == 0 else f"(x {'-' if root > 0 else '+'} {abs(root)})"

    factored = f"{'' if leading == 1 else leading}{factor(low)}{factor(high)}"
    mistakes = [(-r1, -r2), (r1, -r2), (-r1, r2), (r1 + 1, r2 + 1), (r1 - 1, r2 - 1)]

    def near(r: random.Random) -> Choice | None:
        return _roots_choice(r1 + r.randint(-4, 4), r2 + r.randint(-4, 4))

    return MathItem(
        topic="quadratic_equations",
        prompt=f"Solve for x: {' '.join(terms)} = 0",
        answer=_roots_choice(r1, r2),  # type: ignore[arg-type]
        explanation=(
            f"Factor: {factored} = 0. A product is zero when a factor is zero, "
            f"so x = {low} or x = {high}."
        ),
        mistakes=[c for c in (_roots_choice(p, q) for p, q in mistakes) if c is not None],
        near=near,
    )
