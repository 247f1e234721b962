"""Benchmark (not a test): the engine alone at three sizes, `check`, `calc`, and `import perfscore.bridge`.

    python scripts/bench.py [--repeat N]

Prints median and best wall times. ``evaluate`` is timed as a front end calls it: from a grid, with
the framework looked up by the id the workbook records (parsed once per process, then cached). The
26-indicator case is the seed form; 260 and 2,600 are generated frameworks (10 一级 × 2 二级 × n 三级)
with every score filled in, so the ratios show how the engine grows with the number of indicators.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import perfscore  # noqa: E402
from perfscore.engine import cells, framework  # noqa: E402
from perfscore.engine.grid import Grid  # noqa: E402
from perfscore.engine.submission import IndicatorInput, Submission  # noqa: E402
from tests.generated import generated_framework  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and best of ``repeat`` runs in ms, the garbage collector paused while timing (as timeit)."""
    samples = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        gc.enable()
    return statistics.median(samples), min(samples)


def seed_submission(fw: framework.Framework) -> Submission:
    text = (resources.files("perfscore") / "data" / "seed-2022.json").read_text("utf-8")
    return Submission.loads(text, fw)


def grid_of(fw: framework.Framework, sub: Submission) -> Grid:
    content = cells.static_cells(fw)
    content.update(cells.input_cells(fw, sub))
    return cells.to_grid(content, cells.sheet_order(fw))


def generated(folder: Path, per_second: int, seed: Submission) -> tuple[int, Grid]:
    """A framework of 20 × ``per_second`` indicators in ``folder`` and a grid of its form, all full marks."""
    fid = f"gen-{20 * per_second}"
    (folder / f"{fid}.toml").write_text(generated_framework(per_second, fid), "utf-8")
    fw = framework.load_by_id(fid)
    scores = {leaf.id: IndicatorInput(leaf.id, score=leaf.weight) for leaf in fw.leaves()}
    sub = Submission(fw.id, seed.year, seed.department, dict(seed.header), dict(seed.budget), scores)
    return len(fw.leaves()), grid_of(fw, sub)


def import_time(module: str, repeat: int) -> float:
    """Median ms of ``import module`` in a fresh interpreter, less the interpreter's own start-up."""

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        return (time.perf_counter() - start) * 1000

    bare = statistics.median(run("pass") for _ in range(repeat))
    return statistics.median(run(f"import {module}") for _ in range(repeat)) - bare


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    n = args.repeat
    fw = perfscore.load_framework()
    seed = seed_submission(fw)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ[framework.FRAMEWORKS_ENV] = str(folder)
        sizes = [(len(fw.leaves()), grid_of(fw, seed))]
        sizes += [generated(folder, per_second, seed) for per_second in (13, 130)]
        print(f"engine: perfscore.evaluate(grid), framework looked up by id (cached); {n}×(2600/size) runs")
        bests: list[float] = []
        counts: list[int] = []
        for count, grid in sizes:
            perfscore.evaluate(grid)  # the first call parses the framework file
            median, best = timed(lambda grid=grid: perfscore.evaluate(grid), n * max(1, 2600 // count))  # type: ignore[misc]
            ratio = (
                f"best × {best / bests[-1]:4.1f} for × {count // counts[-1]:d} indicators" if bests else ""
            )
            print(f"  {count:>5} indicators   median {median:8.2f} ms   best {best:8.2f} ms   {ratio}")
            bests.append(best)
            counts.append(count)
        first = framework.parse
        text = (resources.files("perfscore") / "frameworks" / f"{fw.id}.toml").read_bytes()
        median, best = timed(lambda: first(text, source="x"), n)
        print(f"  parse + validate the seed framework (what the cache saves): median {median:.2f} ms")

        example = folder / "seed.xlsx"
        perfscore.build_workbook(example, fw, submission=seed)
        work = folder / "work.xlsx"

        def calc() -> None:
            shutil.copyfile(example, work)
            perfscore.calculate_file(work)

        rows = [
            ("check (read xlsx + engine)", timed(lambda: perfscore.evaluate_file(example), n)),
            ("calc (read + engine + write + atomic save)", timed(calc, n)),
            (
                "build the filled seed workbook",
                timed(lambda: perfscore.build_workbook(work, fw, submission=seed), n),
            ),
        ]
    print(f"seed form files, {n} runs each")
    for name, (median, best) in rows:
        print(f"  {name:<45} median {median:8.1f} ms   best {best:8.1f} ms")
    runs = max(5, n // 4)
    print(f"import in a fresh interpreter (median of {runs}, start-up subtracted)")
    for module in ("perfscore.bridge", "perfscore.cli"):
        print(f"  import {module:<20} {import_time(module, runs):8.1f} ms")


if __name__ == "__main__":
    main()
