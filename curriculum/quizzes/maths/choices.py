"""Answers and distractors as values.

A generator returns a :class:`MathItem`: the computed answer and the values common mistakes give
(off by one, wrong operation, sign errors, adding denominators, ...). Each choice carries a
*value* key, so two options never have the same value however they are written, and fractions
are shown in lowest terms.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from curriculum.shapes import OPTIONS_PER_QUESTION, option_normalize


@dataclass(frozen=True)
class Choice:
    key: Hashable  # value identity: two choices with equal keys are the same answer
    text: str


@dataclass
class MathItem:
    topic: str
    prompt: str
    answer: Choice
    explanation: str
    mistakes: list[Choice]
    near: Callable[[random.Random], Choice | None]
    extra: dict[str, Any] = field(default_factory=dict)


class Retry(Exception):
    """Raised by a generator when the random draw is unsuitable; the caller draws again."""


def fmt(value: Fraction | int) -> str:
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def num(value: Fraction | int, suffix: str = "") -> Choice:
    value = Fraction(value)
    return Choice(key=("number", value), text=fmt(value) + suffix)


def operand(value: Fraction | int, first: bool = False) -> str:
    """Format an operand inside an expression; negatives are parenthesised after the first."""
    text = fmt(value)
    if Fraction(value) < 0 and not first:
        return f"({text})"
    return text


def negatives_ok(grade: int) -> bool:
    return grade >= 7


def is_int(value: Fraction) -> bool:
    return Fraction(value).denominator == 1


def plausible_number(
    grade: int, *, integer: bool = True, limit: int = 10**7
) -> Callable[[Fraction], bool]:
    def check(value: Fraction) -> bool:
        value = Fraction(value)
        if integer and value.denominator != 1:
            return False
        if value < 0 and not negatives_ok(grade):
            return False
        return abs(value) <= limit

    return check


def number_choices(
    values: Sequence[Fraction | int], ok: Callable[[Fraction], bool], suffix: str = ""
) -> list[Choice]:
    return [num(value, suffix) for value in values if ok(Fraction(value))]


def near_number(
    answer: Fraction | int, ok: Callable[[Fraction], bool], spread: int | None = None, suffix=""
) -> Callable[[random.Random], Choice | None]:
    answer = Fraction(answer)
    if spread is None:
        spread = max(3, int(abs(answer)) // 8)

    def near(rng: random.Random) -> Choice | None:
        step = Fraction(1, answer.denominator)
        candidate = answer + step * rng.choice([-1, 1]) * rng.randint(1, spread)
        return num(candidate, suffix) if ok(candidate) else None

    return near


def pick_distractors(rng: random.Random, item: MathItem) -> list[str]:
    needed = OPTIONS_PER_QUESTION - 1
    keys = {item.answer.key}
    texts = {option_normalize(item.answer.text)}
    chosen: list[str] = []

    def consider(choice: Choice | None) -> None:
        if choice is None or len(chosen) >= needed:
            return
        norm = option_normalize(choice.text)
        if choice.key in keys or norm in texts:
            return
        keys.add(choice.key)
        texts.add(norm)
        chosen.append(choice.text)

    mistakes = list(item.mistakes)
    rng.shuffle(mistakes)
    for choice in mistakes:
        consider(choice)
    for _attempt in range(500):
        if len(chosen) >= needed:
            break
        consider(item.near(rng))
    if len(chosen) < needed:  # pragma: no cover - near() always has enough room
        raise RuntimeError(f"could not build distractors for {item.prompt!r}")
    return chosen


def near_fraction(answer: Fraction, ok: Callable[[Fraction], bool]):
    def near(rng: random.Random) -> Choice | None:
        denominator = answer.denominator * rng.choice([1, 1, 2, 3])
        candidate = answer + Fraction(rng.choice([-1, 1]) * rng.randint(1, 4), denominator)
        return num(candidate) if ok(candidate) else None

    return near
