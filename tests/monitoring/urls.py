"""The project's URLs plus a probe endpoint that fails inside an authenticated request.

The probe handles every kind of secret a careless view could touch (headers, cookies, query,
body, locals, log calls, breadcrumbs, an exception message) so the sweep tests can prove none of
them leaves the process.
"""

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from ninja import Body, NinjaAPI

from accounts.auth import api_auth
from monitoring.errors import CONTENT_GENERATION, register_component
from monitoring.facade import sentry_manager
from toolbox.urls import handler400, handler403, handler404, handler500  # noqa: F401
from toolbox.urls import urlpatterns as project_urlpatterns

logger = logging.getLogger("tests.probe")

probe_api = NinjaAPI(urls_namespace="probe", docs_url=None, openapi_url=None)
register_component("/probe/", "probe", CONTENT_GENERATION)


class ProbeFailure(RuntimeError):
    pass


@probe_api.exception_handler(Exception)
def reraise(request: HttpRequest, exc: Exception):
    raise exc


@probe_api.post("/boom", auth=api_auth)
def boom(request: HttpRequest, payload: dict = Body(...)):
    pwd = payload.get("password")  # a local variable holding a password
    api_key = request.headers.get("X-Api-Key")  # and one holding an API key
    card = payload.get("card")
    email = payload.get("email")
    logger.info("probe called with password=%s and key %s", pwd, api_key)
    logger.warning("contact %s paid with %s", email, card)
    sentry_manager.add_breadcrumb(
        message=f"probe breadcrumb for {email}",
        category="custom",
        data={"access_token": payload.get("access_token"), "note": f"Bearer {api_key}"},
    )
    raise ProbeFailure(f"probe failed for {email} using {api_key} and card {card} ({pwd})")


# (Up here, not in the probe: its source lines go to Sentry with its stack frame.)
CONTACT_SQL = "SELECT 'pupil.one@example.com' AS contact"


@probe_api.get("/sql-boom")
def sql_boom(request: HttpRequest, n: int = 1):
    """``n`` queries, one with a parameter, one whose SQL text holds a child's e-mail address,
    then a failure."""
    with connection.cursor() as cursor:
        for i in range(min(n, 500)):
            cursor.execute(f"SELECT {i} AS probe_{i}")
        cursor.execute("SELECT %s AS probe_param", [n])
        cursor.execute(CONTACT_SQL)
    raise ProbeFailure("sql probe failed")


@probe_api.get("/async-boom", auth=api_auth)
async def async_boom(request: HttpRequest):
    raise ProbeFailure("async probe failed")


@probe_api.get("/ok", auth=api_auth)
def ok(request: HttpRequest):
    logger.info("probe ok")
    return {"ok": True}


# A page like every page of the classroom: the browser monitoring include in its head.
BROWSER_PAGE = engines["django"].from_string(
    "<!doctype html><html lang=en><head><title>Probe page</title>"
    '{% include "monitoring/browser_monitoring.html" %}</head>'
    "<body><h1>Probe page</h1></body></html>"
)


def browser_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BROWSER_PAGE.render({}, request))


urlpatterns = [
    path("probe/", probe_api.urls),
    path("probe-page/", browser_page),
    *project_urlpatterns,
]
