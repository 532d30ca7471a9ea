"""The overhead benchmark's verdicts: the median figure against the target, and whether each
round's own ratio (paired with that round's Sentry off) lies on the same side of it."""

from __future__ import annotations

from bench.overhead_report import Cell, Run, firmness, round_ratios, round_shares, verdicts
from bench.wrk import WrkResult


def cell(*cpu_us_per_request: float) -> Cell:
    """A cell of rounds of 1,000 requests each, costing these µs of worker CPU per request."""
    return Cell(
        [
            Run(WrkResult(1000, 10.0, 3.0, 6.0, 0), cpu * 1000 / 1e6, transactions=0, other_load=0)
            for cpu in cpu_us_per_request
        ]
    )


def test_round_ratios__each_round_against_its_own_sentry_off():
    # The machine slowed down in round 2: the medians (1200 / 1000) say 1.20x, and so does
    # every round on its own.
    off, ours = cell(1000, 1500, 900), cell(1200, 1800, 1080)
    assert [round(r, 2) for r in round_ratios(ours, off)] == [1.2, 1.2, 1.2]


def test_verdicts__a_median_that_meets_the_target_with_rounds_on_both_sides_is_not_firm():
    # Medians 1200 / 1000 = 1.20x: met; but round 2 alone was 1.40x.
    results = {"status": {"off": cell(1000, 1000, 1000), "ours-0.1": cell(1100, 1400, 1200)}}
    (line,) = verdicts(results)
    assert "= 1.20x Sentry off (1000); target <= 1.25x: met" in line
    assert "(rounds 1.10-1.40x on both sides of the target: not firm)" in line


def test_verdicts__rounds_all_on_one_side_say_so():
    results = {
        "status": {"off": cell(1000, 1200), "ours-0.1": cell(1100, 1300)},
        "lessons": {"off": cell(1000, 1000), "ours-0.1": cell(1300, 1200)},
    }
    status, lessons = verdicts(results)
    assert status.endswith("met (rounds 1.08-1.10x, every round met it)")
    assert lessons.endswith("missed (rounds 1.20-1.30x, every round missed it)")


def test_shares__each_round_our_added_cpu_over_bare_sdks():
    off, ours, bare = cell(1000, 2000), cell(1500, 2600), cell(2000, 3000)
    assert round_shares(ours, bare, off) == [0.5, 0.6]
    results = {"status": {"off": off, "ours-1.0": ours, "bare-1.0": bare}}
    (line,) = verdicts(results)
    assert "target <= 0.8x: met (rounds 0.50-0.60x, every round met it)" in line
    # A round in which bare added nothing cannot be a share: it counts as a miss, not a crash.
    assert round_shares(cell(1500), cell(1000), cell(1000)) == [float("inf")]


def test_firmness__no_rounds_no_claim():
    assert firmness([], 1.25) == ""
    assert firmness([1.25], 1.25) == " (rounds 1.25-1.25x, every round met it)"
