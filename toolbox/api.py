"""The one NinjaAPI: every app's router is mounted here, and client errors meet the policy."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import HttpError, Throttled, ValidationError

from accounts.api import router as auth_router
from accounts.classrooms_api import router as classrooms_router
from catalog.api import router as catalog_router
from feedback.api import router as feedback_router
from jobs.api import router as jobs_router
from lessons.api import router as lessons_router
from lms.api import router as lms_router
from monitoring.api import router as monitoring_router
from monitoring.errors import (
    APPLICATION,
    AUTHENTICATION,
    CONTENT_GENERATION,
    ROBLOX_API,
    ROBLOX_PLUGIN,
    note_request_exception,
    record_client_error,
    register_component,
)
from monitoring.facade import capture_exception
from quizzes.api import router as quizzes_router
from roblox.api import router as roblox_router
from robloxcloud.api import router as roblox_cloud_router
from terrain.api import router as terrain_router
from toolbox import errors
from toolbox.exceptions import request_too_large, service_unavailable
from toolbox.parser import StorableJSONParser, refuse_unstorable
from toolbox.sentry_tunnel import router as browser_router

api = NinjaAPI(
    title="ToolboxAI API",
    version="1.0.0",
    description="Educational content generation with built-in observability.",
    docs_url="/api/docs",
    openapi_url="/api/openapi.json",
    parser=StorableJSONParser(),
    # Named, not derived from the version: pages reverse API routes as "api:<operation>".
    urls_namespace="api",
)
# Every operation, after validation: a schema's own message about a field comes first.
api.add_decorator(refuse_unstorable, mode="operation")


def mount(
    prefix: str,
    router: Router,
    component: str,
    category: str = APPLICATION,
    *,
    paths: tuple[str, ...] = (),
) -> None:
    """Mount ``router`` at ``prefix`` and, in the same line, tell the error policy whose it is:
    errors under the prefix (or, for a router at the root, under each of ``paths``) are tagged
    with ``component`` and ``category``. A router cannot be mounted without a component."""
    api.add_router(prefix, router)
    for path in paths or (prefix,):
        register_component(path, component, category)


mount("", monitoring_router, "monitoring", paths=("/sentry", "/health", "/metrics"))
mount("/api/v1/auth", auth_router, "accounts", AUTHENTICATION)
mount("/api/v1/classrooms", classrooms_router, "classrooms")
mount("/api/v1/content", lessons_router, "lessons", CONTENT_GENERATION)
mount("/api/v1/quizzes", quizzes_router, "quizzes", CONTENT_GENERATION)
mount("/api/v1/terrain", terrain_router, "terrain", CONTENT_GENERATION)
mount("/api/v1/roblox", roblox_router, "roblox", ROBLOX_PLUGIN)
mount("/api/v1/jobs", jobs_router, "jobs", CONTENT_GENERATION)
mount("/api/v1/catalog", catalog_router, "catalog")
mount("/api/v1/feedback", feedback_router, "feedback")
mount("/api/v1/sentry-tunnel", browser_router, "monitoring")
mount("/api/v1/lms", lms_router, "lms")
mount("/api/v1/roblox/cloud", roblox_cloud_router, "robloxcloud", ROBLOX_API)


@api.exception_handler(errors.DomainError)
def domain_error(request: HttpRequest, exc: errors.DomainError) -> HttpResponse:
    """The one place where a service's refusal becomes an HTTP answer (``toolbox/errors.py``)."""
    status = exc.status_code
    record_client_error(request, exc, status)
    detail: object = exc.detail
    if isinstance(exc, errors.Invalid) and exc.field:
        # Same shape as a schema error: the body is valid JSON but does not fit.
        loc = ["body", "payload", exc.field]
        detail = [{"type": "value_error", "loc": loc, "msg": exc.detail}]
    response = api.create_response(request, {"detail": detail}, status=status)
    if isinstance(exc, errors.Throttled):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    record_client_error(request, exc, 422)
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code < 500:
        record_client_error(request, exc, exc.status_code)
    else:
        note_request_exception(request, exc)
    response = api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
    if isinstance(exc, Throttled) and exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    record_client_error(request, exc, 413)
    return request_too_large(request)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The database is down or unreachable: a server error, so Sentry hears of it (the error
    # policy tags it ``database`` and groups a storm into one issue), but the client gets a
    # clean 503 with Retry-After instead of a crash page, and retries once it is back.
    note_request_exception(request, exc)
    event_id = capture_exception(exc)
    return service_unavailable(request, event_id)


@api.exception_handler(Exception)
def unhandled(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Never turn a crash into a quiet JSON 500: Django's handler (and so Sentry) must see it.
    # Django answers with toolbox.exceptions.server_error (JSON) outside DEBUG.
    raise exc
