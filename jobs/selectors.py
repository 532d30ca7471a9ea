"""Job reads: a job is visible to its owner and to admins."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from accounts.models import Role, User
from jobs.models import GenerationJob


def job_list(*, user: User) -> QuerySet[GenerationJob]:
    jobs = GenerationJob.objects.all()
    if user.role == Role.ADMIN or user.is_superuser:
        return jobs
    return jobs.filter(owner=user)


def job_get(*, user: User, job_id: UUID | str) -> GenerationJob | None:
    return job_list(user=user).filter(pk=job_id).first()
