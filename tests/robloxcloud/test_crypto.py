"""API keys at rest: Fernet, with keys from ROBLOX_KEY_ENCRYPTION_KEY or SECRET_KEY, rotation."""

from __future__ import annotations

import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from robloxcloud import crypto, services
from robloxcloud.models import RobloxConnection
from tests.robloxcloud.conftest import API_KEY

pytestmark = pytest.mark.django_db


def _save(teacher) -> RobloxConnection:
    return services.connection_save(
        owner_id=teacher.pk, api_key=API_KEY, universe_id=None, place_id=None,
        creator_user_id=5, creator_group_id=None,
    )  # fmt: skip


def test_api_key_encrypt__round_trips_and_never_stores_the_plaintext(teacher):
    stored = _save(teacher).api_key_encrypted
    assert API_KEY not in stored
    assert crypto.api_key_decrypt(ciphertext=stored) == API_KEY


def test_rotation__a_new_first_key_reencrypts_and_the_old_one_can_go(teacher, settings, capsys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ROBLOX_KEY_ENCRYPTION_KEY = [old]
    _save(teacher)
    settings.ROBLOX_KEY_ENCRYPTION_KEY = [new, old]
    call_command("roblox_rotate_keys")
    assert "re-encrypted 1 key(s); 0 unreadable" in capsys.readouterr().out
    settings.ROBLOX_KEY_ENCRYPTION_KEY = [new]
    stored = RobloxConnection.objects.get().api_key_encrypted
    assert crypto.api_key_decrypt(ciphertext=stored) == API_KEY


def test_rotation__secret_key_fallbacks_still_decrypt(teacher, settings):
    settings.ROBLOX_KEY_ENCRYPTION_KEY = []
    settings.SECRET_KEY = "old-secret-" + "x" * 50
    _save(teacher)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = (
        "new-secret-" + "y" * 50,
        [settings.SECRET_KEY],
    )
    stored = RobloxConnection.objects.get().api_key_encrypted
    assert crypto.api_key_decrypt(ciphertext=stored) == API_KEY
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(crypto.KeyUnreadable):
        crypto.api_key_decrypt(ciphertext=stored)


def test_settings__a_bad_encryption_key_stops_startup_with_one_line():
    env = {
        "ROBLOX_KEY_ENCRYPTION_KEY": "not-a-fernet-key",
        "DJANGO_SETTINGS_MODULE": "toolbox.settings",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "ROBLOX_KEY_ENCRYPTION_KEY='<hidden>' is invalid" in lines[0]
    assert "not-a-fernet-key" not in result.stderr
