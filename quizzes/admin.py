from __future__ import annotations

from django.contrib import admin

from quizzes.models import Quiz, QuizAttempt
from toolbox.admin_display import pretty_json, questions_html


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "title",
        "subject",
        "grade_level",
        "difficulty",
        "question_count",
        "provider",
        "fallback_reason",
        "owner",
        "created_at",
    )
    list_filter = ("provider", "subject", "difficulty", "grade_level")
    search_fields = ("title", "owner__username")
    date_hierarchy = "created_at"
    raw_id_fields = ("owner",)
    filter_horizontal = ("classrooms",)
    list_select_related = ("owner",)
    fields = (
        "title",
        "owner",
        "subject",
        "grade_level",
        "difficulty",
        "question_count",
        "provider",
        "fallback_reason",
        "seed",
        "classrooms",
        "created_at",
        "questions_display",
    )
    # Generated questions are a record of what the provider wrote: shown, not edited by hand.
    readonly_fields = (
        "subject",
        "grade_level",
        "difficulty",
        "question_count",
        "provider",
        "fallback_reason",
        "seed",
        "created_at",
        "questions_display",
    )

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
