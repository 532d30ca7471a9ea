"""Scrubbing any JSON-like structure, by key and by value, recursively."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Mapping
from typing import Any

from monitoring.scrubbing.keys import NOT_SENSITIVE, USAGE_FIGURE, classify_key
from monitoring.scrubbing.patterns import FILTERED, MIN_SECRET_LENGTH, NUMBER
from monitoring.scrubbing.text import scrub_str

__all__ = [
    "filter_value",
    "scrub",
    "walk_pairs",
    "walk_value",
]

_MAX_DEPTH = 40  # deeper than any real event; also stops cycles in ``scrub``

_PLAIN_SCALARS = (int, float, bool, type(None))
_OPAQUE = (datetime.datetime, datetime.date, datetime.time, datetime.timedelta, decimal.Decimal)


def walk_value(value: Any, pii: bool, depth: int = 0) -> Any:
    """``value`` scrubbed by key and by value, recursively: the hot path of :func:`scrub`, which
    adds the never-raise guard (this may raise; the package's callers catch)."""
    kind = type(value)
    if kind is str:
        return scrub_str(value, pii)
    if kind in _PLAIN_SCALARS:
        return value
    if depth > _MAX_DEPTH:
        return FILTERED
    if isinstance(value, Mapping):
        return _walk_mapping(value, pii, depth + 1)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [walk_value(item, pii, depth + 1) for item in value]
        return tuple(items) if kind is tuple else items
    if isinstance(value, str):
        return scrub_str(str(value), pii)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return scrub_str(bytes(value).decode("utf-8", "replace"), pii)
    if isinstance(value, _OPAQUE) or isinstance(value, uuid.UUID):
        return value
    # Anything else would be repr()'d by the SDK later: scrub that repr now.
    return scrub_str(_safe_repr(value), pii)


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:
        return FILTERED


def _walk_mapping(mapping: Mapping[Any, Any], pii: bool, depth: int) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for key, value in mapping.items():
        if type(key) is str:
            kind = classify_key(key, pii)
            if len(key) >= MIN_SECRET_LENGTH:
                key = scrub_str(key, pii)  # {"ada@example.org": 3}: keys can carry data too
        else:
            kind = classify_key(str(key), pii)
        if kind == NOT_SENSITIVE:
            out[key] = walk_value(value, pii, depth)
        else:
            out[key] = filter_value(value, kind, pii, depth)
    return out


def filter_value(value: Any, kind: int, pii: bool, depth: int) -> Any:
    """The value under a sensitive key: filtered, except booleans, None and usage figures."""
    if value is None or type(value) is bool:
        return value
    if kind == USAGE_FIGURE:
        if type(value) in (int, float):
            return value
        if type(value) is str and NUMBER.fullmatch(value):
            return value
        if isinstance(value, Mapping) and depth <= _MAX_DEPTH:
            return _walk_mapping(value, pii, depth + 1)
        if type(value) in (list, tuple) and depth <= _MAX_DEPTH:
            return [filter_value(item, kind, pii, depth + 1) for item in value]
    return FILTERED


def walk_pairs(value: Any, pii: bool) -> Any:
    """Headers, cookies, query parameters, tags, env: a mapping or a list of ``[key, value]``."""
    if isinstance(value, Mapping):
        return _walk_mapping(value, pii, 1)
    if isinstance(value, (list, tuple)):
        out: list[Any] = []
        for item in value:
            if isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str):
                kind = classify_key(item[0], pii)
                scrubbed = (
                    walk_value(item[1], pii, 2) if not kind else filter_value(item[1], kind, pii, 2)
                )
                out.append([item[0], scrubbed])
            else:
                out.append(walk_value(item, pii, 1))
        return out
    return walk_value(value, pii)


def scrub(value: Any, *, pii: bool) -> Any:
    """A scrubbed copy of any JSON-like structure (by key and by value, recursively).

    Never raises: if scrubbing fails, the whole value becomes ``[Filtered]``.
    """
    try:
        return walk_value(value, pii)
    except Exception:
        return FILTERED
