"""Breadcrumbs, most from signal receivers: auth, request lifecycle, content, database, app.

Receivers are connected in ``MonitoringConfig.ready()`` with a ``dispatch_uid`` so that
connecting twice records once. Each returns at once when Sentry is off, and none can raise.
Content models are tracked only when their app opts in with :func:`track_content_model`.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
from datetime import datetime
from typing import Any

import sentry_sdk
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save
from sentry_sdk.utils import capture_internal_exceptions

from monitoring.guards import send_pii, sentry_active, when_sentry_active
from monitoring.metrics import record_content_generated

logger = logging.getLogger("monitoring.lifecycle")
auth_logger = logging.getLogger("monitoring.auth")

AUTH = "auth"
REQUEST = "request"
CONTENT = "content"
DB = "db"
LIFECYCLE = "app.lifecycle"

_content_models: dict[type, str] = {}
_generated_models: set[type] = set()


@when_sentry_active()
def _crumb(category: str, message: str, level: str = "info", **data: Any) -> None:
    with capture_internal_exceptions():
        sentry_sdk.add_breadcrumb(category=category, message=message, level=level, data=data)


def username_fingerprint(username: str) -> str:
    """A stable, non-reversible stand-in for a username (salted with the secret key)."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{username}".encode()).hexdigest()
    return f"sha256:{digest[:16]}"


# --- auth ---------------------------------------------------------------------------------------


def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    role = getattr(user, "role", None)
    auth_logger.info("user logged in", extra={"user_id": str(user.pk), "role": role})
    data: dict[str, Any] = {"user_id": str(user.pk), "role": role}
    if send_pii():
        data["username"] = user.get_username()
    _crumb(AUTH, "User logged in", **data)


def on_user_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    role = getattr(user, "role", None)
    auth_logger.info("user logged out", extra={"user_id": str(user.pk), "role": role})
    _crumb(AUTH, "User logged out", user_id=str(user.pk), role=role)


def on_user_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw):
    username = str(credentials.get("username") or "")
    # Django has already cleansed the password; we never look at it, only whether one was sent.
    reason = "invalid_credentials" if credentials.get("password") else "missing_password"
    # With PII off only a salted hash: repeated attempts on one account still stand out.
    who = (
        {"username": username}
        if send_pii()
        else {"user_fingerprint": username_fingerprint(username)}
    )
    auth_logger.info("login failed", extra={"reason": reason, **who})
    _crumb(AUTH, "Login failed", level="warning", reason=reason, **who)


# --- request lifecycle --------------------------------------------------------------------------


# A request's start: ``monitoring.sentry_requests`` adds this crumb to the events of the request
# (Django's ``request_started`` signal comes before the request's scope exists, so a crumb made
# there would land on the worker's scope, shared by every later request). Its end needs none:
# nothing is sent in the request's scope after its response, and the transaction has the timing.


def request_started_crumb(method: str, path: str, timestamp: datetime) -> dict[str, Any]:
    return {
        "type": "default",
        "category": REQUEST,
        "level": "info",
        "message": f"{method} {path} started",
        "data": {"method": method, "path": path},
        "timestamp": timestamp,
    }


# --- content ------------------------------------------------------------------------------------


def track_content_model(model: type, name: str | None = None, *, generated: bool = True) -> None:
    """Opt a content model in: its creation, update and deletion become breadcrumbs, and (when
    ``generated``) each creation counts in ``/metrics`` by app, subject and grade."""
    label = name or model._meta.model_name
    _content_models[model] = label
    if generated:
        _generated_models.add(model)
    post_save.connect(on_content_saved, sender=model, dispatch_uid=f"monitoring-save-{label}")
    post_delete.connect(on_content_deleted, sender=model, dispatch_uid=f"monitoring-delete-{label}")


def tracked_content_models() -> dict[type, str]:
    return dict(_content_models)


def on_content_saved(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    if created and sender in _generated_models:
        record_content_generated(
            app=sender._meta.app_label,
            subject=getattr(instance, "subject", "-"),
            grade=getattr(instance, "grade_level", "-"),
        )
    action = "created" if created else "updated"
    label = _content_models.get(sender, sender.__name__.lower())
    _crumb(CONTENT, f"{label} {action}", model=label, id=str(instance.pk), action=action)


@when_sentry_active()
def on_content_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    label = _content_models.get(sender, sender.__name__.lower())
    _crumb(CONTENT, f"{label} deleted", model=label, id=str(instance.pk), action="deleted")


# --- database and application lifecycle ----------------------------------------------------------


@when_sentry_active()
def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    _crumb(DB, "Database connection opened", vendor=connection.vendor, alias=connection.alias)


def config_summary() -> dict[str, Any]:
    config = settings.SENTRY
    return {
        "environment": config.environment,
        "release": config.release,
        "server_name": config.server_name,
        "debug": settings.DEBUG,
        "traces_sample_rate": config.traces_sample_rate,
        "profiles_sample_rate": config.profiles_sample_rate,
        "send_default_pii": config.send_default_pii,
        "enable_logs": config.enable_logs,
        "logs_level": config.logs_level,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }


def record_startup() -> None:
    summary = config_summary()
    # An inline check: the log line below is written with Sentry off too.
    if sentry_active():
        with capture_internal_exceptions():
            # On the global scope: every event this process sends later carries it.
            sentry_sdk.get_global_scope().add_breadcrumb(
                category=LIFECYCLE, message="Application started", level="info", data=summary
            )
    logger.info("application started", extra={"config": summary})


def record_shutdown() -> None:
    """Runs at interpreter exit, which is also how gunicorn workers end on SIGTERM."""
    _crumb(LIFECYCLE, "Application shutting down")
    logger.info("application shutting down")


RECEIVERS = (
    (user_logged_in, on_user_logged_in, "monitoring-auth-login"),
    (user_logged_out, on_user_logged_out, "monitoring-auth-logout"),
    (user_login_failed, on_user_login_failed, "monitoring-auth-failed"),
    (connection_created, on_connection_created, "monitoring-db-connection"),
)

_serving = False


def connect_receivers() -> None:
    for signal, receiver, uid in RECEIVERS:
        signal.connect(receiver, dispatch_uid=uid)


def record_serving() -> None:
    """Called by the WSGI/ASGI entry points (so not by every management command): record the
    startup now and the shutdown at interpreter exit, once per process."""
    global _serving
    if _serving:
        return
    _serving = True
    record_startup()
    # Registered after sentry_sdk.init, so it runs before the SDK's own exit flush.
    atexit.register(record_shutdown)
