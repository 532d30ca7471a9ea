from django.apps import AppConfig


class LmsConfig(AppConfig):
    """Getting our content into the learning management systems schools already use."""

    name = "lms"
    verbose_name = "LMS integrations"

    def ready(self) -> None:
        from monitoring.errors import APPLICATION, register_component

        register_component("/api/v1/lms", "lms", APPLICATION)
