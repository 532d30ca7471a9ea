"""The admin of published content: generated content is a record of what the provider wrote,
so it is shown, never edited by hand; each kind adds its own columns and JSON displays."""

from __future__ import annotations

from typing import Any

from django.contrib import admin


class PublishedContentAdmin(admin.ModelAdmin):
    """Subclasses name ``kind_fields`` (their own columns, shown after the grade) and
    ``json_fields`` (read-only displays of their JSON, at the end of the form)."""

    kind_fields: tuple[str, ...] = ()
    json_fields: tuple[str, ...] = ()

    date_hierarchy = "created_at"
    raw_id_fields = ("owner",)
    filter_horizontal = ("classrooms",)
    list_select_related = ("owner",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.kind_fields
        cls.list_display = (
            "id", "title", "subject", "grade_level", *own, "provider", "fallback_reason",
            "owner", "created_at",
        )  # fmt: skip
        cls.fields = (
            "title", "owner", "subject", "grade_level", *own, "provider", "fallback_reason",
            "seed", "classrooms", "created_at", *cls.json_fields,
        )  # fmt: skip
        cls.readonly_fields = (
            "subject", "grade_level", *own, "provider", "fallback_reason", "seed", "created_at",
            *cls.json_fields,
        )  # fmt: skip
