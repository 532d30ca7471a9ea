from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from celery.signals import worker_ready

        from jobs.tasks import sweep_interrupted_jobs

        worker_ready.connect(sweep_interrupted_jobs, dispatch_uid="jobs.sweep_interrupted_jobs")
