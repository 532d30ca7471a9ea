"""WSGI entry point: ``gunicorn toolbox.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolbox.settings")

django_application = get_wsgi_application()

from monitoring.breadcrumbs import record_serving  # noqa: E402  (needs the apps loaded)
from monitoring.tracing import TraceTrustWSGI  # noqa: E402

# Outside Sentry's WSGI middleware: a client's forced trace decision is gone before it reads it.
application = TraceTrustWSGI(django_application)

record_serving()
