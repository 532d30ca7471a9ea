"""The job kinds, registered by the apps that generate them (in their ``AppConfig.ready``).

``jobs`` is generic: it stores, runs and reports a job without knowing what a lesson or a quiz
is. Each content app tells it how to generate its kind and where the API serves the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: kind -> the app's generate service, called as ``generate(owner_id=..., **params)`` and
#: returning the stored content (anything with a ``pk``).
GENERATORS: dict[str, Callable[..., Any]] = {}
#: kind -> the API URL of the generated content, with ``{id}`` to fill in.
CONTENT_URLS: dict[str, str] = {}


def job_kind_register(*, kind: str, generate: Callable[..., Any], content_url: str) -> None:
    """Let jobs of ``kind`` run in the background. Idempotent: ``ready()`` may run twice."""
    GENERATORS[kind] = generate
    CONTENT_URLS[kind] = content_url
