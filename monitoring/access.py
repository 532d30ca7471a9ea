"""Who may read ``/metrics`` and ``/sentry/status``.

In a hardened environment (every ``SENTRY_ENVIRONMENT`` but the development ones, see
``monitoring.conf.DEVELOPMENT_ENVIRONMENTS``): a scraper with ``Authorization: Bearer
<MONITORING_TOKEN>`` or a staff member signed in to the admin; anyone else gets 401. In
development both are open, as the spec's curl examples assume. ``/health`` is always open (load
balancers) and ``/sentry-debug`` is 404 in hardened environments.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer


class MonitoringAccess(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        if not settings.SENTRY.is_hardened:
            return True
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return self.authenticate(request, token.strip())
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            return user
        return None

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        expected = settings.MONITORING_TOKEN
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return True
        return None


monitoring_access = MonitoringAccess()
