import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.management.commands.seed_demo_users import DEMO_USERS
from accounts.models import Classroom, User
from accounts.services import PasswordRejected, user_create
from tests.support.servers import ROOT, app_environment

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
    call_command("create_user", "dup", "--password", "pw-123456!")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", "dup", "--password", "pw-123456!")


def test_seed_demo_users__creates_once_and_prints_credentials(capsys):
    call_command("seed_demo_users")
    out = capsys.readouterr().out
    assert "username=demo-teacher password=teacher-maple-kite-42" in out
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


def test_create_user__weak_password_fails_with_one_line():
    """The real command line: exit status 1, one line naming the reasons, no traceback."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs the suite's PostgreSQL test database, visible to a subprocess")
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    url = f"postgres://{database['USER']}@{host}/{database['NAME']}"
    result = subprocess.run(
        [sys.executable, "manage.py", "create_user", "weak", "--password", "a"],
        cwd=ROOT,
        env=app_environment({"DATABASE_URL": url, "LOG_FILE": ""}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "CommandError: Password rejected: This password is too short. It must contain at least "
        "8 characters. This password is too common."
    ]
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.parametrize(
    ("username", "password"),
    [("weak", "a"), ("zoe-lee", "zoe-lee1"), ("leo", "12345678901"), ("ada", "password123")],
)
def test_user_create__runs_the_password_validators(username, password):
    with pytest.raises(PasswordRejected):
        user_create(username=username, password=password)
    assert not User.objects.filter(username=username).exists()


def test_seed_demo_users__passwords_pass_the_validators():
    for username, password, role in DEMO_USERS:
        validate_password(password, User(username=username, role=role))
