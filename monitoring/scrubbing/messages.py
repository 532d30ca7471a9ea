"""Log messages: template parameters filtered by name or by the word before them, then the
message re-rendered; breadcrumbs, ``logentry`` and Sentry log items."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from monitoring.scrubbing.keys import NOT_SENSITIVE, SENSITIVE, classify_key
from monitoring.scrubbing.text import scrub_str
from monitoring.scrubbing.walk import filter_value, walk_pairs, walk_value

__all__ = [
    "scrub_crumb",
    "scrub_log",
    "scrub_logentry",
    "SQL_PARAMETER_KEYS",
]

# --- log templates --------------------------------------------------------------------------------

_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]{0,64})\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<conv>[diouxXeEfFgGcrsa%])"
)
_BRACE = re.compile(r"\{\{|\}\}|\{(?P<name>[^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}")
# Possessive blanks: two adjacent ``[ \t]*`` (the word between them is optional) would try every
# split of a long run of blanks.
_LEAD_WORD = re.compile(
    r"([A-Za-z_][\w.-]{0,40})[\"']?[ \t]*+(?:(?:[:=]|\bis\b|\bwas\b)[ \t]*+)?[\"'(\[]?$"
)
_PII_LEAD_WORDS = frozenset({"user", "login", "student", "parent", "child", "teacher"})


def _placeholders(template: str) -> list[tuple[int, int, str | int]]:
    """``(start, end, name or position)`` of every placeholder of a %- or {}-style template."""
    found: list[tuple[int, int, str | int]] = []
    position = 0
    pattern = _PERCENT if "%" in template else _BRACE
    for match in pattern.finditer(template):
        text = match.group(0)
        if text in ("%%", "{{", "}}"):
            continue
        name = match.group("name")
        if name:
            found.append((match.start(), match.end(), int(name) if name.isdigit() else name))
        else:
            found.append((match.start(), match.end(), position))
            position += 1
    return found


def _sensitive_placeholder(template: str, start: int, name: str | int, pii: bool) -> bool:
    if isinstance(name, str) and (
        classify_key(name, pii) == SENSITIVE or (not pii and name.lower() in _PII_LEAD_WORDS)
    ):
        return True
    lead = _LEAD_WORD.search(template, max(0, start - 64), start)
    if lead is None:
        return False
    word = lead.group(1)
    if classify_key(word, pii) == SENSITIVE:
        return True
    return not pii and word.lower() in _PII_LEAD_WORDS


def _render(template: str, values: Mapping[str | int, Any]) -> str:
    pattern = _PERCENT if "%" in template else _BRACE
    position = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal position
        text = match.group(0)
        if text in ("%%", "{{", "}}"):
            return text[0]
        name: str | int | None = match.group("name") or None
        if name is None:
            name = position
            position += 1
        elif isinstance(name, str) and name.isdigit():
            name = int(name)
        if name not in values:
            raise KeyError(name)
        return str(values[name])

    return pattern.sub(replace, template)


def _scrub_template(
    template: str, values: Mapping[str | int, Any], formatted: str | None, pii: bool
) -> tuple[dict[str | int, Any], str | None]:
    """Scrub the parameters of a log template; re-render ``formatted`` if one had to go.

    A parameter is filtered by its name (``%(password)s``) or by the word before its placeholder
    (``password=%s``, ``token %s``, with PII off ``user %s``).
    """
    scrubbed: dict[str | int, Any] = {}
    hidden = False
    sensitive_names = {
        name
        for start, _end, name in _placeholders(template)
        if _sensitive_placeholder(template, start, name, pii)
    }
    for name, value in values.items():
        if name in sensitive_names:
            kind = SENSITIVE
        else:
            kind = classify_key(name, pii) if isinstance(name, str) else NOT_SENSITIVE
        if kind == NOT_SENSITIVE:
            scrubbed[name] = walk_value(value, pii, 1)
        else:
            filtered = filter_value(value, kind, pii, 1)
            hidden = hidden or filtered is not value
            scrubbed[name] = filtered
    if formatted is None:
        return scrubbed, None
    if hidden:
        try:
            return scrubbed, scrub_str(_render(template, scrubbed), pii)
        except Exception:
            return scrubbed, scrub_str(template, pii)
    return scrubbed, scrub_str(formatted, pii)


# --- breadcrumbs, logentry, log items ----------------------------------------------------------

_CRUMB_KEEP = frozenset({"type", "category", "level", "timestamp", "event_id"})
_LOG_KEEP_ATTRIBUTES = frozenset(
    {
        "sentry.environment",
        "sentry.release",
        "sentry.sdk.name",
        "sentry.sdk.version",
        "sentry.origin",
        "sentry.trace.parent_span_id",
        "server.address",
        "logger.name",
        "code.file.path",
        "code.function.name",
        "code.line.number",
        "thread.id",
        "thread.name",
        "process.pid",
        "process.executable.name",
    }
)
_LOG_PII_ATTRIBUTES = frozenset(
    {"user.name", "user.email", "user.username", "user.ip_address", "client.address"}
)
_PARAMETER_PREFIX = "sentry.message.parameter."
# What sentry-sdk records of a statement's parameters in breadcrumb and span data.
SQL_PARAMETER_KEYS = frozenset({"db.params", "db.paramstyle", "db.cursor"})


def scrub_crumb(crumb: Any, pii: bool, log_record: Any = None) -> Any:
    """A breadcrumb scrubbed (its message re-rendered from its log record's template when
    there is one, SQL parameters dropped with PII off). May raise: the hooks catch."""
    if not isinstance(crumb, Mapping):
        return walk_value(crumb, pii)
    out: dict[str, Any] = {}
    for key, value in crumb.items():
        if key in _CRUMB_KEEP:
            out[key] = value
        elif key == "message":
            out[key] = _scrub_crumb_message(value, pii, log_record)
        elif key == "data":
            if not pii and isinstance(value, Mapping):  # a query's parameters: see events.py
                value = {k: v for k, v in value.items() if k not in SQL_PARAMETER_KEYS}
            out[key] = walk_pairs(value, pii)
        else:
            out[key] = walk_value(value, pii, 1)
    return out


def _scrub_crumb_message(message: Any, pii: bool, log_record: Any) -> Any:
    template = getattr(log_record, "msg", None)
    args = getattr(log_record, "args", None)
    if type(message) is str and isinstance(template, str) and args:
        if isinstance(args, Mapping):
            values: dict[str | int, Any] = dict(args)
        elif isinstance(args, tuple):
            values = dict(enumerate(args))
        else:
            values = {}
        if values:
            return _scrub_template(template, values, message, pii)[1]
    return walk_value(message, pii)


def scrub_logentry(logentry: Any, pii: bool) -> Any:
    """An event's ``logentry``: template parameters filtered by name or by the word before
    them, and the message re-rendered. May raise: the hooks catch."""
    if not isinstance(logentry, Mapping):
        return walk_value(logentry, pii)
    out = {key: walk_value(value, pii, 1) for key, value in logentry.items()}
    template = logentry.get("message")
    params = logentry.get("params")
    if isinstance(template, str) and params:
        if isinstance(params, Mapping):
            values: dict[str | int, Any] = dict(params)
        elif isinstance(params, (list, tuple)):
            values = dict(enumerate(params))
        else:
            return out
        formatted = logentry.get("formatted")
        scrubbed, new_formatted = _scrub_template(
            template, values, formatted if isinstance(formatted, str) else None, pii
        )
        if isinstance(params, Mapping):
            out["params"] = scrubbed
        else:
            out["params"] = [scrubbed[index] for index in range(len(params))]
        if new_formatted is not None:
            out["formatted"] = new_formatted
    return out


def scrub_log(log: Any, pii: bool) -> Any:
    """A Sentry log item (``before_send_log``) scrubbed; ``None`` when it is not a mapping.
    May raise: the hooks catch."""
    if not isinstance(log, Mapping):
        return None
    out = dict(log)
    attributes = log.get("attributes")
    body = log.get("body")
    scrubbed_attributes: dict[str, Any] = {}
    if isinstance(attributes, Mapping):
        parameters: dict[str | int, Any] = {}
        for key, value in attributes.items():
            if key in _LOG_KEEP_ATTRIBUTES:
                scrubbed_attributes[key] = value
            elif not pii and key in _LOG_PII_ATTRIBUTES:
                continue
            elif isinstance(key, str) and key.startswith(_PARAMETER_PREFIX):
                name = key[len(_PARAMETER_PREFIX) :]
                parameters[int(name) if name.isdigit() else name] = value
            else:
                kind = classify_key(str(key), pii)
                scrubbed_attributes[key] = (
                    walk_value(value, pii, 1) if not kind else filter_value(value, kind, pii, 1)
                )
        template = attributes.get("sentry.message.template")
        if parameters:
            if isinstance(template, str):
                scrubbed, new_body = _scrub_template(
                    template, parameters, body if isinstance(body, str) else None, pii
                )
                if new_body is not None:
                    out["body"] = new_body
                    body = None
            else:  # no template: the parameter names alone decide
                scrubbed = _scrub_template("", parameters, None, pii)[0]
            for name, value in scrubbed.items():
                scrubbed_attributes[f"{_PARAMETER_PREFIX}{name}"] = value
        out["attributes"] = scrubbed_attributes
    elif attributes is not None:
        out["attributes"] = walk_value(attributes, pii)
    if body is not None:
        out["body"] = walk_value(body, pii)
    return out
