"""The Celery app: background generation jobs (``jobs.tasks``).

Configured from Django's settings (the ``CELERY_*`` block): with ``CELERY_BROKER_URL`` set, tasks
go through Redis to a worker (``make worker``); without it they run eagerly, in the process that
enqueues them. Sentry's Celery integration (``monitoring/sentry.py``) continues the enqueuing
request's trace in the task, and reports a task that fails.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolbox.settings")

app = Celery("toolbox")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
