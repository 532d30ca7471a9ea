"""The one NinjaAPI: every app's router is mounted here, and client errors meet the policy."""

from __future__ import annotations

import sentry_sdk
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled, ValidationError

from accounts.api import router as auth_router
from accounts.classrooms_api import router as classrooms_router
from catalog.api import router as catalog_router
from feedback.api import router as feedback_router
from jobs.api import router as jobs_router
from lessons.api import router as lessons_router
from lms.api import router as lms_router
from monitoring.api import router as monitoring_router
from monitoring.browser.api import router as browser_router
from monitoring.errors import note_request_exception, record_client_error
from quizzes.api import router as quizzes_router
from roblox.api import router as roblox_router
from robloxcloud.api import router as roblox_cloud_router
from terrain.api import router as terrain_router
from toolbox.exceptions import request_too_large, service_unavailable
from toolbox.parser import StorableJSONParser, refuse_unstorable

api = NinjaAPI(
    title="ToolboxAI API",
    version="1.0.0",
    description="Educational content generation with built-in observability.",
    docs_url="/api/docs",
    openapi_url="/api/openapi.json",
    parser=StorableJSONParser(),
)
# Every operation, after validation: a schema's own message about a field comes first.
api.add_decorator(refuse_unstorable, mode="operation")

api.add_router("", monitoring_router)
api.add_router("/api/v1/auth", auth_router)
api.add_router("/api/v1/classrooms", classrooms_router)
api.add_router("/api/v1/content", lessons_router)
api.add_router("/api/v1/quizzes", quizzes_router)
api.add_router("/api/v1/terrain", terrain_router)
api.add_router("/api/v1/roblox", roblox_router)
api.add_router("/api/v1/roblox/cloud", roblox_cloud_router)
api.add_router("/api/v1/jobs", jobs_router)
api.add_router("/api/v1/catalog", catalog_router)
api.add_router("/api/v1/feedback", feedback_router)
api.add_router("/api/v1/sentry-tunnel", browser_router)
api.add_router("/api/v1/lms", lms_router)


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
    event_id = sentry_sdk.capture_exception(exc)
    return service_unavailable(request, event_id)


@api.exception_handler(Exception)
def unhandled(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Never turn a crash into a quiet JSON 500: Django's handler (and so Sentry) must see it.
    # Django answers with toolbox.exceptions.server_error (JSON) outside DEBUG.
    raise exc
