"""Sentry's own server-side scrubbing (relay, default settings), to check ours leaves it nothing."""

from __future__ import annotations

import re
from typing import Any

from sentry_relay import convert_datascrubbing_config, pii_strip_event

RELAY_DEFAULTS = convert_datascrubbing_config(
    {
        "scrubData": True,
        "scrubDefaults": True,
        "scrubIpAddresses": True,
        "sensitiveFields": [],
        "excludeFields": [],
    }
)
# Relay's keyword heuristic: it filters a value whose key *or whose text* merely contains one of
# these words ("my password was wrong", "author", "total_tokens": 12). We keep such text on
# purpose (its secret part is already [Filtered]), so the comparison neutralises these words.
RELAY_KEYWORDS = re.compile(
    r"password|secret|passwd|api[-_]?key|auth|credentials|mysql_pwd|private_?key|token", re.I
)


def relay_normalised(event: Any, config: Any) -> Any:
    result = pii_strip_event(config, event)
    result.pop("_meta", None)
    return result


def neutralise(value: Any) -> Any:
    if isinstance(value, str):
        return RELAY_KEYWORDS.sub("kw", value)
    if isinstance(value, dict):
        return {neutralise(key): neutralise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [neutralise(item) for item in value]
    return value


def leaf_differences(ours: Any, theirs: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return [
            diff
            for key in ours.keys() | theirs.keys()
            for diff in leaf_differences(ours.get(key), theirs.get(key), (*path, key))
        ]
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        return [
            diff
            for index, (a, b) in enumerate(zip(ours, theirs, strict=True))
            for diff in leaf_differences(a, b, (*path, index))
        ]
    return [] if ours == theirs else [(path, ours, theirs)]


def relay_leftovers(event: dict[str, Any]) -> list[tuple]:
    """What relay's default server-side scrubbing would still change in ``event``, less the
    addresses we keep on purpose: relay masks every IP, we keep our own servers' (loopback and
    configured hosts: configuration, not personal data; ``monitoring.scrubbing.addresses``)."""
    neutral = neutralise(event)
    changes = leaf_differences(
        relay_normalised(neutral, {}), relay_normalised(neutral, RELAY_DEFAULTS)
    )
    return [change for change in changes if not _only_own_addresses(change)]


def _only_own_addresses(change: tuple) -> bool:
    """Whether relay's change is just ``[ip]`` in place of addresses that are ours."""
    from monitoring.scrubbing.addresses import keep_own_address
    from monitoring.scrubbing.patterns import IPV4, IPV6

    _path, ours, theirs = change
    if not isinstance(ours, str) or not isinstance(theirs, str) or "[ip]" not in theirs:
        return False

    def masked(match: re.Match[str]) -> str:
        return "[ip]" if keep_own_address(match) == match.group(0) else match.group(0)

    return IPV4.sub(masked, IPV6.sub(masked, ours)) == theirs


def relay_raw_changes(event: dict[str, Any]) -> list[tuple]:
    return leaf_differences(relay_normalised(event, {}), relay_normalised(event, RELAY_DEFAULTS))


def only_keyword_heuristic(changes: list[tuple]) -> list[tuple]:
    """The changes not explained by relay's keyword heuristic (in the path or in the value)."""
    return [
        (path, ours, theirs)
        for path, ours, theirs in changes
        if not any(RELAY_KEYWORDS.search(str(step)) for step in path)
        and not (isinstance(ours, str) and RELAY_KEYWORDS.search(ours))
    ]
