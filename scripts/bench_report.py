"""Benchmark: render the seed's report (context + template + openpyxl sheet), LibreOffice excluded.

Run from the repository root: ``python3 scripts/bench_report.py``. Target: a fraction of a second.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook

from perfscore.report.context import build_context
from perfscore.report.render import render
from perfscore.report.sheet import apply
from perfscore.report.template import load_template
from perfscore.report.workbook import default_template
from tests.conftest import evaluate


def best(fn: object, n: int = 20) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    result = evaluate()
    t0 = time.perf_counter()
    tpl = load_template(default_template())
    load = time.perf_counter() - t0
    ctx = build_context(result)

    def sheet() -> None:
        ws = Workbook().active
        apply(render(tpl, ctx), tpl, ws)

    print(f"template load+compile (first time, then cached): {load * 1000:.1f} ms")
    print(f"context from Result:       {best(lambda: build_context(result)) * 1000:.2f} ms")
    print(f"render (data only):        {best(lambda: render(tpl, ctx)) * 1000:.2f} ms")
    print(f"render + openpyxl sheet:   {best(sheet) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
