"""monitoring.scrubbing ``scrub``: nested data, frames and contexts.

Part of "nothing secret (nor, with PII off, personal) leaves the process": ``scrub`` returns a new
structure and leaves its input alone, catches nested and partial keys, never raises on odd
values (cycles, depth, bytes, objects whose repr fails), filters a whole value it cannot scrub
and remembers only clean strings; a frame's source lines lose secrets only, and a context named
like a secret is filtered whole.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from monitoring.scrubbing import FILTERED, before_send, scrub
from monitoring.scrubbing import text as scrubbing_text
from monitoring.scrubbing import walk as scrubbing_walk
from tests.support.scrubbing import (
    ACCESS_TOKEN,
    BEARER,
    EMAIL,
    OPENAI_KEY,
    PASSWORD,
    PERSONAL,
    SECRETS,
    TEXT,
    leaked,
    secret_dict,
)

# --- scrub ----------------------------------------------------------------------------------------


def test_scrub__returns_a_new_structure_and_leaves_the_input_alone():
    data = {"user": {"password": PASSWORD}, "items": [{"token": "x"}], "pair": ("a", "b")}
    original = copy.deepcopy(data)
    result = scrub(data, pii=False)
    assert data == original
    assert result == {
        "user": {"password": FILTERED},
        "items": [{"token": FILTERED}],
        "pair": ("a", "b"),
    }
    assert result["user"] is not data["user"]


def test_scrub__catches_nested_and_partial_keys():
    result = scrub(secret_dict(), pii=False)
    assert leaked(result, SECRETS | PERSONAL) == []
    assert result["user"]["role"] == "teacher"
    assert result["lesson"] == "Fractions 101"
    assert result["payment"]["amount"] == 12


def test_scrub__with_pii_on_keeps_personal_data_but_not_secrets():
    result = scrub(secret_dict(), pii=True)
    assert leaked(result, SECRETS) == []
    assert leaked(result, PERSONAL) == list(PERSONAL)


class Unrepresentable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class Holder:
    def __repr__(self) -> str:
        return f"Holder(password={PASSWORD!r})"


def test_scrub__never_raises_on_odd_values():
    cyclic: dict[str, Any] = {"a": 1}
    cyclic["self"] = cyclic
    deep: Any = "x"
    for _ in range(200):
        deep = [deep]
    result = scrub(
        {
            "cyclic": cyclic,
            "deep": deep,
            "bytes": f"password={PASSWORD}".encode(),
            "object": Holder(),
            "broken": Unrepresentable(),
            3: {"token": "abc"},
        },
        pii=False,
    )
    assert PASSWORD not in json.dumps(result, default=str)
    assert result["broken"] == FILTERED
    assert result[3] == {"token": FILTERED}


def test_scrub__whole_value_filtered_if_scrubbing_fails(monkeypatch):
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(scrubbing_walk, "walk_value", explode)
    assert scrub({"a": 1}, pii=False) == FILTERED


def test_scrub__dict_keys_are_scrubbed_by_value_too():
    assert scrub({EMAIL: 3, "lesson": 1}, pii=False) == {FILTERED: 3, "lesson": 1}
    assert scrub({EMAIL: 3}, pii=True) == {EMAIL: 3}


def test_scrub__remembers_only_clean_strings():
    scrub({"message": TEXT, "lines": [TEXT[:200], f"token={ACCESS_TOKEN}"]}, pii=False)
    pii_off, pii_on, code = (sorted(clean) for clean in scrubbing_text._CLEAN)
    assert leaked([pii_off, pii_on, code], SECRETS) == []
    assert leaked(pii_off, PERSONAL) == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('    password = form.cleaned_data["password"]', None),
        ("    if user.email == email:", None),
        ("    client = Client(ip='127.0.0.1')", None),
        (f'    API_KEY = "{OPENAI_KEY}"', '    API_KEY = "[Filtered]"'),
        ('    password = "hunter2"', '    password = "[Filtered]"'),
        (
            f"    headers = {{'Authorization': 'Bearer {BEARER}'}}",
            "    headers = {'Authorization': '[Filtered]'}",
        ),
    ],
)
def test_scrub_frame__source_lines_lose_secrets_only(line, expected):
    event = {"stacktrace": {"frames": [{"function": "f", "context_line": line}]}}
    result = before_send(event, {}, pii=False)
    assert result["stacktrace"]["frames"][0]["context_line"] == (expected or line)


def test_scrub_contexts__a_context_named_like_a_secret_is_filtered_whole():
    event = {"contexts": {"credentials": {"type": "credentials", "value": "plain", "n": 3}}}
    result = before_send(event, {}, pii=False)
    assert result["contexts"]["credentials"] == {
        "type": "credentials",
        "value": FILTERED,
        "n": FILTERED,
    }
