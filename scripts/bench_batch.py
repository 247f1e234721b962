"""How fast the bureau's batch check is, and whether its memory stays flat (a benchmark, not a test).

Run: ``python3 scripts/bench_batch.py [N] [BIG]`` (default 300 and 3,000 forms). It builds N forms
(60 distinct fills, copied under other names up to N — the per-form work is the same), then prints,
on the same forms: a loop of ``perfscore check`` processes (on the first 30, scaled), the openpyxl
path in-process, and ``perfscore batch`` with 1 and with 2 jobs — forms/s and the ratios — and the
peak memory (maximum resident set) of ``perfscore batch --jobs 1`` at N and at BIG forms.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import perfscore  # noqa: E402
from perfscore.engine import framework  # noqa: E402
from perfscore.engine.submission import Submission  # noqa: E402

DISTINCT = 60
PERFSCORE = [sys.executable, "-m", "perfscore.cli"]


def seed() -> Submission:
    fw = framework.load(framework.DEFAULT_FRAMEWORK)
    text = (ROOT / "perfscore" / "data" / "seed-2022.json").read_text("utf-8")
    return Submission.loads(text, fw)


def build(folder: Path, count: int) -> list[Path]:
    fw = framework.load(framework.DEFAULT_FRAMEWORK)
    base = seed()
    folder.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    for n in range(min(count, DISTINCT)):
        rows = dict(base.indicators)
        rows["1.1.1"] = replace(rows["1.1.1"], score=Decimal(n % 21))
        path = folder / f"部门{n:05d}.xlsx"
        perfscore.build_workbook(
            path, fw, submission=replace(base, department=f"部门{n:05d}", indicators=rows)
        )
        made.append(path)
    for n in range(len(made), count):
        path = folder / f"部门{n:05d}.xlsx"
        shutil.copyfile(made[n % DISTINCT], path)
        made.append(path)
    return made


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def peak_kb(cmd: list[str]) -> int:
    """Maximum resident set (KB) of one run of ``cmd``, by GNU time (with --jobs 1 it does all the work)."""
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True, check=False)
    return int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    big = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    print(f"{os.cpu_count()} cores; {n} forms ({DISTINCT} distinct fills)")
    with tempfile.TemporaryDirectory(prefix="perfscore-bench-batch-") as tmp:
        folder = Path(tmp) / "forms"
        forms = build(folder, n)
        sample = forms[:30]
        start = time.perf_counter()
        for path in sample:
            subprocess.run([*PERFSCORE, "check", str(path)], stdout=subprocess.DEVNULL, check=False)
        loop = len(sample) / (time.perf_counter() - start)
        start = time.perf_counter()
        for path in forms:
            perfscore.evaluate_file(path)
        inproc = len(forms) / (time.perf_counter() - start)
        rates = {}
        for jobs in (1, 2):
            out = Path(tmp) / f"汇总-{jobs}.xlsx"
            seconds = timed([*PERFSCORE, "batch", str(folder), "-o", str(out), "--jobs", str(jobs)])
            rates[jobs] = len(forms) / seconds
        print(f"{'loop of perfscore check processes':<40} {loop:8.1f} forms/s")
        print(f"{'openpyxl path, in-process':<40} {inproc:8.1f} forms/s  ({inproc / loop:.1f}× the loop)")
        for jobs, rate in rates.items():
            print(
                f"{f'perfscore batch --jobs {jobs}':<40} {rate:8.1f} forms/s  ({rate / loop:.1f}× the loop)"
            )
        memory = Path(tmp) / "memory"
        for count in (n, big):
            shutil.rmtree(memory, ignore_errors=True)
            build(memory, count)
            kb = peak_kb([*PERFSCORE, "batch", str(memory), "-o", str(Path(tmp) / "m.xlsx"), "--jobs", "1"])
            print(f"peak memory, perfscore batch --jobs 1, {count:>5} forms: {kb / 1024:6.1f} MB")


if __name__ == "__main__":
    main()
