"""The teacher's Roblox page (``/classroom/roblox/``): connect Roblox, publish, see outcomes.

Server-rendered like the rest of the classroom; the same services and rules as the API
(``robloxcloud.api``): teachers and admins only, everything their own.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from accounts.models import Role, User
from robloxcloud import selectors, services
from robloxcloud.crypto import api_key_mask
from robloxcloud.forms import ConnectionForm, PublishForm
from robloxcloud.models import PublicationStatus
from robloxcloud.schemas import ConnectionIn


def _require_teacher(request: HttpRequest) -> User:
    user = request.user
    if user.role not in (Role.TEACHER, Role.ADMIN) and not user.is_superuser:
        raise PermissionDenied("Teachers only")
    return user


@login_required
def roblox_settings(request: HttpRequest) -> HttpResponse:
    teacher = _require_teacher(request)
    connection = selectors.connection_get(owner_id=teacher.pk)
    form = ConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "api_key": form.cleaned_data["api_key"] or None}
        try:
            payload = ConnectionIn(**data)
            services.connection_save(owner_id=teacher.pk, **payload.dict())
        except ValidationError as exc:
            form.add_error(None, "; ".join(error["msg"] for error in exc.errors()))
        except services.PublishRefused as exc:
            form.add_error("api_key", str(exc))
        else:
            messages.success(request, "Roblox connection saved.")
            return redirect("robloxcloud:settings")
    elif request.method == "GET" and connection is not None:
        form = ConnectionForm(
            initial={
                field: getattr(connection, field)
                for field in ("universe_id", "place_id", "creator_user_id", "creator_group_id")
            }
        )
    context = {
        "form": form,
        "connection": connection,
        "masked_key": api_key_mask(last4=connection.api_key_last4) if connection else "",
        "publications": selectors.publication_list(owner_id=teacher.pk),
        "scripts": selectors.publishable_script_list(owner_id=teacher.pk),
    }
    return render(request, "robloxcloud/settings.html", context)


@login_required
@require_POST
def roblox_disconnect(request: HttpRequest) -> HttpResponse:
    teacher = _require_teacher(request)
    if services.connection_delete(owner_id=teacher.pk):
        messages.success(request, "Roblox disconnected: the saved API key was deleted.")
    return redirect("robloxcloud:settings")


@login_required
@require_POST
def roblox_publish(request: HttpRequest) -> HttpResponse:
    teacher = _require_teacher(request)
    form = PublishForm(request.POST)
    if not form.is_valid():
        raise Http404("Script not found")
    script = selectors.publishable_script_get(
        user=teacher,
        script_id=form.cleaned_data["script_id"],
        terrain_id=form.cleaned_data["terrain_id"],
    )
    if script is None:
        raise Http404("Script not found")
    try:
        publication = services.publication_enqueue(
            owner_id=teacher.pk, script_id=script.pk, target=form.cleaned_data["target"]
        )
    except services.PublishRefused as exc:
        messages.error(request, str(exc))
        return redirect("robloxcloud:settings")
    publication.refresh_from_db()
    if publication.status == PublicationStatus.FAILED:
        messages.error(request, f"Publishing “{script.name}” failed: {publication.error}")
    elif publication.status == PublicationStatus.DONE:
        messages.success(request, f"“{script.name}” was published to Roblox.")
    else:
        messages.info(request, f"Publishing “{script.name}”: see its status below.")
    return redirect("robloxcloud:settings")
