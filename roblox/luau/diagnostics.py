"""What a parsed tree says: its error and missing nodes, and identifiers spelled like a reserved
word, as diagnostics at 1-based lines and character columns; walks bounded by a time budget."""

from __future__ import annotations

import time
from dataclasses import dataclass

import tree_sitter_luau
from tree_sitter import Language, Node, Query, QueryCursor

MAX_DIAGNOSTICS = 20

LANGUAGE = Language(tree_sitter_luau.language())

# Luau's reserved words. The grammar's error recovery sometimes accepts them as identifiers
# (``local end = 1``), so identifiers spelled like one are reported explicitly.
_RESERVED = (
    "and break do else elseif end false for function if in local nil not or repeat return then "
    "true until while"
).split()
_RESERVED_BYTES = frozenset(word.encode() for word in _RESERVED)
_RESERVED_QUERY = Query(
    LANGUAGE,
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


class Budget:
    """A deadline for tree-sitter's progress callbacks: returning True cancels the work."""

    def __init__(self, seconds: float) -> None:
        self._deadline = time.monotonic() + seconds
        self.exceeded = False

    def __call__(self, *_state: object) -> bool:
        if time.monotonic() > self._deadline:
            self.exceeded = True
        return self.exceeded


class BudgetExceeded(Exception):
    pass


class Positions:
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


def _error_diagnostic(node: Node, positions: Positions, source_end: int) -> Diagnostic:
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


def _missing_diagnostic(node: Node, positions: Positions) -> Diagnostic:
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


def _reserved_identifiers(root: Node, data: bytes, budget: Budget) -> list[Node]:
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
            raise BudgetExceeded
        if cursor.goto_first_child() or cursor.goto_next_sibling():
            continue
        while cursor.goto_parent():
            if cursor.goto_next_sibling():
                break
        else:
            return found


def reserved_word_diagnostics(root: Node, positions: Positions, budget: Budget) -> list[Diagnostic]:
    diagnostics = []
    for node in _reserved_identifiers(root, positions.data, budget):
        if _inside_error(node):
            continue  # already covered by the enclosing error region's diagnostic
        line, column = positions(*node.start_point)
        word = _leaf_text(node, positions.data)
        diagnostics.append(Diagnostic(line, column, f"reserved word '{word}' used as a name"))
    return diagnostics


def collect(root: Node, positions: Positions, source_end: int, budget: Budget) -> list[Diagnostic]:
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
    diagnostics.extend(reserved_word_diagnostics(root, positions, budget))
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
