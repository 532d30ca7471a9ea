"""Syntax checker for Roblox Luau source code.

Uses tree-sitter with the ``tree-sitter-luau`` grammar: a real incremental parser that understands
Luau syntax (type annotations, generics, ``+=``, ``continue``, `` `{x}` `` interpolation), which
Lua 5.x compilers such as lupa's ``load()`` reject, so lupa would add nothing and is not used.
Known grammar gaps (reported as errors): ``@native``-style attributes, ``type function`` and
generic function *types* such as ``<T>(T) -> T``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import tree_sitter_luau
from tree_sitter import Language, Node, Parser, Query, QueryCursor

__all__ = [
    "MAX_DIAGNOSTICS",
    "MAX_SOURCE_CHARS",
    "CompileResult",
    "Diagnostic",
    "compile_luau",
]

MAX_SOURCE_CHARS = 200_000
MAX_DIAGNOSTICS = 20

_LANGUAGE = Language(tree_sitter_luau.language())
_local = threading.local()

# Luau's reserved words. The grammar's error recovery sometimes accepts them as identifiers
# (``local end = 1``), so identifiers spelled like one are reported explicitly.
_RESERVED = (
    "and break do else elseif end false for function if in local nil not or repeat return then "
    "true until while"
).split()
_RESERVED_QUERY = Query(
    _LANGUAGE,
    "((identifier) @name (#any-of? @name " + " ".join(f'"{w}"' for w in _RESERVED) + "))",
)

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


def _leaf_text(node: Node) -> str:
    text = node.text.decode("utf-8", errors="replace") if node.text is not None else ""
    text = text.splitlines()[0] if text else ""
    if len(text) > 20:
        text = text[:20] + "..."
    return text


def _unclosed_block(leaves: list[Node]) -> tuple[Node, str] | None:
    """The innermost opener (block keyword or bracket) in ``leaves`` that is never closed,
    with the token that should close it."""
    stack: list[tuple[Node, str]] = []
    loop_head_pending = False
    for leaf in leaves:
        word = _leaf_text(leaf)
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
        quotes = [leaf for leaf in leaves if _leaf_text(leaf) == quote]
        if len(quotes) % 2 == 1:
            line, column = positions(*quotes[-1].start_point)
            return Diagnostic(line, column, "unfinished string")
    # An error region that runs to the end of the input usually means an unclosed block.
    if node.end_byte >= source_end:
        unclosed = _unclosed_block(leaves)
        if unclosed is not None:
            opener, closer = unclosed
            keyword = _leaf_text(opener)
            line, column = positions(*opener.start_point)
            return Diagnostic(
                line, column, f"missing '{closer}' to close '{keyword}' at line {line}"
            )
    first = leaves[0]
    line, column = positions(*first.start_point)
    return Diagnostic(line, column, f"syntax error near '{_leaf_text(first)}'")


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


def _reserved_word_diagnostics(root: Node, positions: _Positions) -> list[Diagnostic]:
    captures = QueryCursor(_RESERVED_QUERY).captures(root)
    diagnostics = []
    for node in captures.get("name", []):
        if _inside_error(node):
            continue  # already covered by the enclosing error region's diagnostic
        line, column = positions(*node.start_point)
        word = _leaf_text(node)
        diagnostics.append(Diagnostic(line, column, f"reserved word '{word}' used as a name"))
    return diagnostics


def _collect(root: Node, positions: _Positions, source_end: int) -> list[Diagnostic]:
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
    diagnostics.extend(_reserved_word_diagnostics(root, positions))
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


def compile_luau(source: str) -> CompileResult:
    """Parse ``source`` as Luau and report syntax errors (no code is executed).

    Returns ``CompileResult(ok=True, diagnostics=())`` for syntactically valid code; otherwise
    ``ok`` is False with at most ``MAX_DIAGNOSTICS`` diagnostics sorted by position. Sources longer
    than ``MAX_SOURCE_CHARS`` characters are rejected with a single "source too large" diagnostic.
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    if len(source) > MAX_SOURCE_CHARS:
        return CompileResult(
            ok=False,
            diagnostics=(
                Diagnostic(
                    1,
                    1,
                    f"source too large ({len(source)} characters; limit {MAX_SOURCE_CHARS})",
                ),
            ),
        )
    data = source.encode("utf-8", errors="surrogatepass")
    tree = _parser().parse(data)
    root = tree.root_node
    positions = _Positions(data)
    if not root.has_error:
        reserved = _reserved_word_diagnostics(root, positions)
        return CompileResult(ok=not reserved, diagnostics=tuple(reserved[:MAX_DIAGNOSTICS]))
    source_end = len(data.rstrip())
    diagnostics = _collect(root, positions, source_end)
    if not diagnostics:  # has_error without a reachable node should not happen; be safe
        diagnostics = [Diagnostic(1, 1, "syntax error")]
    return CompileResult(ok=False, diagnostics=tuple(diagnostics))
