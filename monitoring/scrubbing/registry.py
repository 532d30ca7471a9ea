"""Registered secrets: values the application itself knows are secret, redacted everywhere.

Harvesting (:mod:`.harvest`) finds a secret by the key or variable name next to it in the same
event. A credential we hold for a user and send to another service (a teacher's Roblox Open
Cloud API key) may come back with no such name nearby: a service that echoes the key in its
error message ("Invalid API key abc…"), a URL, a repr. So the code that decrypts or receives such
a value registers it here, and every Sentry hook and the JSON log file redact it (and its
URL-encoded, JSON- and repr-escaped forms) wherever it appears.

The registry is per process and bounded: the :data:`MAX_REGISTERED` most recently registered
values. A process only ever needs the keys it handled itself, and the bound keeps the redaction
pass cheap on every event.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from monitoring.scrubbing.harvest import MIN_KNOWN_LENGTH

__all__ = [
    "forget_secret",
    "register_secret",
    "registered_secrets",
    "MAX_REGISTERED",
]

MAX_REGISTERED = 64

_lock = threading.Lock()
_values: OrderedDict[str, None] = OrderedDict()
_snapshot: frozenset[str] = frozenset()


def register_secret(value: str) -> None:
    """Redact ``value`` from every event, breadcrumb, Sentry log and log line of this process.

    Values shorter than :data:`~monitoring.scrubbing.harvest.MIN_KNOWN_LENGTH` are ignored (they
    would wipe unrelated text)."""
    global _snapshot
    if not isinstance(value, str) or len(value) < MIN_KNOWN_LENGTH:
        return
    with _lock:
        _values[value] = None
        _values.move_to_end(value)
        while len(_values) > MAX_REGISTERED:
            _values.popitem(last=False)
        _snapshot = frozenset(_values)


def forget_secret(value: str) -> None:
    """Stop redacting ``value`` (a deleted key); harmless when it was never registered."""
    global _snapshot
    with _lock:
        if _values.pop(value, 0) is None:
            _snapshot = frozenset(_values)


def registered_secrets() -> frozenset[str]:
    """The registered values (an immutable snapshot: no lock is held while redacting)."""
    return _snapshot
