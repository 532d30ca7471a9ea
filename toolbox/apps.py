from django.apps import AppConfig


class ToolboxConfig(AppConfig):
    """The project itself, installed last: once every app is ready, mount the API, which also
    declares each router's component to the error policy (``toolbox.api.mount``). Done here,
    not when the URLconf is first loaded, so that the very first request is tagged too."""

    name = "toolbox"
    verbose_name = "ToolboxAI"

    def ready(self) -> None:
        from monitoring.errors import register_component
        from toolbox import api  # noqa: F401  (mounts the routers and declares their components)

        register_component("/admin/", "admin")
