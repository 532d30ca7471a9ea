"""``/api/v1/jobs``: background generation jobs (started with ``"background": true`` on
``POST /api/v1/content/generate`` or ``POST /api/v1/quizzes/generate``)."""

# No ``from __future__ import annotations``: Ninja resolves the path parameters' types.
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from accounts.auth import api_auth
from accounts.schemas import MessageOut
from jobs import selectors, services
from jobs.models import GenerationJob
from jobs.schemas import BackgroundIn, JobOut

router = Router(tags=["jobs"], auth=api_auth)

MAX_PAGE_SIZE = 100


def generation_answer(
    *, owner_id: int, kind: str, payload: BackgroundIn, out: Callable[[Any], dict[str, object]]
) -> Status:
    """The answer of a ``generate`` endpoint: ``202`` with a job for ``"background": true``,
    else ``201`` with the content (``out``) generated in the request."""
    params = payload.model_dump(mode="json", exclude={"background"})
    if payload.background:
        job = services.job_enqueue(owner_id=owner_id, kind=kind, params=params)
        job.refresh_from_db()  # run already when there is no worker (eager mode)
        return Status(202, job)
    return Status(201, out(services.GENERATORS[kind](owner_id=owner_id, **params)))


@router.get("", response=list[JobOut], summary="Your generation jobs, newest first")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def job_list(request: HttpRequest):
    services.job_sweep_interrupted()
    return selectors.job_list(user=request.auth)


@router.get(
    "/{uuid:job_id}",
    response={200: JobOut, 404: MessageOut},
    summary="A generation job: queued, running (with progress), done (with the content) or failed",
)
def job_get(request: HttpRequest, job_id: UUID) -> GenerationJob:
    job = selectors.job_get(user=request.auth, job_id=job_id)
    if job is None:
        raise HttpError(404, "Job not found")
    if services.job_interrupted(job):  # its worker was lost: reported failed, not running
        services.job_sweep_interrupted()
        job.refresh_from_db()
    return job
