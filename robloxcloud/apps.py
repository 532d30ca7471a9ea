from django.apps import AppConfig


class RobloxCloudConfig(AppConfig):
    """Publishing teachers' scripts to their Roblox experiences through Open Cloud. The router's
    error component is declared where it is mounted (toolbox/api.py)."""

    name = "robloxcloud"
    verbose_name = "Roblox Open Cloud"
