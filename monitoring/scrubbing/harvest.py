"""Harvesting known secrets: literal values whose key or variable name says they are secret.

Rules:

* a string under a sensitive key (:func:`~monitoring.scrubbing.is_sensitive_key` with the PII
  setting, so with PII off an e-mail under ``email`` counts), at any depth; the items of a list
  under a sensitive key count too, but a dict's own keys always decide (the claims under
  ``auth``, ``{"type": "access", "role": "teacher"}``, are not secrets); usage-figure keys
  (``total_tokens``) do not count;
* where: in events, the request body (dict, JSON or form text), query string, cookies, headers
  and environment, frame ``vars``, ``extra``, ``contexts``, ``tags``, ``user``, breadcrumb and
  span ``data``; in tracebacks (the ``exc_info`` of an event hint or of a log record, chained
  exceptions included), every frame's locals by *name* (``pwd``, ``api_key``, ``token``…), the
  keys of dict locals (``payload = {"password": ...}``), and the sensitive-named attributes of
  object locals, one level deep (a request schema's ``password``, a user's ``email``);
* the SDK's reprs of locals (``"'Hunter2'"``) are unquoted; ``"Bearer xyz"`` also yields ``xyz``;
  an ``int`` counts as its digits;
* at least :data:`MIN_KNOWN_LENGTH` (6) characters. Shorter values ("1234" under ``pin``,
  ``"dark"`` in a cookie) would wipe unrelated text everywhere, and are still filtered under
  their key; 6 keeps OTP codes, e-mail addresses and any acceptable password;
* never the words that *name* a secret rather than being one (``"password"`` in a
  ``password_field`` local, ``"Bearer"`` under ``token_type``), ``"[Filtered]"`` or a part of
  it, ``true``/``null``…, masks such as ``"********"``, nor absolute paths (``PWD=/srv/app``
  would otherwise wipe every file name of a traceback).
"""

from __future__ import annotations

import ast
import json
import re
import sys
import types
from collections.abc import Iterable, Mapping
from itertools import islice
from typing import Any
from urllib.parse import unquote_plus

from monitoring.scrubbing.keys import SENSITIVE, classify_key, is_name_key
from monitoring.scrubbing.patterns import FILTERED, HARMLESS_WORDS

__all__ = [
    "harvest_event",
    "harvest_exc_info",
    "harvest_mapping",
    "MIN_KNOWN_LENGTH",
    "NAME",
]

MIN_KNOWN_LENGTH = 6

_MAX_DEPTH = 12
_MAX_NODES = 20_000  # per harvest: bounds the time spent on a pathological event or traceback
_MAX_ITEMS = 1_000  # per container
_MAX_TEXT = 1_000_000  # request bodies parsed as JSON/form text up to this size
_MAX_FRAMES = 200
_MAX_CHAINED = 5

# Words that name a secret rather than being one ("password" in a ``password_field`` local).
_NOT_SECRETS = HARMLESS_WORDS | frozenset(
    """
    [filtered] redacted password passwd passphrase new_password old_password password1
    password2 secret secrets client_secret token tokens access_token refresh_token id_token
    credential credentials authorization authentication http_authorization bearer basic digest
    cookie cookies http_cookie set_cookie session sessionid session_id csrftoken csrf_token
    x_csrftoken http_x_csrftoken csrfmiddlewaretoken api_key apikey x_api_key x_auth_token
    private_key email username ip_address
    """.split()
)
_AUTH_VALUE = re.compile(r"(?i)(?:bearer|basic|token|digest|apikey|jwt)\s+(\S+)")
_PATH = re.compile(r"(?:/[\w.@+-]+){2,}/?")  # PWD=/srv/toolbox: a directory, not a password
_SPLIT_PAIRS = re.compile(r"[&;]")
_COOKIE_PAIR = re.compile(r"\s*[^\s=;]{1,256}=[^;=]")  # "sessionid=...; ...", not a base64 "abc=="
_NEVER_OPENED = (type, types.ModuleType, types.FrameType, types.TracebackType, types.CodeType)


# A harvested value marked as an account name: redacted as a whole word, whatever its length.
NAME = 3  # beyond the kinds of keys.py (SENSITIVE is 2)


def _candidate(value: str, name: bool = False) -> str | None:
    """The secret in ``value`` worth redacting elsewhere, if any (an account name: any length)."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = _unrepr(value)
    value = value.strip() if name else value
    if len(value) < (1 if name else MIN_KNOWN_LENGTH) or FILTERED in value or value in FILTERED:
        return None
    if len(value) <= 40 and value.lower().replace("-", "_") in _NOT_SECRETS:
        return None
    if value.count(value[0]) == len(value) and not (name and value[0].isalnum()):
        return None  # "********", "xxxxxx"
    if value[0] == "/" and _PATH.fullmatch(value):
        return None
    return value


def _unrepr(text: str) -> str:
    """``"'Hunter2'"`` (a local as the SDK serialises it) -> ``"Hunter2"``."""
    try:
        value = ast.literal_eval(text) if len(text) <= 10_000 else None
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        value = None
    return value if isinstance(value, str) else text[1:-1]


class _Harvest:
    def __init__(self, pii: bool) -> None:
        self.pii = pii
        self.found: set[str] = set()
        self.budget = _MAX_NODES
        self.opened: set[int] = set()

    def add(self, value: str, kind: int = SENSITIVE) -> None:
        candidate = _candidate(value, kind == NAME)
        if candidate is None:
            return
        self.found.add(candidate)
        credential = _AUTH_VALUE.fullmatch(candidate)
        if credential is not None and len(credential.group(1)) >= MIN_KNOWN_LENGTH:
            self.found.add(credential.group(1))

    def add_number(self, value: int) -> None:
        if -(10**30) < value < 10**30:
            self.add(str(value))

    def sensitive(self, key: Any) -> int:
        """0, or ``SENSITIVE``, or with PII off ``NAME`` for an account name's key."""
        key = key if type(key) is str else str(key)
        if classify_key(key, self.pii) != SENSITIVE:
            return 0
        return NAME if not self.pii and is_name_key(key) else SENSITIVE

    # --- event data (already serialised by the SDK) ---

    def data(self, value: Any, sensitive: int = 0, depth: int = 0) -> None:
        self.budget -= 1
        if self.budget < 0 or depth > _MAX_DEPTH:
            return
        kind = type(value)
        if kind is str:
            if sensitive:
                self.add(value, sensitive)
        elif kind is int:
            if sensitive:
                self.add_number(value)
        elif isinstance(value, Mapping):
            for key, item in islice(value.items(), _MAX_ITEMS):
                self.item(key, item, depth + 1)
        elif isinstance(value, (list, tuple)):
            for item in islice(value, _MAX_ITEMS):
                self.data(item, sensitive, depth + 1)

    def item(self, key: Any, value: Any, depth: int) -> None:
        if type(value) is str and "cookie" in str(key).lower() and _COOKIE_PAIR.match(value):
            self.text(value)  # a Cookie header: each cookie is judged by its own name
        else:
            self.data(value, self.sensitive(key), depth)

    def pairs(self, value: Any) -> None:
        """Headers, cookies, query string, body: a mapping, ``[key, value]`` pairs or text."""
        if isinstance(value, str):
            self.text(value)
        elif isinstance(value, (list, tuple)):
            for item in islice(value, _MAX_ITEMS):
                if isinstance(item, (list, tuple)) and len(item) == 2:
                    self.item(item[0], item[1], 1)
                else:
                    self.data(item, False, 1)
        else:
            self.data(value)

    def text(self, text: str) -> None:
        """A JSON document, or ``key=value`` pairs separated by ``&`` or ``;``."""
        if len(text) > _MAX_TEXT:
            return
        stripped = text.strip()
        if stripped[:1] in ("{", "["):
            try:
                self.data(json.loads(stripped))
                return
            except (ValueError, RecursionError):
                pass
        if "=" not in text:
            return
        for pair in islice(_SPLIT_PAIRS.split(text), _MAX_ITEMS):
            key, equals, value = pair.partition("=")
            kind = self.sensitive(unquote_plus(key.strip())) if equals else 0
            if kind:
                self.add(unquote_plus(value.strip()), kind)

    # --- live Python objects (traceback locals) ---

    def python(self, value: Any, sensitive: int, depth: int, open_objects: bool) -> None:
        self.budget -= 1
        if self.budget < 0 or depth > _MAX_DEPTH:
            return
        kind = type(value)
        if kind is str:
            if sensitive:
                self.add(value, sensitive)
            return
        if kind is int:
            if sensitive:
                self.add_number(value)
            return
        if kind in (float, bool, type(None)):
            return
        if isinstance(value, str):  # SafeString and other str subclasses
            if sensitive:
                self.add(str.__str__(value), sensitive)
            return
        if kind in (bytes, bytearray):
            if sensitive:
                self.add(bytes(value[:_MAX_TEXT]).decode("utf-8", "replace"))
            return
        if kind in (list, tuple, set, frozenset):
            for item in islice(value, _MAX_ITEMS):
                self.python(item, sensitive, depth + 1, False)
            return
        if isinstance(value, dict):  # QueryDict, MultiValueDict...: their raw storage
            if id(value) in self.opened:
                return
            self.opened.add(id(value))
            for key, item in islice(dict.items(value), _MAX_ITEMS):
                self.python(item, self.sensitive(key), depth + 1, False)
            return
        if open_objects and not isinstance(value, _NEVER_OPENED) and not callable(value):
            try:  # the instance's own attributes; never __getattr__ nor properties
                attributes = object.__getattribute__(value, "__dict__")
            except Exception:
                return
            if type(attributes) is dict:
                for name, item in islice(dict.items(attributes), _MAX_ITEMS):
                    if isinstance(item, (str, int)):
                        kind = self.sensitive(name)
                        if kind:
                            self.python(item, kind, depth + 1, False)

    def exc_info(self, exc_info: Any) -> None:
        """Every frame's locals, for the exception and the ones it was chained from."""
        if exc_info is True:
            exc_info = sys.exc_info()
        if isinstance(exc_info, BaseException):
            exc: BaseException | None = exc_info
        elif isinstance(exc_info, tuple) and len(exc_info) == 3:
            exc = exc_info[1] if isinstance(exc_info[1], BaseException) else None
        else:
            return
        seen: set[int] = set()
        while exc is not None and id(exc) not in seen and len(seen) < _MAX_CHAINED:
            seen.add(id(exc))
            tb = exc.__traceback__
            frames = 0
            while tb is not None and frames < _MAX_FRAMES and self.budget > 0:
                self.frame_locals(tb.tb_frame.f_locals)
                tb = tb.tb_next
                frames += 1
            exc = exc.__cause__ or exc.__context__

    def frame_locals(self, local_vars: Mapping[str, Any]) -> None:
        for name, value in list(local_vars.items())[:_MAX_ITEMS]:
            if not name.startswith("__"):
                self.python(value, self.sensitive(name), 0, True)


def harvest_exc_info(exc_info: Any, *, pii: bool) -> set[str]:
    """Secrets held by the locals of a traceback (``exc_info``: a tuple, an exception or True).

    Never raises: on failure, what was found so far.
    """
    harvest = _Harvest(pii)
    try:
        harvest.exc_info(exc_info)
    except Exception:
        pass
    return harvest.found


def harvest_mapping(mapping: Any, *, pii: bool) -> set[str]:
    """Secrets under sensitive keys of a JSON-like structure (a log record's fields)."""
    harvest = _Harvest(pii)
    try:
        harvest.data(mapping)
    except Exception:
        pass
    return harvest.found


def harvest_event(event: Any, hint: Any, *, pii: bool) -> set[str]:
    """Secrets found by their key in an event (and in the traceback of its hint).

    Never raises: on failure, what was found so far.
    """
    harvest = _Harvest(pii)
    try:
        _harvest_event(harvest, event)
        if isinstance(hint, Mapping) and hint.get("exc_info"):
            harvest.exc_info(hint["exc_info"])
    except Exception:
        pass
    return harvest.found


def _harvest_event(harvest: _Harvest, event: Any) -> None:
    if not isinstance(event, Mapping):
        return
    request = event.get("request")
    if isinstance(request, Mapping):
        for key in ("data", "query_string", "cookies", "headers", "env"):
            if request.get(key):
                harvest.pairs(request[key])
    for key in ("extra", "contexts", "tags", "user"):
        if event.get(key):
            harvest.pairs(event[key])
    for stacktrace in _stacktraces(event):
        frames = stacktrace.get("frames") if isinstance(stacktrace, Mapping) else None
        for frame in frames if isinstance(frames, list) else ():
            if isinstance(frame, Mapping) and frame.get("vars"):
                harvest.data(frame["vars"])
    crumbs = event.get("breadcrumbs")
    if isinstance(crumbs, Mapping):
        crumbs = crumbs.get("values")
    spans = event.get("spans")
    for item in [
        *(crumbs if isinstance(crumbs, list) else ()),
        *(spans if isinstance(spans, list) else ()),
    ]:
        if isinstance(item, Mapping) and item.get("data"):
            harvest.data(item["data"])


def _stacktraces(event: Mapping[str, Any]) -> Iterable[Any]:
    yield event.get("stacktrace")
    for key in ("exception", "threads"):
        container = event.get(key)
        values = container.get("values") if isinstance(container, Mapping) else container
        for value in values if isinstance(values, list) else ():
            if isinstance(value, Mapping):
                yield value.get("stacktrace")
