"""LTI reads: our public keys, a teacher's placeable content and their grade posts."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from jwcrypto.jwk import JWK

from accounts.models import User
from lessons.selectors import lesson_visible
from lti.models import GradePost, ToolKey
from quizzes.selectors import quiz_visible


def tool_jwks() -> dict[str, Any]:
    """Our public keys as a JWKS: what platforms verify our deep links and assertions with."""
    keys = []
    for key in ToolKey.objects.order_by("id"):
        jwk = json.loads(JWK.from_pem(key.public_pem.encode()).export_public())
        keys.append({**jwk, "kid": key.kid, "alg": "RS256", "use": "sig"})
    return {"keys": keys}


def deep_link_choices(*, user: User) -> dict[str, QuerySet]:
    """What a teacher may place in a course: their own quizzes and lessons."""
    return {
        "quizzes": quiz_visible(user=user).filter(owner=user).defer("questions"),
        "lessons": lesson_visible(user=user).filter(owner=user),
    }


def deep_link_content(*, user: User, kind: str, content_id: int) -> Any | None:
    choices = deep_link_choices(user=user)
    found = choices.get(f"{kind}zes" if kind == "quiz" else f"{kind}s")
    return found.filter(pk=content_id).first() if found is not None else None


def grade_posts_for_teacher(*, user: User) -> QuerySet[GradePost]:
    """Grade posts for the teacher's quizzes, newest first (the student shown by username)."""
    return GradePost.objects.filter(link__quiz__owner=user).select_related(
        "link__platform", "link__quiz", "attempt__student"
    )


def grade_post_for_teacher(*, user: User, grade_post_id: int) -> GradePost | None:
    return grade_posts_for_teacher(user=user).filter(pk=grade_post_id).first()
