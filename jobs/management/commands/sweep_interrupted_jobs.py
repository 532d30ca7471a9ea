"""``manage.py sweep_interrupted_jobs``: fail the jobs whose worker was lost (for cron)."""

from django.core.management.base import BaseCommand

from jobs.services import job_sweep_interrupted


class Command(BaseCommand):
    help = "Fail generation jobs still running JOB_TIMEOUT_SECONDS after they started."

    def handle(self, *args, **options):
        swept = job_sweep_interrupted()
        self.stdout.write(f"{len(swept)} interrupted job(s) failed")
