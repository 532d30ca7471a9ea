"""The results of ``bench/overhead.py``: a run, a cell of rounds, the tables and the verdicts
against the targets of issue #16."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bench.wrk import WrkResult

# The targets (#16): worker CPU per request at the production default as a multiple of
# Sentry off, and our added CPU at traces 1.0 as a share of bare sentry-sdk's.
DEFAULT_RATE_TARGETS = {"status": 1.25, "lessons": 1.10}
ADDED_AT_FULL_RATE_TARGET = 0.8


@dataclass
class Run:
    wrk: WrkResult
    cpu_seconds: float
    transactions: int
    other_load: float  # cores busy with something else than the workers, wrk and the receiver
    deals: int = 1  # wrk starts until its connections were spread evenly over the workers

    @property
    def cpu_us_per_request(self) -> float:
        return self.cpu_seconds * 1e6 / self.wrk.requests if self.wrk.requests else 0.0


@dataclass
class Cell:
    runs: list[Run] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(run.wrk.requests for run in self.runs)

    @property
    def rps(self) -> float:
        return statistics.median(run.wrk.rps for run in self.runs)

    @property
    def p50(self) -> float:
        return statistics.median(run.wrk.p50_ms for run in self.runs)

    @property
    def p99(self) -> float:
        return statistics.median(run.wrk.p99_ms for run in self.runs)

    @property
    def cpu_us(self) -> float:
        """The median round: one round disturbed by another process does not move it."""
        return statistics.median(run.cpu_us_per_request for run in self.runs)

    @property
    def cpu_us_pooled(self) -> float:
        requests = self.requests
        return sum(run.cpu_seconds for run in self.runs) * 1e6 / requests if requests else 0.0

    @property
    def other_load(self) -> float:
        return max(run.other_load for run in self.runs)

    @property
    def cpu_range(self) -> tuple[float, float]:
        values = [run.cpu_us_per_request for run in self.runs]
        return min(values), max(values)

    @property
    def errors(self) -> int:
        return sum(run.wrk.errors for run in self.runs)

    @property
    def sampled(self) -> float:
        requests = self.requests
        return sum(run.transactions for run in self.runs) / requests if requests else 0.0


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base else "-"


def table(
    results: dict[str, dict[str, Cell]], endpoint: str, title: str, configs: list
) -> list[str]:
    """One endpoint's table: every configuration against Sentry off on the same server."""
    lines = [
        f"### {title}",
        "",
        "| Config | req/s | x (a) | p50 ms | x (a) | p99 ms | x (a) "
        "| worker CPU µs/req | x (a) | + vs (a) | per-round range | traced | other load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for config in configs:
        base = results[endpoint].get("off" + config.suffix)  # Sentry off on the same server
        cell = results[endpoint][config.name]
        low, high = cell.cpu_range
        extra = f"{cell.cpu_us - base.cpu_us:+.0f}" if base else "-"
        errors = f" ({cell.errors} errors)" if cell.errors else ""

        def relative(figure: str, cell: Cell = cell, base: Cell | None = base) -> str:
            return ratio(getattr(cell, figure), getattr(base, figure)) if base else "-"

        lines.append(
            f"| {config.label}{errors} | {cell.rps:.0f} | {relative('rps')} "
            f"| {cell.p50:.2f} | {relative('p50')} | {cell.p99:.2f} | {relative('p99')} "
            f"| {cell.cpu_us:.0f} | {relative('cpu_us')} "
            f"| {extra} | {low:.0f}–{high:.0f} | {cell.sampled:.0%} | {cell.other_load:.2f} |"
        )
    return lines


def round_ratios(cell: Cell, off: Cell) -> list[float]:
    """Each round's CPU per request over the same round's Sentry off. A configuration's median
    and off's can come from rounds minutes apart; on a VM whose speed drifts, the rounds' own
    ratios say whether a verdict holds (the runs of a round are seconds to a minute apart)."""
    return [
        run.cpu_us_per_request / base.cpu_us_per_request
        for run, base in zip(cell.runs, off.runs, strict=False)
        if base.cpu_us_per_request
    ]


def round_shares(ours: Cell, bare: Cell, off: Cell) -> list[float]:
    """Each round's added CPU of ours as a share of bare's, against the same round's off."""
    shares = []
    for run, bare_run, base in zip(ours.runs, bare.runs, off.runs, strict=False):
        bare_added = bare_run.cpu_us_per_request - base.cpu_us_per_request
        added = run.cpu_us_per_request - base.cpu_us_per_request
        shares.append(added / bare_added if bare_added > 0 else float("inf"))
    return shares


def firmness(per_round: list[float], target: float) -> str:
    """Whether the rounds agree with the verdict: all on its side of the target, or not."""
    if not per_round:
        return ""
    low, high = min(per_round), max(per_round)
    spread = f"rounds {low:.2f}-{high:.2f}x"
    if high <= target:
        return f" ({spread}, every round met it)"
    if low > target:
        return f" ({spread}, every round missed it)"
    return f" ({spread} on both sides of the target: not firm)"


def verdicts(results: dict[str, dict[str, Cell]]) -> list[str]:
    """The issue's targets, per server and endpoint, met or missed with the figure, and how
    the rounds' own ratios lie against it."""
    lines = []
    for endpoint in results:
        cells = results[endpoint]
        for suffix in ("", "@asgi"):
            server = "ASGI" if suffix else "WSGI"
            off = cells.get("off" + suffix)
            ours, bare = cells.get("ours-0.1" + suffix), cells.get("bare-0.1" + suffix)
            if off and ours and endpoint in DEFAULT_RATE_TARGETS:
                target, figure = DEFAULT_RATE_TARGETS[endpoint], ours.cpu_us / off.cpu_us
                lines.append(
                    f"- {server} {endpoint}: production default (0.1) {ours.cpu_us:.0f} µs/req "
                    f"= {figure:.2f}x Sentry off ({off.cpu_us:.0f}); target <= {target:.2f}x: "
                    f"{'met' if figure <= target else 'missed'}"
                    + firmness(round_ratios(ours, off), target)
                    + (f"; bare sdk 0.1: {bare.cpu_us / off.cpu_us:.2f}x" if bare else "")
                )
            ours, bare = cells.get("ours-1.0" + suffix), cells.get("bare-1.0" + suffix)
            if off and ours and bare:
                added, bare_added = ours.cpu_us - off.cpu_us, bare.cpu_us - off.cpu_us
                share = added / bare_added if bare_added > 0 else float("inf")
                lines.append(
                    f"- {server} {endpoint}: traces 1.0 adds {added:+.0f} µs/req, bare sdk "
                    f"{bare_added:+.0f}: {share:.2f}x bare's; target <= "
                    f"{ADDED_AT_FULL_RATE_TARGET:.1f}x: "
                    f"{'met' if share <= ADDED_AT_FULL_RATE_TARGET else 'missed'}"
                    + firmness(round_shares(ours, bare, off), ADDED_AT_FULL_RATE_TARGET)
                )
        for name in cells:
            if name.endswith("@base") and name.removesuffix("@base") in cells:
                before, after = cells[name], cells[name.removesuffix("@base")]
                lines.append(
                    f"- {endpoint}: {name.removesuffix('@base')} {after.cpu_us:.0f} µs/req, "
                    f"before the change {before.cpu_us:.0f} "
                    f"({after.cpu_us / before.cpu_us - 1:+.1%})"
                )
    return lines
