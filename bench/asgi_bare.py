"""Benchmark-only ASGI entry: the app with bare sentry-sdk, as ``bench/wsgi_bare.py`` for WSGI.

    gunicorn bench.asgi_bare:application -k uvicorn_worker.UvicornWorker

Everything ``bench.wsgi_bare`` does (bare ``sentry_sdk.init`` before the handler loads, our own
Sentry features off), then Django's ASGI handler, which the SDK's Django integration patches.
HTTP only: the benchmark loads no sockets.
"""

import os

from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DATABASE_CONN_MAX_AGE", "0")  # as toolbox.asgi: Django's default
import bench.wsgi_bare  # noqa: F401  (Django set up, bare sentry-sdk initialised)

application = ASGIHandler()
