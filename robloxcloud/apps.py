from django.apps import AppConfig


class RobloxCloudConfig(AppConfig):
    name = "robloxcloud"
    verbose_name = "Roblox Open Cloud"

    def ready(self) -> None:
        from monitoring.errors import ROBLOX_API, register_component

        # Longer than the roblox app's "/api/v1/roblox/" prefix, so it wins for these routes.
        register_component("/api/v1/roblox/cloud/", "robloxcloud", ROBLOX_API)
