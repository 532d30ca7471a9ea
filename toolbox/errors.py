"""The one domain error hierarchy: services say *what* went wrong, never which HTTP status it is.

Services and selectors raise these; ``toolbox/api.py`` maps every one of them to Ninja's
``{"detail": ...}`` answer with its status in one handler, so a view needs no try/except. Each
also subclasses the Django or Python exception that code outside the API already understands:
a :class:`Forbidden` that escapes a server-rendered page is a ``PermissionDenied`` (403), a
:class:`NotFound` an ``Http404``, an :class:`Invalid` a ``ValueError``; and all are
subclasses of Ninja's ``HttpError`` with their status, so the error policy
(``monitoring.errors``) counts them as client errors without knowing this module.

This module imports nothing of ours: every layer may raise these (``.importlinter``).
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja.errors import HttpError


class DomainError(HttpError):
    """A request the application refuses, with a message safe to show to its user."""

    status: ClassVar[int] = 400

    def __init__(self, detail: str) -> None:
        super().__init__(self.status, detail)
        self.detail = detail


class NotFound(DomainError, Http404):
    """The thing does not exist, or the user may not know that it does."""

    status = 404


class Forbidden(DomainError, PermissionDenied):
    """The user is known but may not do this."""

    status = 403


class Conflict(DomainError):
    """The request clashes with what is already stored (a second quiz attempt)."""

    status = 409


class Invalid(DomainError, ValueError):
    """Well-formed input that does not fit: answered like a schema error (422), with ``field``
    as the body field it is about."""

    status = 422

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class Throttled(DomainError):
    """Too many attempts: try again in ``retry_after`` seconds (``Retry-After``)."""

    status = 429

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
