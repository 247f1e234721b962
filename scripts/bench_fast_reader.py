"""Benchmark (not a test): reading + checking many forms, openpyxl's ``read_grid`` vs ``read_grid_fast``.

    python scripts/bench_fast_reader.py [-n 300] [--seed 1]

Builds N seed-like forms (the seed's texts, every score drawn at random between 60 % of its weight
and full marks, two decimals, so totals, grades and findings differ from form to form) in a
temporary folder, then times, in this one process, each reader followed by ``evaluate`` over all N
forms (sniffing included, as ``perfscore check`` does), and the fast path's parts alone. Prints
forms/s and ms per form (the best of ``--rounds`` passes: the machine may be shared), and checks
that both paths gave the same findings, totals and grades.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfscore.builder import build_workbook  # noqa: E402
from perfscore.engine import framework  # noqa: E402
from perfscore.engine.pipeline import Result, evaluate  # noqa: E402
from perfscore.engine.submission import IndicatorInput  # noqa: E402
from perfscore.xlsx.fast_reader import fast_grid, read_grid_fast  # noqa: E402
from perfscore.xlsx.reader import read_grid  # noqa: E402
from perfscore.xlsx.sniff import sniff  # noqa: E402
from tests.conftest import FW_ID, seed_submission  # noqa: E402

T = TypeVar("T")


def forms(folder: Path, count: int, rng: random.Random) -> list[Path]:
    fw = framework.load(FW_ID)
    seed = seed_submission(fw)
    paths = []
    for i in range(count):
        sub = seed_submission(fw)
        for leaf in fw.leaves():
            low = int(leaf.weight * 60)
            score = Decimal(rng.randint(low, int(leaf.weight * 100))) / 100
            old = seed.indicators.get(leaf.id) or IndicatorInput(leaf.id)
            sub.indicators[leaf.id] = IndicatorInput(leaf.id, score, old.reason, old.measure, old.rate)
        path = folder / f"form-{i:04d}.xlsx"
        build_workbook(path, fw, submission=sub)
        paths.append(path)
    return paths


def timed(label: str, items: Sequence[T], run: Callable[[T], object], rounds: int) -> float:
    """Seconds of the best of ``rounds`` passes of ``run`` over ``items`` (printed as forms/s and ms)."""
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        for item in items:
            run(item)
        best = min(best, time.perf_counter() - start)
    print(f"{label:<34} {len(items) / best:8.1f} forms/s {best * 1000 / len(items):8.2f} ms/form")
    return best


def outcome(result: Result) -> tuple[object, ...]:
    return result.findings, result.total, result.grade


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="forms to generate (default 300)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the scores")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the forms; the best is shown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        paths = forms(Path(tmp), args.n, random.Random(args.seed))
        print(
            f"built {len(paths)} forms in {time.perf_counter() - start:.1f} s; one process, sniffing included\n"
        )
        evaluate(read_grid(paths[0]))  # warm up: imports, the framework cache
        evaluate(read_grid_fast(paths[0]))
        r = args.rounds
        slow = timed("read_grid + evaluate (openpyxl)", paths, lambda p: evaluate(read_grid(p)), r)
        fast = timed("read_grid_fast + evaluate", paths, lambda p: evaluate(read_grid_fast(p)), r)
        print(f"{'speed-up':<34} {slow / fast:8.1f} ×\n")
        timed("  of which sniff", paths, sniff, r)
        timed("  of which fast_grid (no sniff)", paths, fast_grid, r)
        grids = [fast_grid(p) for p in paths]
        timed("  of which evaluate", grids, evaluate, r)
        differ = [
            p.name for p in paths if outcome(evaluate(read_grid(p))) != outcome(evaluate(read_grid_fast(p)))
        ]
        totals = {evaluate(g).total for g in grids}
        print(
            f"\n{len(totals)} different totals; findings, totals and grades differ between the readers for {len(differ)} forms"
        )
        if differ:
            sys.exit(f"differ: {differ[:10]}")


if __name__ == "__main__":
    main()
