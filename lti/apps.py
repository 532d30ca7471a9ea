from django.apps import AppConfig


class LtiConfig(AppConfig):
    """LTI 1.3 with Advantage: a school's LMS launches us, places our content, and gets grades."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "lti"
    verbose_name = "LTI (LMS platforms)"

    def ready(self) -> None:
        from lti import signals  # noqa: F401  (the grade passback hook on quiz attempts)
        from monitoring.errors import register_component

        register_component("/lti/", "lti")
