"""WSGI entry point: ``gunicorn toolbox.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolbox.settings")

application = get_wsgi_application()

from monitoring.breadcrumbs import record_serving  # noqa: E402  (needs the apps loaded)

record_serving()
