"""One attempt per student and quiz (grading reveals the answers).

Before the constraint, later attempts are removed: only a student's first attempt at a quiz was
made without having seen the answers, so it is the one that counts.
"""

from django.db import migrations, models


def keep_first_attempts(apps, schema_editor):
    QuizAttempt = apps.get_model("quizzes", "QuizAttempt")
    seen = set()
    later = []
    attempts = QuizAttempt.objects.order_by("created_at", "id")
    for attempt_id, quiz_id, student_id in attempts.values_list("id", "quiz_id", "student_id"):
        if (quiz_id, student_id) in seen:
            later.append(attempt_id)
        else:
            seen.add((quiz_id, student_id))
    QuizAttempt.objects.filter(pk__in=later).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(keep_first_attempts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="quizattempt",
            constraint=models.UniqueConstraint(
                fields=("quiz", "student"), name="quizzes_one_attempt_per_student"
            ),
        ),
    ]
