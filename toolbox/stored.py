"""Content we stored that we cannot read back is a server error, never the client's fault.

Lessons and quizzes keep their generated content in JSON columns. If a row no longer fits the
shape every reader relies on (a migration gone wrong, a hand edit, a bug in a writer), the
request that reads it used to fail validation on the way out and could surface as a 422, which
production does not report. Readers validate the stored JSON instead and raise
:class:`StoredContentInvalid`: it propagates as an unhandled exception, so Django's handler and
Sentry see it once (tagged with the content kind and id, grouped into one issue by the error
policy) and the client gets the same JSON 500 as any other crash (``toolbox.exceptions``).
"""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic
import sentry_sdk

from monitoring.errors import DATABASE

T = TypeVar("T")

# How many of the validation problems go into the Sentry context: enough to find the bad field.
MAX_PROBLEMS = 10


class StoredContentInvalid(Exception):
    """A stored lesson, quiz, ... whose JSON fails validation when read."""

    # Our data, as the database holds it: the database category, wherever it is read.
    error_category = DATABASE

    def __init__(self, *, kind: str, content_id: int, field: str, problems: list[str]) -> None:
        super().__init__(f"stored {kind} {content_id} has an invalid {field!r}")
        self.kind = kind
        self.content_id = content_id
        self.field = field
        self.problems = problems
        # Read by the error policy (monitoring.errors.classify_event) onto the event's tags.
        self.sentry_tags = {"content.kind": kind, "content.id": str(content_id)}


def _problems(exc: pydantic.ValidationError) -> list[str]:
    # Where and what, never the stored value itself: it may be a child's work.
    return [
        f"{'.'.join(str(part) for part in error['loc']) or '(root)'}: {error['type']}"
        for error in exc.errors(include_url=False, include_input=False)[:MAX_PROBLEMS]
    ]


def stored_validate(
    *, kind: str, content_id: int, field: str, adapter: pydantic.TypeAdapter[T], value: Any
) -> T:
    """``value`` (the stored ``field`` of ``kind`` ``content_id``) validated by ``adapter``, or
    :class:`StoredContentInvalid`, with a ``stored_content`` context on the request's scope."""
    try:
        return adapter.validate_python(value)
    except pydantic.ValidationError as exc:
        problems = _problems(exc)
        sentry_sdk.set_context(
            "stored_content",
            {"kind": kind, "id": content_id, "field": field, "problems": problems},
        )
        raise StoredContentInvalid(
            kind=kind, content_id=content_id, field=field, problems=problems
        ) from None
