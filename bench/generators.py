"""Time the offline content generators (pure functions: no server, no database, no Sentry).

    .venv/bin/python bench/generators.py            # about 25 s on a 2-core VM
    .venv/bin/python bench/generators.py --quick    # a smoke run, a few seconds

Each case runs once to warm up (bank and glossary loading, numpy and tree-sitter set-up), then
repeatedly with a different seed per run until it has both ``--min-runs`` runs and
``--min-seconds`` of samples (at most ``--max-runs``), so medians cover many inputs, not one
lucky seed. Prints Markdown tables of the median and p95 in milliseconds, and the machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the apps live in the root

STAGES = ("heightmap + statistics", "preview PNG", "Lua script", "compile check")


@dataclass
class Timing:
    """Per-run wall times in milliseconds, overall and per named stage."""

    total: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        return len(self.total)


@dataclass(frozen=True)
class Budget:
    min_runs: int
    max_runs: int
    min_seconds: float


def percentile(samples: list[float], fraction: float) -> float:
    """Linear-interpolated percentile (numpy's default method)."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measure(run: Callable[[int, dict[str, float]], object], budget: Budget) -> Timing:
    """Call ``run(seed, stages)`` until the budget is met; ``run`` may record stage times (ms)
    into ``stages``."""
    run(0, {})  # warm-up, not counted
    gc.collect()
    timing = Timing()
    started = time.perf_counter()
    seed = 1
    while timing.runs < budget.max_runs and (
        timing.runs < budget.min_runs or time.perf_counter() - started < budget.min_seconds
    ):
        stages: dict[str, float] = {}
        begin = time.perf_counter_ns()
        run(seed, stages)
        timing.total.append((time.perf_counter_ns() - begin) / 1e6)
        for name, value in stages.items():
            timing.stages.setdefault(name, []).append(value)
        seed += 1
    return timing


# --- the cases ------------------------------------------------------------------------------


def quiz_case(subject: str, question_count: int) -> Callable[[int, dict[str, float]], object]:
    from curriculum.quizzes import generate_questions

    def run(seed: int, stages: dict[str, float]) -> object:
        return generate_questions(
            subject=subject,
            grade_level=6,
            difficulty="medium",
            question_count=question_count,
            seed=seed,
        )

    return run


def lesson_case() -> Callable[[int, dict[str, float]], object]:
    from curriculum.lessons import generate_lesson

    objectives = [
        "Describe how plants make food through photosynthesis",
        "Explain the role of sunlight, water and carbon dioxide",
        "Compare photosynthesis and respiration",
    ]

    def run(seed: int, stages: dict[str, float]) -> object:
        return generate_lesson(
            subject="science",
            grade_level=7,
            learning_objectives=objectives,
            content_type="lesson",
            complexity="intermediate",
            seed=seed,
        )

    return run


def terrain_case(size: int) -> Callable[[int, dict[str, float]], object]:
    """The whole terrain pipeline of ``POST /api/v1/terrain/generate`` minus the database."""
    from curriculum.terrain import (
        BIOMES,
        TerrainParams,
        build_lua_script,
        generate_heightmap,
        heightmap_statistics,
        render_preview_png,
    )
    from roblox.luau import compile_luau

    def run(seed: int, stages: dict[str, float]) -> object:
        params = TerrainParams(
            size=size, seed=seed, biome=BIOMES[seed % len(BIOMES)], water_level=0.3
        )
        clock = time.perf_counter_ns()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter_ns()
            stages[name] = (now - clock) / 1e6
            clock = now

        heightmap = generate_heightmap(params)
        heightmap_statistics(heightmap, params)
        lap("heightmap + statistics")
        render_preview_png(heightmap, params)
        lap("preview PNG")
        source = build_lua_script(heightmap, params)
        lap("Lua script")
        result = compile_luau(source)
        lap("compile check")
        if not result.ok:
            raise AssertionError(f"generated script does not compile: {result.diagnostics}")
        return result

    return run


# --- output ---------------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def summary_row(label: str, timing: Timing) -> str:
    samples = timing.total
    return (
        f"| {label} | {timing.runs} | {ms(statistics.median(samples))} "
        f"| {ms(percentile(samples, 0.95))} |"
    )


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import numpy

    return [
        f"- CPU: {cpu}",
        f"- Cores: {os.cpu_count()} logical ({usable} usable by this process)",
        f"- Python: {platform.python_implementation()} {platform.python_version()}, "
        f"numpy {numpy.__version__}",
        f"- OS: {platform.platform()}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-runs", type=int, default=25)
    parser.add_argument("--max-runs", type=int, default=1000)
    parser.add_argument("--min-seconds", type=float, default=2.0, help="per case")
    parser.add_argument("--quick", action="store_true", help="3 runs a case: a smoke test")
    args = parser.parse_args(argv)
    budget = (
        Budget(3, 3, 0.0) if args.quick else Budget(args.min_runs, args.max_runs, args.min_seconds)
    )
    started = time.perf_counter()

    print("# Offline generator benchmark\n")
    print("\n".join(machine()))
    print(
        "\nWall time per call in milliseconds; each run uses a different seed"
        " (terrain: and cycles through the biomes).\n"
    )

    print("## Main cases\n")
    print("| Case | Runs | Median ms | p95 ms |")
    print("|---|---:|---:|---:|")
    main_cases = [
        ("Quiz, 20 questions, mathematics (grade 6, medium)", quiz_case("mathematics", 20)),
        ("Quiz, 20 questions, science bank (grade 6, medium)", quiz_case("science", 20)),
        ("Lesson, 3 objectives (science, grade 7, intermediate)", lesson_case()),
    ]
    for label, case in main_cases:
        print(summary_row(label, measure(case, budget)), flush=True)
    terrain_256 = measure(terrain_case(256), budget)
    print(summary_row("Terrain 256x256: heightmap + PNG + script + compile", terrain_256))
    for stage in STAGES:
        print(summary_row(f"&nbsp;&nbsp;of which {stage}", Timing(terrain_256.stages[stage])))

    print("\n## Quiz scaling by question_count\n")
    print("| Questions | Mathematics median ms | p95 ms | Science bank median ms | p95 ms |")
    print("|---:|---:|---:|---:|---:|")
    for count in (1, 10, 20, 50):
        cells = []
        for subject in ("mathematics", "science"):
            timing = measure(quiz_case(subject, count), budget)
            cells += [ms(statistics.median(timing.total)), ms(percentile(timing.total, 0.95))]
        print(f"| {count} | " + " | ".join(cells) + " |", flush=True)

    print("\n## Terrain scaling by size (medians per stage, then the whole pipeline)\n")
    print(
        "| Size | Runs | Heightmap + stats | PNG | Script | Compile "
        "| Total median ms | Total p95 ms |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in (64, 128, 256, 512):
        timing = terrain_256 if size == 256 else measure(terrain_case(size), budget)
        stage_medians = [ms(statistics.median(timing.stages[stage])) for stage in STAGES]
        print(
            f"| {size} | {timing.runs} | "
            + " | ".join(stage_medians)
            + f" | {ms(statistics.median(timing.total))} | {ms(percentile(timing.total, 0.95))} |",
            flush=True,
        )
    print(
        "\nThe script embeds at most 128x128 columns (larger maps are area-averaged), so the"
        " script and compile stages grow little past size 128."
    )
    print(f"\nTotal benchmark time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
