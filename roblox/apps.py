from django.apps import AppConfig


class RobloxConfig(AppConfig):
    name = "roblox"
    verbose_name = "Roblox"
