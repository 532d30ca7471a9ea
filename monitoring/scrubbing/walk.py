"""Scrubbing any JSON-like structure, by key and by value, recursively."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Mapping
from typing import Any

from monitoring.scrubbing.keys import _NOT_SENSITIVE, _USAGE_FIGURE, _classify_key
from monitoring.scrubbing.patterns import _MIN_SECRET_LENGTH, _NUMBER, FILTERED
from monitoring.scrubbing.text import _scrub_text

_MAX_DEPTH = 40  # deeper than any real event; also stops cycles in ``scrub``

_PLAIN_SCALARS = (int, float, bool, type(None))
_OPAQUE = (datetime.datetime, datetime.date, datetime.time, datetime.timedelta, decimal.Decimal)


def _walk(value: Any, pii: bool, depth: int = 0) -> Any:
    kind = type(value)
    if kind is str:
        return _scrub_text(value, pii)
    if kind in _PLAIN_SCALARS:
        return value
    if depth > _MAX_DEPTH:
        return FILTERED
    if isinstance(value, Mapping):
        return _walk_mapping(value, pii, depth + 1)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_walk(item, pii, depth + 1) for item in value]
        return tuple(items) if kind is tuple else items
    if isinstance(value, str):
        return _scrub_text(str(value), pii)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return _scrub_text(bytes(value).decode("utf-8", "replace"), pii)
    if isinstance(value, _OPAQUE) or isinstance(value, uuid.UUID):
        return value
    # Anything else would be repr()'d by the SDK later: scrub that repr now.
    return _scrub_text(_safe_repr(value), pii)


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:
        return FILTERED


def _walk_mapping(mapping: Mapping[Any, Any], pii: bool, depth: int) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for key, value in mapping.items():
        if type(key) is str:
            kind = _classify_key(key, pii)
            if len(key) >= _MIN_SECRET_LENGTH:
                key = _scrub_text(key, pii)  # {"ada@example.org": 3}: keys can carry data too
        else:
            kind = _classify_key(str(key), pii)
        if kind == _NOT_SENSITIVE:
            out[key] = _walk(value, pii, depth)
        else:
            out[key] = _filtered(value, kind, pii, depth)
    return out


def _filtered(value: Any, kind: int, pii: bool, depth: int) -> Any:
    """The value under a sensitive key: filtered, except booleans, None and usage figures."""
    if value is None or type(value) is bool:
        return value
    if kind == _USAGE_FIGURE:
        if type(value) in (int, float):
            return value
        if type(value) is str and _NUMBER.fullmatch(value):
            return value
        if isinstance(value, Mapping) and depth <= _MAX_DEPTH:
            return _walk_mapping(value, pii, depth + 1)
        if type(value) in (list, tuple) and depth <= _MAX_DEPTH:
            return [_filtered(item, kind, pii, depth + 1) for item in value]
    return FILTERED


def _walk_pairs(value: Any, pii: bool) -> Any:
    """Headers, cookies, query parameters, tags, env: a mapping or a list of ``[key, value]``."""
    if isinstance(value, Mapping):
        return _walk_mapping(value, pii, 1)
    if isinstance(value, (list, tuple)):
        out: list[Any] = []
        for item in value:
            if isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str):
                kind = _classify_key(item[0], pii)
                scrubbed = _walk(item[1], pii, 2) if not kind else _filtered(item[1], kind, pii, 2)
                out.append([item[0], scrubbed])
            else:
                out.append(_walk(item, pii, 1))
        return out
    return _walk(value, pii)


def scrub(value: Any, *, pii: bool) -> Any:
    """A scrubbed copy of any JSON-like structure (by key and by value, recursively).

    Never raises: if scrubbing fails, the whole value becomes ``[Filtered]``.
    """
    try:
        return _walk(value, pii)
    except Exception:
        return FILTERED
