from __future__ import annotations

import base64

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from publishing.display import statistics_html
from terrain.models import Terrain
from terrain.selectors import BULKY_FIELDS


@admin.register(Terrain)
class TerrainAdmin(admin.ModelAdmin):
    """Generated terrains are read-only: they are made through the API, which checks roles,
    ranges and the script. The change page shows the preview and links to the script."""

    list_display = ("id", "name", "owner", "biome", "size", "seed", "created_at")
    list_filter = ("biome", "size")
    search_fields = ("name", "seed")
    list_select_related = ("owner",)
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("name", "owner", "created_at", "preview", "script_link")}),
        (
            "Parameters",
            {
                "fields": (
                    ("size", "seed", "biome"),
                    ("water_level", "roughness", "octaves", "max_height"),
                )
            },
        ),
        ("Statistics", {"fields": ("statistics_display",)}),
    )
    readonly_fields = (
        "name",
        "owner",
        "created_at",
        "preview",
        "script_link",
        "size",
        "seed",
        "biome",
        "water_level",
        "roughness",
        "octaves",
        "max_height",
        "statistics_display",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Terrain]:
        queryset = super().get_queryset(request)
        # The changelist never needs the blobs; the change page loads the preview on its own.
        return queryset.defer(*BULKY_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Preview")
    def preview(self, obj: Terrain) -> str:
        png = bytes(Terrain.objects.values_list("preview_png", flat=True).get(pk=obj.pk))
        data = base64.b64encode(png).decode("ascii")
        return format_html(
            '<img src="data:image/png;base64,{}" alt="Preview of {}" '
            'style="max-width: 512px; image-rendering: pixelated">',
            data,
            obj.name,
        )

    @admin.display(description="Statistics")
    def statistics_display(self, obj: Terrain) -> str:
        return statistics_html(obj.statistics)

    @admin.display(description="Roblox script")
    def script_link(self, obj: Terrain) -> str:
        url = reverse("admin:roblox_robloxscript_change", args=[obj.script_id])
        return format_html(
            '<a href="{}">Script #{} (source and compile status)</a>', url, obj.script_id
        )
