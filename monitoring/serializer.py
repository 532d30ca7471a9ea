"""A sampled transaction's serialisation, without the SDK's general-purpose walk when it can.

Before ``before_send_transaction`` the SDK passes every event through
``sentry_sdk.serializer.serialize``: a walk that, for each value, tracks its path and ancestors,
asks whether it lies in a "databag" to trim, looks for repr processors and ``__sentry_repr__``,
and truncates strings. It is built for what an error carries (frames' locals: any object at any
depth) and costs 2-4 µs a value; a transaction holds ~60 plain values (strings, numbers, the two
timestamps): ~140 µs for the ``/sentry/status`` transaction, warm, a quarter of what a sampled
request adds to its thread. The copy below: ~20 µs.

:func:`serialize` copies a transaction whose every value is already plain JSON (``dict`` with
``str`` keys, ``list``, ``tuple``, text, numbers (finite floats), booleans, ``None``; subclasses
of ``str`` and ``int``, such as the SDK's ``TransactionSource``, kept as the SDK keeps them) or a
``datetime``, within the SDK's limits (databag depth and breadth, ``max_value_length``) and which
no repr processor claims (DjangoIntegration registers one for QuerySets; the SDK asks them about
each value in a databag or a span's data): for such an event the SDK's serializer would return
exactly this copy, with no ``_meta``. Anything else (an error event, a value of another type,
something the SDK would trim, annotate or repr) goes to the SDK's serializer, unchanged.
``tests/monitoring/test_serializer.py`` holds the two to the same output.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import sentry_sdk.client
from sentry_sdk import serializer as sdk_serializer
from sentry_sdk.utils import format_timestamp

sdk_serialize = sdk_serializer.serialize

# Deeper than any transaction nests; a cycle (which the SDK marks "<cyclic>") gets there too.
MAX_NESTING = 64


class _NotPlain(Exception):
    """This event needs the SDK's serializer."""


def serialize(event: Any, **kwargs: Any) -> Any:
    """``sentry_sdk.serializer.serialize`` for ``sentry_sdk.client``: see the module docstring."""
    if type(event) is dict and event.get("type") == "transaction" and not kwargs.get("is_vars"):
        try:
            return _transaction(
                event,
                kwargs.get("max_value_length"),
                kwargs.get("max_request_body_size") == "always",
            )
        except Exception:  # _NotPlain, or anything unforeseen: the SDK's walk decides
            pass
    return sdk_serialize(event, **kwargs)


def install() -> None:
    """Serialise the client's events through :func:`serialize` (idempotent)."""
    sentry_sdk.client.serialize = serialize


def _transaction(event: dict[str, Any], max_length: int | None, keep_bodies: bool) -> Any:
    # Where the SDK trims (its _is_databag): "extra", a request's "data" (unless bodies are
    # kept whole), each breadcrumb. Transactions carry no breadcrumbs: leave any to the SDK.
    # Where it asks the repr processors: databags and each span's "data".
    processors = tuple(sdk_serializer.global_repr_processors)
    limits = (sdk_serializer.MAX_DATABAG_DEPTH, sdk_serializer.MAX_DATABAG_BREADTH)
    copy: dict[str, Any] = {}
    for key, value in event.items():
        if type(key) is not str or key == "breadcrumbs":
            raise _NotPlain
        if key == "extra":
            copy[key] = _plain(value, max_length, *limits, 1, processors)
        elif key == "request" and value is not None:
            copy[key] = _fields(
                value, "data", max_length, (None, None) if keep_bodies else limits, processors
            )
        elif key == "spans" and value is not None:
            if type(value) is not list:
                raise _NotPlain
            copy[key] = [
                _fields(span, "data", max_length, (None, None), processors) for span in value
            ]
        else:
            copy[key] = _plain(value, max_length, None, None, 1, ())
    return copy


def _fields(
    value: Any,
    special: str,
    max_length: int | None,
    limits: tuple[int | None, int | None],
    processors: tuple[Any, ...],
) -> dict[str, Any]:
    """A copy of the dict ``value`` whose ``special`` field is a databag or attributes."""
    if type(value) is not dict:
        raise _NotPlain
    copy: dict[str, Any] = {}
    for name, item in value.items():
        if type(name) is not str:
            raise _NotPlain
        if name == special:
            copy[name] = _plain(item, max_length, *limits, 3, processors)
        else:
            copy[name] = _plain(item, max_length, None, None, 3, ())
    return copy


def _plain(
    value: Any,
    max_length: int | None,
    room: int | None,
    breadth: int | None,
    nesting: int,
    processors: tuple[Any, ...],
) -> Any:
    """A copy of ``value`` if it is plain. ``room``: the databag depth left (None: no limit);
    ``processors``: the repr processors the SDK would ask about it (any claim: not plain)."""
    if room is not None and room <= 0:
        raise _NotPlain
    for processor in processors:
        if processor(value, {"memo": None, "remaining_depth": room}) is not NotImplemented:
            raise _NotPlain
    kind = type(value)
    # Text, and a str subclass without a __sentry_repr__ (the SDK's TransactionSource enum),
    # kept as it is, as the SDK keeps it.
    if kind is str or (isinstance(value, str) and not hasattr(kind, "__sentry_repr__")):
        if max_length is not None and value and _longer(value, max_length):
            raise _NotPlain
        return value
    if kind is int or kind is bool or value is None:
        return value
    if isinstance(value, (int, float)):  # bool too; subclasses such as IntEnum, kept as they are
        if isinstance(value, float) and not math.isfinite(value):
            raise _NotPlain
        return value
    if kind is dict or kind is list or kind is tuple:
        if nesting >= MAX_NESTING or (breadth is not None and len(value) > breadth):
            raise _NotPlain
        inner = None if room is None else room - 1
        if kind is dict:
            copy = {}
            for key, item in value.items():
                if type(key) is not str:
                    raise _NotPlain
                copy[key] = _plain(item, max_length, inner, breadth, nesting + 1, processors)
            return copy
        return [_plain(item, max_length, inner, breadth, nesting + 1, processors) for item in value]
    if kind is datetime:
        return format_timestamp(value)
    raise _NotPlain


def _longer(text: str, max_length: int) -> bool:
    """Whether ``strip_string`` would truncate ``text``."""
    if len(text) > max_length:
        return True
    try:
        return len(text.encode("utf-8")) > max_length
    except UnicodeEncodeError:
        return False
