"""Personal data in text a person typed or a browser sent: names, e-mails, phone numbers.

The server's scrubbing finds secrets and e-mail/IP addresses by their form; a child's own name
has no form. Where we know whose data could appear (the signed-in user, the pupils of their
classes), :func:`redact_names` replaces those names as whole words, in any letter case, and
:func:`scrub_personal_text` adds phone numbers (:func:`~.patterns.redact_phone_numbers`) to the
usual scrubbing with PII off. Used for "Report a problem" messages (feedback) and for browser
envelopes (monitoring.browser).

Cost: one compiled alternation of the names per call; ``re`` tries each name at each position,
so a scan costs O(text x names). Names are capped at :data:`MAX_NAMES` (a teacher's classes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from monitoring.scrubbing.patterns import FILTERED, redact_phone_numbers
from monitoring.scrubbing.text import scrub_text

__all__ = [
    "names_pattern",
    "redact_names",
    "scrub_personal_text",
    "MAX_NAMES",
    "MIN_NAME_LENGTH",
]

MIN_NAME_LENGTH = 2  # "Al" is a name; a single letter would eat every "a"
MAX_NAMES = 2000
_MAX_DEPTH = 40


def names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive, whole-word pattern for ``names`` (longest first), or None."""
    words = sorted(
        {name.strip() for name in names if name and len(name.strip()) >= MIN_NAME_LENGTH},
        key=len,
        reverse=True,
    )[:MAX_NAMES]
    if not words:
        return None
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(word) for word in words) + r")(?!\w)", re.IGNORECASE
    )


def redact_names(value: Any, pattern: re.Pattern[str] | None, depth: int = 0) -> Any:
    """A copy of ``value`` (strings, dict keys and values, lists) with every name replaced."""
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(FILTERED, value)
    if depth > _MAX_DEPTH:
        return FILTERED
    if isinstance(value, Mapping):
        return {
            (pattern.sub(FILTERED, key) if isinstance(key, str) else key): redact_names(
                item, pattern, depth + 1
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_names(item, pattern, depth + 1) for item in value]
    return value


def scrub_personal_text(text: str, *, names: Iterable[str] = ()) -> str:
    """Free text with secrets, e-mail and IP addresses, phone numbers and ``names`` redacted
    (always as with ``SENTRY_SEND_DEFAULT_PII`` off: the text may be a child's)."""
    text = scrub_text(text, pii=False)
    text = redact_phone_numbers(text)
    return redact_names(text, names_pattern(names))
