"""Join codes for classrooms: existing classes each get their own code, then it is unique."""

from django.db import migrations, models

import accounts.models


def give_each_classroom_a_code(apps, schema_editor):
    Classroom = apps.get_model("accounts", "Classroom")
    used = set()
    for classroom in Classroom.objects.all().only("pk"):
        code = accounts.models.join_code_new()
        while code in used:
            code = accounts.models.join_code_new()
        used.add(code)
        Classroom.objects.filter(pk=classroom.pk).update(
            join_code=code, join_code_expires_at=accounts.models.join_code_expiry()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_classroom"),
    ]

    operations = [
        migrations.AddField(
            model_name="classroom",
            name="join_code",
            field=models.CharField(editable=False, max_length=8, null=True),
        ),
        migrations.AddField(
            model_name="classroom",
            name="join_code_expires_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_classroom_a_code, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="classroom",
            name="join_code",
            field=models.CharField(
                default=accounts.models.join_code_new, editable=False, max_length=8, unique=True
            ),
        ),
        migrations.AlterField(
            model_name="classroom",
            name="join_code_expires_at",
            field=models.DateTimeField(default=accounts.models.join_code_expiry, editable=False),
        ),
    ]
