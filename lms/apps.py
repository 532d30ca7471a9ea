from django.apps import AppConfig


class LmsConfig(AppConfig):
    """Getting our content into the learning management systems schools already use. The
    router's error component is declared where it is mounted (toolbox/api.py)."""

    name = "lms"
    verbose_name = "LMS integrations"
