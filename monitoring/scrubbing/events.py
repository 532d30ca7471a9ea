"""Error and transaction events, field by field: each part of an event has its own rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from monitoring.scrubbing.keys import SENSITIVE, classify_key
from monitoring.scrubbing.messages import SQL_PARAMETER_KEYS, scrub_crumb, scrub_logentry
from monitoring.scrubbing.text import scrub_code, scrub_str
from monitoring.scrubbing.walk import filter_value, walk_pairs, walk_value

__all__ = [
    "scrub_event",
    "without_sql_parameters",
    "STRUCTURAL",
]

# Top-level event fields that carry no user data and that Sentry needs as they are.
STRUCTURAL = frozenset(
    {
        "event_id",
        "timestamp",
        "start_timestamp",
        "received",
        "platform",
        "sdk",
        "level",
        "release",
        "dist",
        "environment",
        "server_name",
        "type",
        "logger",
        "modules",
        "debug_meta",
        "measurements",
        "transaction_info",
        "_meta",
        "_metrics_summary",
        "_dropped_spans",
    }
)
_TRACE_IDS = frozenset({"trace_id", "span_id", "parent_span_id", "op", "status", "origin", "type"})
_SPAN_KEEP = frozenset(
    {
        "trace_id",
        "span_id",
        "parent_span_id",
        "op",
        "status",
        "origin",
        "start_timestamp",
        "timestamp",
        "same_process_as_parent",
        "exclusive_time",
        "hash",
        "measurements",
    }
)
_FRAME_KEEP = frozenset(
    {
        "filename",
        "abs_path",
        "function",
        "module",
        "lineno",
        "colno",
        "in_app",
        "package",
        "platform",
        "instruction_addr",
        "symbol",
        "symbol_addr",
        "image_addr",
    }
)
_USER_PII = frozenset({"username", "email", "ip_address", "name", "geo"})
_REQUEST_KEEP = frozenset({"method", "inferred_content_type", "api_target"})


def _scrub_request(request: Any, pii: bool) -> Any:
    if not isinstance(request, Mapping):
        return walk_value(request, pii)
    out: dict[str, Any] = {}
    for key, value in request.items():
        if key in _REQUEST_KEEP:
            out[key] = value
        elif key in ("headers", "cookies", "query_string", "data"):
            out[key] = scrub_str(value, pii) if type(value) is str else walk_pairs(value, pii)
        elif key == "env":
            env = walk_pairs(value, pii)
            if not pii and isinstance(env, dict):
                env.pop("REMOTE_ADDR", None)  # relay removes it; "[Filtered]" would be noise
            out[key] = env
        else:
            kind = classify_key(str(key), pii)
            out[key] = walk_value(value, pii, 1) if not kind else filter_value(value, kind, pii, 1)
    return out


def _scrub_user(user: Any, pii: bool) -> Any:
    if not isinstance(user, Mapping):
        return walk_value(user, pii)
    out: dict[str, Any] = {}
    for key, value in user.items():
        if not pii and key in _USER_PII:
            continue
        if key == "id":
            out[key] = walk_value(value, pii, 1)
            continue
        kind = classify_key(str(key), pii)
        out[key] = walk_value(value, pii, 1) if not kind else filter_value(value, kind, pii, 1)
    return out


def _scrub_frames(stacktrace: Any, pii: bool) -> Any:
    if not isinstance(stacktrace, Mapping):
        return walk_value(stacktrace, pii)
    out = dict(stacktrace)
    frames = stacktrace.get("frames")
    if isinstance(frames, list):
        out["frames"] = [_scrub_frame(frame, pii) for frame in frames]
    for key in out:
        if key != "frames":
            out[key] = walk_value(out[key], pii, 1)
    return out


# Frames of the database layer: their locals hold a statement's parameters under many names
# (``params``, ``param_list``, ``args``, a compiled query), which are a person's data (a username
# in a login lookup: ``"params": ["'leo'"]``). With PII off their locals are not sent.
_DATABASE_MODULES = (
    "django.db.",
    "psycopg.",
    "psycopg2.",
    "psycopg_pool.",
    "sqlite3.",
    "sentry_sdk.tracing_utils",
    "sentry_sdk.integrations.django",
)


def _database_frame(frame: Mapping[str, Any]) -> bool:
    module = frame.get("module")
    return isinstance(module, str) and (module + ".").startswith(_DATABASE_MODULES)


def _scrub_frame(frame: Any, pii: bool) -> Any:
    if not isinstance(frame, Mapping):
        return walk_value(frame, pii)
    out: dict[str, Any] = {}
    database = not pii and _database_frame(frame)
    for key, value in frame.items():
        if key == "vars" and database:
            continue
        if key in _FRAME_KEEP:
            out[key] = value
        elif key == "context_line":
            out[key] = scrub_code(value)
        elif key in ("pre_context", "post_context") and isinstance(value, list):
            out[key] = [scrub_code(line) for line in value]
        elif key == "vars":
            out[key] = walk_pairs(value, pii)
        else:
            out[key] = walk_value(value, pii, 1)
    return out


def _scrub_exception_value(value: Any, pii: bool) -> Any:
    if not isinstance(value, Mapping):
        return walk_value(value, pii)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in ("type", "module", "thread_id", "mechanism"):
            out[key] = item
        elif key == "stacktrace":
            out[key] = _scrub_frames(item, pii)
        else:
            out[key] = walk_value(item, pii, 1)
    return out


def _scrub_values(container: Any, pii: bool, scrub_one: Callable[[Any, bool], Any]) -> Any:
    """``{"values": [...]}`` (exceptions, threads, breadcrumbs) or a bare list."""
    if isinstance(container, list):
        return [scrub_one(item, pii) for item in container]
    if isinstance(container, Mapping):
        out = dict(container)
        if isinstance(container.get("values"), list):
            out["values"] = [scrub_one(item, pii) for item in container["values"]]
        return out
    return walk_value(container, pii)


def _scrub_thread(thread: Any, pii: bool) -> Any:
    if not isinstance(thread, Mapping):
        return walk_value(thread, pii)
    out = {key: walk_value(value, pii, 1) for key, value in thread.items() if key != "stacktrace"}
    if "stacktrace" in thread:
        out["stacktrace"] = _scrub_frames(thread["stacktrace"], pii)
    return out


def _scrub_contexts(contexts: Any, pii: bool) -> Any:
    if not isinstance(contexts, Mapping):
        return walk_value(contexts, pii)
    out: dict[str, Any] = {}
    for name, context in contexts.items():
        if not isinstance(context, Mapping):
            out[name] = walk_value(context, pii, 1)
            continue
        if classify_key(str(name), pii) == SENSITIVE:  # set_context("credentials", {...})
            out[name] = {
                key: value if key == "type" else filter_value(value, SENSITIVE, pii, 2)
                for key, value in context.items()
            }
            continue
        scrubbed: dict[str, Any] = {}
        for key, value in context.items():
            if key in _TRACE_IDS or (name == "trace" and key == "dynamic_sampling_context"):
                scrubbed[key] = value
            elif name == "trace" and key == "data":
                scrubbed[key] = walk_pairs(value, pii)
            else:
                kind = classify_key(str(key), pii)
                scrubbed[key] = (
                    walk_value(value, pii, 2) if not kind else filter_value(value, kind, pii, 2)
                )
        out[name] = scrubbed
    return out


def _scrub_span(span: Any, pii: bool) -> Any:
    if not isinstance(span, Mapping):
        return walk_value(span, pii)
    out: dict[str, Any] = {}
    for key, value in span.items():
        if key in _SPAN_KEEP:
            out[key] = value
        elif key == "data" and not pii and isinstance(value, Mapping):
            out[key] = walk_pairs(without_sql_parameters(value), pii)
        elif key in ("data", "tags"):
            out[key] = walk_pairs(value, pii)
        else:
            out[key] = walk_value(value, pii, 1)
    return out


def without_sql_parameters(data: Mapping[str, Any]) -> dict[str, Any]:
    """Span or breadcrumb data without the statement's parameters (with PII off)."""
    return {key: value for key, value in data.items() if key not in SQL_PARAMETER_KEYS}


def _generic_field(value: Any, pii: bool) -> Any:
    return walk_pairs(value, pii)


_FIELD_SCRUBBERS: dict[str, Callable[[Any, bool], Any]] = {
    "request": _scrub_request,
    "user": _scrub_user,
    "exception": lambda value, pii: _scrub_values(value, pii, _scrub_exception_value),
    "threads": lambda value, pii: _scrub_values(value, pii, _scrub_thread),
    "stacktrace": _scrub_frames,
    "breadcrumbs": lambda value, pii: _scrub_values(value, pii, scrub_crumb),
    "logentry": scrub_logentry,
    "contexts": _scrub_contexts,
    "spans": lambda value, pii: (
        [_scrub_span(span, pii) for span in value]
        if isinstance(value, list)
        else walk_value(value, pii)
    ),
}


def scrub_event(event: Any, pii: bool) -> Any:
    """An error or transaction event scrubbed field by field (each field's rules in
    ``_FIELD_SCRUBBERS``); ``None`` when it is not a dict. May raise: the hooks catch."""
    if not isinstance(event, dict):
        return None
    for key in list(event):
        if key in STRUCTURAL:
            continue
        try:
            event[key] = _FIELD_SCRUBBERS.get(key, _generic_field)(event[key], pii)
        except Exception:
            event.pop(key, None)  # never send a field we could not scrub
    return event
