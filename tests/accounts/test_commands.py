import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Classroom, User

pytestmark = pytest.mark.django_db


def test_create_user__creates_each_role(capsys):
    for role in ("admin", "teacher", "student"):
        call_command("create_user", f"u-{role}", "--role", role, "--password", "pw-123456!")
        user = User.objects.get(username=f"u-{role}")
        assert user.role == role
        assert user.check_password("pw-123456!")
        assert user.is_staff == (role == "admin")
    assert "Created student" in capsys.readouterr().out


def test_create_user__refuses_duplicates():
    call_command("create_user", "dup", "--password", "x")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", "dup", "--password", "x")


def test_seed_demo_users__creates_once_and_prints_credentials(capsys):
    call_command("seed_demo_users")
    out = capsys.readouterr().out
    assert "username=demo-teacher password=demo-teacher-password" in out
    assert set(User.objects.values_list("role", flat=True)) == {"admin", "teacher", "student"}
    # The demo class holds the demo student (enrolled as an admin would), and prints its code.
    classroom = Classroom.objects.get()
    assert classroom.teacher.username == "demo-teacher"
    assert [s.username for s in classroom.students.all()] == ["demo-student"]
    assert f"join code {classroom.join_code}" in out
    call_command("seed_demo_users")
    assert "no demo users created" in capsys.readouterr().out
    assert User.objects.count() == 3


def test_seed_demo_users__never_in_hardened_environments(settings, capsys):
    settings.IS_HARDENED = True
    call_command("seed_demo_users")
    assert User.objects.count() == 0
