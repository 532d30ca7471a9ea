"""Teachers' Roblox API keys, encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

Keys, first to last (``MultiFernet``: the first encrypts, every one decrypts):

* ``ROBLOX_KEY_ENCRYPTION_KEY``: comma-separated Fernet keys, when set;
* otherwise a key derived (HKDF-SHA256) from ``SECRET_KEY``, then one from each of Django's
  ``SECRET_KEY_FALLBACKS``.

Rotation: put the new key first (or move the old ``SECRET_KEY`` into ``SECRET_KEY_FALLBACKS``),
restart, run ``manage.py roblox_rotate_keys`` (re-encrypts every stored key with the first one),
then drop the old key. A stored key that no configured key can decrypt reads as "not connected"
and the teacher is asked to save it again; it is never sent anywhere.

A decrypted key is registered with the scrubbing (``monitoring.scrubbing.registry``): from then
on this process redacts it from every Sentry event and log line, even echoed in an error message.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from monitoring.scrubbing import register_secret

# Binds the derived key to this one use of SECRET_KEY.
_HKDF_INFO = b"toolbox.robloxcloud.api-key-encryption.v1"


class KeyUnreadable(Exception):
    """The stored ciphertext cannot be decrypted with any configured key."""


def _derived(secret: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        secret.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


def _cipher() -> MultiFernet:
    configured = list(settings.ROBLOX_KEY_ENCRYPTION_KEY)
    if configured:
        keys = [key.encode("ascii") for key in configured]
    else:
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        keys = [_derived(secret) for secret in secrets]
    return MultiFernet([Fernet(key) for key in keys])


def api_key_encrypt(*, api_key: str) -> str:
    register_secret(api_key)
    return _cipher().encrypt(api_key.encode("utf-8")).decode("ascii")


def api_key_decrypt(*, ciphertext: str) -> str:
    try:
        api_key = _cipher().decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise KeyUnreadable("the stored Roblox API key cannot be decrypted") from exc
    register_secret(api_key)
    return api_key


def api_key_reencrypt(*, ciphertext: str) -> str:
    """The same key encrypted with the first configured key (rotation)."""
    try:
        return _cipher().rotate(ciphertext.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError) as exc:
        raise KeyUnreadable("the stored Roblox API key cannot be decrypted") from exc


def api_key_mask(*, last4: str) -> str:
    """``****abcd``: enough for a teacher to recognise the key, nothing to use."""
    return f"****{last4}"
