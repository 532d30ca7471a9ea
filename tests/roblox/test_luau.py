"""Tests for the tree-sitter based Luau syntax checker (no Django needed)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from roblox.luau import (
    MAX_DIAGNOSTICS,
    MAX_NESTING_DEPTH,
    MAX_SOURCE_CHARS,
    CompileResult,
    Diagnostic,
    compile_luau,
)
from tests.support.cost import cpu_seconds

VALID_SNIPPETS = {
    "typed function": ("local function add(a: number, b: number): number\n\treturn a + b\nend\n"),
    "compound assignment": "local score = 0\nscore += 10\nscore -= 1\nscore *= 2\nscore ..= ''\n",
    "continue": "for i = 1, 10 do\n\tif i % 2 == 0 then\n\t\tcontinue\n\tend\n\tprint(i)\nend\n",
    "string interpolation": "local name = 'Ada'\nprint(`Hello, {name}! You have {1 + 2} points`)\n",
    "generic types": (
        "type Map<K, V> = { [K]: V }\n"
        "local function identity<T>(value: T): T\n\treturn value\nend\n"
    ),
    "typed empty table": "local x: {number} = {}\n",
    "roblox service code": (
        "--!strict\n"
        'local Players = game:GetService("Players")\n'
        "Players.PlayerAdded:Connect(function(player: Player)\n"
        '\tlocal leaderstats = Instance.new("Folder")\n'
        '\tleaderstats.Name = "leaderstats"\n'
        "\tleaderstats.Parent = player\n"
        "end)\n"
    ),
    "if expression and casts": "local n = if flag then 1 else 2\nlocal m = (n :: any) :: number\n",
    "export type and optional": "export type Point = { x: number, y: number? }\n",
    "methods and varargs": (
        "local Obj = {}\nObj.__index = Obj\n"
        "function Obj.new(...: number)\n\treturn setmetatable({ values = { ... } }, Obj)\nend\n"
        "function Obj:sum(): number\n\tlocal total = 0\n"
        "\tfor _, v in self.values do\n\t\ttotal += v\n\tend\n\treturn total\nend\n"
    ),
    "repeat until and while": (
        "local i = 0\nrepeat\n\ti += 1\nuntil i >= 3\nwhile i > 0 do\n\ti -= 1\nend\n"
    ),
    "comments and long strings": "--[[ block\ncomment ]]\nlocal s = [[long\nstring]] -- tail\n",
    "unicode": "local greeting = 'héllo wörld ✓'\nprint(greeting)\n",
}


@pytest.mark.parametrize("source", VALID_SNIPPETS.values(), ids=VALID_SNIPPETS.keys())
def test_valid_luau_is_ok(source: str) -> None:
    result = compile_luau(source)
    assert result.ok, result.diagnostics
    assert result.diagnostics == ()


@pytest.mark.parametrize("source", ["", "\n\n", "   ", "-- only a comment\n", "--!strict\n"])
def test_empty_or_comment_only_source_is_ok(source: str) -> None:
    assert compile_luau(source) == CompileResult(ok=True, diagnostics=())


BROKEN_SNIPPETS = [
    # (id, source, expected line of the first diagnostic, substring of its message)
    ("missing end", "local x = 1\nlocal function f()\n\tprint(1)\n", 2, "missing 'end'"),
    ("missing end of if", "if ready then\n\tprint(1)\nlocal y = 2\n", 1, "missing 'end'"),
    ("missing until", "repeat\n\tx = 1\n", 1, "missing 'until'"),
    ("unbalanced parens", "local a = 1\nprint((a + 2)\nlocal b = 3\n", 2, "missing ')'"),
    ("local without a name", "local ok = 1\nlocal = 5\n", 2, "missing identifier"),
    ("stray paren", "local a = 1\nprint(a))\n", 2, "near ')'"),
    ("stray end", "local a = 1\nlocal b = 2 end\n", 2, "near 'end'"),
    ("double equals", "local a = 1\n\na = = 2\n", 3, "syntax error"),
    ("unfinished string", 'local a = 1\nprint("abc)\n', 2, "unfinished string"),
    ("unclosed table", "local t = {\n\ta = 1,\n\tb = 2,\n", 1, "missing '}'"),
    ("reserved word as name", "local a = 1\nlocal end = 2\n", 2, "reserved word 'end'"),
]


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [case[1:] for case in BROKEN_SNIPPETS],
    ids=[case[0] for case in BROKEN_SNIPPETS],
)
def test_broken_luau_reports_line(source: str, line: int, fragment: str) -> None:
    result = compile_luau(source)
    assert not result.ok
    assert result.diagnostics, "a failed compile must say why"
    first = result.diagnostics[0]
    assert first.line == line, result.diagnostics
    assert fragment in first.message, result.diagnostics
    assert first.column >= 1


def test_missing_end_names_the_opening_block() -> None:
    result = compile_luau("function outer()\n\tif x then\n\t\tprint(1)\n\tend\n")
    assert not result.ok
    assert result.diagnostics[0] == Diagnostic(1, 1, "missing 'end' to close 'function' at line 1")


def test_columns_are_one_based_characters() -> None:
    # "é" is two bytes in UTF-8; columns count characters, so the stray ")" is at column 23.
    result = compile_luau('local s = "é" print(s))')
    assert not result.ok
    assert (result.diagnostics[0].line, result.diagnostics[0].column) == (1, 23)
    assert compile_luau("local = 1").diagnostics[0].column == 6


def test_diagnostics_are_sorted_and_capped() -> None:
    source = "\n".join("local = 1" for _ in range(MAX_DIAGNOSTICS * 3))
    result = compile_luau(source)
    assert not result.ok
    assert 1 <= len(result.diagnostics) <= MAX_DIAGNOSTICS
    positions = [(d.line, d.column) for d in result.diagnostics]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)


def test_several_independent_errors_are_reported() -> None:
    source = "local a = 1\nprint((a)\nlocal b = 2\nlocal = 3\n"
    lines = [d.line for d in compile_luau(source).diagnostics]
    assert 2 in lines and 4 in lines


def test_huge_source_is_rejected_without_parsing() -> None:
    result = compile_luau("local x = 1\n" * (MAX_SOURCE_CHARS // 12 + 1))
    assert not result.ok
    assert len(result.diagnostics) == 1
    assert result.diagnostics[0].line == 1
    assert "source too large" in result.diagnostics[0].message


def test_source_at_the_limit_is_parsed() -> None:
    source = ("-" * (MAX_SOURCE_CHARS - 1)) + "\n"
    assert len(source) == MAX_SOURCE_CHARS
    assert compile_luau(source).ok


def test_non_string_source_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        compile_luau(b"local x = 1")  # type: ignore[arg-type]


def test_to_dict_shape_is_json_ready() -> None:
    ok = compile_luau("local x = 1\n").to_dict()
    assert ok == {"ok": True, "diagnostics": []}
    bad = compile_luau("local = 5\n").to_dict()
    assert set(bad) == {"ok", "diagnostics"}
    assert bad["ok"] is False
    assert bad["diagnostics"] == [{"line": 1, "column": 6, "message": "missing identifier"}]
    assert json.loads(json.dumps(bad)) == bad


def test_results_are_immutable() -> None:
    result = compile_luau("local = 5")
    with pytest.raises(AttributeError):
        result.ok = True  # type: ignore[misc]
    assert isinstance(result.diagnostics, tuple)


def test_parsing_is_thread_safe() -> None:
    sources = [
        VALID_SNIPPETS["generic types"],
        "local function f()\n\tprint(1)\n",
        VALID_SNIPPETS["string interpolation"],
        "local a = 1\nprint(a))\n",
    ] * 50
    expected = [compile_luau(source) for source in sources]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(compile_luau, sources))
    assert results == expected


# --- cost bounds: what an attacker can send costs a bounded amount of CPU -----------------------

ATTACKS = {
    "unclosed parentheses": "local x = " + "(" * 99_000,
    "unclosed blocks": "do " * 30_000,
    "unclosed tables": "local t = " + "{" * 99_000,
    "unclosed functions": "local f = " + "function() " * 9_000,
    "nested interpolation": "local s = " + "`{" * 49_000,
}


@pytest.mark.parametrize("source", ATTACKS.values(), ids=ATTACKS.keys())
def test_compile_luau__deep_nesting_is_refused_without_parsing(source: str) -> None:
    result, cpu = cpu_seconds(compile_luau, source)
    assert not result.ok
    [diagnostic] = result.diagnostics
    assert diagnostic.message.startswith("nesting too deep")
    assert diagnostic.line == 1
    # Found by the pre-scan after MAX_NESTING_DEPTH openers: far from the 40 s of the parse.
    assert cpu < 0.5


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("--[[" + "(" * 90_000, "unfinished long comment"),
        ("x = [==[" * 10_000, "unfinished long string"),
    ],
)
def test_compile_luau__unfinished_long_comment_is_refused_without_parsing(source, message) -> None:
    result, cpu = cpu_seconds(compile_luau, source)
    assert cpu < 0.5
    assert [d.message for d in result.diagnostics] == [message]


def test_compile_luau__nesting_up_to_the_limit_is_checked() -> None:
    inside = "local x = " + "(" * MAX_NESTING_DEPTH + "1" + ")" * MAX_NESTING_DEPTH + "\n"
    assert compile_luau(inside).ok
    over = "local x = " + "(" * (MAX_NESTING_DEPTH + 1) + "1" + ")" * (MAX_NESTING_DEPTH + 1)
    assert compile_luau(over).diagnostics[0].message.startswith("nesting too deep")


@pytest.mark.parametrize(
    "source",
    [
        "local n = if ready then 1 else 2\n" * 300,  # if-expressions have no ``end``
        "print(`a{b}c{ {1} }`)\n" * 300,
        "for i = 1, 2 do\n\twhile i do\n\t\trepeat\n\t\tuntil true\n\tend\nend\n" * 300,
        "local s = '" + "(" * 500 + "'\n-- " + "{" * 500 + "\n--[[ " + "do " * 500 + "]]\n",
        "local s = [==[" + "((( ]] " * 300 + "]==]\n",
    ],
    ids=["if expressions", "interpolation", "loops", "brackets in strings", "long string"],
)
def test_compile_luau__many_closed_blocks_and_quoted_brackets_are_not_nesting(source) -> None:
    result = compile_luau(source)
    assert result.ok, result.diagnostics


def test_compile_luau__the_time_budget_stops_the_check() -> None:
    source = "local x = 1\n" * (MAX_SOURCE_CHARS // 12)
    assert compile_luau(source).ok
    result = compile_luau(source, budget_seconds=0.0)
    assert [d.message for d in result.diagnostics] == ["too complex to check within 0 s"]
    assert compile_luau(source).ok  # the parser is left ready for the next check


def test_compile_luau__the_largest_generated_terrain_script_fits_and_compiles() -> None:
    from curriculum.terrain import TerrainParams, build_lua_script, generate_heightmap

    params = TerrainParams(size=128, seed=3, biome="mountains", water_level=0.0, max_height=512)
    source = build_lua_script(generate_heightmap(params), params)
    assert len(source) < MAX_SOURCE_CHARS
    assert compile_luau(source).ok
