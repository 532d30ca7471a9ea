from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = "Live updates"

    def ready(self) -> None:
        from live import receivers
        from monitoring.errors import WEBSOCKET, register_component

        register_component("/ws/", "websocket", WEBSOCKET)
        receivers.connect()
