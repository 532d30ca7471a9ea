"""Roblox scripts: the Luau syntax check, teachers' custom scripts and the Studio plugin's feed.

The plugin authenticates with its teacher's Bearer token and polls
``GET /plugin/scripts?after=<last id>``, fetches each script, then acknowledges it; an
acknowledged script is not offered again. Failures under this router are categorised
``roblox_plugin`` (see ``RobloxConfig.ready``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.errors import ValidationError

from accounts.auth import api_auth, require_role
from accounts.models import Role
from accounts.ratelimit import SCRIPT_COMPILE, rate_limit_consume
from accounts.schemas import MessageOut
from roblox import selectors, services
from roblox.models import RobloxScript, ScriptKind
from roblox.schemas import (
    CompileIn,
    CompileOut,
    PluginAckOut,
    PluginPollIn,
    PluginPollOut,
    PluginScriptSourceOut,
    ScriptIn,
    ScriptOut,
)
from toolbox.errors import NotFound

router = Router(tags=["roblox"], auth=api_auth)

SCRIPT_AUTHORS = (Role.TEACHER, Role.ADMIN)


def _not_found() -> NotFound:
    return NotFound("Script not found")


@router.post(
    "/scripts/compile",
    response={200: CompileOut, 401: MessageOut, 403: MessageOut, 429: MessageOut},
    summary="Check Luau syntax (teachers and admins, rate-limited per user; nothing is stored)",
)
def script_compile(request: HttpRequest, payload: CompileIn) -> dict[str, object]:
    # Script authors only: the check costs CPU, and only authors can store what it checks.
    require_role(request, *SCRIPT_AUTHORS)
    rate_limit_consume(user=request.auth, scope=SCRIPT_COMPILE)
    return services.script_compile(source=payload.source).to_dict()


@router.post(
    "/scripts",
    response={201: ScriptOut, 401: MessageOut, 403: MessageOut},
    summary="Save a custom script for your Studio plugin (rejected with 422 unless it compiles)",
)
def script_create(request: HttpRequest, payload: ScriptIn) -> Status:
    owner = require_role(request, *SCRIPT_AUTHORS)
    try:
        script = services.script_create(
            owner_id=owner.pk, name=payload.name, kind=ScriptKind.CUSTOM, source=payload.source
        )
    except services.ScriptRejected as exc:
        # Ninja's validation shape, so that clients handle every 422 the same way.
        raise ValidationError(
            [
                {
                    "type": "luau_syntax",
                    "loc": ["body", "payload", "source"],
                    "msg": f"line {d.line}, column {d.column}: {d.message}",
                    "ctx": {"line": d.line, "column": d.column},
                }
                for d in exc.result.diagnostics
            ]
        ) from None
    return Status(201, script)


@router.get(
    "/plugin/scripts",
    response={200: PluginPollOut, 401: MessageOut, 403: MessageOut},
    summary="Plugin poll: your scripts not yet delivered, oldest first",
)
def plugin_script_list(request: HttpRequest, filters: Query[PluginPollIn]) -> dict[str, object]:
    owner = require_role(request, *SCRIPT_AUTHORS)
    pending = selectors.script_list_pending(owner_id=owner.pk, after=filters.after)
    return {"scripts": pending.scripts, "has_more": pending.has_more}


@router.get(
    "/plugin/scripts/{script_id}",
    response={200: PluginScriptSourceOut, 401: MessageOut, 403: MessageOut, 404: MessageOut},
    summary="Plugin fetch: one of your scripts with its source and checksum",
)
def plugin_script_get(request: HttpRequest, script_id: int) -> RobloxScript:
    owner = require_role(request, *SCRIPT_AUTHORS)
    script = selectors.script_get_for_plugin(owner_id=owner.pk, script_id=script_id)
    if script is None:
        raise _not_found()
    return script


@router.post(
    "/plugin/scripts/{script_id}/ack",
    response={200: PluginAckOut, 401: MessageOut, 403: MessageOut, 404: MessageOut},
    summary="Plugin acknowledgement: the script reached Studio and is not offered again",
)
def plugin_script_ack(request: HttpRequest, script_id: int) -> RobloxScript:
    owner = require_role(request, *SCRIPT_AUTHORS)
    script = services.script_acknowledge(owner_id=owner.pk, script_id=script_id)
    if script is None:
        raise _not_found()
    return script
