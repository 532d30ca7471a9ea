"""wrk, the load generator of the server benchmarks: running it, a script for a mix of requests,
and reading its report."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors and non-2xx/3xx responses

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


_LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _latency_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _LATENCY_UNITS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)$", output, re.M))
    served = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m),", output, re.M)
    if served is None or "50" not in percentiles or "99" not in percentiles:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return WrkResult(
        requests=int(served.group(1)),
        seconds=_latency_ms(served.group(2) + served.group(3)) / 1000,
        p50_ms=_latency_ms(percentiles["50"]),
        p99_ms=_latency_ms(percentiles["99"]),
        errors=errors,
    )


def run_wrk(url: str, **options: Any) -> WrkResult:
    """wrk against ``url`` until it reports (``options``: :func:`start_wrk`'s)."""
    return start_wrk(url, **options).result()


class WrkRun:
    """wrk running in the background: :meth:`result` waits for its report, :meth:`cancel`
    stops it (for a run started again, e.g. when its connections landed badly)."""

    def __init__(self, command: list[str], script: str | None, seconds: float) -> None:
        self.script, self.seconds = script, seconds
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def _done(self) -> None:
        if self.script is not None:
            os.unlink(self.script)
            self.script = None

    def result(self) -> WrkResult:
        try:
            stdout, stderr = self.process.communicate(timeout=self.seconds + 60)
        except subprocess.TimeoutExpired:
            self.cancel()
            raise
        finally:
            self._done()
        if self.process.returncode != 0:
            raise RuntimeError(f"wrk failed:\n{stdout}\n{stderr}")
        return parse_wrk(stdout)

    def cancel(self) -> None:
        self.process.kill()
        self.process.communicate()
        self._done()


def start_wrk(
    url: str,
    *,
    seconds: float,
    threads: int = 1,
    connections: int = 4,
    headers: Mapping[str, str] | None = None,
    pause_ms: float = 0,
    requests: list[tuple[str, Mapping[str, str]]] | None = None,
) -> WrkRun:
    """wrk started in the background. Closed-loop load: each connection sends its next request
    when the last one is answered, ``pause_ms`` later (wrk's ``delay()`` hook): pacing keeps the
    workers below saturation."""
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
        "--timeout", "10s",
    ]  # fmt: skip
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    script = None
    lua = f"function delay()\n  return {pause_ms:g}\nend\n" if pause_ms else ""
    if requests:
        lua += mixed_requests_lua(requests)
    if lua:
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
            file.write(lua)
        script = file.name
        command += ["-s", script]
    command.append(url)
    return WrkRun(command, script, seconds)


def mixed_requests_lua(requests: list[tuple[str, Mapping[str, str]]]) -> str:
    """A wrk script sending ``requests`` (path, headers) in turn on every connection."""

    def lua_string(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    formatted = ",\n".join(
        '  wrk.format("GET", '
        + lua_string(path)
        + ", {"
        + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
        + "})"
        for path, headers in requests
    )
    return (
        "local requests = nil\nlocal n = 0\n"
        "function request()\n"
        f"  if requests == nil then requests = {{\n{formatted}\n  }} end\n"
        "  n = n % #requests + 1\n  return requests[n]\nend\n"
    )


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk (Debian)")
