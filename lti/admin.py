from django.contrib import admin

from lti.models import GradePost, Identity, Platform, ToolKey


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "issuer", "client_id", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "issuer", "client_id")


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    """The public half only: the private key is encrypted and never shown."""

    list_display = ("kid", "created_at")
    fields = ("kid", "public_pem", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # created on first use (lti.services.tool_key_ensure)


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    """Point an LMS identity at an existing teacher account to bring their content along."""

    list_display = ("id", "platform", "user", "created_at")
    list_filter = ("platform",)
    raw_id_fields = ("user",)
    fields = ("platform", "sub", "user")


@admin.register(GradePost)
class GradePostAdmin(admin.ModelAdmin):
    list_display = ("id", "status", "attempts", "score", "total", "next_attempt_at", "sent_at")
    list_filter = ("status",)
    readonly_fields = ("link", "attempt", "score", "total", "scored_at", "last_error", "sent_at")
