"""Terrain generation for Roblox: generate, list, read, preview PNG and the Luau build script.

Teachers and admins generate; everyone signed in reads what they may see (see
``terrain.selectors``). Previews and scripts never change once generated, so they carry an
ETag and can be revalidated with ``If-None-Match``.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from accounts.auth import api_auth, require_role
from accounts.models import Role
from accounts.ratelimit import TERRAIN_GENERATE, rate_limit_consume
from accounts.schemas import MessageOut
from curriculum.terrain import TerrainParams
from terrain import selectors, services
from terrain.models import Terrain
from terrain.schemas import TerrainGenerateIn, TerrainOut
from toolbox.errors import NotFound

router = Router(tags=["terrain"], auth=api_auth)

PAGE_SIZE_LIMIT = 100
CACHE_SECONDS = 3600


def _not_found() -> NotFound:
    return NotFound("Terrain not found")


def _immutable_response(
    request: HttpRequest, *, content: bytes | str, content_type: str, etag: str
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["ETag"] = quote_etag(etag)
    # Private: what a user may read depends on who they are.
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return get_conditional_response(request, etag=response["ETag"], response=response)


@router.post(
    "/generate",
    response={201: TerrainOut, 401: MessageOut, 403: MessageOut, 429: MessageOut},
    summary="Generate a terrain, its preview and its Roblox build script (rate-limited per user)",
)
def terrain_generate(request: HttpRequest, payload: TerrainGenerateIn) -> Status:
    owner = require_role(request, Role.TEACHER, Role.ADMIN)
    rate_limit_consume(user=owner, scope=TERRAIN_GENERATE)
    params = TerrainParams(
        **payload.model_dump(exclude={"name", "seed"}),
        seed=payload.seed if payload.seed is not None else services.terrain_random_seed(),
    )
    terrain = services.terrain_generate(owner_id=owner.pk, params=params, name=payload.name)
    return Status(201, terrain)


@router.get("", response=list[TerrainOut], summary="Terrains you may see, newest first")
@paginate(LimitOffsetPagination, max_limit=PAGE_SIZE_LIMIT)
def terrain_list(request: HttpRequest) -> QuerySet[Terrain]:
    return selectors.terrain_list(user=request.auth)


@router.get("/{terrain_id}", response={200: TerrainOut, 401: MessageOut, 404: MessageOut})
def terrain_get(request: HttpRequest, terrain_id: int) -> Terrain:
    terrain = selectors.terrain_get(user=request.auth, terrain_id=terrain_id)
    if terrain is None:
        raise _not_found()
    return terrain


@router.get(
    "/{terrain_id}/preview.png",
    url_name="terrain_preview",
    response={401: MessageOut, 404: MessageOut},
    summary="Top-down, hill-shaded PNG preview",
    openapi_extra={
        "responses": {
            200: {
                "description": "PNG image",
                "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
            },
            304: {"description": "Not modified (If-None-Match matched the ETag)"},
        }
    },
)
def terrain_preview(request: HttpRequest, terrain_id: int) -> HttpResponse:
    terrain = selectors.terrain_preview_get(user=request.auth, terrain_id=terrain_id)
    if terrain is None:
        raise _not_found()
    return _immutable_response(
        request,
        content=bytes(terrain.preview_png),
        content_type="image/png",
        etag=terrain.preview_sha256,
    )


@router.get(
    "/{terrain_id}/script.lua",
    url_name="terrain_script",
    response={401: MessageOut, 404: MessageOut},
    summary="The Luau script that builds this terrain in Roblox Studio",
    openapi_extra={
        "responses": {
            200: {
                "description": "Luau source",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            },
            304: {"description": "Not modified (If-None-Match matched the ETag)"},
        }
    },
)
def terrain_script(request: HttpRequest, terrain_id: int) -> HttpResponse:
    script = selectors.terrain_script_get(user=request.auth, terrain_id=terrain_id)
    if script is None:
        raise _not_found()
    response = _immutable_response(
        request,
        content=script.source,
        content_type="text/plain; charset=utf-8",
        etag=script.checksum,
    )
    response["Content-Disposition"] = f'inline; filename="terrain-{terrain_id}.lua"'
    return response
