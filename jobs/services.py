"""Job writes: enqueue a generation, run it (in a Celery worker), record and push each step.

Every step is saved on the job's row first (the truth that ``GET /api/v1/jobs/{id}`` reads), then
pushed to the sockets following the job (``ws/jobs/<id>/``), in the trace of the request that
enqueued it: the Celery integration carries that trace into the task, and the push carries it
on to the socket.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sentry_sdk
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobs.models import GenerationJob, JobStatus
from jobs.registry import GENERATORS
from jobs.signals import job_updated
from monitoring import errors
from monitoring.facade import capture_exception, sentry_manager
from monitoring.guards import sentry_active
from monitoring.tracing import current_trace_headers

logger = logging.getLogger("jobs")

STARTED_PROGRESS = 10
DONE_PROGRESS = 100
# What a user is told. The exception itself went to Sentry, never to the client.
GENERATION_FAILED = "Generation failed. The error has been reported; please try again."
NOT_QUEUED = "The job could not be queued. The error has been reported; please try again."
INTERRUPTED = "Generation was interrupted before it finished; please try again."


def job_enqueue(*, owner_id: int, kind: str, params: dict[str, Any]) -> GenerationJob:
    """Store a queued job and hand it to a worker once the row is committed.

    ``params`` are the generation request's fields, already validated by the API schema.
    Without a broker (``CELERY_TASK_ALWAYS_EAGER``) the job runs here, before this returns.
    """
    job = GenerationJob.objects.create(
        owner_id=owner_id, kind=kind, params=params, trace_headers=current_trace_headers()
    )
    sentry_manager.add_breadcrumb(
        message="Generation job queued",
        category="jobs",
        data={"job_id": str(job.pk), "kind": kind},
    )
    logger.info("generation job queued", extra={"job_id": str(job.pk), "kind": kind})
    transaction.on_commit(lambda: _submit(job.pk))
    return job


def job_start(*, owner_id: int, kind: str, params: dict[str, Any]) -> GenerationJob:
    """:func:`job_enqueue`, then the job as it is once the request commits: without a worker
    (eager mode) it has run already."""
    job = job_enqueue(owner_id=owner_id, kind=kind, params=params)
    job.refresh_from_db()
    return job


def _submit(job_id: UUID) -> None:
    from jobs.tasks import generation_job_run

    try:
        generation_job_run.delay(str(job_id))
    except Exception as exc:
        # The broker is unreachable, or (run eagerly) the task itself crashed, which the Celery
        # integration has already reported: either way the job must not stay "queued" forever.
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            errors.count_error(
                component="jobs", category=errors.APPLICATION, kind=errors.SERVER,
                reported=sentry_active(),
            )  # fmt: skip
            capture_exception(exc)
        logger.warning("generation job not run", extra={"job_id": str(job_id)})
        job = GenerationJob.objects.filter(pk=job_id).first()
        if job is not None and not job.finished:
            _finish(job, status=JobStatus.FAILED, error=NOT_QUEUED)


def job_run(*, job_id: UUID | str) -> GenerationJob | None:
    """Run a queued job once: claim it, generate, record the outcome. Called by the task."""
    claimed = GenerationJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, progress=STARTED_PROGRESS, started_at=timezone.now()
    )
    job = GenerationJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None:
        logger.warning("generation job not found", extra={"job_id": str(job_id)})
        return None
    if not claimed:  # delivered twice, or already run: a job runs at most once
        logger.info("generation job already taken", extra={"job_id": str(job.pk)})
        return job
    sentry_manager.set_user_context(user_id=job.owner_id, role=job.owner.role)
    sentry_manager.set_tag("component", "jobs")
    sentry_manager.set_context("generation_job", {"id": str(job.pk), "kind": job.kind})
    _record(job, "Generation job running")
    try:
        content = GENERATORS[job.kind](owner_id=job.owner_id, **job.params)
    except Exception as exc:
        # The generation service has reported it with its educational_content context; the job's
        # failure is counted here, whether it ran in a worker or (eagerly) inside a request.
        category = errors.category_for(exc, None)
        errors.count_error(
            component="jobs",
            category=errors.CONTENT_GENERATION if category == errors.APPLICATION else category,
            kind=errors.SERVER,
            reported=sentry_active(),
        )
        logger.warning(
            "generation raised in a job", extra={"job_id": str(job.pk), "error": type(exc).__name__}
        )
        return _finish(job, status=JobStatus.FAILED, error=GENERATION_FAILED)
    return _finish(job, status=JobStatus.DONE, content_id=content.pk)


def _interrupted_before(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)


def job_interrupted(job: GenerationJob) -> bool:
    """Whether ``job`` is still ``running`` ``JOB_TIMEOUT_SECONDS`` after it started."""
    return (
        job.status == JobStatus.RUNNING
        and job.started_at is not None
        and job.started_at < _interrupted_before(timezone.now())
    )


def job_sweep_interrupted(*, now: datetime | None = None) -> list[GenerationJob]:
    """Fail the jobs still ``running`` ``JOB_TIMEOUT_SECONDS`` after they started.

    Their worker died mid-job (killed, restarted, out of memory) and nothing else will ever
    finish them. Run when a worker starts, when the API reads one of them, and by
    ``manage.py sweep_interrupted_jobs``. Each swept job is pushed to its sockets like any other
    step; one Sentry warning says how many were swept.
    """
    now = now or timezone.now()
    swept = []
    stale = GenerationJob.objects.filter(
        status=JobStatus.RUNNING, started_at__lt=_interrupted_before(now)
    )
    for job in stale:
        # Conditional: a sweep running elsewhere at the same moment fails each job once.
        taken = GenerationJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, error=INTERRUPTED, finished_at=now
        )
        if taken:
            job.status, job.error, job.finished_at = JobStatus.FAILED, INTERRUPTED, now
            _record(job, "Generation job interrupted")
            swept.append(job)
    if swept:
        logger.warning(
            "generation jobs interrupted", extra={"job_ids": [str(job.pk) for job in swept]}
        )
        with sentry_sdk.new_scope() as scope:
            scope.set_tag("component", "jobs")
            scope.set_context("interrupted_jobs", {"ids": [str(job.pk) for job in swept]})
            scope.fingerprint = ["generation-jobs-interrupted"]
            sentry_sdk.capture_message(
                f"{len(swept)} generation job(s) interrupted: still running "
                f"{settings.JOB_TIMEOUT_SECONDS} s after they started (their worker was lost)",
                level="warning",
            )
    return swept


def _finish(
    job: GenerationJob, *, status: str, content_id: int | None = None, error: str = ""
) -> GenerationJob:
    job.status = status
    job.content_id = content_id
    job.error = error
    job.finished_at = timezone.now()
    if status == JobStatus.DONE:
        job.progress = DONE_PROGRESS
    job.save(update_fields=["status", "content_id", "error", "finished_at", "progress"])
    _record(job, f"Generation job {status}")
    return job


def _record(job: GenerationJob, message: str) -> None:
    data = {"job_id": str(job.pk), "kind": job.kind, "status": job.status}
    if job.content_id is not None:
        data["content_id"] = job.content_id
    sentry_manager.add_breadcrumb(
        message=message,
        category="jobs",
        level="warning" if job.status == JobStatus.FAILED else "info",
        data=data,
    )
    logger.info(message.lower(), extra=data)
    job_updated.send(sender=GenerationJob, job=job)
