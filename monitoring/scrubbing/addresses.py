"""Addresses that are ours, not a person's, and stay readable with PII off.

A client's IP address is personal data; the addresses the server listens on and connects to
are configuration ("Listening on TCP address 0.0.0.0:8008", "redis://10.0.0.7:6379/0"). Loopback
and unspecified addresses are never a person's device; the hosts named in our own settings
(database, Redis, broker, bind address, IP literals in ALLOWED_HOSTS) are our servers. Every
other address is redacted as before. Credentials inside URLs are redacted separately.
"""

from __future__ import annotations

import ipaddress
import os
import re
from functools import lru_cache
from urllib.parse import urlsplit

from monitoring.scrubbing.patterns import FILTERED

__all__ = ["keep_own_address", "own_addresses"]


def _ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _url_host(url: str | None) -> str | None:
    try:
        return urlsplit(url).hostname if url else None
    except ValueError:
        return None


@lru_cache(maxsize=1)
def own_addresses() -> frozenset[str]:
    """The IP literals of our own configuration (read once: settings do not change)."""
    candidates: list[str | None] = [os.environ.get("GUNICORN_BIND", "").rpartition(":")[0]]
    from django.conf import settings

    if settings.configured:
        candidates += [db.get("HOST") for db in settings.DATABASES.values()]
        candidates += [
            _url_host(getattr(settings, name, None)) for name in ("REDIS_URL", "CELERY_BROKER_URL")
        ]
        candidates += list(getattr(settings, "ALLOWED_HOSTS", ()))
    return frozenset(str(ip) for ip in map(_ip, candidates) if ip is not None)


def keep_own_address(match: re.Match[str]) -> str:
    """``re.sub`` callback for the IP patterns: our own addresses stay, a person's go."""
    found = match.group(0)
    address = _ip(found.split("%", 1)[0])
    if address is not None and (
        address.is_loopback or address.is_unspecified or str(address) in own_addresses()
    ):
        return found
    return FILTERED
