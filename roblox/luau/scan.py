"""The linear scan before parsing: how deeply a source nests brackets and blocks.

tree-sitter's error recovery costs the square of the depth of a run of unclosed openers, so
``compile_luau`` measures the depth first, in one pass, and refuses a source nested deeper than
``MAX_NESTING_DEPTH`` without parsing it. A long comment or string never closed is found here too.
"""

from __future__ import annotations

import re

# Brackets and blocks open at once. Hand-written code rarely goes past 10; generated code past 5.
MAX_NESTING_DEPTH = 200

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


class Unfinished(Exception):
    def __init__(self, offset: int, what: str) -> None:
        super().__init__(what)
        self.offset = offset
        self.what = what


def nesting_depth(source: str, *, limit: int = MAX_NESTING_DEPTH) -> tuple[int, int]:
    """The deepest nesting of brackets and blocks in ``source`` and the character offset where
    it is first reached; stops early (returning ``limit + 1``) once ``limit`` is exceeded.

    Linear in the length of ``source``: one regular-expression scan without backtracking and a
    stack never deeper than ``limit``. Unclosed openers count too: they are what makes
    tree-sitter's error recovery expensive. Raises :class:`Unfinished` at a long comment or
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
            raise Unfinished(token.start(), "unfinished long comment")
        if token.group("open_string") is not None:
            raise Unfinished(token.start(), "unfinished long string")
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


def line_column(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1
