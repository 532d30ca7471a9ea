from __future__ import annotations

from django.contrib import admin

from publishing.admin import PublishedContentAdmin
from publishing.display import pretty_json, questions_html
from quizzes.models import Quiz, QuizAttempt


@admin.register(Quiz)
class QuizAdmin(PublishedContentAdmin):
    kind_fields = ("difficulty", "question_count")
    json_fields = ("questions_display",)
    list_filter = ("provider", "subject", "difficulty", "grade_level")
    search_fields = ("title", "owner__username")

    @admin.display(description="Questions")
    def questions_display(self, quiz: Quiz) -> str:
        return questions_html(quiz.questions)


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ("id", "quiz", "student", "score", "total", "percentage", "created_at")
    list_filter = ("quiz__subject", "quiz__grade_level")
    search_fields = ("quiz__title", "student__username")
    date_hierarchy = "created_at"
    list_select_related = ("quiz", "student")
    readonly_fields = (
        "quiz",
        "student",
        "score",
        "total",
        "percentage",
        "created_at",
        "answers_display",
        "results_display",
    )
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False  # attempts come from students answering, never typed in

    @admin.display(description="Answers")
    def answers_display(self, attempt: QuizAttempt) -> str:
        return pretty_json(attempt.answers)

    @admin.display(description="Results")
    def results_display(self, attempt: QuizAttempt) -> str:
        return pretty_json(attempt.results)
