"""Error and transaction events, field by field: each part of an event has its own rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from monitoring.scrubbing.keys import _SENSITIVE, _classify_key
from monitoring.scrubbing.messages import _SQL_PARAMETER_KEYS, _scrub_crumb, _scrub_logentry
from monitoring.scrubbing.text import _scrub_code, _scrub_text
from monitoring.scrubbing.walk import _filtered, _walk, _walk_pairs

# Top-level event fields that carry no user data and that Sentry needs as they are.
_STRUCTURAL = frozenset(
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
        return _walk(request, pii)
    out: dict[str, Any] = {}
    for key, value in request.items():
        if key in _REQUEST_KEEP:
            out[key] = value
        elif key in ("headers", "cookies", "query_string", "data"):
            out[key] = _scrub_text(value, pii) if type(value) is str else _walk_pairs(value, pii)
        elif key == "env":
            env = _walk_pairs(value, pii)
            if not pii and isinstance(env, dict):
                env.pop("REMOTE_ADDR", None)  # relay removes it; "[Filtered]" would be noise
            out[key] = env
        else:
            kind = _classify_key(str(key), pii)
            out[key] = _walk(value, pii, 1) if not kind else _filtered(value, kind, pii, 1)
    return out


def _scrub_user(user: Any, pii: bool) -> Any:
    if not isinstance(user, Mapping):
        return _walk(user, pii)
    out: dict[str, Any] = {}
    for key, value in user.items():
        if not pii and key in _USER_PII:
            continue
        if key == "id":
            out[key] = _walk(value, pii, 1)
            continue
        kind = _classify_key(str(key), pii)
        out[key] = _walk(value, pii, 1) if not kind else _filtered(value, kind, pii, 1)
    return out


def _scrub_frames(stacktrace: Any, pii: bool) -> Any:
    if not isinstance(stacktrace, Mapping):
        return _walk(stacktrace, pii)
    out = dict(stacktrace)
    frames = stacktrace.get("frames")
    if isinstance(frames, list):
        out["frames"] = [_scrub_frame(frame, pii) for frame in frames]
    for key in out:
        if key != "frames":
            out[key] = _walk(out[key], pii, 1)
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
        return _walk(frame, pii)
    out: dict[str, Any] = {}
    database = not pii and _database_frame(frame)
    for key, value in frame.items():
        if key == "vars" and database:
            continue
        if key in _FRAME_KEEP:
            out[key] = value
        elif key == "context_line":
            out[key] = _scrub_code(value)
        elif key in ("pre_context", "post_context") and isinstance(value, list):
            out[key] = [_scrub_code(line) for line in value]
        elif key == "vars":
            out[key] = _walk_pairs(value, pii)
        else:
            out[key] = _walk(value, pii, 1)
    return out


def _scrub_exception_value(value: Any, pii: bool) -> Any:
    if not isinstance(value, Mapping):
        return _walk(value, pii)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in ("type", "module", "thread_id", "mechanism"):
            out[key] = item
        elif key == "stacktrace":
            out[key] = _scrub_frames(item, pii)
        else:
            out[key] = _walk(item, pii, 1)
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
    return _walk(container, pii)


def _scrub_thread(thread: Any, pii: bool) -> Any:
    if not isinstance(thread, Mapping):
        return _walk(thread, pii)
    out = {key: _walk(value, pii, 1) for key, value in thread.items() if key != "stacktrace"}
    if "stacktrace" in thread:
        out["stacktrace"] = _scrub_frames(thread["stacktrace"], pii)
    return out


def _scrub_contexts(contexts: Any, pii: bool) -> Any:
    if not isinstance(contexts, Mapping):
        return _walk(contexts, pii)
    out: dict[str, Any] = {}
    for name, context in contexts.items():
        if not isinstance(context, Mapping):
            out[name] = _walk(context, pii, 1)
            continue
        if _classify_key(str(name), pii) == _SENSITIVE:  # set_context("credentials", {...})
            out[name] = {
                key: value if key == "type" else _filtered(value, _SENSITIVE, pii, 2)
                for key, value in context.items()
            }
            continue
        scrubbed: dict[str, Any] = {}
        for key, value in context.items():
            if key in _TRACE_IDS or (name == "trace" and key == "dynamic_sampling_context"):
                scrubbed[key] = value
            elif name == "trace" and key == "data":
                scrubbed[key] = _walk_pairs(value, pii)
            else:
                kind = _classify_key(str(key), pii)
                scrubbed[key] = _walk(value, pii, 2) if not kind else _filtered(value, kind, pii, 2)
        out[name] = scrubbed
    return out


def _scrub_span(span: Any, pii: bool) -> Any:
    if not isinstance(span, Mapping):
        return _walk(span, pii)
    out: dict[str, Any] = {}
    for key, value in span.items():
        if key in _SPAN_KEEP:
            out[key] = value
        elif key == "data" and not pii and isinstance(value, Mapping):
            out[key] = _walk_pairs(without_sql_parameters(value), pii)
        elif key in ("data", "tags"):
            out[key] = _walk_pairs(value, pii)
        else:
            out[key] = _walk(value, pii, 1)
    return out


def without_sql_parameters(data: Mapping[str, Any]) -> dict[str, Any]:
    """Span or breadcrumb data without the statement's parameters (with PII off)."""
    return {key: value for key, value in data.items() if key not in _SQL_PARAMETER_KEYS}


def _generic_field(value: Any, pii: bool) -> Any:
    return _walk_pairs(value, pii)


_FIELD_SCRUBBERS: dict[str, Callable[[Any, bool], Any]] = {
    "request": _scrub_request,
    "user": _scrub_user,
    "exception": lambda value, pii: _scrub_values(value, pii, _scrub_exception_value),
    "threads": lambda value, pii: _scrub_values(value, pii, _scrub_thread),
    "stacktrace": _scrub_frames,
    "breadcrumbs": lambda value, pii: _scrub_values(value, pii, _scrub_crumb),
    "logentry": _scrub_logentry,
    "contexts": _scrub_contexts,
    "spans": lambda value, pii: (
        [_scrub_span(span, pii) for span in value] if isinstance(value, list) else _walk(value, pii)
    ),
}


def _scrub_event(event: Any, pii: bool) -> Any:
    if not isinstance(event, dict):
        return None
    for key in list(event):
        if key in _STRUCTURAL:
            continue
        try:
            event[key] = _FIELD_SCRUBBERS.get(key, _generic_field)(event[key], pii)
        except Exception:
            event.pop(key, None)  # never send a field we could not scrub
    return event
