"""Order of operations: expressions from templates, evaluated step by step with
:class:`fractions.Fraction` (the steps are the explanation), and left-to-right evaluation or
ignored brackets as the distractors."""

from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from curriculum.quizzes.maths.choices import (
    MathItem,
    Retry,
    near_number,
    negatives_ok,
    num,
    number_choices,
    operand,
    plausible_number,
)

_TEMPLATES_BASIC = ("a + b × c", "a × b + c", "a × b - c", "a + b ÷ c", "a - b × c")
_TEMPLATES_PARENS = ("(a + b) × c", "a × (b + c)", "(a - b) × c", "(a + b) ÷ c", "a × (b - c)")
_TEMPLATES_ADVANCED = (
    "a + b × c - d",
    "(a + b) × (c - d)",
    "a × b - c × d",
    "a + b ^ 2",
    "(a + b) ^ 2 - c",
    "a - b ÷ c + d",
    "a × (b + c) - d",
)
_OPS = ("+", "-", "×", "÷", "^")


def _tokens(template: str, values: dict[str, int]) -> list[Any]:
    out: list[Any] = []
    for raw in template.replace("(", "( ").replace(")", " )").split():
        if raw in values:
            out.append(Fraction(values[raw]))
        elif raw.isdigit():
            out.append(Fraction(int(raw)))
        else:
            out.append(raw)
    return out


def _render(tokens: Sequence[Any]) -> str:
    parts: list[str] = []
    for index, token in enumerate(tokens):
        if isinstance(token, Fraction):
            parts.append(operand(token, first=index == 0))
        else:
            parts.append(token)
    text = " ".join(parts)
    return text.replace("( ", "(").replace(" )", ")").replace(" ^ ", "^")


def _apply(a: Fraction, op: str, b: Fraction) -> Fraction:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "×":
        return a * b
    if op == "÷":
        if b == 0 or (a / b).denominator != 1:
            raise Retry
        return a / b
    return a ** int(b)


def _reduce_flat(tokens: list[Any], groups: Sequence[Sequence[str]]) -> list[Any] | None:
    """Apply one operation of the first group present (leftmost), or None when done."""
    for group in groups:
        for index, token in enumerate(tokens):
            if isinstance(token, str) and token in group:
                value = _apply(tokens[index - 1], token, tokens[index + 1])
                return tokens[: index - 1] + [value] + tokens[index + 2 :]
    return None


_PRECEDENCE = (("^",), ("×", "÷"), ("+", "-"))


def _reduce_once(tokens: list[Any], groups=_PRECEDENCE) -> list[Any] | None:
    if "(" in tokens:
        close = tokens.index(")")
        open_ = max(i for i in range(close) if tokens[i] == "(")
        inner = tokens[open_ + 1 : close]
        if len(inner) == 1:
            return tokens[:open_] + inner + tokens[close + 1 :]
        reduced = _reduce_flat(inner, groups)
        assert reduced is not None
        return tokens[: open_ + 1] + reduced + tokens[close:]
    return _reduce_flat(tokens, groups)


def _strip_single_brackets(tokens: list[Any]) -> list[Any]:
    out = list(tokens)
    index = 0
    while index + 2 < len(out):
        if out[index] == "(" and isinstance(out[index + 1], Fraction) and out[index + 2] == ")":
            out[index : index + 3] = [out[index + 1]]
        else:
            index += 1
    return out


def _evaluate(tokens: list[Any], groups=_PRECEDENCE) -> tuple[Fraction, list[list[Any]]]:
    steps = [tokens]
    while (reduced := _reduce_once(steps[-1], groups)) is not None:
        steps.append(_strip_single_brackets(reduced))
    (value,) = steps[-1]
    return value, steps


def _safe_value(tokens: list[Any], groups) -> Fraction | None:
    try:
        return _evaluate(tokens, groups)[0]
    except Retry:
        return None


def gen_order_of_operations(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    templates = list(_TEMPLATES_BASIC)
    if grade >= 4:
        templates += _TEMPLATES_PARENS
    if grade >= 6:
        templates += _TEMPLATES_ADVANCED
    template = rng.choice(templates)
    top = 9 if grade <= 4 else 12
    values = {name: rng.randint(2, top) for name in "abcd"}
    if "^" in template:
        values["b"] = rng.randint(2, 6)
    tokens = _tokens(template, values)
    # make every division exact: the number just before ÷ becomes a multiple of the divisor
    for index, token in enumerate(tokens):
        if token == "÷" and isinstance(tokens[index - 1], Fraction):
            tokens[index - 1] = tokens[index + 1] * rng.randint(1, 9)
    answer, steps = _evaluate(tokens)  # may raise Retry
    if not negatives_ok(grade):
        for step in steps:
            if any(isinstance(t, Fraction) and t < 0 for t in step):
                raise Retry
    ok = plausible_number(grade)
    flat = [t for t in tokens if t not in ("(", ")")]
    mistakes = [
        _safe_value(flat, (_OPS,)),  # strictly left to right, ignoring brackets
        _safe_value(flat, _PRECEDENCE),  # ignoring the brackets only
        _safe_value(tokens, (("^",), ("+", "-"), ("×", "÷"))),  # adding before multiplying
        answer + 1,
        answer - 1,
        answer + 2,
    ]
    explanation = " = ".join(_render(step) for step in steps)
    rule = "Brackets first, then " if "(" in tokens else ""
    rule += "exponents, then " if "^" in tokens else ""
    rule += "multiplication and division, then addition and subtraction (left to right): "
    return MathItem(
        topic="order_of_operations",
        prompt=f"What is {_render(tokens)}?",
        answer=num(answer),
        explanation=rule[0].upper() + rule[1:] + explanation + ".",
        mistakes=number_choices([m for m in mistakes if m is not None], ok),
        near=near_number(answer, ok),
    )
