"""Roblox Open Cloud: a teacher's connection (API key masked) and publications of scripts.

Mounted at ``/api/v1/roblox/cloud``. Teachers and admins only (students get 403); everything is
the caller's own (anything else answers 404). Failures of Roblox's API are categorised
``roblox_api`` (see ``RobloxCloudConfig.ready``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from accounts.auth import api_auth, require_role
from accounts.models import Role
from accounts.schemas import MessageOut
from robloxcloud import selectors, services
from robloxcloud.models import RobloxConnection, RobloxPublication
from robloxcloud.schemas import ConnectionIn, ConnectionOut, PublicationIn, PublicationOut

router = Router(tags=["roblox-cloud"], auth=api_auth)

PUBLISHERS = (Role.TEACHER, Role.ADMIN)
ERRORS = {401: MessageOut, 403: MessageOut, 404: MessageOut}


@router.get(
    "/connection",
    response={200: ConnectionOut, **ERRORS},
    summary="Your Roblox Open Cloud connection (the API key masked: ****abcd)",
)
def connection_get(request: HttpRequest) -> RobloxConnection:
    owner = require_role(request, *PUBLISHERS)
    connection = selectors.connection_get(owner_id=owner.pk)
    if connection is None:
        raise HttpError(404, "Roblox is not connected")
    return connection


@router.put(
    "/connection",
    response={200: ConnectionOut, 401: MessageOut, 403: MessageOut, 409: MessageOut},
    summary="Connect Roblox: save your Open Cloud API key (stored encrypted) and experience ids",
)
def connection_put(request: HttpRequest, payload: ConnectionIn) -> RobloxConnection:
    owner = require_role(request, *PUBLISHERS)
    try:
        return services.connection_save(owner_id=owner.pk, **payload.dict())
    except services.PublishRefused as exc:
        raise HttpError(409, str(exc)) from None


@router.delete(
    "/connection",
    response={204: None, **ERRORS},
    summary="Disconnect Roblox: the stored API key is deleted",
)
def connection_delete(request: HttpRequest) -> Status:
    owner = require_role(request, *PUBLISHERS)
    if not services.connection_delete(owner_id=owner.pk):
        raise HttpError(404, "Roblox is not connected")
    return Status(204, None)


@router.post(
    "/publications",
    response={202: PublicationOut, 401: MessageOut, 403: MessageOut, 404: MessageOut,
              409: MessageOut},
    summary="Publish one of your scripts (or a terrain's) to Roblox: as a model asset, or run "
    "in your place; poll the publication for its outcome",
)  # fmt: skip
def publication_create(request: HttpRequest, payload: PublicationIn) -> Status:
    owner = require_role(request, *PUBLISHERS)
    script = selectors.publishable_script_get(
        user=owner, script_id=payload.script_id, terrain_id=payload.terrain_id
    )
    if script is None:
        raise HttpError(404, "Script not found")
    try:
        publication = services.publication_enqueue(
            owner_id=owner.pk, script_id=script.pk, target=payload.target
        )
    except services.PublishRefused as exc:
        raise HttpError(409, str(exc)) from None
    # Without a broker it has already run: answer with its outcome.
    publication.refresh_from_db()
    return Status(202, publication)


@router.get(
    "/publications",
    response={200: list[PublicationOut], 401: MessageOut, 403: MessageOut},
    summary="Your recent publications to Roblox, newest first",
)
def publication_list(request: HttpRequest) -> list[RobloxPublication]:
    owner = require_role(request, *PUBLISHERS)
    return selectors.publication_list(owner_id=owner.pk)


@router.get(
    "/publications/{publication_id}",
    response={200: PublicationOut, **ERRORS},
    summary="One of your publications: status, asset id, or the task's output and logs",
)
def publication_get(request: HttpRequest, publication_id: int) -> RobloxPublication:
    owner = require_role(request, *PUBLISHERS)
    publication = selectors.publication_get(owner_id=owner.pk, publication_id=publication_id)
    if publication is None:
        raise HttpError(404, "Publication not found")
    return publication
