"""``compile_luau``: a source's size and nesting checked first, then parsed once by tree-sitter
and its tree turned into diagnostics, all within ``CHECK_BUDGET_SECONDS``."""

from __future__ import annotations

import threading

from tree_sitter import Parser

from roblox.luau.diagnostics import (
    LANGUAGE,
    MAX_DIAGNOSTICS,
    Budget,
    BudgetExceeded,
    CompileResult,
    Diagnostic,
    Positions,
    collect,
    reserved_word_diagnostics,
)
from roblox.luau.scan import MAX_NESTING_DEPTH, Unfinished, line_column, nesting_depth

# Classroom scripts are a few kilobytes; the largest generated one (a 128 x 128 terrain at the
# highest max_height) is about 71,000 characters. Twice the realistic need, and no more.
MAX_SOURCE_CHARS = 100_000
# Parse and query of a 100,000-character script take about 30 ms; this is ~30 times that.
CHECK_BUDGET_SECONDS = 1.0

_local = threading.local()


def _parser() -> Parser:
    """A parser per thread: tree-sitter parsers are not safe to share between threads."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = Parser(LANGUAGE)
        _local.parser = parser
    return parser


def _rejected(line: int, column: int, message: str) -> CompileResult:
    return CompileResult(ok=False, diagnostics=(Diagnostic(line, column, message),))


def compile_luau(source: str, *, budget_seconds: float = CHECK_BUDGET_SECONDS) -> CompileResult:
    """Parse ``source`` as Luau and report syntax errors (no code is executed).

    Returns ``CompileResult(ok=True, diagnostics=())`` for syntactically valid code; otherwise
    ``ok`` is False with at most ``MAX_DIAGNOSTICS`` diagnostics sorted by position. Sources that
    could cost more than a bounded amount of CPU are rejected with a single diagnostic: longer
    than ``MAX_SOURCE_CHARS`` characters ("source too large"), nested deeper than
    ``MAX_NESTING_DEPTH`` ("nesting too deep") or with a long comment or string never closed
    ("unfinished long comment"), all found without parsing; or not checked within
    ``budget_seconds`` ("too complex to check").
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    if len(source) > MAX_SOURCE_CHARS:
        return _rejected(
            1, 1, f"source too large ({len(source)} characters; limit {MAX_SOURCE_CHARS})"
        )
    try:
        depth, offset = nesting_depth(source)
    except Unfinished as exc:
        return _rejected(*line_column(source, exc.offset), exc.what)
    if depth > MAX_NESTING_DEPTH:
        return _rejected(
            *line_column(source, offset),
            f"nesting too deep (more than {MAX_NESTING_DEPTH} open blocks or brackets)",
        )
    data = source.encode("utf-8", errors="surrogatepass")
    budget = Budget(budget_seconds)
    too_complex = _rejected(1, 1, f"too complex to check within {budget_seconds:g} s")
    # Parsed from bytes: tree-sitter reports parse progress only through a read callback, and a
    # tree parsed that way reads node text back through Python (40 times slower) and crashed
    # py-tree-sitter 0.26 in testing. The parse itself is linear and bounded by the size cap
    # (about 30 ms at 100,000 characters, attacks included); the budget is checked once it
    # returns, and during the tree walks that follow.
    tree = _parser().parse(data)
    if budget():
        return too_complex
    root = tree.root_node
    positions = Positions(data)
    try:
        if not root.has_error:
            reserved = reserved_word_diagnostics(root, positions, budget)
            return CompileResult(ok=not reserved, diagnostics=tuple(reserved[:MAX_DIAGNOSTICS]))
        source_end = len(data.rstrip())
        diagnostics = collect(root, positions, source_end, budget)
    except BudgetExceeded:
        return too_complex
    if not diagnostics:  # has_error without a reachable node should not happen; be safe
        diagnostics = [Diagnostic(1, 1, "syntax error")]
    return CompileResult(ok=False, diagnostics=tuple(diagnostics))
