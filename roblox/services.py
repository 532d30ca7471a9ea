"""Roblox script writes: the Luau syntax check, storing scripts, acknowledging delivery.

Functions wrapped in a monitor take ids rather than ``User`` objects: the monitor records the
arguments as span data, and a user's repr is their username.
"""

from __future__ import annotations

import hashlib

from django.utils import timezone

from monitoring import errors
from monitoring.decorators import sentry_performance_monitor
from roblox.luau import CompileResult, compile_luau
from roblox.models import RobloxScript, ScriptKind
from roblox.selectors import script_get_for_plugin


class ScriptRejected(ValueError):
    """Luau source that does not compile: the plugin would run it, so it is never stored."""

    error_category = errors.ROBLOX_PLUGIN

    def __init__(self, result: CompileResult) -> None:
        self.result = result
        first = result.diagnostics[0] if result.diagnostics else None
        where = f" at line {first.line}, column {first.column}: {first.message}" if first else ""
        super().__init__(f"Luau source does not compile{where}")


def script_checksum(*, source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", errors="surrogatepass")).hexdigest()


@sentry_performance_monitor(operation="lua.compile", description="Check Luau syntax")
def script_compile(*, source: str) -> CompileResult:
    """Parse ``source`` as Luau (nothing is executed) and report its syntax errors."""
    return compile_luau(source)


def script_create(*, owner_id: int, name: str, kind: ScriptKind | str, source: str) -> RobloxScript:
    """Check and store a script for the owner's plugin; raises :class:`ScriptRejected` (nothing
    stored) when the source does not compile."""
    result = script_compile(source=source)
    if not result.ok:
        raise ScriptRejected(result)
    return RobloxScript.objects.create(
        owner_id=owner_id,
        name=name,
        kind=kind,
        source=source,
        checksum=script_checksum(source=source),
        compiled_ok=result.ok,
        diagnostics=result.to_dict()["diagnostics"],
    )


@sentry_performance_monitor(
    operation="roblox.plugin", description="Acknowledge script delivery", component="roblox"
)
def script_acknowledge(*, owner_id: int, script_id: int) -> RobloxScript | None:
    """Mark one of the owner's scripts delivered to the plugin; None when it is not theirs.

    Idempotent: a plugin that retries after a lost answer gets the first delivery time back.
    """
    script = script_get_for_plugin(owner_id=owner_id, script_id=script_id)
    if script is None:
        return None
    if script.delivered_at is None:
        # Conditional update: two concurrent acks record one delivery time.
        delivered_at = timezone.now()
        RobloxScript.objects.filter(pk=script.pk, delivered_at__isnull=True).update(
            delivered_at=delivered_at
        )
        script.refresh_from_db(fields=["delivered_at"])
    return script
