"""Roblox Open Cloud writes: a teacher's connection, and publishing a script to Roblox.

A publication runs as a Celery task (``robloxcloud.publication_run``; eagerly inside the request
without a broker): upload the script as a model asset and poll the Assets API's operation, or run
it in the teacher's place through the Luau execution API, poll the task and fetch its logs. The
whole publication, waits for Roblox's rate limits included, is bounded by
``ROBLOX_PUBLISH_TIMEOUT_SECONDS``. Its outcome (status, asset id, task output and logs, or an
error the teacher can act on) is stored on the publication for the page and the API.

A failure of Roblox's API is one Sentry event categorised ``roblox_api``, tagged with the
operation, HTTP status and Roblox's error code, grouped per operation and status; never the key.
"""

from __future__ import annotations

import logging
import re

import sentry_sdk
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from monitoring import errors
from monitoring.facade import capture_exception
from monitoring.guards import sentry_active
from monitoring.scrubbing import forget_secret
from robloxcloud import crypto, rbxmx
from robloxcloud.client import (
    OpenCloudClient,
    RobloxApiError,
    RobloxRateLimited,
    RobloxTimeout,
    json_body,
    multipart_body,
    quoted,
)
from robloxcloud.models import (
    PublicationStatus,
    PublicationTarget,
    RobloxConnection,
    RobloxPublication,
)

logger = logging.getLogger("robloxcloud")

MAX_LOG_LINES = 200
MAX_LOG_LINE = 500
DISPLAY_NAME_LENGTH = 50
FINISHED_TASK_STATES = ("COMPLETE", "FAILED", "CANCELLED")
# Resource paths Roblox hands back, used to build the next URL: never anything else.
_OPERATION_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_TASK_PATH = re.compile(r"universes/\d+/places/\d+(?:/versions/\d+)?(?:/[A-Za-z0-9_-]{1,128}){2,4}")


class PublishRefused(ValueError):
    """The publication cannot start (not connected, no place or creator configured)."""


# --- the connection --------------------------------------------------------------------------


def connection_save(
    *,
    owner_id: int,
    api_key: str | None,
    universe_id: int | None,
    place_id: int | None,
    creator_user_id: int | None,
    creator_group_id: int | None,
) -> RobloxConnection:
    """Create or update the owner's connection. ``api_key`` None keeps the stored key (a page
    that shows it masked cannot send it back); a new connection needs one."""
    connection = RobloxConnection.objects.filter(owner_id=owner_id).first()
    if connection is None:
        if not api_key:
            raise PublishRefused("An Open Cloud API key is required to connect Roblox.")
        connection = RobloxConnection(owner_id=owner_id)
    if api_key:
        connection.api_key_encrypted = crypto.api_key_encrypt(api_key=api_key)
        connection.api_key_last4 = api_key[-4:]
    connection.universe_id = universe_id
    connection.place_id = place_id
    connection.creator_user_id = creator_user_id
    connection.creator_group_id = creator_group_id
    connection.save()
    logger.info("roblox connection saved", extra={"owner_id": owner_id})
    return connection


def connection_delete(*, owner_id: int) -> bool:
    connection = RobloxConnection.objects.filter(owner_id=owner_id).first()
    if connection is None:
        return False
    try:
        forget_secret(crypto.api_key_decrypt(ciphertext=connection.api_key_encrypted))
    except crypto.KeyUnreadable:
        pass
    connection.delete()
    logger.info("roblox connection deleted", extra={"owner_id": owner_id})
    return True


def connection_rotate_encryption() -> tuple[int, int]:
    """Re-encrypt every stored key with the first configured key: (re-encrypted, unreadable).
    An unreadable one is left as it is (its teacher is asked to save the key again)."""
    rotated = unreadable = 0
    for connection in RobloxConnection.objects.only("pk", "api_key_encrypted"):
        try:
            ciphertext = crypto.api_key_reencrypt(ciphertext=connection.api_key_encrypted)
        except crypto.KeyUnreadable:
            unreadable += 1
            continue
        RobloxConnection.objects.filter(pk=connection.pk).update(api_key_encrypted=ciphertext)
        rotated += 1
    logger.info("roblox keys re-encrypted", extra={"rotated": rotated, "unreadable": unreadable})
    return rotated, unreadable


# --- publishing ------------------------------------------------------------------------------


def publication_enqueue(*, owner_id: int, script_id: int, target: str) -> RobloxPublication:
    """Store a queued publication and hand it to a worker once the row is committed (without a
    broker it runs before this returns). Raises :class:`PublishRefused` when the connection
    cannot serve ``target``."""
    connection = RobloxConnection.objects.filter(owner_id=owner_id).first()
    if connection is None:
        raise PublishRefused("Connect Roblox first: save your Open Cloud API key.")
    if target == PublicationTarget.PLACE and not (connection.universe_id and connection.place_id):
        raise PublishRefused("Running a script needs the universe id and place id.")
    if target == PublicationTarget.ASSET and not (
        connection.creator_user_id or connection.creator_group_id
    ):
        raise PublishRefused("Uploading a model needs a creator user id or group id.")
    publication = RobloxPublication.objects.create(
        owner_id=owner_id, script_id=script_id, target=target
    )
    logger.info(
        "roblox publication queued",
        extra={"publication_id": publication.pk, "target": target, "script_id": script_id},
    )
    transaction.on_commit(lambda: _submit(publication.pk))
    return publication


def _submit(publication_id: int) -> None:
    from robloxcloud.tasks import publication_run_task

    try:
        publication_run_task.delay(publication_id)
    except Exception as exc:
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            capture_exception(exc)
        publication = RobloxPublication.objects.filter(pk=publication_id).first()
        if publication is not None and publication.status in (
            PublicationStatus.QUEUED,
            PublicationStatus.RUNNING,
        ):
            _fail(publication, "The publication could not be run; please try again.")


def publication_run(*, publication_id: int) -> RobloxPublication | None:
    """Run a queued publication once and record its outcome (the task's body)."""
    claimed = RobloxPublication.objects.filter(
        pk=publication_id, status=PublicationStatus.QUEUED
    ).update(status=PublicationStatus.RUNNING)
    publication = (
        RobloxPublication.objects.select_related("script", "owner")
        .filter(pk=publication_id)
        .first()
    )
    if publication is None or not claimed:
        return publication
    connection = RobloxConnection.objects.filter(owner_id=publication.owner_id).first()
    if connection is None:
        return _fail(publication, "Roblox was disconnected before the publication ran.")
    try:
        api_key = crypto.api_key_decrypt(ciphertext=connection.api_key_encrypted)
    except crypto.KeyUnreadable:
        return _fail(publication, "The stored API key cannot be read: save it again.")
    client = OpenCloudClient(
        api_key=api_key,
        base_url=settings.ROBLOX_OPEN_CLOUD_URL,
        timeout_seconds=settings.ROBLOX_PUBLISH_TIMEOUT_SECONDS,
        request_timeout_seconds=settings.ROBLOX_REQUEST_TIMEOUT_SECONDS,
    )
    del api_key
    sentry_sdk.set_tag("component", "robloxcloud")
    sentry_sdk.set_context(
        "roblox_publication",
        {"id": publication.pk, "target": publication.target, "script_id": publication.script_id},
    )
    try:
        if publication.target == PublicationTarget.ASSET:
            _publish_asset(client, publication, connection)
        else:
            _run_in_place(client, publication, connection)
    except RobloxApiError as exc:
        _report(exc, publication)
        publication.http_status = exc.status
        publication.roblox_code = exc.code[:64]
        publication.retry_at = exc.retry_at
        return _fail(publication, _explain(exc))
    return publication


def _poll_interval() -> float:
    return float(settings.ROBLOX_POLL_INTERVAL_SECONDS)


def _publish_asset(
    client: OpenCloudClient, publication: RobloxPublication, connection: RobloxConnection
) -> None:
    script = publication.script
    creator = (
        {"groupId": connection.creator_group_id}
        if connection.creator_group_id
        else {"userId": connection.creator_user_id}
    )
    request = {
        "assetType": "Model",
        "displayName": script.name[:DISPLAY_NAME_LENGTH],
        "description": f"{script.get_kind_display()} script published from ToolboxAI",
        "creationContext": {"creator": creator},
    }
    body = multipart_body(
        {
            "request": json_body(request).data.decode("utf-8"),
            "fileContent": (
                f"script-{script.pk}.rbxmx",
                rbxmx.script_model(name=script.name, source=script.source),
                rbxmx.CONTENT_TYPE,
            ),
        }
    )
    answer = client.request(
        operation="assets.create", method="POST", path="assets/v1/assets", body=body
    )
    operation = answer.data or {}
    path = str(operation.get("path") or "")
    operation_id = path.rsplit("/", 1)[-1]
    if not _OPERATION_ID.fullmatch(operation_id):
        raise RobloxApiError(
            operation="assets.create", status=answer.status, code="BAD_RESPONSE",
            message="no operation path in Roblox's answer",
        )  # fmt: skip
    publication.operation_path = path[:300]
    publication.save(update_fields=["operation_path", "status"])
    while not operation.get("done"):
        client.wait(_poll_interval(), operation="assets.operation")
        operation = (
            client.request(
                operation="assets.operation",
                method="GET",
                path=f"assets/v1/operations/{quoted(operation_id)}",
                idempotent=True,
            ).data
            or {}
        )
        publication.polls += 1
        publication.save(update_fields=["polls"])
    if operation.get("error"):
        failure = operation["error"] if isinstance(operation["error"], dict) else {}
        raise RobloxApiError(
            operation="assets.operation",
            status=answer.status,
            code=str(failure.get("code", "OPERATION_FAILED")),
            message=client.mask(str(failure.get("message", ""))),
        )
    asset = operation.get("response") or {}
    asset_id = asset.get("assetId")
    publication.asset_id = int(asset_id) if str(asset_id or "").isdigit() else None
    _done(publication)


def _run_in_place(
    client: OpenCloudClient, publication: RobloxPublication, connection: RobloxConnection
) -> None:
    place_path = (
        f"cloud/v2/universes/{quoted(connection.universe_id)}/places/{quoted(connection.place_id)}"
    )
    answer = client.request(
        operation="luau.create_task",
        method="POST",
        path=f"{place_path}/luau-execution-session-tasks",
        body=json_body({"script": publication.script.source}),
    )
    task = answer.data or {}
    task_path = str(task.get("path") or "")
    if not _TASK_PATH.fullmatch(task_path):
        raise RobloxApiError(
            operation="luau.create_task", status=answer.status, code="BAD_RESPONSE",
            message="no task path in Roblox's answer",
        )  # fmt: skip
    publication.task_path = task_path
    publication.task_state = str(task.get("state", ""))[:32]
    publication.save(update_fields=["task_path", "task_state", "status"])
    while task.get("state") not in FINISHED_TASK_STATES:
        client.wait(_poll_interval(), operation="luau.get_task")
        task = (
            client.request(
                operation="luau.get_task", method="GET", path=f"cloud/v2/{task_path}",
                idempotent=True,
            ).data
            or {}
        )  # fmt: skip
        publication.polls += 1
        publication.task_state = str(task.get("state", ""))[:32]
        publication.save(update_fields=["polls", "task_state"])
    publication.logs = _task_logs(client, task_path)
    results = (task.get("output") or {}).get("results")
    publication.output = results if isinstance(results, list) else []
    if task["state"] == "COMPLETE":
        _done(publication)
        return
    failure = task.get("error") if isinstance(task.get("error"), dict) else {}
    publication.roblox_code = str(failure.get("code", task["state"]))[:64]
    message = client.mask(str(failure.get("message", "")))
    # The script's own failure, not Roblox's API's: shown to the teacher, not sent to Sentry.
    _fail(publication, f"The script did not complete in the place ({task['state']}): {message}")


def _task_logs(client: OpenCloudClient, task_path: str) -> list[str]:
    answer = client.request(
        operation="luau.list_logs", method="GET",
        path=f"cloud/v2/{task_path}/logs?maxPageSize={MAX_LOG_LINES}", idempotent=True,
    )  # fmt: skip
    lines: list[str] = []
    for chunk in (answer.data or {}).get("luauExecutionSessionTaskLogs") or []:
        for message in chunk.get("messages") or []:
            lines.append(client.mask(str(message))[:MAX_LOG_LINE])
    return lines[:MAX_LOG_LINES]


def _explain(exc: RobloxApiError) -> str:
    """What the teacher is told: what happened and what to do."""
    if isinstance(exc, RobloxRateLimited) and exc.retry_at is not None:
        return (
            "Roblox's rate limit is reached for this API key: try again after "
            f"{exc.retry_at:%Y-%m-%d %H:%M:%S} UTC."
        )
    if isinstance(exc, RobloxTimeout):
        return f"Roblox did not finish within {settings.ROBLOX_PUBLISH_TIMEOUT_SECONDS} s."
    if exc.status == 401:
        return "Roblox rejected the API key (401): check or replace it in your Roblox settings."
    if exc.status == 403:
        return (
            "The API key is not allowed to do this (403): give it the asset:read and asset:write "
            "scopes (models) or universe.place.luau-execution-session:write (run in a place), "
            "for this experience."
        )
    if exc.status is None:
        return "Roblox could not be reached; please try again later."
    if exc.status >= 500:
        return f"Roblox had a server error (HTTP {exc.status}); please try again later."
    detail = f": {exc.roblox_message}" if exc.roblox_message else ""
    return f"Roblox refused the request (HTTP {exc.status} {exc.code}){detail}"[:500]


def _report(exc: RobloxApiError, publication: RobloxPublication) -> None:
    errors.count_error(
        component="robloxcloud",
        category=errors.ROBLOX_API,
        kind=errors.SERVER,
        reported=sentry_active(),
    )
    logger.warning(
        "roblox publication failed",
        extra={
            "publication_id": publication.pk,
            "operation": exc.operation,
            "http_status": exc.status,
            "roblox_code": exc.code,
        },
    )
    # An inline check: the failure is counted and logged (above) with Sentry off too.
    if not sentry_active():
        return
    with sentry_sdk.new_scope() as scope:
        # A key without a scope or a spent quota is the teacher's to fix: a warning.
        scope.set_level("warning" if exc.status in (401, 403, 429) else "error")
        scope.fingerprint = ["roblox_api", exc.operation, str(exc.status)]
        capture_exception(exc)


def _done(publication: RobloxPublication) -> RobloxPublication:
    publication.status = PublicationStatus.DONE
    publication.finished_at = timezone.now()
    publication.save()
    logger.info("roblox publication done", extra={"publication_id": publication.pk})
    return publication


def _fail(publication: RobloxPublication, error: str) -> RobloxPublication:
    publication.status = PublicationStatus.FAILED
    publication.error = error[:500]
    publication.finished_at = timezone.now()
    publication.save()
    return publication
