"""``/api/v1/jobs``: background generation jobs (started with ``"background": true`` on
``POST /api/v1/content/generate`` or ``POST /api/v1/quizzes/generate``)."""

# No ``from __future__ import annotations``: Ninja resolves the path parameters' types.
from uuid import UUID

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from accounts.auth import api_auth
from accounts.schemas import MessageOut
from jobs import selectors, services
from jobs.models import GenerationJob
from jobs.schemas import JobOut
from toolbox.errors import NotFound

router = Router(tags=["jobs"], auth=api_auth)

MAX_PAGE_SIZE = 100


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
        raise NotFound("Job not found")
    if services.job_interrupted(job):  # its worker was lost: reported failed, not running
        services.job_sweep_interrupted()
        job.refresh_from_db()
    return job
