from django.apps import AppConfig


class RobloxConfig(AppConfig):
    name = "roblox"
    verbose_name = "Roblox"

    def ready(self) -> None:
        from monitoring.breadcrumbs import track_content_model
        from roblox.models import RobloxScript

        track_content_model(RobloxScript, "roblox_script", generated=False)
