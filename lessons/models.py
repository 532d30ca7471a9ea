from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Classroom
from curriculum import COMPLEXITIES, LESSON_CONTENT_TYPES
from publishing.models import PublishedContent

#: ``curriculum``'s lesson content types and complexities as model choices: members named by
#: their value (``ContentType.STUDY_GUIDE``), labels in sentence case ("Study guide", "Basic").
ContentType = models.TextChoices(
    "ContentType",
    [(value.upper(), (value, label.capitalize())) for value, label in LESSON_CONTENT_TYPES.items()],
)
Complexity = models.TextChoices(
    "Complexity", [(value.upper(), (value, value.capitalize())) for value in COMPLEXITIES]
)


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
