from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = "Lessons"

    def ready(self) -> None:
        from lessons.models import Lesson
        from monitoring.breadcrumbs import track_content_model
        from monitoring.errors import CONTENT_GENERATION, register_component
        from providers.breaker import breakers_register

        track_content_model(Lesson, "lesson")
        # No trailing slash: the collection itself (GET /api/v1/content) is ours too.
        register_component("/api/v1/content", "lessons", CONTENT_GENERATION)
        breakers_register()
