"""The tool's private key at rest: Fernet, keyed by ``LTI_KEY_ENCRYPTION_KEY`` or SECRET_KEY.

A database dump (a backup, a support copy) must not hand out the key that signs our grade posts
and deep-linking responses: only the running app, which holds the encryption key, can read it.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# The derivation's purpose: a key derived here is useless for anything else keyed by SECRET_KEY.
_INFO = b"toolboxai lti tool private key"


def fernet_key_valid(key: str) -> bool:
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


def _fernet() -> Fernet:
    configured = getattr(settings, "LTI_KEY_ENCRYPTION_KEY", "")
    if configured:
        return Fernet(configured.encode())
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def secret_encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def secret_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
