from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Classroom
from publishing.models import PublishedContent


class ContentType(models.TextChoices):
    LESSON = "lesson", "Lesson"
    STUDY_GUIDE = "study_guide", "Study guide"
    ACTIVITY = "activity", "Activity plan"
    REVIEW = "review", "Review"


class Complexity(models.TextChoices):
    BASIC = "basic", "Basic"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class Lesson(PublishedContent):
    """A generated lesson plan. Students see it once it is published to one of their classes."""

    kind = "lesson"
    api_url = "/api/v1/content/{id}"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lessons"
    )
    classrooms = models.ManyToManyField(Classroom, related_name="lessons", blank=True)

    learning_objectives = models.JSONField(default=list)
    content_type = models.CharField(max_length=16, choices=ContentType.choices)
    complexity = models.CharField(max_length=16, choices=Complexity.choices)
    title = models.CharField(max_length=300)
    # summary, sections, vocabulary, activities, assessment, estimated_duration_minutes
    content = models.JSONField(default=dict)

    class Meta(PublishedContent.Meta):
        pass
