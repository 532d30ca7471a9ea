"""ASGI entry point: HTTP (Django) and WebSockets (Channels, ``live/``).

Development: ``python manage.py runserver`` (daphne, port 8008). Production:
``gunicorn toolbox.asgi -k uvicorn_worker.UvicornWorker`` (see the README).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolbox.settings")
# Pooled database connections (persistent ones are WSGI's: toolbox.wsgi): each request's and each
# socket's database work borrows one instead of opening its own (toolbox/settings.py).
os.environ.setdefault("DATABASE_POOL_MAX_SIZE", "10")

# Loads the apps (and initialises Sentry) before anything imports a model.
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from live.routing import websocket_application  # noqa: E402
from monitoring.breadcrumbs import record_serving  # noqa: E402  (needs the apps loaded)
from monitoring.tracing import TraceTrustASGI  # noqa: E402

# Outside Django: a client's forced trace decision is gone before Sentry reads it (sockets too).
application = TraceTrustASGI(
    ProtocolTypeRouter({"http": django_application, "websocket": websocket_application})
)

record_serving()
