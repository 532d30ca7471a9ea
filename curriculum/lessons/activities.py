"""The library of classroom routines (``curriculum/data/lesson_activities.json``) and choosing
a lesson's activities: subject-specific routines first, an exit ticket last."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from curriculum.lessons.wording import BAND_TIME_FACTOR, COMPLEXITY_TIME_FACTOR
from curriculum.vocabulary import COMPLEXITIES, CONTENT_TYPES


@dataclass(frozen=True)
class Activity:
    key: str
    title: str
    minutes: int
    instructions: tuple[str, str]  # (K-2 wording, grades 3-12 wording)
    types: tuple[str, ...] = CONTENT_TYPES
    subject: str | None = None
    min_band: int = 0
    min_complexity: str = "basic"


def _activity(row: dict) -> Activity:
    return Activity(
        key=row["key"],
        title=row["title"],
        minutes=row["minutes"],
        instructions=(row["instructions"]["K-2"], row["instructions"]["3-12"]),
        types=tuple(row.get("content_types", CONTENT_TYPES)),
        subject=row.get("subject"),
        min_band=row.get("min_band", 0),
        min_complexity=row.get("min_complexity", "basic"),
    )


_ACTIVITIES: tuple[Activity, ...] = tuple(
    _activity(row)
    for row in json.loads(
        (Path(__file__).resolve().parent.parent / "data" / "lesson_activities.json").read_text(
            "utf-8"
        )
    )["activities"]
)


def activities_select(
    rng: random.Random,
    subject: str | None,
    content_type: str,
    complexity: str,
    band: int,
    count: int,
) -> list[Activity]:
    level = COMPLEXITIES.index(complexity)
    eligible = [
        a
        for a in _ACTIVITIES
        if content_type in a.types
        and a.min_band <= band
        and COMPLEXITIES.index(a.min_complexity) <= level
        and a.subject in (None, subject)
    ]
    specific = [a for a in eligible if a.subject is not None]
    generic = [a for a in eligible if a.subject is None]
    closers = [a for a in generic if a.key == "exit_ticket"]
    generic = [a for a in generic if a.key != "exit_ticket"]
    rng.shuffle(specific)
    rng.shuffle(generic)
    chosen = (specific + generic)[: max(0, count - len(closers))]
    chosen += closers[: count - len(chosen)]
    if len(chosen) < count:  # pragma: no cover - the library is large enough
        chosen += generic[len(chosen) : count]
    return chosen


def activity_minutes(activity: Activity, band: int, complexity: str) -> int:
    minutes = activity.minutes * BAND_TIME_FACTOR[band] * COMPLEXITY_TIME_FACTOR[complexity]
    return max(5, int(5 * round(minutes / 5)))
