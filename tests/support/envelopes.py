"""Reading what reached the Sentry receiver: spans, transactions, breadcrumbs, error events."""

from __future__ import annotations

from typing import Any


def spans_by_op(transaction: dict[str, Any], op: str) -> list[dict[str, Any]]:
    return [span for span in transaction.get("spans", []) if span.get("op") == op]


def children_of(transaction: dict[str, Any], span: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in transaction.get("spans", []) if s.get("parent_span_id") == span["span_id"]]


def transaction_named(name: str):
    """A ``wait_for`` predicate: the transactions called ``name``."""

    def predicate(receiver: Any) -> list[dict[str, Any]]:
        return [t for t in receiver.transactions if t.get("transaction") == name]

    return predicate


def breadcrumbs(event: dict[str, Any], category: str) -> list[dict[str, Any]]:
    values = (event.get("breadcrumbs") or {}).get("values") or []
    return [crumb for crumb in values if crumb.get("category") == category]


def error_events(receiver: Any, exception_type: str | None = None) -> list[dict[str, Any]]:
    """Error events (with an exception) that reached the receiver, optionally of one type."""
    return [
        event
        for event in receiver.events
        if event.get("exception")
        and exception_type in (None, event["exception"]["values"][-1]["type"])
    ]
