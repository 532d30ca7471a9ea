from __future__ import annotations

from django.contrib import admin

from lessons.models import Lesson
from publishing.admin import PublishedContentAdmin
from publishing.display import lesson_html, objectives_html


@admin.register(Lesson)
class LessonAdmin(PublishedContentAdmin):
    kind_fields = ("content_type", "complexity")
    json_fields = ("objectives_display", "content_display")
    list_filter = ("provider", "content_type", "complexity", "grade_level", "subject")
    search_fields = ("title", "subject", "owner__username")

    @admin.display(description="Learning objectives")
    def objectives_display(self, lesson: Lesson) -> str:
        return objectives_html(lesson.learning_objectives)

    @admin.display(description="Content")
    def content_display(self, lesson: Lesson) -> str:
        return lesson_html(lesson.content)
