from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    """The web pages teachers and students use (server-rendered, htmx, a little socket JS)."""

    name = "classroom"
    verbose_name = "Classroom pages"
