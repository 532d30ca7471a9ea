from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        from monitoring.breadcrumbs import track_content_model
        from monitoring.errors import CONTENT_GENERATION, register_component
        from providers.breaker import breakers_register
        from quizzes.models import Quiz, QuizAttempt

        track_content_model(Quiz, "quiz")
        track_content_model(QuizAttempt, "quiz_attempt", generated=False)
        # No trailing slash: the collection itself (GET /api/v1/quizzes) is ours too.
        register_component("/api/v1/quizzes", "quizzes", CONTENT_GENERATION)
        breakers_register()
