"""Every Sentry hook, and the scrubbing that keeps secrets and personal data in the process.

ToolboxAI's users include children: no password, token, key, cookie or (with
``SENTRY_SEND_DEFAULT_PII`` off) e-mail address, IP address or user name may leave the process.
The SDK's own ``EventScrubber`` is not enough (it matches exact key names only, and it is disabled
anyway once ``data_collection`` is configured), so ``make_hooks`` returns the ``before_send*``
hooks that scrub every part of an event, transaction, breadcrumb and log:

* **by key**: the value under a sensitive key (``password``, ``new_password``, ``X-Auth-Token``,
  ``OPENAI_API_KEY``, ``client_secret``, a local variable ``pwd``…, and with PII off ``email``,
  ``username``, ``ip_address``…) becomes ``"[Filtered]"``, at any depth; see
  :func:`is_sensitive_key`;
* **by value**: secrets found inside any string are replaced in place, keeping the text around
  them: JWTs, ``Bearer``/``Basic`` credentials, API keys (OpenAI, Stripe, GitHub, Slack, AWS,
  Google…), PEM private keys, Django password hashes, ``user:password@`` in URLs, one-time
  tokens in URL paths (``/reset/<uid>/<token>/``), ``key=value`` / ``"key": "value"`` /
  ``'key': 'value'`` pairs with a sensitive key (query strings, cookies, JSON text, reprs of
  locals, log messages), Luhn-valid card numbers, US SSNs, IBANs, and with PII off e-mail
  addresses and IPv4/IPv6 addresses. Percent-encoded text (query strings, form bodies) is also
  checked decoded. Parameters of log templates are filtered by name (``%(password)s``) or by the
  word before their placeholder (``password=%s``; with PII off ``user %s``), and the message is
  re-rendered.

Not caught (no pattern can tell): a bare secret or name in prose ("welcome back, Ada"), phone
numbers outside a ``phone`` key, integers outside a sensitive key (card numbers stored as ints).

Deliberate exceptions (documented, tested):

* usage figures are not secrets: an ``int``/``float`` (or numeric string) under a key such as
  ``total_tokens``, ``tokens_used``, ``token_count``, ``gen_ai.usage.input_tokens`` or
  ``session_count`` is kept; under ``token``, ``access_token`` or ``session_id`` it is not;
* ``author*`` keys are not ``auth``; keys that say *how* someone authenticated
  (``auth_method``, ``authentication_method``, ``auth_type``, ``auth_backend``, ``auth_provider``)
  are kept (their values still go through the value patterns);
* booleans and ``None`` are never secret (``is_authenticated: True`` survives);
* fields Sentry needs and that carry no user data are left alone: ids, timestamps, platform, sdk,
  level, release, environment, server name, modules, measurements, ``_meta``, exception
  ``type``/``module``/``mechanism``, frame file/function/line fields, trace and span ids;
* source lines of stack frames are scrubbed for secrets only (a hard-coded key or a quoted
  ``password = "…"``), not for e-mails/IPs nor for ``password = form.cleaned_data[...]``.

The hooks never raise: a field that cannot be scrubbed is dropped; an event that cannot be
scrubbed at all is dropped (``None``) rather than sent unscrubbed.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote_plus

__all__ = [
    "FILTERED",
    "before_breadcrumb",
    "before_send",
    "before_send_log",
    "before_send_transaction",
    "is_sensitive_key",
    "make_hooks",
    "scrub",
    "scrub_text",
]

FILTERED = "[Filtered]"

_MAX_DEPTH = 40  # deeper than any real event; also stops cycles in ``scrub``
_MAX_BRACKET_SCAN = 20_000  # a value in brackets after a sensitive key: how far to look for its end

# --- keys -----------------------------------------------------------------------------------------

_NOT_SENSITIVE, _USAGE_FIGURE, _SENSITIVE = 0, 1, 2

_S = r"[-_. ]?"  # separator inside a normalised key
_B = r"(?<![a-z0-9])"  # start of a word inside a normalised key
_E = r"(?![a-z0-9])"  # end of a word inside a normalised key

# Keys that look sensitive but name a kind of thing, not a secret (full match, normalised key).
_EXEMPT_KEY = re.compile(
    r"(?:is_)?auth(?:entication)?" + _S + r"(?:method|type|backend|provider|scheme|flow|source)s?"
)

_SECRET_KEY = re.compile(
    "|".join(
        [
            r"pass(?:word|wd|phrase|code)",
            r"pwd",
            r"secret",
            r"credential",
            r"authori[sz]ation",
            r"auth(?!or)",  # auth, oauth, x-auth-token, but not author/authority
            r"csrf",
            r"xsrf",
            r"cookie",
            r"jwt",
            r"bearer",
            r"api" + _S + r"keys?",
            r"(?:private|access|signing|encryption|master|client|license|service|app)"
            + _S
            + r"keys?"
            + _E,
            # token, access_token, csrftoken... but not the usage figures tokens_used/token_count
            r"token(?!s|iz|"
            + _S
            + r"(?:count|usage|used|limit|budget|cost|total|num|number)s?"
            + _E
            + r")",
            _B + r"(?:access|refresh|id|reset|otp|verification|verify|confirm|invite|magic|push|"
            r"device|api|session)" + _S + r"tokens?",
            r"session" + _S + r"(?:id|key|token|cookie|secret|data|value)" + _E,
            r"sessions?$",
            r"credit" + _S + r"card",
            r"debit" + _S + r"card",
            r"card"
            + _S
            + r"(?:number|num|no|holder|cvc|cvv|expiry|exp|security|details|data)"
            + _E,
            r"^card$",
            r"cvv",
            r"cvc",
            r"iban",
            _B + r"(?:ssn|pin|otp|cc|dsn)" + _E,
            r"social" + _S + r"security",
            r"(?:account|routing|bank)" + _S + r"(?:number|num|no)" + _E,
        ]
    )
)

# Personal data: sensitive only when send_default_pii is off.
_PII_KEY = re.compile(
    "|".join(
        [
            r"e" + _S + r"mail",
            _B + r"ip" + _E,
            r"ip" + _S + r"addr",
            r"(?:remote|client|peer|real)" + _S + r"(?:addr|ip)",
            r"forwarded",
            r"phone",
            r"mobile" + _S + r"(?:number|num|no)" + _E,
            r"user" + _S + r"name",
            r"login" + _S + r"name",
            r"(?:first|last|full|given|family|middle|sur|nick|real|legal|student|parent|guardian|"
            r"child|contact)" + _S + r"name",
            r"birth",
            _B + r"dob" + _E,
            r"(?:street|home|postal|mailing|billing|shipping)" + _S + r"address",
            # generative-AI prompts and answers (what children typed); not the usage figures
            r"^gen_ai\.(?!usage\.).*(?:messages|prompt|text|input|output|arguments|result|"
            r"instructions|object)s?$",
        ]
    )
)

# What is left after _SECRET_KEY: usage figures (tokens_used, session_count...).
_USAGE_KEY = re.compile(r"token|session")

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_KEY_CACHE: tuple[dict[str, int], dict[str, int]] = ({}, {})  # (pii off, pii on)
_KEY_CACHE_LIMIT = 20_000


def _classify_key(key: str, pii: bool) -> int:
    cache = _KEY_CACHE[pii]
    result = cache.get(key)
    if result is not None:
        return result
    normalised = _CAMEL_BOUNDARY.sub("_", key).lower()
    if _EXEMPT_KEY.fullmatch(normalised):
        result = _NOT_SENSITIVE
    elif _SECRET_KEY.search(normalised) or (not pii and _PII_KEY.search(normalised)):
        result = _SENSITIVE
    elif _USAGE_KEY.search(normalised):
        result = _USAGE_FIGURE
    else:
        result = _NOT_SENSITIVE
    if len(key) <= 64:  # names, not data: a long "key" is not worth remembering
        if len(cache) >= _KEY_CACHE_LIMIT:
            cache.clear()
        cache[key] = result
    return result


def is_sensitive_key(key: str, *, pii: bool = False) -> bool:
    """Whether values under ``key`` are filtered (case-insensitive, partial, camelCase aware).

    ``pii=False`` (the default, the strictest) also treats personal-data keys as sensitive.
    Usage-figure keys (``total_tokens``, ``session_count``) are sensitive: their *numbers* are
    kept by :func:`scrub`, anything else under them is filtered.
    """
    try:
        return _classify_key(str(key), pii) != _NOT_SENSITIVE
    except Exception:
        return True


# --- values inside text ---------------------------------------------------------------------------

_MIN_SECRET_LENGTH = 5  # "pwd=x": nothing shorter can hold a secret found by its value

_PEM = re.compile(
    r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.S
)
_BEARER = re.compile(r"(?i)\bbearer(?:\s|\+|%20)+([A-Za-z0-9._~+/=-]{6,})")
_BASIC = re.compile(r"(?i)\bbasic\s+([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])")
_PASSWORD_HASH = re.compile(  # Django's stored password hashes
    r"(?<![\w$])(?:pbkdf2_sha(?:1|256|512)|argon2(?:id|i|d)?|bcrypt(?:_sha256)?|scrypt|sha1|md5)"
    r"\$[^\s'\"<>,;&)}\]]+"
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")
_API_KEY = re.compile(
    r"(?<![A-Za-z0-9_-])(?:"
    r"sk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{16,}"
    r"|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}"
    r"|whsec_[A-Za-z0-9+/=]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|AIza[0-9A-Za-z_-]{35}"
    r"|glpat-[A-Za-z0-9_-]{20,}"
    r"|hf_[A-Za-z0-9]{30,}"
    r"|npm_[A-Za-z0-9]{36}"
    r"|sntry[su]_[A-Za-z0-9+/=_-]{20,}"
    r")(?![A-Za-z0-9_-])"
)
_API_KEY_HINTS = (
    "sk-",
    "sk_",
    "pk_",
    "rk_",
    "whsec_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "AKIA",
    "ASIA",
    "AIza",
    "glpat-",
    "hf_",
    "npm_",
    "sntry",
)
_URL_CREDENTIALS = re.compile(r"://[^\s/@:]{0,256}:[^\s/@]{0,256}@")
# An opaque segment after a reset/activation/verification path segment: a one-time credential
# (Django's reset/<uidb64>/<token>/, allauth's confirm-email/<key>/).
_PATH_TOKEN_WORDS = ("reset", "activat", "confirm", "verif", "invit", "magic", "token", "password")
_PATH_TOKEN = re.compile(
    r"(/[\w.-]*(?i:reset|activat|confirm|verif|invit|magic|token|password)[\w.-]*/"
    r"(?:[^/?#\s]{1,64}/)?)"
    r"(?:[A-Za-z0-9:_-]{16,}|[0-9a-z]{1,13}-[0-9a-f]{20,})"
    r"(?=[/?#\s'\"]|$)"
)
# Cheap literal-led tests that gate the costlier patterns (``re`` scans a literal much faster).
_SSN_HINT = re.compile(r"-\d\d-\d{4}")
_IBAN_HINT = re.compile(r"[A-Z]\d\d")
_IPV4_HINT = re.compile(r"\.\d{1,3}\.\d{1,3}\.\d")
_IPV6_HINT = re.compile(r":[0-9A-Fa-f]{1,4}:")
_CARD = re.compile(r"(?<![\w.])[2-6](?:[ -]?\d){12,79}(?!\w|\.\d)")
_CARD_GROUPS = re.compile(r"[ -]")
_CARD_SPLIT = re.compile(r"([ -])")
_SSN = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
_EMAIL_DOMAIN = re.compile(r"(?:@|%40)(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9._%+-]{1,64}$")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_V4 = rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}"
_IPV4 = re.compile(rf"(?<![\w.]){_V4}(?!\w|\.\d)")
_H = r"[0-9A-Fa-f]{1,4}"
_IPV6 = re.compile(
    r"(?<![\w:.])(?:"
    rf"(?:{_H}:){{1,5}}:(?:ffff:)?{_V4}"
    rf"|::(?:ffff(?::0{{1,4}})?:)?{_V4}"
    rf"|(?:{_H}:){{7}}{_H}"
    rf"|(?:{_H}:){{1,6}}:{_H}"
    rf"|(?:{_H}:){{1,5}}(?::{_H}){{1,2}}"
    rf"|(?:{_H}:){{1,4}}(?::{_H}){{1,3}}"
    rf"|(?:{_H}:){{1,3}}(?::{_H}){{1,4}}"
    rf"|(?:{_H}:){{1,2}}(?::{_H}){{1,5}}"
    rf"|{_H}:(?::{_H}){{1,6}}"
    rf"|::(?:{_H}:){{1,6}}{_H}|::1"  # not ::2 (a Python slice)
    rf"|(?:{_H}:){{1,7}}:"
    r")(?:%[0-9A-Za-z]{1,16})?(?![\w:]|\.\d)"
)

# ``key=value``, ``key: value``, ``"key": "value"``, ``'key': 'value'`` and ``\"key\": \"value\"``
# with a candidate key; the key is then classified like a dict key.
_PAIR_SECRET_WORDS = (
    r"pass|pwd|secret|token|key|credential|auth|session|csrf|xsrf|cookie|jwt|bearer|card|cvv|cvc"
    r"|iban|ssn|pin|otp|cc|dsn|security|account|routing|bank"
)
_PAIR_PII_WORDS = r"mail|ip|addr|forwarded|phone|mobile|name|birth|dob|gen_ai"
_AUTH_SCHEME = r"(?:Bearer|Basic|Token|Digest|Negotiate|NTLM|ApiKey|JWT|HMAC[\w-]*)[ \t]+"


# Found in the lower-cased text (a case-insensitive alternation is ~20x slower in ``re``).
_PAIR_WORDS_STRICT = re.compile(_PAIR_SECRET_WORDS + "|" + _PAIR_PII_WORDS)
_PAIR_WORDS_SECRETS = re.compile(_PAIR_SECRET_WORDS)
_PAIR_WORDS_ANY_CASE = (
    re.compile(_PAIR_WORDS_STRICT.pattern, re.I),
    re.compile(_PAIR_WORDS_SECRETS.pattern, re.I),
)
_KEY_HEAD = re.compile(r"[\w.-]{0,40}$")
_KEY_TAIL = re.compile(r"[\w.-]{0,40}+(?P<kq>\\?[\"'])?(?P<sep>[ \t]*[:=][ \t]*)(?!=)")
_VALUE = re.compile(
    r"(?P<open>[\[{(])"
    r"|(?P<eq>\\\"(?:[^\"\\]|\\[^\"]){0,4096}\\\")"
    r"|(?P<dq>\"(?:[^\"\\\n]|\\.){0,4096}\")"
    r"|(?P<sq>'(?:[^'\\\n]|\\.){0,4096}')"
    r"|(?P<bare>(?:" + _AUTH_SCHEME + r")?[^\s&;,'\"<>(){}\[\]|\\]+)"
)


_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_NUMBERS_ONLY = re.compile(r"[\s\d.,eE+\-\[\]()]*")
_PLACEHOLDER_VALUE = re.compile(r"%s|%\(\w+\)s|\?|\$\d+|:\w+|%\w|\{\w*\}")
_HARMLESS_WORDS = frozenset({"true", "false", "none", "null", "undefined", "nil"})


def _bearer(match: re.Match[str]) -> str:
    credential = match.group(1)
    if len(credential) >= 20 or any(ch in credential for ch in "0123456789._~+/=-"):
        return FILTERED
    return match.group(0)


def _basic(match: re.Match[str]) -> str:
    credential = match.group(1)
    try:
        decoded = base64.b64decode(credential + "=" * (-len(credential) % 4), validate=True)
    except (binascii.Error, ValueError):
        return match.group(0)
    return FILTERED if b":" in decoded else match.group(0)


def _api_key(match: re.Match[str]) -> str:
    found = match.group(0)
    if found.startswith("sk-") and len(found) < 32 and not any(ch.isdigit() for ch in found):
        return found  # a kebab-case word such as sk-learn-something
    return FILTERED


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _is_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and _luhn(digits)


_CARD_LENGTH_PREFERENCE = (16, 15, 19, 14, 13, 17, 18)


def _card(match: re.Match[str]) -> str:
    found = match.group(0)
    if _is_card(_CARD_GROUPS.sub("", found)):
        return FILTERED
    # Several numbers next to each other ("order 22 4111 1111 1111 1111"): find the cards among
    # runs of whole groups.
    return _cards_in(_CARD_SPLIT.split(found))


def _cards_in(pieces: list[str]) -> str:
    """``pieces``: digit groups at even indices, separators at odd ones."""
    groups = pieces[0::2]
    best: tuple[int, int, int] | None = None  # (preference, start, size)
    for start in range(len(groups)):
        digits = ""
        for size in range(1, len(groups) - start + 1):
            digits += groups[start + size - 1]
            if len(digits) > 19:
                break
            if _is_card(digits):
                preference = _CARD_LENGTH_PREFERENCE.index(len(digits))
                if best is None or preference < best[0]:
                    best = (preference, start, size)
    if best is None:
        return "".join(pieces)
    _preference, start, size = best
    first, last = 2 * start, 2 * (start + size - 1)
    before = _cards_in(pieces[: first - 1]) + pieces[first - 1] if first else ""
    after = pieces[last + 1] + _cards_in(pieces[last + 2 :]) if last + 1 < len(pieces) else ""
    return before + FILTERED + after


def _iban(match: re.Match[str]) -> str:
    compact = match.group(0).replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(ch, 36)) for ch in rearranged))
    except ValueError:
        return match.group(0)
    return FILTERED if number % 97 == 1 else match.group(0)


def _bracket_end(text: str, start: int) -> int:
    """Index just past the bracket group opening at ``start``; ``len(text)`` if it never closes."""
    closing = {"[": "]", "{": "}", "(": ")"}
    stack = [closing[text[start]]]
    quote = ""
    index = start + 1
    limit = min(len(text), start + _MAX_BRACKET_SCAN)
    while index < limit:
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in closing:
            stack.append(closing[char])
        elif char == stack[-1]:
            stack.pop()
            if not stack:
                return index + 1
        index += 1
    return len(text)


def _scrub_pairs(text: str, pii: bool, code: bool) -> str:
    """Filter the value of every ``key=value`` / ``key: value`` pair whose key is sensitive."""
    strict = not pii and not code
    lowered = text.lower()
    if len(lowered) == len(text):
        hits = (_PAIR_WORDS_STRICT if strict else _PAIR_WORDS_SECRETS).finditer(lowered)
    else:  # lower() changed the length (rare Unicode): search case-insensitively instead
        hits = _PAIR_WORDS_ANY_CASE[0 if strict else 1].finditer(text)
    parts: list[str] = []
    copied = 0
    position = 0
    for hit in hits:
        if hit.start() < position:
            continue
        tail = _KEY_TAIL.match(text, hit.end())
        if tail is None:
            continue
        head = _KEY_HEAD.search(text, max(0, hit.start() - 40), hit.start())
        key_start = head.start() if head is not None else hit.start()
        kind = _classify_key(
            text[key_start : tail.start("kq") if tail.group("kq") else tail.start("sep")], pii
        )
        if kind == _NOT_SENSITIVE:
            position = tail.start("sep")
            continue
        value = _VALUE.match(text, tail.end())
        if value is None:
            position = tail.end()
            continue
        value_start = value.start()
        replacement: str | None = FILTERED
        if value.group("open") is not None:
            value_end = _bracket_end(text, value_start)
            found = text[value_start:value_end]
            if (
                code
                or found == FILTERED
                or _PLACEHOLDER_VALUE.fullmatch(found)
                or (kind == _USAGE_FIGURE and _NUMBERS_ONLY.fullmatch(found))
            ):
                replacement = None
            elif kind == _USAGE_FIGURE and found.startswith("{"):
                position = value_start + 1  # a dict of figures: its own keys decide
                continue
        else:
            value_end = value.end()
            bare = value.group("bare")
            if bare is not None:
                if (
                    code
                    or bare.lower() in _HARMLESS_WORDS
                    or _PLACEHOLDER_VALUE.fullmatch(bare)
                    or (kind == _USAGE_FIGURE and _NUMBER.fullmatch(bare))
                ):
                    replacement = None
            else:
                quoted = value.group(0)
                quote = '\\"' if value.group("eq") is not None else quoted[0]
                inner = quoted[len(quote) : -len(quote)]
                if (
                    inner == FILTERED
                    or _PLACEHOLDER_VALUE.fullmatch(inner)
                    or (kind == _USAGE_FIGURE and _NUMBER.fullmatch(inner))
                ):
                    replacement = None
                else:
                    replacement = quote + FILTERED + quote
        position = value_end
        if replacement is not None:
            parts.append(text[copied:value_start])
            parts.append(replacement)
            copied = value_end
    if not parts:
        return text
    parts.append(text[copied:])
    return "".join(parts)


# Short strings already found clean (context lines, module names, breadcrumb messages repeat
# from event to event), one set per mode. Only strings that are sent unchanged anyway are kept.
_CLEAN: tuple[set[str], set[str], set[str]] = (set(), set(), set())  # pii off, pii on, code
_CLEAN_MAX_LENGTH = 256
_CLEAN_MAX_SIZE = 8192


def _scrub_text(text: str, pii: bool, code: bool = False) -> str:
    if len(text) < _MIN_SECRET_LENGTH:
        return text
    clean = _CLEAN[2 if code else pii]
    if text in clean:
        return text
    result = _scrub_plain_text(text, pii, code)
    if "%" in result and _PERCENT_ESCAPE.search(result):
        # Query strings and form bodies: look at the decoded text too (an e-mail or IPv6 address
        # hides behind %40 and %3A). If it holds something, send the decoded, scrubbed form.
        decoded = unquote_plus(result)
        scrubbed = _scrub_plain_text(decoded, pii, code)
        if scrubbed != decoded:
            return scrubbed
    if result == text and len(text) <= _CLEAN_MAX_LENGTH:
        if len(clean) >= _CLEAN_MAX_SIZE:
            clean.clear()
        clean.add(text)
    return result


def _scrub_plain_text(text: str, pii: bool, code: bool) -> str:
    if "-----BEGIN" in text:
        text = _PEM.sub(FILTERED, text)
    if "earer" in text or "EARER" in text:
        text = _BEARER.sub(_bearer, text)
    if "asic" in text or "ASIC" in text:
        text = _BASIC.sub(_basic, text)
    if "eyJ" in text:
        text = _JWT.sub(FILTERED, text)
    if "$" in text:
        text = _PASSWORD_HASH.sub(FILTERED, text)
    if len(text) < 512 or any(hint in text for hint in _API_KEY_HINTS):
        text = _API_KEY.sub(_api_key, text)
    if "://" in text:
        text = _URL_CREDENTIALS.sub("://" + FILTERED + "@", text)
    if "/" in text:
        lowered = text.lower()
        if any(word in lowered for word in _PATH_TOKEN_WORDS):
            text = _PATH_TOKEN.sub(r"\1" + FILTERED, text)
    if ":" in text or "=" in text:
        text = _scrub_pairs(text, pii, code)
    text = _CARD.sub(_card, text)
    if "-" in text and _SSN_HINT.search(text):
        text = _SSN.sub(FILTERED, text)
    if not text.islower() and _IBAN_HINT.search(text):
        text = _IBAN.sub(_iban, text)
    if pii or code:
        return text
    if "@" in text or "%40" in text:
        text = _redact_emails(text)
    if ":" in text and ("::" in text or _IPV6_HINT.search(text)):
        text = _IPV6.sub(FILTERED, text)
    if "." in text and _IPV4_HINT.search(text):
        text = _IPV4.sub(FILTERED, text)
    return text


def _redact_emails(text: str) -> str:
    """E-mail addresses, found from their ``@`` (or ``%40``) outwards."""
    parts: list[str] = []
    copied = 0
    for domain in _EMAIL_DOMAIN.finditer(text):
        local = _EMAIL_LOCAL.search(text, max(copied, domain.start() - 64), domain.start())
        if local is None:
            continue
        parts.append(text[copied : local.start()])
        parts.append(FILTERED)
        copied = domain.end()
    if not parts:
        return text
    parts.append(text[copied:])
    return "".join(parts)


def scrub_text(text: str, *, pii: bool) -> str:
    """``text`` with every secret (and with ``pii=False`` every e-mail/IP) found by value pattern
    replaced by ``[Filtered]``; the text around them is kept. Never raises."""
    if type(text) is not str:
        if not isinstance(text, str):
            return text
        text = str(text)
    try:
        return _scrub_text(text, pii)
    except Exception:
        return FILTERED


def _scrub_code(text: Any) -> Any:
    """A source line of a stack frame: secrets only (hard-coded keys, quoted passwords)."""
    if type(text) is not str:
        return text
    return _scrub_text(text, True, code=True)


# --- structures -----------------------------------------------------------------------------------

_PLAIN_SCALARS = (int, float, bool, type(None))
_OPAQUE = (datetime.datetime, datetime.date, datetime.time, datetime.timedelta, decimal.Decimal)


def _walk(value: Any, pii: bool, depth: int = 0) -> Any:
    kind = type(value)
    if kind is str:
        return _scrub_text(value, pii)
    if kind in _PLAIN_SCALARS:
        return value
    if depth > _MAX_DEPTH:
        return FILTERED
    if isinstance(value, Mapping):
        return _walk_mapping(value, pii, depth + 1)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_walk(item, pii, depth + 1) for item in value]
        return tuple(items) if kind is tuple else items
    if isinstance(value, str):
        return _scrub_text(str(value), pii)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return _scrub_text(bytes(value).decode("utf-8", "replace"), pii)
    if isinstance(value, _OPAQUE) or isinstance(value, uuid.UUID):
        return value
    # Anything else would be repr()'d by the SDK later: scrub that repr now.
    return _scrub_text(_safe_repr(value), pii)


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:
        return FILTERED


def _walk_mapping(mapping: Mapping[Any, Any], pii: bool, depth: int) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for key, value in mapping.items():
        if type(key) is str:
            kind = _classify_key(key, pii)
            if len(key) >= _MIN_SECRET_LENGTH:
                key = _scrub_text(key, pii)  # {"ada@example.org": 3}: keys can carry data too
        else:
            kind = _classify_key(str(key), pii)
        if kind == _NOT_SENSITIVE:
            out[key] = _walk(value, pii, depth)
        else:
            out[key] = _filtered(value, kind, pii, depth)
    return out


def _filtered(value: Any, kind: int, pii: bool, depth: int) -> Any:
    """The value under a sensitive key: filtered, except booleans, None and usage figures."""
    if value is None or type(value) is bool:
        return value
    if kind == _USAGE_FIGURE:
        if type(value) in (int, float):
            return value
        if type(value) is str and _NUMBER.fullmatch(value):
            return value
        if isinstance(value, Mapping) and depth <= _MAX_DEPTH:
            return _walk_mapping(value, pii, depth + 1)
        if type(value) in (list, tuple) and depth <= _MAX_DEPTH:
            return [_filtered(item, kind, pii, depth + 1) for item in value]
    return FILTERED


def _walk_pairs(value: Any, pii: bool) -> Any:
    """Headers, cookies, query parameters, tags, env: a mapping or a list of ``[key, value]``."""
    if isinstance(value, Mapping):
        return _walk_mapping(value, pii, 1)
    if isinstance(value, (list, tuple)):
        out: list[Any] = []
        for item in value:
            if isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str):
                kind = _classify_key(item[0], pii)
                scrubbed = _walk(item[1], pii, 2) if not kind else _filtered(item[1], kind, pii, 2)
                out.append([item[0], scrubbed])
            else:
                out.append(_walk(item, pii, 1))
        return out
    return _walk(value, pii)


def scrub(value: Any, *, pii: bool) -> Any:
    """A scrubbed copy of any JSON-like structure (by key and by value, recursively).

    Never raises: if scrubbing fails, the whole value becomes ``[Filtered]``.
    """
    try:
        return _walk(value, pii)
    except Exception:
        return FILTERED


# --- log templates --------------------------------------------------------------------------------

_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<conv>[diouxXeEfFgGcrsa%])"
)
_BRACE = re.compile(r"\{\{|\}\}|\{(?P<name>[^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}")
_LEAD_WORD = re.compile(
    r"([A-Za-z_][\w.-]{0,40})[\"']?[ \t]*(?:[:=]|\bis\b|\bwas\b)?[ \t]*[\"'(\[]?$"
)
_PII_LEAD_WORDS = frozenset({"user", "login", "student", "parent", "child", "teacher"})


def _placeholders(template: str) -> list[tuple[int, int, str | int]]:
    """``(start, end, name or position)`` of every placeholder of a %- or {}-style template."""
    found: list[tuple[int, int, str | int]] = []
    position = 0
    pattern = _PERCENT if "%" in template else _BRACE
    for match in pattern.finditer(template):
        text = match.group(0)
        if text in ("%%", "{{", "}}"):
            continue
        name = match.group("name")
        if name:
            found.append((match.start(), match.end(), int(name) if name.isdigit() else name))
        else:
            found.append((match.start(), match.end(), position))
            position += 1
    return found


def _sensitive_placeholder(template: str, start: int, name: str | int, pii: bool) -> bool:
    if isinstance(name, str) and (
        _classify_key(name, pii) == _SENSITIVE or (not pii and name.lower() in _PII_LEAD_WORDS)
    ):
        return True
    lead = _LEAD_WORD.search(template, max(0, start - 64), start)
    if lead is None:
        return False
    word = lead.group(1)
    if _classify_key(word, pii) == _SENSITIVE:
        return True
    return not pii and word.lower() in _PII_LEAD_WORDS


def _render(template: str, values: Mapping[str | int, Any]) -> str:
    pattern = _PERCENT if "%" in template else _BRACE
    position = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal position
        text = match.group(0)
        if text in ("%%", "{{", "}}"):
            return text[0]
        name: str | int | None = match.group("name") or None
        if name is None:
            name = position
            position += 1
        elif isinstance(name, str) and name.isdigit():
            name = int(name)
        if name not in values:
            raise KeyError(name)
        return str(values[name])

    return pattern.sub(replace, template)


def _scrub_template(
    template: str, values: Mapping[str | int, Any], formatted: str | None, pii: bool
) -> tuple[dict[str | int, Any], str | None]:
    """Scrub the parameters of a log template; re-render ``formatted`` if one had to go.

    A parameter is filtered by its name (``%(password)s``) or by the word before its placeholder
    (``password=%s``, ``token %s``, with PII off ``user %s``).
    """
    scrubbed: dict[str | int, Any] = {}
    hidden = False
    sensitive_names = {
        name
        for start, _end, name in _placeholders(template)
        if _sensitive_placeholder(template, start, name, pii)
    }
    for name, value in values.items():
        if name in sensitive_names:
            kind = _SENSITIVE
        else:
            kind = _classify_key(name, pii) if isinstance(name, str) else _NOT_SENSITIVE
        if kind == _NOT_SENSITIVE:
            scrubbed[name] = _walk(value, pii, 1)
        else:
            filtered = _filtered(value, kind, pii, 1)
            hidden = hidden or filtered is not value
            scrubbed[name] = filtered
    if formatted is None:
        return scrubbed, None
    if hidden:
        try:
            return scrubbed, _scrub_text(_render(template, scrubbed), pii)
        except Exception:
            return scrubbed, _scrub_text(template, pii)
    return scrubbed, _scrub_text(formatted, pii)


# --- events ---------------------------------------------------------------------------------------

# Top-level event fields that carry no user data and that Sentry needs as they are.
_STRUCTURAL = frozenset(
    {
        "event_id",
        "timestamp",
        "start_timestamp",
        "received",
        "platform",
        "sdk",
        "level",
        "release",
        "dist",
        "environment",
        "server_name",
        "type",
        "logger",
        "modules",
        "debug_meta",
        "measurements",
        "transaction_info",
        "_meta",
        "_metrics_summary",
        "_dropped_spans",
    }
)
_TRACE_IDS = frozenset({"trace_id", "span_id", "parent_span_id", "op", "status", "origin", "type"})
_SPAN_KEEP = frozenset(
    {
        "trace_id",
        "span_id",
        "parent_span_id",
        "op",
        "status",
        "origin",
        "start_timestamp",
        "timestamp",
        "same_process_as_parent",
        "exclusive_time",
        "hash",
        "measurements",
    }
)
_FRAME_KEEP = frozenset(
    {
        "filename",
        "abs_path",
        "function",
        "module",
        "lineno",
        "colno",
        "in_app",
        "package",
        "platform",
        "instruction_addr",
        "symbol",
        "symbol_addr",
        "image_addr",
    }
)
_USER_PII = frozenset({"username", "email", "ip_address", "name", "geo"})
_REQUEST_KEEP = frozenset({"method", "inferred_content_type", "api_target"})
_CRUMB_KEEP = frozenset({"type", "category", "level", "timestamp", "event_id"})
_LOG_KEEP_ATTRIBUTES = frozenset(
    {
        "sentry.environment",
        "sentry.release",
        "sentry.sdk.name",
        "sentry.sdk.version",
        "sentry.origin",
        "sentry.trace.parent_span_id",
        "server.address",
        "logger.name",
        "code.file.path",
        "code.function.name",
        "code.line.number",
        "thread.id",
        "thread.name",
        "process.pid",
        "process.executable.name",
    }
)
_LOG_PII_ATTRIBUTES = frozenset(
    {"user.name", "user.email", "user.username", "user.ip_address", "client.address"}
)
_PARAMETER_PREFIX = "sentry.message.parameter."


def _scrub_request(request: Any, pii: bool) -> Any:
    if not isinstance(request, Mapping):
        return _walk(request, pii)
    out: dict[str, Any] = {}
    for key, value in request.items():
        if key in _REQUEST_KEEP:
            out[key] = value
        elif key in ("headers", "cookies", "query_string", "data"):
            out[key] = _scrub_text(value, pii) if type(value) is str else _walk_pairs(value, pii)
        elif key == "env":
            env = _walk_pairs(value, pii)
            if not pii and isinstance(env, dict):
                env.pop("REMOTE_ADDR", None)  # relay removes it; "[Filtered]" would be noise
            out[key] = env
        else:
            kind = _classify_key(str(key), pii)
            out[key] = _walk(value, pii, 1) if not kind else _filtered(value, kind, pii, 1)
    return out


def _scrub_user(user: Any, pii: bool) -> Any:
    if not isinstance(user, Mapping):
        return _walk(user, pii)
    out: dict[str, Any] = {}
    for key, value in user.items():
        if not pii and key in _USER_PII:
            continue
        if key == "id":
            out[key] = _walk(value, pii, 1)
            continue
        kind = _classify_key(str(key), pii)
        out[key] = _walk(value, pii, 1) if not kind else _filtered(value, kind, pii, 1)
    return out


def _scrub_frames(stacktrace: Any, pii: bool) -> Any:
    if not isinstance(stacktrace, Mapping):
        return _walk(stacktrace, pii)
    out = dict(stacktrace)
    frames = stacktrace.get("frames")
    if isinstance(frames, list):
        out["frames"] = [_scrub_frame(frame, pii) for frame in frames]
    for key in out:
        if key != "frames":
            out[key] = _walk(out[key], pii, 1)
    return out


def _scrub_frame(frame: Any, pii: bool) -> Any:
    if not isinstance(frame, Mapping):
        return _walk(frame, pii)
    out: dict[str, Any] = {}
    for key, value in frame.items():
        if key in _FRAME_KEEP:
            out[key] = value
        elif key == "context_line":
            out[key] = _scrub_code(value)
        elif key in ("pre_context", "post_context") and isinstance(value, list):
            out[key] = [_scrub_code(line) for line in value]
        elif key == "vars":
            out[key] = _walk_pairs(value, pii)
        else:
            out[key] = _walk(value, pii, 1)
    return out


def _scrub_exception_value(value: Any, pii: bool) -> Any:
    if not isinstance(value, Mapping):
        return _walk(value, pii)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in ("type", "module", "thread_id", "mechanism"):
            out[key] = item
        elif key == "stacktrace":
            out[key] = _scrub_frames(item, pii)
        else:
            out[key] = _walk(item, pii, 1)
    return out


def _scrub_values(container: Any, pii: bool, scrub_one: Callable[[Any, bool], Any]) -> Any:
    """``{"values": [...]}`` (exceptions, threads, breadcrumbs) or a bare list."""
    if isinstance(container, list):
        return [scrub_one(item, pii) for item in container]
    if isinstance(container, Mapping):
        out = dict(container)
        if isinstance(container.get("values"), list):
            out["values"] = [scrub_one(item, pii) for item in container["values"]]
        return out
    return _walk(container, pii)


def _scrub_thread(thread: Any, pii: bool) -> Any:
    if not isinstance(thread, Mapping):
        return _walk(thread, pii)
    out = {key: _walk(value, pii, 1) for key, value in thread.items() if key != "stacktrace"}
    if "stacktrace" in thread:
        out["stacktrace"] = _scrub_frames(thread["stacktrace"], pii)
    return out


def _scrub_crumb(crumb: Any, pii: bool, log_record: Any = None) -> Any:
    if not isinstance(crumb, Mapping):
        return _walk(crumb, pii)
    out: dict[str, Any] = {}
    for key, value in crumb.items():
        if key in _CRUMB_KEEP:
            out[key] = value
        elif key == "message":
            out[key] = _scrub_crumb_message(value, pii, log_record)
        elif key == "data":
            out[key] = _walk_pairs(value, pii)
        else:
            out[key] = _walk(value, pii, 1)
    return out


def _scrub_crumb_message(message: Any, pii: bool, log_record: Any) -> Any:
    template = getattr(log_record, "msg", None)
    args = getattr(log_record, "args", None)
    if type(message) is str and isinstance(template, str) and args:
        if isinstance(args, Mapping):
            values: dict[str | int, Any] = dict(args)
        elif isinstance(args, tuple):
            values = dict(enumerate(args))
        else:
            values = {}
        if values:
            return _scrub_template(template, values, message, pii)[1]
    return _walk(message, pii)


def _scrub_logentry(logentry: Any, pii: bool) -> Any:
    if not isinstance(logentry, Mapping):
        return _walk(logentry, pii)
    out = {key: _walk(value, pii, 1) for key, value in logentry.items()}
    template = logentry.get("message")
    params = logentry.get("params")
    if isinstance(template, str) and params:
        if isinstance(params, Mapping):
            values: dict[str | int, Any] = dict(params)
        elif isinstance(params, (list, tuple)):
            values = dict(enumerate(params))
        else:
            return out
        formatted = logentry.get("formatted")
        scrubbed, new_formatted = _scrub_template(
            template, values, formatted if isinstance(formatted, str) else None, pii
        )
        if isinstance(params, Mapping):
            out["params"] = scrubbed
        else:
            out["params"] = [scrubbed[index] for index in range(len(params))]
        if new_formatted is not None:
            out["formatted"] = new_formatted
    return out


def _scrub_contexts(contexts: Any, pii: bool) -> Any:
    if not isinstance(contexts, Mapping):
        return _walk(contexts, pii)
    out: dict[str, Any] = {}
    for name, context in contexts.items():
        if not isinstance(context, Mapping):
            out[name] = _walk(context, pii, 1)
            continue
        if _classify_key(str(name), pii) == _SENSITIVE:  # set_context("credentials", {...})
            out[name] = {
                key: value if key == "type" else _filtered(value, _SENSITIVE, pii, 2)
                for key, value in context.items()
            }
            continue
        scrubbed: dict[str, Any] = {}
        for key, value in context.items():
            if key in _TRACE_IDS or (name == "trace" and key == "dynamic_sampling_context"):
                scrubbed[key] = value
            elif name == "trace" and key == "data":
                scrubbed[key] = _walk_pairs(value, pii)
            else:
                kind = _classify_key(str(key), pii)
                scrubbed[key] = _walk(value, pii, 2) if not kind else _filtered(value, kind, pii, 2)
        out[name] = scrubbed
    return out


def _scrub_span(span: Any, pii: bool) -> Any:
    if not isinstance(span, Mapping):
        return _walk(span, pii)
    out: dict[str, Any] = {}
    for key, value in span.items():
        if key in _SPAN_KEEP:
            out[key] = value
        elif key in ("data", "tags"):
            out[key] = _walk_pairs(value, pii)
        else:
            out[key] = _walk(value, pii, 1)
    return out


def _generic_field(value: Any, pii: bool) -> Any:
    return _walk_pairs(value, pii)


_FIELD_SCRUBBERS: dict[str, Callable[[Any, bool], Any]] = {
    "request": _scrub_request,
    "user": _scrub_user,
    "exception": lambda value, pii: _scrub_values(value, pii, _scrub_exception_value),
    "threads": lambda value, pii: _scrub_values(value, pii, _scrub_thread),
    "stacktrace": _scrub_frames,
    "breadcrumbs": lambda value, pii: _scrub_values(value, pii, _scrub_crumb),
    "logentry": _scrub_logentry,
    "contexts": _scrub_contexts,
    "spans": lambda value, pii: (
        [_scrub_span(span, pii) for span in value] if isinstance(value, list) else _walk(value, pii)
    ),
}


def _scrub_event(event: Any, pii: bool) -> Any:
    if not isinstance(event, dict):
        return None
    for key in list(event):
        if key in _STRUCTURAL:
            continue
        try:
            event[key] = _FIELD_SCRUBBERS.get(key, _generic_field)(event[key], pii)
        except Exception:
            event.pop(key, None)  # never send a field we could not scrub
    return event


# --- hooks ----------------------------------------------------------------------------------------


def before_send(event: Any, hint: Any, *, pii: bool) -> Any:
    """``before_send``: the scrubbed error event, or ``None`` if it cannot be scrubbed."""
    try:
        return _scrub_event(event, pii)
    except Exception:
        return None


def before_send_transaction(event: Any, hint: Any, *, pii: bool) -> Any:
    """``before_send_transaction``: request, spans, contexts, tags, extra and user scrubbed."""
    try:
        return _scrub_event(event, pii)
    except Exception:
        return None


def before_breadcrumb(crumb: Any, hint: Any, *, pii: bool) -> Any:
    """``before_breadcrumb``: message (re-rendered from a log record's args if needed) and data."""
    try:
        record = hint.get("log_record") if isinstance(hint, Mapping) else None
        return _scrub_crumb(crumb, pii, record)
    except Exception:
        return None


def before_send_log(log: Any, hint: Any, *, pii: bool) -> Any:
    """``before_send_log``: body and attributes (template parameters included)."""
    try:
        return _scrub_log(log, pii)
    except Exception:
        return None


def _scrub_log(log: Any, pii: bool) -> Any:
    if not isinstance(log, Mapping):
        return None
    out = dict(log)
    attributes = log.get("attributes")
    body = log.get("body")
    scrubbed_attributes: dict[str, Any] = {}
    if isinstance(attributes, Mapping):
        parameters: dict[str | int, Any] = {}
        for key, value in attributes.items():
            if key in _LOG_KEEP_ATTRIBUTES:
                scrubbed_attributes[key] = value
            elif not pii and key in _LOG_PII_ATTRIBUTES:
                continue
            elif isinstance(key, str) and key.startswith(_PARAMETER_PREFIX):
                name = key[len(_PARAMETER_PREFIX) :]
                parameters[int(name) if name.isdigit() else name] = value
            else:
                kind = _classify_key(str(key), pii)
                scrubbed_attributes[key] = (
                    _walk(value, pii, 1) if not kind else _filtered(value, kind, pii, 1)
                )
        template = attributes.get("sentry.message.template")
        if parameters:
            if isinstance(template, str):
                scrubbed, new_body = _scrub_template(
                    template, parameters, body if isinstance(body, str) else None, pii
                )
                if new_body is not None:
                    out["body"] = new_body
                    body = None
            else:  # no template: the parameter names alone decide
                scrubbed = _scrub_template("", parameters, None, pii)[0]
            for name, value in scrubbed.items():
                scrubbed_attributes[f"{_PARAMETER_PREFIX}{name}"] = value
        out["attributes"] = scrubbed_attributes
    elif attributes is not None:
        out["attributes"] = _walk(attributes, pii)
    if body is not None:
        out["body"] = _walk(body, pii)
    return out


def make_hooks(*, send_default_pii: bool) -> dict[str, Callable[..., Any]]:
    """The ``sentry_sdk.init`` keyword arguments for every hook, bound to the PII setting."""
    pii = bool(send_default_pii)

    def toolbox_before_send(event: Any, hint: Any) -> Any:
        return before_send(event, hint, pii=pii)

    def toolbox_before_send_transaction(event: Any, hint: Any) -> Any:
        return before_send_transaction(event, hint, pii=pii)

    def toolbox_before_breadcrumb(crumb: Any, hint: Any) -> Any:
        return before_breadcrumb(crumb, hint, pii=pii)

    def toolbox_before_send_log(log: Any, hint: Any) -> Any:
        return before_send_log(log, hint, pii=pii)

    return {
        "before_send": toolbox_before_send,
        "before_send_transaction": toolbox_before_send_transaction,
        "before_breadcrumb": toolbox_before_breadcrumb,
        "before_send_log": toolbox_before_send_log,
    }
