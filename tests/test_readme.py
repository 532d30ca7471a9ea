"""Every command in the README runs, against a live server, exactly as written.

The README's ```bash blocks are executed in order in one bash session (so a token set in one
block is there in the next), with ``localhost:8008`` pointed at a gunicorn server on a fresh
database holding the demo users, as ``make run`` leaves it. Each ``curl`` must succeed (2xx),
and a ``# {...}`` comment right after a line with one ``curl`` is the expected answer: every
``"key": value`` it shows (values without ``...``) must be in that answer.

A block that cannot run here (``make run`` itself, the production server, a second terminal)
is preceded by ``<!-- readme: not run here, see <path> -->`` naming the file that covers it,
which must exist: nothing in the README is left untested by accident.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.servers import ROOT, ServerDatabase, run_manage, start_gunicorn

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

README = ROOT / "README.md"
FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```", re.M | re.S)
NOT_RUN = re.compile(r"<!-- readme: not run here, see (?P<path>[\w./-]+) -->\s*\Z")
EXPECTED_PAIR = re.compile(
    r'"(?P<key>[\w.]+)":\s*(?P<value>"[^"]*"|-?\d+(?:\.\d+)?|true|false|null)'
)
# Each curl's answer and status are kept in numbered files (a counter file, so that calls
# inside $(...) subshells are numbered too).
PRELUDE = """
set -euo pipefail
echo 0 > "$README_OUT/count"
__readme_expect() { echo "$1 $(cat "$README_OUT/count")" >> "$README_OUT/expected"; }
curl() {
  local n=$(( $(cat "$README_OUT/count") + 1 )) status
  echo "$n" > "$README_OUT/count"
  if [[ " $* " == *" -o "* ]]; then
    status=$(command curl --silent --show-error --write-out '%{http_code}' "$@")
  else
    status=$(command curl --silent --show-error --output "$README_OUT/$n" \\
      --write-out '%{http_code}' "$@")
    cat "$README_OUT/$n"
  fi
  echo "$status" > "$README_OUT/$n.status"
}
"""
# "# 201 {...}", "# {...}" or "# 404": the status (2xx when not shown) and the answer.
EXPECTED_START = re.compile(r"#\s(?:(?P<status>[1-5]\d\d)\b)?\s*(?P<json>\{.*)?$")


@dataclass
class Block:
    body: str
    line: int
    skip_reason: str | None


def readme_blocks() -> list[Block]:
    text = README.read_text()
    blocks = []
    for match in FENCE.finditer(text):
        if match.group("lang") != "bash":
            continue
        before = text[: match.start()].rstrip("\n")
        marker = NOT_RUN.search(before.rsplit("\n", 1)[-1] + "\n")
        blocks.append(
            Block(
                body=match.group("body"),
                line=text.count("\n", 0, match.start()) + 1,
                skip_reason=marker.group("path") if marker else None,
            )
        )
    return blocks


def _pairs(comment: str) -> list[tuple[str, Any]]:
    return [
        (m.group("key"), json.loads(m.group("value")))
        for m in EXPECTED_PAIR.finditer(comment)
        if "..." not in m.group("value")
    ]


@dataclass
class Expected:
    line: int
    status: int | None = None
    pairs: list[tuple[str, Any]] = field(default_factory=list)


def runnable_script(blocks: list[Block], base_url: str) -> tuple[str, list[Expected]]:
    """The blocks to run as one bash script, each expected answer replaced by a call that
    records which curl call (counted at run time) it is about."""
    lines: list[str] = []
    expected: list[Expected] = []
    collecting: Expected | None = None
    for block in blocks:
        if block.skip_reason is not None:
            continue
        for offset, line in enumerate(block.body.splitlines(), start=1):
            stripped = line.strip()
            start = EXPECTED_START.match(stripped)
            if start and (start["status"] or start["json"]):
                collecting = Expected(line=block.line + offset)
                if start["status"]:
                    collecting.status = int(start["status"])
                collecting.pairs.extend(_pairs(start["json"] or ""))
                lines.append(f"__readme_expect {len(expected)}")
                expected.append(collecting)
                continue
            if stripped.startswith("#  ") and collecting is not None:
                collecting.pairs.extend(_pairs(stripped))
                continue
            collecting = None
            lines.append(line.replace("localhost:8008", base_url))
    return "\n".join(lines), expected


def contains(answer: Any, key: str, value: Any) -> bool:
    if isinstance(answer, dict):
        if key in answer and answer[key] == value:
            return True
        return any(contains(child, key, value) for child in answer.values())
    if isinstance(answer, list):
        return any(contains(child, key, value) for child in answer)
    return False


def test_readme__every_block_is_run_or_names_what_covers_it():
    blocks = readme_blocks()
    assert blocks
    for block in blocks:
        if block.skip_reason is not None:
            assert (ROOT / block.skip_reason).exists(), (block.line, block.skip_reason)
    assert "../shared" not in README.read_text()  # the README stands alone


@pytest.fixture
def demo_server(tmp_path, django_db_setup, django_db_blocker):
    from django.db import connection

    with django_db_blocker.unblock():
        database = ServerDatabase(tmp_path, connection.settings_dict)
    run_manage(database.url, "seed_demo_users")
    server = start_gunicorn(
        tmp_path, {"DATABASE_URL": database.url}, workers=2, wait_path="/health"
    )
    yield server
    server.stop()
    database.drop()


def test_readme__examples_run_as_written(demo_server, tmp_path):
    script, expected = runnable_script(readme_blocks(), f"127.0.0.1:{demo_server.port}")
    out = tmp_path / "answers"
    out.mkdir()
    result = subprocess.run(
        ["bash", "-c", PRELUDE + script],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "README_OUT": str(out), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"{result.stderr}\n{result.stdout[-3000:]}"
    calls = int((out / "count").read_text())
    assert calls > 20
    shown_for: dict[int, Expected] = {}
    for record in (out / "expected").read_text().split("\n"):
        if record:
            index, call = map(int, record.split())
            shown_for[call] = expected[index]
    assert len(shown_for) == len(expected)
    for call in range(1, calls + 1):
        shown = shown_for.get(call)
        status = int((out / f"{call}.status").read_text())
        body = (out / str(call)).read_text() if (out / str(call)).exists() else ""
        if shown is None or shown.status is None:
            assert 200 <= status < 400, (call, status, body[:500])
        else:
            assert status == shown.status, (f"README line {shown.line}", status, body[:500])
        for key, value in shown.pairs if shown else ():
            assert contains(json.loads(body), key, value), (
                f"README line {shown.line}",
                key,
                value,
                body[:1000],
            )
