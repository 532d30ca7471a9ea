"""Benchmark-only WSGI entry: the app with bare sentry-sdk (its DjangoIntegration, defaults).

    gunicorn bench.wsgi_bare:application   (with SENTRY_DSN and SENTRY_TRACES_SAMPLE_RATE set)

Django is set up first with ``bench.settings_bare`` (our ``init_sentry`` sees no DSN and installs
no client), then ``sentry_sdk.init`` is called the way a project without our monitoring would,
before the WSGI handler loads its middleware, so the SDK patches everything it normally does.
Our own Sentry features (request context, user context, breadcrumbs) are switched off: their
"is Sentry active?" check answers no and the breadcrumb receivers are disconnected. The rest of
our monitoring layer (Prometheus metrics, alerts window, JSON logs) runs as in every other
configuration, so the difference to the "Sentry off" configuration is the SDK's own cost.
"""

import os

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bare"
# The database connections toolbox.wsgi keeps (bench.asgi_bare sets 0 first, as toolbox.asgi).
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
django.setup(set_prefix=False)

import sentry_sdk  # noqa: E402
from django.conf import settings  # noqa: E402
from sentry_sdk.integrations.django import DjangoIntegration  # noqa: E402

assert not sentry_sdk.get_client().is_active(), "our init_sentry must not have run"
sentry_sdk.init(
    dsn=settings.BARE_SENTRY_DSN,
    traces_sample_rate=settings.BARE_TRACES_SAMPLE_RATE,
    integrations=[DjangoIntegration()],
)

import sys  # noqa: E402

from monitoring import breadcrumbs, guards  # noqa: E402


def _our_sentry_features_off() -> bool:
    return False


# Every module that asks "is Sentry active?" (``monitoring.guards.sentry_active``, imported by
# name, and the ``when_sentry_active`` hooks through guards itself) is told no.
_active = guards.sentry_active
for _module in list(sys.modules.values()):
    if getattr(_module, "sentry_active", None) is _active:
        _module.sentry_active = _our_sentry_features_off
# Our breadcrumb receivers exist for Sentry only: not connected at all (the SDK would otherwise
# wrap each of them in a span of its own on every request).
for _signal, _receiver, _uid in breadcrumbs.RECEIVERS:
    _signal.disconnect(dispatch_uid=_uid)

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

application = WSGIHandler()
