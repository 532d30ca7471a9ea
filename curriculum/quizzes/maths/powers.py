"""Exponents: powers, products and quotients of powers, negative bases, zero and negative
exponents, powers of powers."""

from __future__ import annotations

import random
from fractions import Fraction

from curriculum.quizzes.maths.choices import (
    MathItem,
    Retry,
    fmt,
    near_fraction,
    near_number,
    num,
    plausible_number,
)


def gen_exponents(rng: random.Random, grade: int, difficulty: str) -> MathItem:
    ok = plausible_number(grade, integer=False)
    forms = ["power"]
    if grade >= 6:
        forms.append("product")
    if grade >= 7:
        forms.append("negative_base")
    if grade >= 8:
        forms.append("quotient")
    if grade >= 9:
        forms += ["zero", "negative_exponent", "power_of_power"]
    form = rng.choice(forms)
    if form == "power":
        if grade == 5:
            base, exponent = rng.choice(
                [(10, rng.randint(2, 6)), (rng.randint(2, 12), 2), (rng.randint(2, 5), 3)]
            )
        else:
            base, exponent = rng.randint(2, 9), rng.randint(2, 4)
        answer = Fraction(base) ** exponent
        prompt = f"What is {base}^{exponent}?"
        mistakes = [base * exponent, Fraction(exponent) ** base, Fraction(base) ** (exponent + 1)]
        mistakes += [Fraction(base) ** (exponent - 1), base + exponent]
        explanation = f"{base}^{exponent} means {' × '.join([str(base)] * exponent)} = {answer}."
    elif form in ("product", "quotient"):
        base = rng.randint(2, 5)
        m, n = rng.randint(2, 5), rng.randint(1, 4)
        if base ** (m + n) > 5000:
            raise Retry
        if form == "product":
            answer = Fraction(base) ** (m + n)
            prompt = f"What is {base}^{m} × {base}^{n}?"
            mistakes = [Fraction(base) ** (m * n), Fraction(base * base) ** (m + n)]
            mistakes += [Fraction(base) ** (m + n - 1), Fraction(base) ** (m + n + 1)]
            explanation = (
                f"When multiplying powers of the same base, add the exponents: "
                f"{base}^{m} × {base}^{n} = {base}^{m + n} = {answer}."
            )
        else:
            m += n
            answer = Fraction(base) ** (m - n)
            prompt = f"What is {base}^{m} ÷ {base}^{n}?"
            mistakes = [Fraction(base) ** (m + n), Fraction(1), Fraction(base) ** (m - n + 1)]
            mistakes += [Fraction(base) ** max(0, m - n - 1), Fraction(base) * (m - n)]
            explanation = (
                f"When dividing powers of the same base, subtract the exponents: "
                f"{base}^{m} ÷ {base}^{n} = {base}^{m - n} = {answer}."
            )
    elif form == "negative_base":
        base, exponent = -rng.randint(2, 6), rng.randint(2, 4)
        answer = Fraction(base) ** exponent
        prompt = f"What is ({base})^{exponent}?"
        mistakes = [-answer, base * exponent, -base * exponent, Fraction(base) ** (exponent + 1)]
        parity = "even" if exponent % 2 == 0 else "odd"
        explanation = (
            f"({base})^{exponent} = {' × '.join([f'({base})'] * exponent)} = {answer}; "
            f"an {parity} number of negative factors gives a "
            f"{'positive' if parity == 'even' else 'negative'} result."
        )
    elif form == "zero":
        base = rng.randint(2, 99)
        answer = Fraction(1)
        prompt = f"What is {base}^0?"
        mistakes = [0, base, -1, Fraction(1, base)]
        explanation = f"Any non-zero number raised to the power 0 equals 1, so {base}^0 = 1."
    elif form == "negative_exponent":
        base, exponent = rng.randint(2, 5), rng.randint(1, 3)
        answer = Fraction(1, base**exponent)
        prompt = f"What is {base}^(-{exponent})?"
        mistakes = [-(base**exponent), -answer, Fraction(1, base * exponent), -base * exponent]
        explanation = (
            f"A negative exponent means the reciprocal: {base}^(-{exponent}) = "
            f"1/{base}^{exponent} = {fmt(answer)}."
        )
    else:  # power_of_power
        base, m, n = rng.randint(2, 3), rng.randint(2, 3), rng.randint(2, 3)
        answer = Fraction(base) ** (m * n)
        prompt = f"What is ({base}^{m})^{n}?"
        mistakes = [Fraction(base) ** (m + n), Fraction(base) ** (m * n - 1), base * m * n]
        mistakes += [Fraction(base) ** (m * n + 1)]
        explanation = (
            f"A power of a power multiplies the exponents: ({base}^{m})^{n} = "
            f"{base}^{m * n} = {answer}."
        )
    choices = [num(v) for v in mistakes if ok(Fraction(v))]
    if answer.denominator == 1:
        near = near_number(answer, ok, spread=max(3, int(abs(answer)) // 10))
    else:
        near = near_fraction(answer, ok)
    return MathItem(
        topic="exponents",
        prompt=prompt,
        answer=num(answer),
        explanation=explanation,
        mistakes=choices,
        near=near,
    )
