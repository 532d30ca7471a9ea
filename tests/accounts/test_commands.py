import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User

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
    call_command("seed_demo_users")
    assert "no demo users created" in capsys.readouterr().out
    assert User.objects.count() == 3


def test_seed_demo_users__never_in_production(settings, capsys):
    settings.IS_PRODUCTION = True
    call_command("seed_demo_users")
    assert User.objects.count() == 0
