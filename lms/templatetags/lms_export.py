"""``{% lms_download_url "quiz" quiz.pk as url %}``: the teacher pages' "Download for LMS" link,
empty for anyone the API would refuse (so the page never offers a link that answers 403)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from lms import selectors

register = template.Library()

_ROUTES = {"quiz": ("lms_quiz_qti", "quiz_id"), "lesson": ("lms_lesson_cartridge", "lesson_id")}


@register.simple_tag(takes_context=True)
def lms_download_url(context: template.Context, kind: str, content_id: int) -> str:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return ""
    owner_id = selectors.export_owner_id(kind=kind, content_id=content_id)
    if owner_id is None or not selectors.export_allowed(user=user, owner_id=owner_id):
        return ""
    name, argument = _ROUTES[kind]
    return reverse(f"api:{name}", kwargs={argument: content_id})
