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

Modules: ``scan`` (the linear nesting scan before parsing), ``diagnostics`` (what a parsed tree
says, within the budget), ``check`` (``compile_luau``, which runs them in order).
"""

from roblox.luau.check import CHECK_BUDGET_SECONDS, MAX_SOURCE_CHARS, compile_luau
from roblox.luau.diagnostics import MAX_DIAGNOSTICS, CompileResult, Diagnostic
from roblox.luau.scan import MAX_NESTING_DEPTH, nesting_depth

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
