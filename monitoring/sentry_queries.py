"""SQL queries in Sentry: spans when a request is traced, otherwise breadcrumbs made for errors.

sentry-sdk's Django hook makes, for every query, a breadcrumb (through ``before_breadcrumb``,
which scrubs the SQL) and a span (a forked scope, a Span object, the database's details), whether
or not the request's transaction will be sent. Nine requests in ten are not traced, and nearly
every request that is not traced sends nothing at all: on the lessons list that was about half of
Sentry's cost per unsampled request (bench/README.md).

So, inside a request whose transaction is not sampled (:func:`untraced_queries`), a query is only
noted: its SQL text, whether it was an ``executemany``, and when. If the request then makes an
event (an error), :func:`query_crumbs` turns the notes into the breadcrumbs the SDK would have
made, each passed through ``before_breadcrumb`` as the SDK would; the request's event processor
merges them into the event in time order. Everywhere else (sampled requests, Celery tasks, socket
messages, commands, and whenever query parameters are collected) the SDK's hook runs as it did.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import sentry_sdk
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from sentry_sdk.tracing_utils import _format_sql

CATEGORY = "query"

# A query's note: (time.time(), SQL text, executemany); SQL None for a new connection.
Note = tuple[float, str | None, bool]

_notes: ContextVar[deque[Note] | None] = ContextVar("toolbox_untraced_queries", default=None)


def max_breadcrumbs() -> int:
    """As many breadcrumbs as an event carries (the client's option; the SDK's default 100)."""
    return sentry_sdk.get_client().options.get("max_breadcrumbs") or 100


def new_notes() -> deque[Note]:
    """Room for as many queries as an event could carry breadcrumbs (the newest are kept)."""
    return deque(maxlen=max_breadcrumbs())


def notes_wanted() -> bool:
    """Whether queries may be noted instead of recorded: not when their parameters are
    collected (``data_collection.database_query_data``, with PII on), which the notes omit."""
    collection = sentry_sdk.get_client().options.get("data_collection") or {}
    return not collection.get("database_query_data")


@contextmanager
def untraced_queries(notes: deque[Note] | None) -> Iterator[None]:
    """Within: this context's queries are noted in ``notes``, not made spans and breadcrumbs
    (nothing changes for ``notes`` None, or when query parameters are collected)."""
    if notes is None or not notes_wanted():
        yield
        return
    token = _notes.set(notes)
    try:
        yield
    finally:
        _notes.reset(token)


Hooks = tuple[Any, Any, Any]


def django_hooks() -> Hooks:
    """Django's query methods as they are now (take them before the SDK wraps them)."""
    return CursorWrapper.execute, CursorWrapper.executemany, BaseDatabaseWrapper.connect


def install(real: Hooks) -> None:
    """Wrap the SDK's query hooks, just installed by DjangoIntegration.setup_once, so that noted
    queries bypass them; ``real`` is :func:`django_hooks` from before the SDK's."""
    real_execute, real_executemany, real_connect = real
    sdk_execute, sdk_executemany, sdk_connect = django_hooks()

    def execute(self: CursorWrapper, sql: Any, params: Any = None) -> Any:
        notes = _notes.get()
        if notes is None:
            return sdk_execute(self, sql, params)
        notes.append((time.time(), sql if type(sql) is str else _formatted(self, sql), False))
        return real_execute(self, sql, params)

    def executemany(self: CursorWrapper, sql: Any, param_list: Any) -> Any:
        notes = _notes.get()
        if notes is None:
            return sdk_executemany(self, sql, param_list)
        notes.append((time.time(), sql if type(sql) is str else _formatted(self, sql), True))
        return real_executemany(self, sql, param_list)

    def connect(self: BaseDatabaseWrapper) -> None:
        notes = _notes.get()
        if notes is None:
            return sdk_connect(self)
        notes.append((time.time(), None, False))
        return real_connect(self)

    CursorWrapper.execute = execute
    CursorWrapper.executemany = executemany
    BaseDatabaseWrapper.connect = connect


def _formatted(cursor_wrapper: CursorWrapper, sql: Any) -> str:
    # A composed statement (psycopg's sql.SQL): rendered now, while its cursor is open.
    try:
        return _format_sql(cursor_wrapper.cursor, sql) or "<unknown SQL query>"
    except Exception:
        return "<unknown SQL query>"


def query_crumb(note: Note) -> dict[str, Any]:
    """The breadcrumb the SDK's hook makes for a query (or, SQL None, a new connection)."""
    at, sql, many = note
    crumb: dict[str, Any] = {"category": CATEGORY, "type": "default"}
    if sql is None:
        crumb["message"] = "connect"
    else:
        crumb["message"] = sql
        crumb["data"] = {"db.executemany": True} if many else {}
    crumb["timestamp"] = datetime.fromtimestamp(at, UTC)
    return crumb


def query_crumbs(notes: deque[Note]) -> list[dict[str, Any]]:
    """The notes as breadcrumbs, each through ``before_breadcrumb`` as the SDK would pass it."""
    before = sentry_sdk.get_client().options.get("before_breadcrumb")
    crumbs = []
    for note in list(notes):
        crumb: dict[str, Any] | None = query_crumb(note)
        if before is not None:
            crumb = before(crumb, {})
        if crumb is not None:
            crumbs.append(crumb)
    return crumbs
