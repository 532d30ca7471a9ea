from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = "Lessons"

    def ready(self) -> None:
        from jobs.models import JobKind
        from jobs.registry import job_kind_register
        from lessons.models import Lesson
        from lessons.services import lesson_generate
        from monitoring.breadcrumbs import track_content_model
        from providers.breaker import breakers_register

        track_content_model(Lesson, "lesson")
        job_kind_register(kind=JobKind.LESSON, generate=lesson_generate, content_url=Lesson.api_url)
        breakers_register()
