"""quizzes 0002: before the one-attempt rule, each student's first attempt at a quiz is kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("quizzes", "0001_initial")]
AFTER = [("quizzes", "0002_one_attempt_per_student")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration__keeps_each_students_first_attempt_only():
    apps = migrate(BEFORE)
    try:
        User = apps.get_model("accounts", "User")
        Quiz = apps.get_model("quizzes", "Quiz")
        QuizAttempt = apps.get_model("quizzes", "QuizAttempt")
        teacher = User.objects.create(username="t-migration", role="teacher")
        pupils = [User.objects.create(username=f"s-migration-{i}", role="student") for i in (1, 2)]
        quiz = Quiz.objects.create(
            owner=teacher, subject="mathematics", grade_level=3, difficulty="easy",
            question_count=3, seed=1, provider="offline", title="Q", questions=[],
        )  # fmt: skip

        def attempt(student, score):
            return QuizAttempt.objects.create(
                quiz=quiz, student=student, answers=[], score=score, total=3, percentage=0,
                results=[],
            ).pk  # fmt: skip

        first = attempt(pupils[0], 1)
        attempt(pupils[0], 3)  # after seeing the answers
        attempt(pupils[0], 3)
        other = attempt(pupils[1], 2)
        apps = migrate(AFTER)
        kept = apps.get_model("quizzes", "QuizAttempt").objects.order_by("pk")
        assert list(kept.values_list("pk", "score")) == [(first, 1), (other, 2)]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
