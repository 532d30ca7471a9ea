"""Scrubbing costs time linear in the text: no pattern, and no scrub function, backtracks.

Every request path, User-Agent, log message and breadcrumb goes through the scrubber on the
request path, so one regex that backtracks quadratically lets an anonymous client buy seconds of
CPU with one request (``GET /api/v1/`` + ``"token" * 12000`` cost ~25 s). Each compiled pattern
of the scrubbing modules (found by iterating the modules, so a new pattern is covered without
touching this file) is run over adversarial texts of 1, 10 and 100 KB built from its own
keywords and from the characters attackers reach for, and the time must grow about tenfold from
10 to 100 KB (a quadratic pattern grows a hundredfold). A first pass at 2 and 20 KB picks each
pattern's worst inputs; they are then timed with the minimum of several runs, so that a loaded
machine slows both sizes alike rather than failing the test.
"""

from __future__ import annotations

import importlib
import re
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from monitoring.scrubbing import before_breadcrumb, before_send, before_send_log, scrub, scrub_text
from monitoring.scrubbing.text import MAX_SCRUBBED_LENGTH, TRUNCATED

MODULES = (
    "monitoring.scrubbing.patterns",
    "monitoring.scrubbing.keys",
    "monitoring.scrubbing.text",
    "monitoring.scrubbing.messages",
    "monitoring.scrubbing.events",
    "monitoring.scrubbing.harvest",
    "monitoring.scrubbing.known",
    "monitoring.scrubbing.walk",
    "monitoring.scrubbing.hooks",
    "monitoring.middleware",
    "monitoring.errors",
    "monitoring.breadcrumbs",
    "toolbox.parser",
)

# Patterns the code only ever applies with ``match``/``fullmatch`` at one position it chose (the
# value after a key the scrubber found, a whole cookie header, a whole form field): they are
# timed that way; their callers' loops are covered by the scrub functions below. Every other
# pattern is timed scanning the whole text (``finditer``), trying a match at every position.
ANCHORED = frozenset(
    {
        "monitoring.scrubbing.text._KEY_TAIL",
        "monitoring.scrubbing.text._VALUE",
        "monitoring.scrubbing.harvest._COOKIE_PAIR",
        "toolbox.parser._INTEGER",
    }
)

RATIO_LIMIT = 30  # 10 -> 100 KB: ~10 when linear, ~100 when quadratic
SIZES = (1_000, 10_000, 100_000)
REPEATS = 7
SCREEN_SIZE = 10_000  # a quadratic pattern is already ~100x slower than a linear one here

# What attackers repeat: separators, quotes, escapes and the first characters of the patterns'
# own literals (JWTs, e-mail and IP addresses, percent escapes, card digits, PEM headers).
UNITS = (
    "a", "A", "0", "4", " ", "\t", "\n", "/", ".", ":", "-", "_", "=", "@", "$", "%", "+", "&",
    ";", ",", '"', "'", "\\", '\\"', "{", "}", "(", "[", "%(", "{:", "a.", "a:", "0:", "1.",
    "4 ", "4-", "a@", "@a.", "%40", "%20", "%3A", "eyJ", "eyJa.", "a=", "=a", "a ", "a-", "a/",
    "::", "ffff:", "1.2.", "DE89", "-----BEGIN ", "-----END ", "md5$", "sk-", "xoxb-", "://",
    "://a:", "a:b@",
)  # fmt: skip
PREFIXES = ("", "/", "a", "=", '"', "eyJ", "@")
SUFFIX = "!\x00"  # ends every text on characters no pattern wants, so no match can succeed late


def _compiled_patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern of the modules, under the name of the module that defines it."""
    found: dict[re.Pattern[str], str] = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found.setdefault(value, f"{module_name}.{name}")
    return {name: pattern for pattern, name in found.items()}


PATTERNS = _compiled_patterns()


def _keywords(pattern: str) -> list[str]:
    """The literal words of a pattern (``token``, ``reset``, ``bearer``...), classes removed."""
    without_classes = re.sub(r"\\.|\[(?:\\.|[^\]])*\]|\(\?[a-zA-Z]+[:)]|\{\d*,?\d*\}", " ", pattern)
    words = re.findall(r"[A-Za-z_]{2,}", without_classes)
    return sorted(set(words))[:40]


def _texts(keywords: list[str], prefixes: tuple[str, ...] = PREFIXES) -> Iterator[Callable]:
    """Makers of adversarial texts of about ``size`` characters."""
    for unit in UNITS:
        for prefix in prefixes:
            yield (
                lambda size, unit=unit, prefix=prefix: prefix + unit * (size // len(unit)) + SUFFIX
            )
    for word in keywords:
        for unit in (word, f"/{word}", f"{word}=", f"{word}: ", f"{word} ", f"{word}."):
            for prefix in prefixes[:2]:
                yield (
                    lambda size, unit=unit, prefix=prefix: (
                        prefix + unit * (size // len(unit)) + SUFFIX
                    )
                )
        for unit in ("a", "0", " ", "/", "-", ":", "=", '"'):  # a keyword, then a long run
            yield lambda size, word=word, unit=unit: "/" + word + unit * size + SUFFIX
            yield lambda size, word=word, unit=unit: word + "=" + unit * size + SUFFIX


def _once(function: Callable[[str], object], text: str) -> float:
    started = time.perf_counter()
    function(text)
    return time.perf_counter() - started


def _cost(function: Callable[[str], object], text: str, baseline: float | None = None) -> float:
    """Seconds per call: the fastest of a few samples, each long enough to be timed. Given the
    cost of a text a tenth as long, stops as soon as a sample is within the linear bound (and
    after ~5 s on a text that is not: one quadratic sample says enough)."""
    loops = 1
    while loops < 1000 and _once(function, text) * loops < 0.002:
        loops *= 4
    best = float("inf")
    deadline = time.perf_counter() + 5
    for _ in range(REPEATS):
        started = time.perf_counter()
        for _ in range(loops):
            function(text)
        best = min(best, (time.perf_counter() - started) / loops)
        if baseline is not None and best < baseline * RATIO_LIMIT / 3:
            break
        if time.perf_counter() > deadline:
            break
    return best


def _assert_linear(function: Callable[[str], object], makers: list[Callable], what: str) -> None:
    # First pass: each maker once at SCREEN_SIZE; the three slowest go on.
    screened = sorted(makers, key=lambda make: _once(function, make(SCREEN_SIZE)), reverse=True)
    for make in screened[:3]:
        small, medium = _cost(function, make(SIZES[0])), _cost(function, make(SIZES[1]))
        # A quarter second for 10 KB fails anyway: 100 KB would take minutes to say the same.
        # (1 KB is reported, not compared: texts that short may hit the cache of clean strings.)
        large = medium * 100 if medium > 0.25 else _cost(function, make(SIZES[2]), medium)
        ratio = large / max(medium, 1e-7)
        assert ratio < RATIO_LIMIT, (
            f"{what} is not linear on {make(40)!r}...: 1 KB {small * 1e3:.2f} ms, "
            f"10 KB {medium * 1e3:.2f} ms, 100 KB {large * 1e3:.2f} ms "
            f"(x{ratio:.0f} for 10x the text)"
        )


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern__time_is_linear_on_adversarial_text(name):
    pattern = PATTERNS[name]
    if name in ANCHORED:

        def run(text: str) -> object:
            return pattern.match(text)

    else:

        def run(text: str) -> object:
            return sum(1 for _ in pattern.finditer(text))

    _assert_linear(run, list(_texts(_keywords(pattern.pattern))), name)


def _all_keywords() -> list[str]:
    words = {word for pattern in PATTERNS.values() for word in _keywords(pattern.pattern)}
    return sorted(word for word in words if len(word) >= 4)


def _scrubber_texts() -> list[Callable[[int], str]]:
    """Each text goes through every pattern: all their literals, in fewer variations."""
    makers = list(_texts([], prefixes=("", "/")))
    for word in _all_keywords():
        for unit in (word, f"/{word}", f"{word}="):
            makers.append(lambda size, unit=unit: unit * (size // len(unit)) + SUFFIX)
        for unit in ("a", " ", "/", "="):
            makers.append(lambda size, word=word, unit=unit: "/" + word + unit * size + SUFFIX)
            makers.append(lambda size, word=word, unit=unit: word + "=" + unit * size + SUFFIX)
    return makers


SCRUBBER_TEXTS = _scrubber_texts()

SCRUBBERS: dict[str, Callable[[str], object]] = {
    "scrub_text": lambda text: scrub_text(text, pii=False),
    "scrub_text(pii=True)": lambda text: scrub_text(text, pii=True),
    "scrub(dict)": lambda text: scrub({"path": text, text[:64]: 1}, pii=False),
    "before_breadcrumb": lambda text: before_breadcrumb(
        {"category": "request", "message": f"GET {text} started", "data": {"path": text}},
        {},
        pii=False,
    ),
    "before_send_log": lambda text: before_send_log(
        {"body": f"Not Found: {text}", "attributes": {"sentry.message.template": text}},
        {},
        pii=False,
    ),
    "before_send": lambda text: before_send(
        {
            "message": text,
            "request": {"url": "http://testserver" + text, "headers": {"User-Agent": text}},
            "logentry": {"message": text + " %s", "params": [text]},
        },
        {},
        pii=False,
    ),
}


@pytest.mark.parametrize("name", sorted(SCRUBBERS))
def test_scrub_function__time_is_linear_on_adversarial_text(name):
    _assert_linear(SCRUBBERS[name], SCRUBBER_TEXTS, name)


def test_scrub_text__the_token_path_attack_is_cheap():
    # The audit's request: anonymous GET /api/v1/ + "token" * 12000 (60 KB).
    started = time.process_time()
    scrub_text("/api/v1/" + "token" * 12_000, pii=False)
    assert time.process_time() - started < 0.5  # ~25 s of CPU before the fix


def test_scrub_text__long_text_is_cut_to_head_and_tail():
    text = "start of a long log line " + "lorem ipsum " * 10_000 + " the exception at the end"
    scrubbed = scrub_text(text, pii=False)
    assert len(scrubbed) <= MAX_SCRUBBED_LENGTH
    assert scrubbed.startswith("start of a long log line ")
    assert scrubbed.endswith(" the exception at the end")
    assert TRUNCATED in scrubbed


def test_scrub_text__a_secret_cut_in_two_leaves_no_piece():
    # A JWT straddles each cut: its pieces (one or two segments) no pattern would recognise.
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ6cSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    keep = (MAX_SCRUBBED_LENGTH - len(TRUNCATED)) // 2
    head = ("x " * keep)[: keep - 30]  # the head cut falls 30 characters into the first JWT
    tail = ("y " * keep)[: keep - (len(jwt) - 10)]  # the tail cut, 10 into the second
    text = head + jwt + " middle " * 5_000 + jwt + tail
    scrubbed = scrub_text(text, pii=False)
    assert TRUNCATED in scrubbed
    for piece in ("eyJ", "iJ9", "zdWIiOiJ6cSJ9", "c2lnbmF0"):
        assert piece not in scrubbed


def test_scrub_text__short_text_is_not_cut():
    text = "GET /api/v1/lessons " + "a" * (MAX_SCRUBBED_LENGTH - 40)
    assert scrub_text(text, pii=False) == text


# --- the attack, against the production server --------------------------------------------------


@pytest.mark.slow
def test_server__long_paths_and_user_agents_cost_little(production_server):
    server, receiver = production_server
    attacks = [
        ("/api/v1/" + "token" * 12_000, {}),  # 60 KB: ~25 s of CPU before the fix
        ("/api/v1/missing", {"User-Agent": "Mozilla/5.0 /reset" + "token" * 12_000}),
        ("/api/v1/" + "eyJ" * 20_000, {"User-Agent": "eyJa." * 12_000}),
    ]
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for path, headers in attacks:
            started = time.monotonic()
            response = client.get(path, headers=headers)
            elapsed = time.monotonic() - started
            assert response.status_code == 404, response.text[:200]  # it reached the app
            assert elapsed < 3, f"{path[:30]}...: {elapsed:.1f} s"
            # and the worker is free for the next client straight away
            started = time.monotonic()
            assert client.get("/health").status_code in (200, 503)
            assert time.monotonic() - started < 2
    log = (server.log_path.parent / "app.log").read_text()
    assert TRUNCATED in log  # the long path was logged, cut
