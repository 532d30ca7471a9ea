"""Re-encrypt every stored Roblox API key with the first configured encryption key.

Run after putting a new key first in ``ROBLOX_KEY_ENCRYPTION_KEY`` (or after moving the old
``SECRET_KEY`` into ``SECRET_KEY_FALLBACKS``); then the old key can be dropped.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from robloxcloud import services


class Command(BaseCommand):
    help = "Re-encrypt stored Roblox Open Cloud API keys with the current encryption key."

    def handle(self, *args, **options) -> None:
        rotated, unreadable = services.connection_rotate_encryption()
        self.stdout.write(f"re-encrypted {rotated} key(s); {unreadable} unreadable")
