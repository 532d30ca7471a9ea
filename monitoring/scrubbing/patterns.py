"""Value patterns: secrets (and personal data) recognisable by their form alone, plus the
checks (Luhn, IBAN, Basic credentials) that tell a real one from look-alikes."""

from __future__ import annotations

import base64
import binascii
import re

__all__ = [
    "redact_api_key",
    "redact_basic",
    "redact_bearer",
    "redact_card",
    "redact_emails",
    "redact_iban",
    "redact_jwt",
    "redact_phone_numbers",
    "API_KEY",
    "API_KEY_HINTS",
    "BASIC",
    "BEARER",
    "CARD",
    "FILTERED",
    "HARMLESS_WORDS",
    "IBAN",
    "IBAN_HINT",
    "IPV4",
    "IPV4_HINT",
    "IPV6",
    "IPV6_HINT",
    "JWT",
    "MIN_SECRET_LENGTH",
    "NUMBER",
    "NUMBERS_ONLY",
    "PASSWORD_HASH",
    "PATH_TOKEN",
    "PATH_TOKEN_WORDS",
    "PEM",
    "PERCENT_ESCAPE",
    "PLACEHOLDER_VALUE",
    "SSN",
    "SSN_HINT",
    "URL_CREDENTIALS",
]

FILTERED = "[Filtered]"

MIN_SECRET_LENGTH = 5  # "pwd=x": nothing shorter can hold a secret found by its value

PEM = re.compile(
    r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY-----.*?(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY-----|\Z)",
    re.S,
)
BEARER = re.compile(r"(?i)\bbearer(?:\s|\+|%20)+([A-Za-z0-9._~+/=-]{6,})")
BASIC = re.compile(r"(?i)\bbasic\s+([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])")
PASSWORD_HASH = re.compile(  # Django's stored password hashes
    r"(?<![\w$])(?:pbkdf2_sha(?:1|256|512)|argon2(?:id|i|d)?|bcrypt(?:_sha256)?|scrypt|sha1|md5)"
    r"\$[^\s'\"<>,;&)}\]]+"
)
# A JWT: three base64url segments, the first starting with "eyJ" ('{"'). Matched from the start
# of the run of base64url characters that holds the "eyJ" (the text before it is put back by
# ``redact_jwt``): starting at every "eyJ" instead would rescan the rest of the run once per "eyJ",
# quadratic on "eyJeyJeyJ...". Every repeat is possessive: the run is scanned once.
JWT = re.compile(
    r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*?eyJ[A-Za-z0-9_-]{2})"
    r"[A-Za-z0-9_-]*+\.[A-Za-z0-9_-]{2,}+\.[A-Za-z0-9_-]*+"
)
API_KEY = re.compile(
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
API_KEY_HINTS = (
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
URL_CREDENTIALS = re.compile(r"://[^\s/@:]{0,256}:[^\s/@]{0,256}@")
# An opaque segment after a reset/activation/verification path segment: a one-time credential
# (Django's reset/<uidb64>/<token>/, allauth's confirm-email/<key>/).
PATH_TOKEN_WORDS = ("reset", "activat", "confirm", "verif", "invit", "magic", "token", "password")
# Linear time: the keyword's segment is bounded on both sides (two unbounded ``[\w.-]*`` around
# the keyword made "/" + "token" * 12000 cost seconds: every split of the run was tried), and the
# credential is matched possessively (a run of its alphabet is only ever taken whole, since the
# look-ahead needs a character outside it).
PATH_TOKEN = re.compile(
    r"(/[\w.-]{0,40}(?i:reset|activat|confirm|verif|invit|magic|token|password)[\w.-]{0,40}/"
    r"(?:[^/?#\s]{1,64}/)?)"
    r"(?:[A-Za-z0-9:_-]{16,}+|[0-9a-z]{1,13}-[0-9a-f]{20,}+)"
    r"(?=[/?#\s'\"]|$)"
)
# Cheap literal-led tests that gate the costlier patterns (``re`` scans a literal much faster).
SSN_HINT = re.compile(r"-\d\d-\d{4}")
IBAN_HINT = re.compile(r"[A-Z]\d\d")
IPV4_HINT = re.compile(r"\.\d{1,3}\.\d{1,3}\.\d")
IPV6_HINT = re.compile(r":[0-9A-Fa-f]{1,4}:")
CARD = re.compile(r"(?<![\w.])[2-6](?:[ -]?\d){12,79}(?!\w|\.\d)")
_CARD_GROUPS = re.compile(r"[ -]")
_CARD_SPLIT = re.compile(r"([ -])")
SSN = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
_EMAIL_DOMAIN = re.compile(r"(?:@|%40)(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9._%+-]{1,64}$")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_V4 = rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}"
IPV4 = re.compile(rf"(?<![\w.]){_V4}(?!\w|\.\d)")
_H = r"[0-9A-Fa-f]{1,4}"
IPV6 = re.compile(
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

PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
NUMBERS_ONLY = re.compile(r"[\s\d.,eE+\-\[\]()]*")
PLACEHOLDER_VALUE = re.compile(r"%s|%\(\w+\)s|\?|\$\d+|:\w+|%\w|\{\w*\}")
HARMLESS_WORDS = frozenset({"true", "false", "none", "null", "undefined", "nil"})


def redact_bearer(match: re.Match[str]) -> str:
    """``re.sub`` replacer for :data:`BEARER`: a credential-looking token goes, a word stays."""
    credential = match.group(1)
    if len(credential) >= 20 or any(ch in credential for ch in "0123456789._~+/=-"):
        return FILTERED
    return match.group(0)


def redact_basic(match: re.Match[str]) -> str:
    """``re.sub`` replacer for :data:`BASIC`: only base64 that decodes to ``user:password``."""
    credential = match.group(1)
    try:
        decoded = base64.b64decode(credential + "=" * (-len(credential) % 4), validate=True)
    except (binascii.Error, ValueError):
        return match.group(0)
    return FILTERED if b":" in decoded else match.group(0)


def redact_jwt(match: re.Match[str]) -> str:
    """``re.sub`` replacer for :data:`JWT`: the token goes, the text before ``eyJ`` stays."""
    found = match.group(0)
    return found[: found.find("eyJ")] + FILTERED


def redact_api_key(match: re.Match[str]) -> str:
    """``re.sub`` replacer for :data:`API_KEY`: keys go, kebab-case ``sk-`` words stay."""
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


def redact_card(match: re.Match[str]) -> str:
    """``re.sub`` replacer for :data:`CARD`: only Luhn-valid card numbers go."""
    found = match.group(0)
    if _is_card(_CARD_GROUPS.sub("", found)):
        return FILTERED
    # Several numbers next to each other ("order 22 4111 1111 1111 1111"): find the cards among
    # runs of whole groups.
    return _cards_in(_CARD_SPLIT.split(found))


def _cards_in(pieces: list[str]) -> str:
    """``pieces``: digit groups at even indices, separators at odd ones.

    The card preferred by length (then the leftmost, then the shortest) among runs of whole
    groups is filtered, then the same on each side of it. Luhn sums of a run come from prefix
    sums (O(1) per run): "4 4 4 4 ..." (80 one-digit groups per match) costs no more per
    character than prose.
    """
    groups = pieces[0::2]
    values = [ord(char) - 48 for char in "".join(groups)]
    # Prefix sums of the Luhn terms, doubling the digits at odd (``odd``: at even) indices.
    odd, even = [0], [0]
    for index, value in enumerate(values):
        double = value * 2 - 9 if value > 4 else value * 2
        odd.append(odd[-1] + (double if index % 2 else value))
        even.append(even[-1] + (value if index % 2 else double))
    bounds = [0]
    for group in groups:
        bounds.append(bounds[-1] + len(group))
    found: list[tuple[int, int]] = []  # (first group, last group) of each card

    def search(low: int, high: int) -> None:
        best: tuple[int, int, int] | None = None  # (preference, start, end)
        for start in range(low, high):
            first = bounds[start]
            if not 2 <= values[first] <= 6:
                continue
            for end in range(start + 1, high + 1):
                length = bounds[end] - first
                if length > 19:
                    break
                if length < 13:
                    continue
                sums = odd if (bounds[end] - 1) % 2 == 0 else even
                if (sums[bounds[end]] - sums[first]) % 10 == 0:
                    preference = _CARD_LENGTH_PREFERENCE.index(length)
                    if best is None or preference < best[0]:
                        best = (preference, start, end)
        if best is not None:
            _preference, start, end = best
            search(low, start)
            found.append((start, end - 1))
            search(end, high)

    search(0, len(groups))
    if not found:
        return "".join(pieces)
    out: list[str] = []
    copied = 0
    for first, last in found:
        out.extend(pieces[copied : 2 * first])
        out.append(FILTERED)
        copied = 2 * last + 1
    out.extend(pieces[copied:])
    return "".join(out)


def redact_iban(match: re.Match[str]) -> str:
    """``re.sub`` replacer for :data:`IBAN`: only IBANs whose checksum holds go."""
    compact = match.group(0).replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(ch, 36)) for ch in rearranged))
    except ValueError:
        return match.group(0)
    return FILTERED if number % 97 == 1 else match.group(0)


def redact_emails(text: str) -> str:
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


# Phone numbers in free text a person typed ("call my mum on +44 7700 900123"): an optional
# country code, an optional area code in brackets, then groups of 2-4 digits joined by at most
# one space, dot or dash, 7 to 15 digits in all (E.164's maximum). Every repetition is bounded,
# so the work per starting position is bounded and a scan is linear in the text. Dates and
# other long digit runs of that shape are redacted too: in text typed by a child, losing a date
# costs less than keeping a phone number.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,5}(?:[ .-]?\d{2,4}){1,6}(?![\w])"
)
_PHONE_MIN_DIGITS = 7
_PHONE_MAX_DIGITS = 15


def _phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    if _PHONE_MIN_DIGITS <= digits <= _PHONE_MAX_DIGITS:
        return FILTERED
    return match.group(0)


def redact_phone_numbers(text: str) -> str:
    """``text`` with every phone-number-shaped run of 7 to 15 digits replaced."""
    if sum(ch.isdigit() for ch in text) < _PHONE_MIN_DIGITS:
        return text
    return _PHONE.sub(_phone, text)
