from django.apps import AppConfig


class RobloxConfig(AppConfig):
    name = "roblox"
    verbose_name = "Roblox"

    def ready(self) -> None:
        from monitoring.breadcrumbs import track_content_model
        from monitoring.errors import ROBLOX_PLUGIN, register_component
        from roblox.models import RobloxScript

        register_component("/api/v1/roblox/", "roblox", ROBLOX_PLUGIN)
        track_content_model(RobloxScript, "roblox_script", generated=False)
