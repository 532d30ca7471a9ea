"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolbox.settings")

application = get_asgi_application()

from monitoring.breadcrumbs import record_serving  # noqa: E402  (needs the apps loaded)

record_serving()
