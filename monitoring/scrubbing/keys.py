"""Key classification: which keys hold secrets, personal data or usage figures."""

from __future__ import annotations

import re

__all__ = [
    "classify_key",
    "is_name_key",
    "is_sensitive_key",
    "NOT_SENSITIVE",
    "SENSITIVE",
    "USAGE_FIGURE",
]

NOT_SENSITIVE, USAGE_FIGURE, SENSITIVE = 0, 1, 2

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
            r"^login$",
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

# Keys whose value names a person's account: with PII off, their values are harvested as known
# values whatever their length (a child's username can be two letters) and redacted where they
# stand as a whole word (see :mod:`.known`).
_NAME_KEY = re.compile(
    r"(?:user|login|nick|screen|display|account)" + _S + r"name|^login$|^nick$|^handle$"
)

# What is left after _SECRET_KEY: usage figures (tokens_used, session_count...).
_USAGE_KEY = re.compile(r"token|session")

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_KEY_CACHE: tuple[dict[str, int], dict[str, int]] = ({}, {})  # (pii off, pii on)
_KEY_CACHE_LIMIT = 20_000


def classify_key(key: str, pii: bool) -> int:
    """How sensitive ``key`` is: :data:`NOT_SENSITIVE`, :data:`USAGE_FIGURE` (a number under it is
    kept) or :data:`SENSITIVE`; cached, as the same keys come back in every event."""
    cache = _KEY_CACHE[pii]
    result = cache.get(key)
    if result is not None:
        return result
    normalised = _CAMEL_BOUNDARY.sub("_", key).lower()
    if _EXEMPT_KEY.fullmatch(normalised):
        result = NOT_SENSITIVE
    elif _SECRET_KEY.search(normalised) or (not pii and _PII_KEY.search(normalised)):
        result = SENSITIVE
    elif _USAGE_KEY.search(normalised):
        result = USAGE_FIGURE
    else:
        result = NOT_SENSITIVE
    if len(key) <= 64:  # names, not data: a long "key" is not worth remembering
        if len(cache) >= _KEY_CACHE_LIMIT:
            cache.clear()
        cache[key] = result
    return result


def is_name_key(key: str) -> bool:
    """Whether ``key`` holds an account name (``username``, ``userName``, ``login``...)."""
    return bool(_NAME_KEY.search(_CAMEL_BOUNDARY.sub("_", key).lower()))


def is_sensitive_key(key: str, *, pii: bool = False) -> bool:
    """Whether values under ``key`` are filtered (case-insensitive, partial, camelCase aware).

    ``pii=False`` (the default, the strictest) also treats personal-data keys as sensitive.
    Usage-figure keys (``total_tokens``, ``session_count``) are sensitive: their *numbers* are
    kept by :func:`scrub`, anything else under them is filtered.
    """
    try:
        return classify_key(str(key), pii) != NOT_SENSITIVE
    except Exception:
        return True
