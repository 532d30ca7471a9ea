"""An independent evaluator for generated mathematics questions, for the quiz tests.

Prompts are parsed and recomputed with ``fractions.Fraction`` (expressions via ``ast``, equations
by evaluating both sides), never by calling the generator's own arithmetic: ``_expected(prompt)``
is the right answer and ``_option_value(text, prompt)`` the value an option stands for."""

from __future__ import annotations

import ast
import math
import re
from fractions import Fraction


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
