"""Benchmark (not a test): time of the engine alone, `check` and `calc` on the seed example.

    python scripts/bench.py [--repeat N]

Prints median and best wall times in milliseconds. The seed example is built fresh in a temp dir.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from perfscore.builder import cells
from perfscore.builder import workbook as builder
from perfscore.engine import framework, pipeline, plan
from perfscore.engine.submission import Submission
from perfscore.xlsx import io as xlsx


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    fw = framework.load("gz-dept-overall-2022")
    seed = Path(__file__).resolve().parent.parent / "perfscore" / "data" / "seed-2022.json"
    sub = Submission.loads(seed.read_text("utf-8"), fw)
    content = cells.static_cells(fw)
    content.update(cells.input_cells(fw, sub))
    grid = cells.to_grid(content, cells.sheet_order(fw))
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "seed.xlsx"
        builder.build_workbook(example, fw, submission=sub)
        work = Path(tmp) / "work.xlsx"

        def check() -> pipeline.Result:
            return pipeline.evaluate(xlsx.read_grid(example))

        def calc() -> None:
            shutil.copyfile(example, work)
            result = pipeline.evaluate(xlsx.read_grid(work))
            xlsx.apply_plan(work, plan.calc_plan(result, dt.datetime.now()))

        rows = [
            ("engine alone (grid → result)", timed(lambda: pipeline.evaluate(grid), args.repeat)),
            ("check (read xlsx + engine)", timed(check, args.repeat)),
            ("calc (read + engine + write + atomic save)", timed(calc, args.repeat)),
            (
                "build the filled seed workbook",
                timed(lambda: builder.build_workbook(work, fw, submission=sub), args.repeat),
            ),
        ]
    print(f"seed form, 26 indicators, {args.repeat} runs each")
    for name, (median, best) in rows:
        print(f"  {name:<45} median {median:8.1f} ms   best {best:8.1f} ms")


if __name__ == "__main__":
    main()
