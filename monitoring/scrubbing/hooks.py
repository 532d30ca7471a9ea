"""The ``before_*`` hooks handed to ``sentry_sdk.init``.

Error events and transactions are harvested for known secrets (see :mod:`.known`) before they
are scrubbed; if anything was found, its occurrences are redacted before and after scrubbing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from monitoring.scrubbing.events import STRUCTURAL, scrub_event
from monitoring.scrubbing.known import KnownSecrets, harvest_event, redact_event
from monitoring.scrubbing.messages import scrub_crumb, scrub_log
from monitoring.scrubbing.registry import registered_secrets

__all__ = [
    "before_breadcrumb",
    "before_send",
    "before_send_log",
    "before_send_transaction",
    "make_hooks",
]


def before_send(event: Any, hint: Any, *, pii: bool) -> Any:
    """``before_send``: the scrubbed error event, or ``None`` if it cannot be scrubbed."""
    try:
        return _scrub_with_known(event, hint, pii)
    except Exception:
        return None


def before_send_transaction(event: Any, hint: Any, *, pii: bool) -> Any:
    """``before_send_transaction``: request, spans, contexts, tags, extra and user scrubbed."""
    try:
        return _scrub_with_known(event, hint, pii)
    except Exception:
        return None


def _scrub_with_known(event: Any, hint: Any, pii: bool) -> Any:
    harvested = harvest_event(event, hint, pii=pii)
    registered = registered_secrets()
    known = KnownSecrets(harvested | registered) if harvested else _known_registered(registered)
    if not known or not isinstance(event, dict) or not known.may_occur_in(event):
        return scrub_event(event, pii)
    # Before scrubbing, while known values are whole: a pattern that filters only the start of
    # one ("password=p@ss,word" -> "password=[Filtered],word") would leave a fragment behind.
    event = redact_event(event, known, STRUCTURAL)
    event = scrub_event(event, pii)
    # After: the forms scrubbing itself produced (percent-decoded text, re-rendered messages).
    return None if event is None else redact_event(event, known, STRUCTURAL)


@lru_cache(maxsize=4)
def _known_registered(registered: frozenset[str]) -> KnownSecrets:
    """The registered secrets alone (most events harvest nothing): built once per registry."""
    return KnownSecrets(registered)


def before_breadcrumb(crumb: Any, hint: Any, *, pii: bool) -> Any:
    """``before_breadcrumb``: message (re-rendered from a log record's args if needed) and data."""
    try:
        record = hint.get("log_record") if isinstance(hint, Mapping) else None
        return _redact_registered(scrub_crumb(crumb, pii, record))
    except Exception:
        return None


def before_send_log(log: Any, hint: Any, *, pii: bool) -> Any:
    """``before_send_log``: body and attributes (template parameters included)."""
    try:
        return _redact_registered(scrub_log(log, pii))
    except Exception:
        return None


def _redact_registered(item: Any) -> Any:
    """Breadcrumbs and logs have no harvest of their own: the registered secrets still go."""
    registered = registered_secrets()
    if not registered or item is None:
        return item
    return _known_registered(registered).redact(item)


def make_hooks(*, send_default_pii: bool) -> dict[str, Callable[..., Any]]:
    """The ``sentry_sdk.init`` keyword arguments for every hook, bound to the PII setting."""
    pii = bool(send_default_pii)

    def toolbox_before_send(event: Any, hint: Any) -> Any:
        return before_send(event, hint, pii=pii)

    def toolbox_before_send_transaction(event: Any, hint: Any) -> Any:
        return before_send_transaction(event, hint, pii=pii)

    def toolbox_before_breadcrumb(crumb: Any, hint: Any) -> Any:
        return before_breadcrumb(crumb, hint, pii=pii)

    def toolbox_before_send_log(log: Any, hint: Any) -> Any:
        return before_send_log(log, hint, pii=pii)

    return {
        "before_send": toolbox_before_send,
        "before_send_transaction": toolbox_before_send_transaction,
        "before_breadcrumb": toolbox_before_breadcrumb,
        "before_send_log": toolbox_before_send_log,
    }
