"""Settings parsing for robloxcloud (imported by toolbox/settings.py, so no Django imports)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from monitoring.env import ConfigError, env_list


def env_fernet_keys(environ: Mapping[str, str], name: str) -> list[str]:
    """Comma-separated Fernet keys (32 url-safe base64 bytes each, as ``Fernet.generate_key()``
    prints them); empty when unset. The value is never echoed: it is a secret."""
    keys = env_list(environ, name, [])
    for key in keys:
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raw = b""
        if len(raw) != 32:
            raise ConfigError(
                name,
                "<hidden>",
                "comma-separated Fernet keys (cryptography.fernet.Fernet.generate_key())",
            )
    return keys
