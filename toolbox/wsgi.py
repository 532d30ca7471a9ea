"""WSGI entry point: ``gunicorn toolbox.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolbox.settings")
# A sync worker keeps its database connection between requests (a new one per request cost more
# than the lessons list's queries). Only here: under ASGI Django advises against persistent
# connections (toolbox.asgi pools them instead; runserver and Celery keep Django's 0).
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")

django_application = get_wsgi_application()

from monitoring.breadcrumbs import record_serving  # noqa: E402  (needs the apps loaded)
from monitoring.tracing import TraceTrustWSGI  # noqa: E402

# Outside Django: a client's forced trace decision is gone before Sentry reads it.
application = TraceTrustWSGI(django_application)

record_serving()
