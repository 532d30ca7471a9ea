"""Syntax checker for Roblox Luau source code.

Uses tree-sitter with the ``tree-sitter-luau`` grammar: a real incremental parser that understands
Luau syntax (type annotations, generics, ``+=``, ``continue``, `` `{x}` `` interpolation), which
Lua 5.x compilers such as lupa's ``load()`` reject, so lupa would add nothing and is not used.
Known grammar gaps (reported as errors): ``@native``-style attributes, ``type function`` and
generic function *types* such as ``<T>(T) -> T``.

Cost bounds: tree-sitter's error recovery turns a long run of unclosed openers
(``"local x = " + "(" * 199990``) into a tree whose query cost grows with the square of its depth
(40-54 s, long enough for gunicorn to kill the worker). So a check is bounded three ways: the
source length (``MAX_SOURCE_CHARS``), its nesting depth, measured by a linear scan *before*
parsing (``MAX_NESTING_DEPTH``), and a time budget for parse and query together
(``CHECK_BUDGET_SECONDS``), checked after parsing and while walking the tree.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

import tree_sitter_luau
from tree_sitter import Language, Node, Parser, Query, QueryCursor

__all__ = [
    "CHECK_BUDGET_SECONDS",
    "MAX_DIAGNOSTICS",
    "MAX_NESTING_DEPTH",
    "MAX_SOURCE_CHARS",
    "CompileResult",
    "Diagnostic",
    "compile_luau",
    "nesting_depth",
]

# Classroom scripts are a few kilobytes; the largest generated one (a 128 x 128 terrain at the
# highest max_height) is about 71,000 characters. Twice the realistic need, and no more.
MAX_SOURCE_CHARS = 100_000
# Brackets and blocks open at once. Hand-written code rarely goes past 10; generated code past 5.
MAX_NESTING_DEPTH = 200
# Parse and query of a 100,000-character script take about 30 ms; this is ~30 times that.
CHECK_BUDGET_SECONDS = 1.0
MAX_DIAGNOSTICS = 20

_LANGUAGE = Language(tree_sitter_luau.language())
_local = threading.local()

# Luau's reserved words. The grammar's error recovery sometimes accepts them as identifiers
# (``local end = 1``), so identifiers spelled like one are reported explicitly.
_RESERVED = (
    "and break do else elseif end false for function if in local nil not or repeat return then "
    "true until while"
).split()
_RESERVED_BYTES = frozenset(word.encode() for word in _RESERVED)
_RESERVED_QUERY = Query(
    _LANGUAGE,
    "((identifier) @name (#any-of? @name " + " ".join(f'"{w}"' for w in _RESERVED) + "))",
)
# How many nodes the tree walk visits between two looks at the clock.
_BUDGET_CHECK_EVERY = 4096

# Keywords that open a block closed by ``end`` (``repeat`` is closed by ``until``).
# ``do`` after ``while``/``for`` belongs to that loop and is not a separate opener.
_END_OPENERS = frozenset({"function", "if", "while", "for", "do"})
_LOOP_HEADS = frozenset({"while", "for"})
_BRACKETS = {"(": ")", "{": "}", "[": "]"}
_CLOSERS = frozenset({"end", "until", ")", "}", "]"})


@dataclass(frozen=True)
class Diagnostic:
    """A syntax problem at a 1-based ``line`` and ``column`` (columns count characters)."""

    line: int
    column: int
    message: str

    def to_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class CompileResult:
    ok: bool
    diagnostics: tuple[Diagnostic, ...] = ()

    def to_dict(self) -> dict:
        return {"ok": self.ok, "diagnostics": [d.to_dict() for d in self.diagnostics]}


# One linear pass over the source for nesting_depth: comments and strings are skipped whole,
# words and single punctuation characters are tokens. An unfinished long comment or string
# (``--[[`` or ``[==[`` never closed) is a syntax error found here, without parsing: searching
# for its end again from every later opener would make the scan quadratic (and tree-sitter's
# error recovery is slow on it too).
_SCAN_TOKEN = re.compile(
    r"""
      (?P<comment>--(?:\[(?P<ceq>=*)\[(?:.*?\](?P=ceq)\]|(?P<open_comment>))|[^\n]*))
    | (?P<long>\[(?P<leq>=*)\[(?:.*?\](?P=leq)\]|(?P<open_string>)))
    | (?P<quoted>"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)
    | (?P<backtick>`)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<number>[0-9][A-Za-z0-9_.]*)
    | (?P<punct>\.\.\.|[^\sA-Za-z0-9_])
    """,
    re.VERBOSE | re.DOTALL,
)
# Inside an interpolated string: text up to its end (`) or an expression ({).
_BACKTICK_TEXT = re.compile(r"(?:[^`\\{]|\\.)*(?P<stop>[`{])?", re.DOTALL)
# After these tokens an ``if`` starts an if-expression (``x = if a then b else c``), which has
# no ``end``; after anything else (a value, ``then``, ``do``, ``end``...) it starts a statement.
_EXPRESSION_BEFORE = frozenset(
    "= ( [ { , + - * / % ^ # < > ~ : . and or not return in until while if elseif".split()
)
_OPEN_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_CLOSE_BRACKETS = frozenset(_OPEN_BRACKETS.values())


class _Unfinished(Exception):
    def __init__(self, offset: int, what: str) -> None:
        super().__init__(what)
        self.offset = offset
        self.what = what


def nesting_depth(source: str, *, limit: int = MAX_NESTING_DEPTH) -> tuple[int, int]:
    """The deepest nesting of brackets and blocks in ``source`` and the character offset where
    it is first reached; stops early (returning ``limit + 1``) once ``limit`` is exceeded.

    Linear in the length of ``source``: one regular-expression scan without backtracking and a
    stack never deeper than ``limit``. Unclosed openers count too: they are what makes
    tree-sitter's error recovery expensive. Raises :class:`_Unfinished` at a long comment or
    string that is never closed.
    """
    stack: list[str] = []  # closing token expected: ")", "]", "}", "end", "until", "`", "do"
    deepest, deepest_at = 0, 0
    previous = ""
    position, end = 0, len(source)

    def close(closer: str) -> None:
        # Pop back to the nearest frame this token closes; a stray closer changes nothing.
        for index in range(len(stack) - 1, -1, -1):
            if stack[index] == closer or (closer == "end" and stack[index] == "do"):
                del stack[index:]
                return

    while position < end:
        if stack and stack[-1] == "`":  # inside an interpolated string's text
            text = _BACKTICK_TEXT.match(source, position)
            position = text.end()
            if text.group("stop") == "`":
                stack.pop()
                previous = "value"
            elif text.group("stop") == "{":
                stack.append("}`")
            continue
        token = _SCAN_TOKEN.search(source, position)
        if token is None:
            break
        position = token.end()
        kind = token.lastgroup
        value = token.group()
        if token.group("open_comment") is not None:
            raise _Unfinished(token.start(), "unfinished long comment")
        if token.group("open_string") is not None:
            raise _Unfinished(token.start(), "unfinished long string")
        if kind == "comment":
            continue
        opened = None
        if kind == "backtick":
            opened = "`"
        elif kind == "word":
            if value in ("function", "repeat") or (
                value == "if" and previous not in _EXPRESSION_BEFORE
            ):
                opened = "until" if value == "repeat" else "end"
            elif value in ("while", "for"):
                opened = "do"  # the loop's own ``do`` turns it into an ``end`` frame
            elif value == "do":
                if stack and stack[-1] == "do":
                    stack[-1] = "end"
                else:
                    opened = "end"
            elif value in ("end", "until"):
                close(value)
        elif kind == "punct":
            if value in _OPEN_BRACKETS:
                opened = _OPEN_BRACKETS[value]
            elif value == "}" and stack and stack[-1] == "}`":
                stack[-1] = "`"  # back to the interpolated string's text
            elif value in _CLOSE_BRACKETS:
                close(value)
        if opened is not None:
            stack.append(opened)
            if len(stack) > deepest:
                deepest, deepest_at = len(stack), token.start()
                if deepest > limit:
                    return deepest, deepest_at
        previous = value if kind in ("word", "punct") else "value"
    return deepest, deepest_at


def _line_column(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1


class _Budget:
    """A deadline for tree-sitter's progress callbacks: returning True cancels the work."""

    def __init__(self, seconds: float) -> None:
        self._deadline = time.monotonic() + seconds
        self.exceeded = False

    def __call__(self, *_state: object) -> bool:
        if time.monotonic() > self._deadline:
            self.exceeded = True
        return self.exceeded


class _BudgetExceeded(Exception):
    pass


def _parser() -> Parser:
    """A parser per thread: tree-sitter parsers are not safe to share between threads."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = Parser(_LANGUAGE)
        _local.parser = parser
    return parser


class _Positions:
    """Converts tree-sitter byte points into 1-based (line, character column) pairs."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._lines = data.split(b"\n")

    def __call__(self, row: int, byte_col: int) -> tuple[int, int]:
        line = self._lines[row] if row < len(self._lines) else b""
        column = len(line[:byte_col].decode("utf-8", errors="ignore")) + 1
        return row + 1, column


def _leaves(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.child_count == 0:
            out.append(current)
        else:
            stack.extend(reversed(current.children))
    return out


def _leaf_text(node: Node, data: bytes) -> str:
    # From our own bytes, and only the head: ``node.text`` of a tree parsed through a read
    # callback calls back into Python for every node, which made long error regions quadratic.
    head = data[node.start_byte : min(node.end_byte, node.start_byte + 96)]
    text = head.decode("utf-8", errors="replace")
    text = text.splitlines()[0] if text else ""
    if len(text) > 20:
        text = text[:20] + "..."
    return text


def _unclosed_block(leaves: list[Node], data: bytes) -> tuple[Node, str] | None:
    """The innermost opener (block keyword or bracket) in ``leaves`` that is never closed,
    with the token that should close it."""
    stack: list[tuple[Node, str]] = []
    loop_head_pending = False
    for leaf in leaves:
        word = _leaf_text(leaf, data)
        if word in _LOOP_HEADS:
            stack.append((leaf, "end"))
            loop_head_pending = True
        elif word == "do" and loop_head_pending:
            loop_head_pending = False
        elif word in _END_OPENERS:
            # An ``if`` inside an if-expression (``x = if a then b else c``) has no ``end``.
            if word == "if" and leaf.parent is not None and "expression" in leaf.parent.type:
                continue
            stack.append((leaf, "end"))
        elif word == "repeat":
            stack.append((leaf, "until"))
        elif word in _BRACKETS:
            stack.append((leaf, _BRACKETS[word]))
        elif word in _CLOSERS:
            # Pop back to the nearest opener this token closes; ignore a stray closer.
            for index in range(len(stack) - 1, -1, -1):
                if stack[index][1] == word:
                    del stack[index:]
                    break
    return stack[-1] if stack else None


def _error_diagnostic(node: Node, positions: _Positions, source_end: int) -> Diagnostic:
    leaves = [leaf for leaf in _leaves(node) if leaf.end_byte > leaf.start_byte]
    if not leaves:
        line, column = positions(*node.start_point)
        return Diagnostic(line, column, "syntax error")
    # An odd number of quote tokens means a string literal that is never closed.
    for quote in ('"', "'", "`"):
        quotes = [leaf for leaf in leaves if _leaf_text(leaf, positions.data) == quote]
        if len(quotes) % 2 == 1:
            line, column = positions(*quotes[-1].start_point)
            return Diagnostic(line, column, "unfinished string")
    # An error region that runs to the end of the input usually means an unclosed block.
    if node.end_byte >= source_end:
        unclosed = _unclosed_block(leaves, positions.data)
        if unclosed is not None:
            opener, closer = unclosed
            keyword = _leaf_text(opener, positions.data)
            line, column = positions(*opener.start_point)
            return Diagnostic(
                line, column, f"missing '{closer}' to close '{keyword}' at line {line}"
            )
    first = leaves[0]
    line, column = positions(*first.start_point)
    return Diagnostic(line, column, f"syntax error near '{_leaf_text(first, positions.data)}'")


def _missing_diagnostic(node: Node, positions: _Positions) -> Diagnostic:
    line, column = positions(*node.start_point)
    kind = node.type
    what = f"'{kind}'" if not node.is_named else kind.replace("_", " ")
    return Diagnostic(line, column, f"missing {what}")


def _inside_error(node: Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.is_error:
            return True
        parent = parent.parent
    return False


def _reserved_identifiers(root: Node, data: bytes, budget: _Budget) -> list[Node]:
    """Identifiers spelled like a reserved word.

    In a tree without errors, by a tree-sitter query (linear there, and ten times faster than
    a walk from Python). In a tree with errors, by one walk of the tree: the query engine's cost
    grew with the square of the depth of an error region (40-54 s for ``"(" * 199990``), and
    in py-tree-sitter 0.26 its progress callback, the only way to cancel it, crashes the
    interpreter as soon as there is a capture. The walk visits each node once and looks at the
    clock every few thousand nodes.
    """
    if not root.has_error:
        return QueryCursor(_RESERVED_QUERY).captures(root).get("name", [])
    found: list[Node] = []
    cursor = root.walk()
    visited = 0
    while True:
        node = cursor.node
        if node.type == "identifier" and data[node.start_byte : node.end_byte] in _RESERVED_BYTES:
            found.append(node)
        visited += 1
        if visited % _BUDGET_CHECK_EVERY == 0 and budget():
            raise _BudgetExceeded
        if cursor.goto_first_child() or cursor.goto_next_sibling():
            continue
        while cursor.goto_parent():
            if cursor.goto_next_sibling():
                break
        else:
            return found


def _reserved_word_diagnostics(
    root: Node, positions: _Positions, budget: _Budget
) -> list[Diagnostic]:
    diagnostics = []
    for node in _reserved_identifiers(root, positions.data, budget):
        if _inside_error(node):
            continue  # already covered by the enclosing error region's diagnostic
        line, column = positions(*node.start_point)
        word = _leaf_text(node, positions.data)
        diagnostics.append(Diagnostic(line, column, f"reserved word '{word}' used as a name"))
    return diagnostics


def _collect(
    root: Node, positions: _Positions, source_end: int, budget: _Budget
) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing:
            diagnostics.append(_missing_diagnostic(node, positions))
        elif node.is_error:
            # Report the outermost error region only; nested ones are the same problem.
            diagnostics.append(_error_diagnostic(node, positions, source_end))
        elif node.has_error:
            stack.extend(reversed(node.children))
        if len(diagnostics) >= MAX_DIAGNOSTICS:
            break
    diagnostics.extend(_reserved_word_diagnostics(root, positions, budget))
    diagnostics.sort(key=lambda d: (d.line, d.column))
    # The same position can be reached through a MISSING and an ERROR node: keep the first.
    unique: list[Diagnostic] = []
    seen: set[tuple[int, int]] = set()
    for diagnostic in diagnostics:
        key = (diagnostic.line, diagnostic.column)
        if key not in seen:
            seen.add(key)
            unique.append(diagnostic)
    return unique[:MAX_DIAGNOSTICS]


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
    except _Unfinished as exc:
        return _rejected(*_line_column(source, exc.offset), exc.what)
    if depth > MAX_NESTING_DEPTH:
        return _rejected(
            *_line_column(source, offset),
            f"nesting too deep (more than {MAX_NESTING_DEPTH} open blocks or brackets)",
        )
    data = source.encode("utf-8", errors="surrogatepass")
    budget = _Budget(budget_seconds)
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
    positions = _Positions(data)
    try:
        if not root.has_error:
            reserved = _reserved_word_diagnostics(root, positions, budget)
            return CompileResult(ok=not reserved, diagnostics=tuple(reserved[:MAX_DIAGNOSTICS]))
        source_end = len(data.rstrip())
        diagnostics = _collect(root, positions, source_end, budget)
    except _BudgetExceeded:
        return too_complex
    if not diagnostics:  # has_error without a reachable node should not happen; be safe
        diagnostics = [Diagnostic(1, 1, "syntax error")]
    return CompileResult(ok=False, diagnostics=tuple(diagnostics))
