from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from jobs.models import GenerationJob, JobKind, JobStatus
from jobs.registry import CONTENT_URLS


class BackgroundIn(Schema):
    """Mixed into a generation request: run it as a background job."""

    def generation_params(self) -> dict[str, object]:
        """The generation request itself, JSON-ready: what a job stores and replays."""
        return self.model_dump(mode="json", exclude={"background"})

    background: bool = Field(
        default=False,
        description="Answer 202 with a job at once and generate in a worker; follow the job at "
        "GET /api/v1/jobs/{id} or on the socket ws/jobs/{id}/",
    )


class JobOut(Schema):
    id: UUID
    kind: JobKind
    status: JobStatus
    progress: int = Field(description="0 to 100")
    content_id: int | None = Field(description="The lesson or quiz, once the job is done")
    content_url: str | None
    error: str | None = Field(description="Why the job failed, in words safe to show")
    status_url: str
    websocket_path: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_content_url(job: GenerationJob) -> str | None:
        if job.content_id is None:
            return None
        return CONTENT_URLS[job.kind].format(id=job.content_id)

    @staticmethod
    def resolve_error(job: GenerationJob) -> str | None:
        return job.error or None

    @staticmethod
    def resolve_status_url(job: GenerationJob) -> str:
        return f"/api/v1/jobs/{job.pk}"

    @staticmethod
    def resolve_websocket_path(job: GenerationJob) -> str:
        return f"/ws/jobs/{job.pk}/"


def job_payload(job: GenerationJob) -> dict[str, object]:
    """The job as the API shows it, JSON-ready (for pushes over the channel layer)."""
    return JobOut.from_orm(job).model_dump(mode="json")
