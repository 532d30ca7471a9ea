"""Celery task: a publication to Roblox (run by ``make worker``, or eagerly without a broker)."""

from __future__ import annotations

from celery import shared_task

from robloxcloud import services


@shared_task(name="robloxcloud.publication_run", ignore_result=True)
def publication_run_task(publication_id: int) -> None:
    services.publication_run(publication_id=publication_id)
