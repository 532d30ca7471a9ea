from __future__ import annotations

from django.contrib import admin

from lessons.models import Lesson
from toolbox.admin_display import lesson_html, objectives_html


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "title",
        "subject",
        "grade_level",
        "content_type",
        "complexity",
        "provider",
        "fallback_reason",
        "owner",
        "created_at",
    )
    list_filter = ("provider", "content_type", "complexity", "grade_level", "subject")
    search_fields = ("title", "subject", "owner__username")
    date_hierarchy = "created_at"
    raw_id_fields = ("owner",)
    filter_horizontal = ("classrooms",)
    list_select_related = ("owner",)
    fields = (
        "title",
        "owner",
        "subject",
        "grade_level",
        "content_type",
        "complexity",
        "provider",
        "fallback_reason",
        "seed",
        "classrooms",
        "created_at",
        "objectives_display",
        "content_display",
    )
    # Generated content is a record of what the provider wrote: shown, not edited by hand.
    readonly_fields = (
        "subject",
        "grade_level",
        "content_type",
        "complexity",
        "provider",
        "fallback_reason",
        "seed",
        "created_at",
        "objectives_display",
        "content_display",
    )

    @admin.display(description="Learning objectives")
    def objectives_display(self, lesson: Lesson) -> str:
        return objectives_html(lesson.learning_objectives)

    @admin.display(description="Content")
    def content_display(self, lesson: Lesson) -> str:
        return lesson_html(lesson.content)
