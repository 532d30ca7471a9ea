"""Deterministic randomness shared by the generators.

Each generator draws from one :class:`random.Random` seeded with a SHA-256 digest of all of its
arguments (never ``hash()``), so the same request gives the same content across processes and
``PYTHONHASHSEED`` values. The namespace keeps two generators given the same arguments apart.
"""

from __future__ import annotations

import hashlib


def seed_derive(namespace: str, *parts: object) -> int:
    """A 64-bit seed from ``namespace`` and the ``repr`` of each part."""
    payload = "\x1f".join([namespace, *(repr(part) for part in parts)]).encode("utf-8")
    return int.from_bytes(hashlib.sha256(payload).digest()[:8], "big")
