"""Celery tasks. Run by ``make worker`` (or eagerly, in the request, without a broker)."""

from __future__ import annotations

from celery import shared_task

from jobs import services


@shared_task(name="jobs.generation_job_run", ignore_result=True)
def generation_job_run(job_id: str) -> None:
    services.job_run(job_id=job_id)
