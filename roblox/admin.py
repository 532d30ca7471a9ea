from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from roblox.models import RobloxScript


@admin.register(RobloxScript)
class RobloxScriptAdmin(admin.ModelAdmin):
    """Scripts are read-only here: the plugin runs them, so they only change through the API's
    syntax check. Staff can put a script back in its owner's plugin queue."""

    list_display = ("id", "name", "kind", "owner", "compiled_ok", "created_at", "delivered_at")
    list_filter = ("kind", "compiled_ok", ("delivered_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "checksum")
    list_select_related = ("owner",)
    date_hierarchy = "created_at"
    actions = ("redeliver",)
    fields = (
        "name",
        "kind",
        "owner",
        "compile_status",
        "checksum",
        "created_at",
        "delivered_at",
        "source_code",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Compile status")
    def compile_status(self, obj: RobloxScript) -> str:
        if obj.compiled_ok:
            return "Compiles (no syntax errors)"
        items = format_html_join(
            "",
            "<li>line {}, column {}: {}</li>",
            ((d.get("line"), d.get("column"), d.get("message")) for d in obj.diagnostics),
        )
        return format_html("Does not compile:<ul>{}</ul>", items)

    @admin.display(description="Source")
    def source_code(self, obj: RobloxScript) -> str:
        return format_html(
            '<pre style="max-height: 40em; overflow: auto; white-space: pre; tab-size: 4">{}</pre>',
            obj.source,
        )

    @admin.action(description="Deliver again to the owner's Studio plugin", permissions=("change",))
    def redeliver(self, request: HttpRequest, queryset: QuerySet[RobloxScript]) -> None:
        count = queryset.update(delivered_at=None)
        self.message_user(request, f"{count} script(s) will be offered to the plugin again.")
