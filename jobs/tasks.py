"""Celery tasks. Run by ``make worker`` (or eagerly, in the request, without a broker)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from jobs import services


@shared_task(name="jobs.generation_job_run", ignore_result=True)
def generation_job_run(job_id: str) -> None:
    services.job_run(job_id=job_id)


def sweep_interrupted_jobs(**kwargs: Any) -> None:
    """On ``worker_ready`` (connected in ``JobsConfig.ready``): a worker that starts, maybe in
    place of one killed mid-job, fails the jobs that were left running."""
    services.job_sweep_interrupted()
