from django.contrib import admin

from robloxcloud.models import RobloxConnection, RobloxPublication


@admin.register(RobloxConnection)
class RobloxConnectionAdmin(admin.ModelAdmin):
    """Shown without the encrypted key: only its masked last four characters."""

    list_display = ("owner", "masked_key", "universe_id", "place_id", "updated_at")
    fields = ("owner", "masked_key", "universe_id", "place_id", "creator_user_id",
              "creator_group_id", "created_at", "updated_at")  # fmt: skip
    readonly_fields = ("owner", "masked_key", "created_at", "updated_at")

    @admin.display(description="API key")
    def masked_key(self, obj: RobloxConnection) -> str:
        return f"****{obj.api_key_last4}"

    def has_add_permission(self, request) -> bool:
        return False  # only its teacher can give a key


@admin.register(RobloxPublication)
class RobloxPublicationAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "target", "status", "asset_id", "http_status", "created_at")
    list_filter = ("target", "status")
    readonly_fields = [field.name for field in RobloxPublication._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
