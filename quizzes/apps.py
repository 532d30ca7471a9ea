from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        from jobs.models import JobKind
        from jobs.registry import job_kind_register
        from monitoring.breadcrumbs import track_content_model
        from providers.breaker import breakers_register
        from quizzes.models import Quiz, QuizAttempt
        from quizzes.services import quiz_generate

        track_content_model(Quiz, "quiz")
        track_content_model(QuizAttempt, "quiz_attempt", generated=False)
        job_kind_register(kind=JobKind.QUIZ, generate=quiz_generate, content_url=Quiz.api_url)
        breakers_register()
