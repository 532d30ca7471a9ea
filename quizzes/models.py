from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.models import Classroom
from curriculum import DIFFICULTIES
from curriculum.quizzes import MAX_QUESTIONS, MIN_QUESTIONS
from providers.base import (
    SubjectChoices,
)
from publishing.models import PublishedContent

#: The shared vocabulary's subjects (``curriculum``), as model choices.
Subject = SubjectChoices


#: ``curriculum``'s quiz difficulties as model choices (``Difficulty.MEDIUM``, labelled "Medium").
Difficulty = models.TextChoices(
    "Difficulty", [(value.upper(), (value, value.capitalize())) for value in DIFFICULTIES]
)


class Quiz(PublishedContent):
    """Generated multiple-choice questions. Students take it once it is published to their class."""

    kind = "quiz"
    api_url = "/api/v1/quizzes/{id}"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quizzes"
    )
    classrooms = models.ManyToManyField(Classroom, related_name="quizzes", blank=True)

    subject = models.CharField(max_length=32, choices=Subject.choices)
    difficulty = models.CharField(max_length=8, choices=Difficulty.choices)
    question_count = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_QUESTIONS), MaxValueValidator(MAX_QUESTIONS)]
    )
    title = models.CharField(max_length=200)
    # [Question.to_dict(), ...]: prompt, options, correct_index, answer, explanation, topic
    questions = models.JSONField(default=list)

    class Meta(PublishedContent.Meta):
        verbose_name_plural = "quizzes"
        constraints = [
            *PublishedContent.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(question_count__gte=MIN_QUESTIONS)
                & models.Q(question_count__lte=MAX_QUESTIONS),
                name="quiz_question_count_1_to_50",
            ),
        ]


class QuizAttempt(models.Model):
    """One student's graded answers to a quiz: one attempt each, since grading reveals the
    correct answers."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    answers = models.JSONField(default=list)  # chosen option per question, null = unanswered
    score = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    percentage = models.FloatField()
    results = models.JSONField(default=list)  # per question: correct, chosen, correct_index...
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "student"], name="quizzes_one_attempt_per_student"
            )
        ]

    def __str__(self) -> str:
        return f"Attempt {self.pk} on quiz {self.quiz_id}: {self.score}/{self.total}"
