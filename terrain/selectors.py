"""Terrain reads, limited to what the user may see.

Admins see every terrain and teachers their own. A terrain is built in Roblox Studio by its
teacher's plugin and is never published to a class, so students see none (nor its script).
Anything not visible reads as missing.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role, User
from roblox.models import RobloxScript
from terrain.models import Terrain

# Columns a listing never needs: together they are most of a row's bytes.
BULKY_FIELDS = ("heightmap", "preview_png")


def terrain_visible(*, user: User) -> QuerySet[Terrain]:
    terrains = Terrain.objects.all()
    if user.is_superuser or user.role == Role.ADMIN:
        return terrains
    if user.role == Role.TEACHER:
        return terrains.filter(owner=user)
    return terrains.none()


def terrain_list(*, user: User) -> QuerySet[Terrain]:
    """Newest first, without the heightmap and preview bytes."""
    return terrain_visible(user=user).defer(*BULKY_FIELDS).order_by("-id")


def terrain_get(*, user: User, terrain_id: int) -> Terrain | None:
    return terrain_list(user=user).filter(pk=terrain_id).first()


def terrain_preview_get(*, user: User, terrain_id: int) -> Terrain | None:
    return (
        terrain_visible(user=user)
        .only("id", "preview_png", "preview_sha256")
        .filter(pk=terrain_id)
        .first()
    )


def terrain_script_get(*, user: User, terrain_id: int) -> RobloxScript | None:
    visible = terrain_visible(user=user).filter(pk=terrain_id).values("script_id")
    return RobloxScript.objects.filter(pk__in=visible).first()
