"""The grade passback hook: a graded attempt by a student who came from an LMS line item."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from quizzes.models import QuizAttempt


@receiver(post_save, sender=QuizAttempt, dispatch_uid="lti.grade_passback")
def quiz_attempt_graded(sender, instance: QuizAttempt, created: bool, **kwargs) -> None:
    # A signal rather than a call in quizzes.services: quizzes knows nothing about LMSs.
    if not created:
        return
    from lti.services import grade_post_create
    from lti.tasks import grade_post_send

    for post in grade_post_create(attempt=instance):
        transaction.on_commit(lambda pk=post.pk: grade_post_send.delay(pk))
