"""What the lesson and quiz routers share: answering a generate request, finding content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ninja import Status

from jobs.schemas import BackgroundIn
from jobs.services import job_start
from toolbox.errors import NotFound

C = TypeVar("C")


def generation_answer(
    *,
    owner_id: int,
    kind: str,
    payload: BackgroundIn,
    generate: Callable[..., Any],
    out: Callable[[Any], dict[str, object]],
) -> Status:
    """The answer of a ``generate`` endpoint: ``202`` with a job for ``"background": true``
    (the job runs ``kind``'s registered service), else ``201`` with the content the app's own
    ``generate`` service wrote in the request, shown through ``out``."""
    params = payload.generation_params()
    if payload.background:
        return Status(202, job_start(owner_id=owner_id, kind=kind, params=params))
    return Status(201, out(generate(owner_id=owner_id, **params)))


def content_found(content: C | None, *, kind: str) -> C:
    """``content``, or a 404 that says which kind was not found (or may not be seen)."""
    if content is None:
        raise NotFound(f"{kind.capitalize()} not found")
    return content
