"""Known secrets: values found where their key says they are secret, redacted everywhere else.

A bare secret in prose has no pattern and no key nearby: a view does ``pwd = payload["password"]``
then ``raise Failure(f"... ({pwd})")``. But the same value sits, in the same event or traceback,
under a key or a variable name that gives it away. So we *harvest* those literal values first,
and replace every occurrence of them with ``"[Filtered]"``: before scrubbing, while they are
whole (a pattern that filters only the start of one, ``password=p@ss,word`` ->
``password=[Filtered],word``, would leave a fragment behind), and again after, for the forms
scrubbing itself produced (percent-decoded text, re-rendered log messages). Both passes only run
when something was harvested and some form of it occurs in the event: scrubbing only removes
text or decodes forms that are themselves searched for, so an event with none before scrubbing
has none after.

Harvesting: see :mod:`monitoring.scrubbing.harvest` (values of at least
:data:`MIN_KNOWN_LENGTH`, 6, characters; with PII off, account names under ``username``,
``login``... of any length, which are redacted only where they stand as a whole word).

Redaction: every occurrence, in any string or dict key of the event (structural fields such as
ids and timestamps aside), of a known value or of its URL-encoded, JSON-escaped or repr-escaped
form, longest first. A value that begins (or ends) with a digit only matches where it is not
glued to another digit, so the OTP ``483920`` does not eat into ``1732881483920``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from monitoring.scrubbing.harvest import (
    MIN_KNOWN_LENGTH,
    harvest_event,
    harvest_exc_info,
    harvest_mapping,
)
from monitoring.scrubbing.patterns import FILTERED

__all__ = [
    "MIN_KNOWN_LENGTH",
    "KnownSecrets",
    "harvest_event",
    "harvest_exc_info",
    "harvest_mapping",
    "redact_event",
    "redact_known",
]

_MAX_WALK_DEPTH = 64  # deeper than any scrubbed structure (scrubbing stops at 40)


class KnownSecrets:
    """Replaces the literal ``values`` (and their encoded forms) with ``[Filtered]``."""

    def __init__(self, values: Iterable[str]) -> None:
        # form -> the character ("%", "+" or a backslash) without which a text cannot hold it
        forms: dict[str, str] = {}
        words: set[str] = set()
        for value in values:
            # Shorter values are account names (the harvest lets no other short value through):
            # "leo" is redacted where it is a word of its own, never inside "leopard".
            short = len(value) < MIN_KNOWN_LENGTH
            for form in _forms(value):
                forms.setdefault(form, _marker(form, value))
                if short:
                    words.add(form)
        self._forms = [
            (form, forms[form], (True, True, True) if form in words else _glued_digits(form))
            for form in sorted(forms, key=len, reverse=True)
        ]
        self._shortest = min((len(form) for form in forms), default=0)
        # Each form as it reads inside JSON text (escaping is per character, so a form inside a
        # string is, escaped, inside that string's JSON).
        self._in_json = [json.dumps(form, ensure_ascii=False)[1:-1] for form in forms]

    def __bool__(self) -> bool:
        return bool(self._forms)

    def may_occur_in(self, value: Any) -> bool:
        """Whether a form may occur in ``value`` (an event as the SDK hands it to ``before_send``:
        plain JSON data): one C-speed scan of its JSON text instead of a walk. True when the
        value is not JSON data (then only a walk can tell)."""
        try:
            text = json.dumps(value, ensure_ascii=False, check_circular=False)
        except (TypeError, ValueError, RecursionError):
            return True
        return any(form in text for form in self._in_json)

    def text(self, text: str) -> str:
        if len(text) < self._shortest:
            return text
        markers = {marker for marker in _MARKERS if marker in text}
        for form, marker, glued in self._forms:
            if (not marker or marker in markers) and form in text:
                text = (
                    _replace_unglued(text, form, *glued) if glued else text.replace(form, FILTERED)
                )
        return text

    def walk(self, value: Any, depth: int = 0) -> Any:
        kind = type(value)
        if kind is str:
            return self.text(value)
        if depth > _MAX_WALK_DEPTH:
            return FILTERED
        if kind is dict or isinstance(value, Mapping):
            return {
                (self.text(key) if type(key) is str else key): self.walk(item, depth + 1)
                for key, item in value.items()
            }
        if kind is list:
            return [self.walk(item, depth + 1) for item in value]
        if kind is tuple:
            return tuple(self.walk(item, depth + 1) for item in value)
        if isinstance(value, str):
            return self.text(str(value))
        return value

    def redact(self, value: Any) -> Any:
        """:meth:`walk` that never raises: what cannot be redacted is not sent (``[Filtered]``)."""
        try:
            return self.walk(value) if self else value
        except Exception:
            return FILTERED


def _forms(value: str) -> set[str]:
    """The value as it may appear in text: plain, URL-encoded, JSON- or repr-escaped."""
    return {
        value,
        quote(value),
        quote(value, safe=""),
        quote_plus(value),
        json.dumps(value, ensure_ascii=False)[1:-1],
        json.dumps(value)[1:-1],
        repr(value)[1:-1],
    }


_MARKERS = ("%", "+", "\\")


def _marker(form: str, value: str) -> str:
    """What an encoded form has that the plain value lacks ("" for the value itself)."""
    for marker in _MARKERS:
        if form.count(marker) > value.count(marker):
            return marker
    return ""


def _glued_digits(form: str) -> tuple[bool, bool, bool] | None:
    """Whether ``form`` must not follow / be followed by a digit (``None``: neither)."""
    head, tail = form[0].isdigit(), form[-1].isdigit()
    return (head, tail, False) if head or tail else None


def _glued(char: str, word: bool) -> bool:
    return char.isalnum() or char == "_" if word else char.isdigit()


def _replace_unglued(text: str, form: str, head: bool, tail: bool, word: bool) -> str:
    """Replace ``form`` where it is not glued to another digit (``word``: to a letter, digit or
    underscore); a literal search: ``re`` with a leading look-behind would test every position."""
    parts: list[str] = []
    copied = 0
    start = text.find(form)
    while start != -1:
        end = start + len(form)
        if (head and start and _glued(text[start - 1], word)) or (
            tail and end < len(text) and _glued(text[end], word)
        ):
            start = text.find(form, start + 1)
            continue
        parts.append(text[copied:start])
        parts.append(FILTERED)
        copied = end
        start = text.find(form, end)
    if not parts:
        return text
    parts.append(text[copied:])
    return "".join(parts)


def redact_known(value: Any, values: Iterable[str]) -> Any:
    """A copy of ``value`` with every known value replaced. Never raises: if redaction fails,
    the whole value becomes ``[Filtered]``."""
    try:
        known = KnownSecrets(values)
    except Exception:
        return FILTERED
    return known.redact(value)


def redact_event(event: dict[str, Any], known: KnownSecrets, keep: Iterable[str]) -> dict[str, Any]:
    """``event`` with every known value replaced, except in the ``keep`` fields; a field that
    cannot be redacted is dropped."""
    for key in list(event):
        if key in keep:
            continue
        try:
            event[key] = known.walk(event[key])
        except Exception:
            event.pop(key, None)
    return event
