"""Roblox script reads, including what the Studio plugin polls for."""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import QuerySet

from monitoring.decorators import sentry_performance_monitor
from roblox.models import RobloxScript

PLUGIN_POLL_LIMIT = 50


class PendingScripts(NamedTuple):
    scripts: list[RobloxScript]
    has_more: bool


def _deliverable(*, owner_id: int) -> QuerySet[RobloxScript]:
    # Only scripts that passed the syntax check ever reach a plugin, which would run them.
    return RobloxScript.objects.filter(owner_id=owner_id, compiled_ok=True)


@sentry_performance_monitor(
    operation="roblox.plugin", description="List undelivered scripts", component="roblox"
)
def script_list_pending(
    *, owner_id: int, after: int = 0, limit: int = PLUGIN_POLL_LIMIT
) -> PendingScripts:
    """The owner's undelivered scripts with an id above ``after``, oldest first (no sources),
    at most ``limit`` of them; ``has_more`` says whether the plugin should poll again at once."""
    scripts = list(
        _deliverable(owner_id=owner_id)
        .filter(delivered_at__isnull=True, id__gt=after)
        .defer("source", "diagnostics")
        .order_by("id")[: limit + 1]
    )
    return PendingScripts(scripts[:limit], len(scripts) > limit)


@sentry_performance_monitor(
    operation="roblox.plugin", description="Fetch script source", component="roblox"
)
def script_get_for_plugin(*, owner_id: int, script_id: int) -> RobloxScript | None:
    """One of the owner's scripts (delivered or not), or None: another user's script is
    indistinguishable from a missing one."""
    return _deliverable(owner_id=owner_id).filter(pk=script_id).first()
