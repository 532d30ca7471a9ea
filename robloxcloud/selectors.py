"""Roblox Open Cloud reads: a teacher's connection, publications and publishable scripts.

Everything is the owner's own: another teacher's connection, publication or script reads as
missing.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from roblox.models import RobloxScript
from roblox.selectors import script_get_for_plugin
from robloxcloud.models import RobloxConnection, RobloxPublication
from terrain.selectors import terrain_script_get

RECENT_PUBLICATIONS = 20


def connection_get(*, owner_id: int) -> RobloxConnection | None:
    return RobloxConnection.objects.filter(owner_id=owner_id).first()


def publication_get(*, owner_id: int, publication_id: int) -> RobloxPublication | None:
    return (
        RobloxPublication.objects.select_related("script")
        .filter(owner_id=owner_id, pk=publication_id)
        .first()
    )


def publication_list(*, owner_id: int, limit: int = RECENT_PUBLICATIONS) -> list[RobloxPublication]:
    return list(
        RobloxPublication.objects.select_related("script").filter(owner_id=owner_id)[:limit]
    )


def publishable_script_get(
    *, user: User, script_id: int | None = None, terrain_id: int | None = None
) -> RobloxScript | None:
    """The user's own script (one that compiled: only those may run anywhere) or the script of
    a terrain they may see; None when it is not theirs or does not exist."""
    if terrain_id is not None:
        script = terrain_script_get(user=user, terrain_id=terrain_id)
        return script if script is not None and script.compiled_ok else None
    if script_id is not None:
        return script_get_for_plugin(owner_id=user.pk, script_id=script_id)
    return None


def publishable_script_list(*, owner_id: int, limit: int = 50) -> QuerySet[RobloxScript]:
    """The owner's scripts that compiled, newest first, without their sources."""
    return (
        RobloxScript.objects.filter(owner_id=owner_id, compiled_ok=True)
        .defer("source", "diagnostics")
        .order_by("-id")[:limit]
    )
