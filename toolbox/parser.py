"""Refuse, for every API operation at once, values that no column can hold.

PostgreSQL cannot store a NUL character in text, and no integer column holds more than 64 bits.
Such values pass a schema that does not look for them (a name may be any text, an offset any
non-negative number) and then make the database raise, which would answer 500.

``StorableJSONParser`` notes where they are while parsing the body and the query string (path
values are checked once Ninja has converted them); ``refuse_unstorable`` (an operation
decorator, so it runs after the schemas have validated the request, whose own messages come
first) answers 422 in Ninja's validation shape.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.errors import ValidationError
from ninja.parser import Parser

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
NUL_TEXT = "text must not contain NUL characters"
INT_TOO_BIG = "integers must fit in 64 bits"
_INTEGER = re.compile(r"\s*[+-]?(\d+)\s*")
_PROBLEMS = "_toolbox_unstorable"


def unstorable(value: Any, loc: list[Any]) -> list[tuple[list[Any], str]]:
    """Where in ``value`` (parsed JSON) something cannot be stored, and why. Walks without
    recursion: a body may be as deep as the JSON decoder allows."""
    problems = []
    pending = [(value, loc)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                problems.append((where, NUL_TEXT))
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                problems.append((where, INT_TOO_BIG))
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and "\x00" in key:
                    problems.append((where, NUL_TEXT))
                pending.append((child, [*where, key]))
        elif isinstance(item, list):
            pending.extend((child, [*where, index]) for index, child in enumerate(item))
    return problems


def _unstorable_text(value: Any, loc: list[Any]) -> list[tuple[list[Any], str]]:
    """Query values are text; one that reads as an integer must fit in 64 bits too."""
    if not isinstance(value, str):
        return []
    problems = unstorable(value, loc)
    match = _INTEGER.fullmatch(value)
    # len() first: int() refuses thousands of digits with an error of its own.
    if match and (len(match.group(1).lstrip("0")) > 19 or unstorable(int(value), loc)):
        problems.append((loc, INT_TOO_BIG))
    return problems


def _note(request: HttpRequest, problems: list[tuple[list[Any], str]]) -> None:
    if problems:
        noted = getattr(request, _PROBLEMS, [])
        setattr(request, _PROBLEMS, noted + problems)


class StorableJSONParser(Parser):
    """Ninja's JSON parser, noting the values that no column can hold."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        _note(request, unstorable(data, ["body"]))
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        problems = []
        for key, values in data.lists():
            for value in [key, *values]:
                problems += _unstorable_text(value, ["query", key])
        _note(request, problems)
        return super().parse_querydict(data, list_fields, request)


def _refuse(request: HttpRequest, values: dict[str, Any]) -> None:
    problems = list(getattr(request, _PROBLEMS, ()))
    # Path values come from the URL resolver, not the parser: an id beyond 64 bits is a client
    # error (422) like the same id in a body, not a "not found".
    match = request.resolver_match
    for name in match.kwargs if match else ():
        value = values.get(name)
        if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
            problems.append((["path", name], INT_TOO_BIG))
    if problems:
        raise ValidationError(
            [
                {"type": "value_error", "loc": loc, "msg": f"Value error, {msg}"}
                for loc, msg in problems
            ]
        )


def refuse_unstorable(view_func: Callable) -> Callable:
    """Operation decorator: 422 for a request whose parser noted unstorable values."""
    if iscoroutinefunction(view_func):

        @functools.wraps(view_func)
        async def async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            _refuse(request, kwargs)
            return await view_func(request, *args, **kwargs)

        return async_view

    @functools.wraps(view_func)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        _refuse(request, kwargs)
        return view_func(request, *args, **kwargs)

    return view
