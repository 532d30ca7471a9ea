"""Scrubbing free text: value patterns, then ``key=value`` pairs with a sensitive key."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

from monitoring.scrubbing.addresses import keep_own_address
from monitoring.scrubbing.keys import NOT_SENSITIVE, USAGE_FIGURE, classify_key
from monitoring.scrubbing.patterns import (
    API_KEY,
    API_KEY_HINTS,
    BASIC,
    BEARER,
    CARD,
    FILTERED,
    HARMLESS_WORDS,
    IBAN,
    IBAN_HINT,
    IPV4,
    IPV4_HINT,
    IPV6,
    IPV6_HINT,
    JWT,
    MIN_SECRET_LENGTH,
    NUMBER,
    NUMBERS_ONLY,
    PASSWORD_HASH,
    PATH_TOKEN,
    PATH_TOKEN_WORDS,
    PEM,
    PERCENT_ESCAPE,
    PLACEHOLDER_VALUE,
    SSN,
    SSN_HINT,
    URL_CREDENTIALS,
    redact_api_key,
    redact_basic,
    redact_bearer,
    redact_card,
    redact_emails,
    redact_iban,
    redact_jwt,
)

__all__ = [
    "scrub_code",
    "scrub_str",
    "scrub_text",
    "MAX_SCRUBBED_LENGTH",
    "TRUNCATED",
]

_MAX_BRACKET_SCAN = 20_000  # a value in brackets after a sensitive key: how far to look for its end

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
        kind = classify_key(
            text[key_start : tail.start("kq") if tail.group("kq") else tail.start("sep")], pii
        )
        if kind == NOT_SENSITIVE:
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
                or PLACEHOLDER_VALUE.fullmatch(found)
                or (kind == USAGE_FIGURE and NUMBERS_ONLY.fullmatch(found))
            ):
                replacement = None
            elif kind == USAGE_FIGURE and found.startswith("{"):
                position = value_start + 1  # a dict of figures: its own keys decide
                continue
        else:
            value_end = value.end()
            bare = value.group("bare")
            if bare is not None:
                if (
                    code
                    or bare.lower() in HARMLESS_WORDS
                    or PLACEHOLDER_VALUE.fullmatch(bare)
                    or (kind == USAGE_FIGURE and NUMBER.fullmatch(bare))
                ):
                    replacement = None
            else:
                quoted = value.group(0)
                quote = '\\"' if value.group("eq") is not None else quoted[0]
                inner = quoted[len(quote) : -len(quote)]
                if (
                    inner == FILTERED
                    or PLACEHOLDER_VALUE.fullmatch(inner)
                    or (kind == USAGE_FIGURE and NUMBER.fullmatch(inner))
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


# Strings already found clean (context lines, module names, breadcrumb messages, SQL statements
# of database spans repeat from event to event), one set per mode. Only strings that are sent
# unchanged anyway are kept. Long ones (SQL) have a smaller set of their own, so that a flow of
# unique long strings cannot push out the short ones, nor hold much memory.
_CLEAN: tuple[set[str], set[str], set[str]] = (set(), set(), set())  # pii off, pii on, code
_CLEAN_MAX_LENGTH = 256
_CLEAN_MAX_SIZE = 8192
_CLEAN_LONG: tuple[set[str], set[str], set[str]] = (set(), set(), set())
_CLEAN_LONG_MAX_LENGTH = 4096
_CLEAN_LONG_MAX_SIZE = 512


# Longest text scrubbed: anything longer keeps its head and its tail around TRUNCATED. Request
# paths, User-Agents, log messages and breadcrumbs are scrubbed on the request path, before the
# response is sent (and the SDK buffers breadcrumbs): the cost of one request must not grow with
# what its client chooses to send. Linear patterns bound the cost per character; this bounds the
# characters. 32 KiB keeps a long traceback's start and its exception, and is above what the SDK
# sends of a request body (10 KB, ``max_request_body_size="medium"``).
MAX_SCRUBBED_LENGTH = 32 * 1024
TRUNCATED = "[truncated]"
# Characters a secret (a token, a key, an e-mail address, a credential in a URL) can be made of:
# stripped from either side of a cut, so that no piece of a secret cut in two is left behind,
# unrecognisable by its pattern.
_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+/=%:@$!*#-"


def _truncated(text: str) -> str:
    """``text`` cut to :data:`MAX_SCRUBBED_LENGTH`: its head and tail, minus any word cut in two."""
    keep = (MAX_SCRUBBED_LENGTH - len(TRUNCATED)) // 2
    head = text[:keep].rstrip(_SECRET_ALPHABET)
    tail = text[-keep:].lstrip(_SECRET_ALPHABET)
    return f"{head}{TRUNCATED}{tail}"


def scrub_str(text: str, pii: bool, code: bool = False) -> str:
    """The hot path of :func:`scrub_text`: ``text`` must be a ``str`` and this may raise (the
    package's callers catch); ``code=True`` scrubs a source line for secrets only."""
    if len(text) < MIN_SECRET_LENGTH:
        return text
    if len(text) > MAX_SCRUBBED_LENGTH:
        text = _truncated(text)
    if len(text) <= _CLEAN_MAX_LENGTH:
        clean, limit = _CLEAN[2 if code else pii], _CLEAN_MAX_SIZE
    elif len(text) <= _CLEAN_LONG_MAX_LENGTH:
        clean, limit = _CLEAN_LONG[2 if code else pii], _CLEAN_LONG_MAX_SIZE
    else:
        clean, limit = None, 0
    if clean is not None and text in clean:
        return text
    result = _scrub_plain_text(text, pii, code)
    if "%" in result and PERCENT_ESCAPE.search(result):
        # Query strings and form bodies: look at the decoded text too (an e-mail or IPv6 address
        # hides behind %40 and %3A). If it holds something, send the decoded, scrubbed form.
        decoded = unquote_plus(result)
        scrubbed = _scrub_plain_text(decoded, pii, code)
        if scrubbed != decoded:
            return scrubbed
    if clean is not None and result == text:
        if len(clean) >= limit:
            clean.clear()
        clean.add(text)
    return result


def _scrub_plain_text(text: str, pii: bool, code: bool) -> str:
    if "-----BEGIN" in text:
        text = PEM.sub(FILTERED, text)
    if "earer" in text or "EARER" in text:
        text = BEARER.sub(redact_bearer, text)
    if "asic" in text or "ASIC" in text:
        text = BASIC.sub(redact_basic, text)
    if "eyJ" in text:
        text = JWT.sub(redact_jwt, text)
    if "$" in text:
        text = PASSWORD_HASH.sub(FILTERED, text)
    if len(text) < 512 or any(hint in text for hint in API_KEY_HINTS):
        text = API_KEY.sub(redact_api_key, text)
    if "://" in text:
        text = URL_CREDENTIALS.sub("://" + FILTERED + "@", text)
    if "/" in text:
        lowered = text.lower()
        if any(word in lowered for word in PATH_TOKEN_WORDS):
            text = PATH_TOKEN.sub(r"\1" + FILTERED, text)
    if ":" in text or "=" in text:
        text = _scrub_pairs(text, pii, code)
    text = CARD.sub(redact_card, text)
    if "-" in text and SSN_HINT.search(text):
        text = SSN.sub(FILTERED, text)
    if not text.islower() and IBAN_HINT.search(text):
        text = IBAN.sub(redact_iban, text)
    if pii or code:
        return text
    if "@" in text or "%40" in text:
        text = redact_emails(text)
    if ":" in text and ("::" in text or IPV6_HINT.search(text)):
        text = IPV6.sub(keep_own_address, text)
    if "." in text and IPV4_HINT.search(text):
        text = IPV4.sub(keep_own_address, text)
    return text


def scrub_text(text: str, *, pii: bool) -> str:
    """``text`` with every secret (and with ``pii=False`` every e-mail/IP) found by value pattern
    replaced by ``[Filtered]``; the text around them is kept. Never raises."""
    if type(text) is not str:
        if not isinstance(text, str):
            return text
        text = str(text)
    try:
        return scrub_str(text, pii)
    except Exception:
        return FILTERED


def scrub_code(text: Any) -> Any:
    """A source line of a stack frame: secrets only (hard-coded keys, quoted passwords)."""
    if type(text) is not str:
        return text
    return scrub_str(text, True, code=True)
