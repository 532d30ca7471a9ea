"""``ws/jobs/<id>/``: a generation job's progress, pushed as it happens.

Frames sent: ``ready``, then ``job.status`` (a snapshot at once, then every change: queued,
running with progress, done with the content id, failed with a safe message). Frames accepted:
``ping``, ``job.status`` (ask for a snapshot).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from channels.db import database_sync_to_async

from accounts.models import User
from jobs import selectors
from jobs.models import GenerationJob
from jobs.schemas import job_payload
from live import selectors as live_selectors
from live.broadcasting import job_group
from live.consumers.base import NOT_FOUND, Denial, LiveConsumer
from live.protocol import JobStatusIn


@database_sync_to_async
def _job(user: User, job_id: UUID) -> GenerationJob | None:
    return selectors.job_get(user=user, job_id=job_id)


class JobConsumer(LiveConsumer):
    messages = {"job.status": JobStatusIn}

    @property
    def job_id(self) -> UUID:
        return self.scope["url_route"]["kwargs"]["job_id"]

    async def authorize(self, user: User) -> Denial | None:
        denial = live_selectors.job_denial(user=user)
        if denial is not None:
            return denial
        if await _job(user, self.job_id) is None:
            return NOT_FOUND, "Job not found"
        return None

    async def subscribe(self) -> None:
        # Joined before the snapshot is read: an update racing with the join arrives twice at
        # worst, never not at all.
        await self.join(job_group(self.job_id))

    async def snapshot(self) -> None:
        job = await _job(self.user, self.job_id)
        if job is None:
            return
        # In the trace of the request that enqueued the job, like every push about it.
        with self._transaction("websocket.send", "job.snapshot", job.trace_headers):
            await self.send_frame({"type": "job.status", "job": job_payload(job)})

    async def on_job_status(self, payload: JobStatusIn) -> None:
        await self.snapshot()

    async def job_update(self, event: dict[str, Any]) -> None:
        """Channel-layer push from ``live.broadcasting.job_updated``."""
        await self.send_frame({"type": "job.status", "job": event["job"]})
