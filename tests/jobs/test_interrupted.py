"""Jobs whose worker was lost (killed, restarted, out of memory mid-job) do not stay "running"
forever: the sweep fails them, pushes the change to their sockets and tells Sentry once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from celery.signals import worker_ready
from channels.layers import get_channel_layer
from django.core.management import call_command
from django.utils import timezone

from jobs import services
from jobs.models import GenerationJob, JobKind, JobStatus
from live.broadcasting import job_group
from tests.support.api import Api

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("offline_only")]

TIMEOUT = 600


@pytest.fixture(autouse=True)
def job_timeout(settings):
    settings.JOB_TIMEOUT_SECONDS = TIMEOUT


def running_job(owner, *, started_seconds_ago: float) -> GenerationJob:
    return GenerationJob.objects.create(
        owner=owner,
        kind=JobKind.QUIZ,
        params={"subject": "mathematics", "grade_level": 3, "question_count": 3},
        status=JobStatus.RUNNING,
        progress=services.STARTED_PROGRESS,
        started_at=timezone.now() - timedelta(seconds=started_seconds_ago),
    )


def test_sweep__a_job_running_past_the_timeout_reads_as_failed_others_are_left_alone(
    client, teacher
):
    lost = running_job(teacher, started_seconds_ago=TIMEOUT + 5)
    busy = running_job(teacher, started_seconds_ago=TIMEOUT - 60)
    api = Api(client, teacher)

    job = api.get(f"/api/v1/jobs/{lost.pk}").json()
    assert (job["status"], job["error"]) == ("failed", services.INTERRUPTED)
    assert job["finished_at"] is not None and job["content_id"] is None
    assert api.get(f"/api/v1/jobs/{busy.pk}").json()["status"] == "running"
    statuses = {j["id"]: j["status"] for j in api.get("/api/v1/jobs").json()["items"]}
    assert statuses == {str(lost.pk): "failed", str(busy.pk): "running"}


def test_sweep__each_job_once_and_one_sentry_warning(teacher, sentry_receiver):
    lost = [running_job(teacher, started_seconds_ago=TIMEOUT * 2) for _ in range(2)]
    swept = services.job_sweep_interrupted()
    assert {job.pk for job in swept} == {job.pk for job in lost}
    assert services.job_sweep_interrupted() == []  # already failed: nothing more to do

    event = sentry_receiver.wait_for(lambda r: r.events)[0]
    assert event["level"] == "warning"
    assert event["tags"]["component"] == "jobs"
    assert event["message"].startswith("2 generation job(s) interrupted")
    assert sorted(event["contexts"]["interrupted_jobs"]["ids"]) == sorted(str(j.pk) for j in lost)
    assert len(sentry_receiver.events) == 1


def test_sweep__the_failure_is_pushed_to_the_jobs_socket(teacher, channel_layer):
    layer = get_channel_layer()
    lost = running_job(teacher, started_seconds_ago=TIMEOUT + 1)
    async_to_sync(layer.group_add)(job_group(lost.pk), "test-listener")
    services.job_sweep_interrupted()
    message = async_to_sync(layer.receive)("test-listener")
    assert message["type"] == "job.update"
    assert (message["job"]["status"], message["job"]["error"]) == ("failed", services.INTERRUPTED)


def test_sweep__runs_when_a_celery_worker_starts_and_from_manage_py(teacher, capsys):
    first = running_job(teacher, started_seconds_ago=TIMEOUT + 1)
    worker_ready.send(sender=None)  # what a starting worker sends
    first.refresh_from_db()
    assert first.status == JobStatus.FAILED

    second = running_job(teacher, started_seconds_ago=TIMEOUT + 1)
    call_command("sweep_interrupted_jobs")
    assert "1 interrupted job(s) failed" in capsys.readouterr().out
    second.refresh_from_db()
    assert second.status == JobStatus.FAILED


@pytest.mark.parametrize("value", ["soon", "59", "-1"])
def test_settings__a_bad_job_timeout_stops_startup_with_one_line(value):
    from tests.support.servers import load_settings

    result = load_settings(JOB_TIMEOUT_SECONDS=value)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"toolbox: configuration error: JOB_TIMEOUT_SECONDS={value!r} is invalid: expected "
        "a whole number >= 60"
    )
