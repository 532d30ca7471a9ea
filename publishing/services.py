"""The one publish service, for every kind of :class:`~publishing.models.PublishedContent`."""

from __future__ import annotations

from typing import TypeVar

from accounts.models import User
from accounts.selectors import classroom_to_publish_to
from monitoring.facade import sentry_manager
from publishing.models import PublishedContent
from publishing.signals import content_published

C = TypeVar("C", bound=PublishedContent)


def content_publish(*, content: C, user: User, classroom_id: int) -> C:
    """Give ``content`` to a classroom's students. Raises ``Forbidden`` (not its owner nor an
    admin; a class someone else teaches) or ``NotFound`` (no such classroom)."""
    kind = content.kind
    classroom = classroom_to_publish_to(
        user=user, owner_id=content.owner_id, classroom_id=classroom_id, noun=kind
    )
    content.classrooms.add(classroom)
    sentry_manager.add_breadcrumb(
        message=f"{kind.capitalize()} published",
        category="content",
        data={f"{kind}_id": content.pk, "classroom_id": classroom.pk},
    )
    content_published.send(sender=type(content), content=content, classroom_id=classroom.pk)
    return content
