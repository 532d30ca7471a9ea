from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from monitoring.errors import CONTENT_GENERATION, register_component

        register_component("/api/v1/jobs", "jobs", CONTENT_GENERATION)
