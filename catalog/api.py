"""``GET /api/v1/catalog``: the choices a client offers in its forms."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Router

from catalog.schemas import CatalogOut
from catalog.selectors import catalog_get

router = Router(tags=["catalog"])

# The vocabulary changes only with a deploy: shared caches may keep it a few minutes.
CACHE_SECONDS = 300


@router.get(
    "",
    response=CatalogOut,
    auth=None,
    summary="Subjects (with aliases and the content kinds made in each), grade levels and every "
    "other choice a content form offers. Public: nothing in it is personal.",
)
def catalog(request: HttpRequest, response: HttpResponse) -> dict[str, object]:
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return catalog_get()
