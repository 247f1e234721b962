"""Peak memory and time of ``perfscore`` on every hostile workbook the tests build.

    python scripts/bench_bombs.py

Builds each bomb of ``tests/test_hostile_bombs.py`` and the worst form the limits still accept (every
limit nearly reached at once), runs ``perfscore check`` (and ``calc`` on the accepted form) as a child
process and prints its exit code, peak RSS (from ``os.wait4``) and wall and CPU time, worst first.
"""

from __future__ import annotations

import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfscore.xlsx import limits  # noqa: E402
from tests import test_hostile_bombs as bombs  # noqa: E402
from tests.xlsx_helpers import build_seed  # noqa: E402


def line(name: str, child: bombs.Child, size: int) -> str:
    return (
        f"  {name:46s} exit {child.exit_code}  {size / 1024:7.0f} KB  RSS {child.rss_mb:6.1f} MB"
        f"  wall {child.wall_s:5.2f} s  cpu {child.cpu_s:5.2f} s"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="perfscore-bombs-") as tmp:
        work = Path(tmp)
        seed = build_seed(work / "seed.xlsx")
        rows = []
        for name, build, _reason in bombs.BOMBS:
            folder = work / name
            folder.mkdir()
            path = build(seed, folder / "bomb.xlsx")
            rows.append((name, bombs.run_child(["check", path], folder), path.stat().st_size))
        rows.sort(key=lambda r: (r[1].rss_mb, r[1].wall_s), reverse=True)
        print(f"perfscore check on {len(rows)} bombs (every one should exit 2), worst first")
        for name, child, size in rows:
            print(line(name, child, size))
        slowest = max(rows, key=lambda r: r[1].wall_s)
        print(
            f"  worst peak RSS {rows[0][1].rss_mb:.1f} MB ({rows[0][0]}); longest {slowest[1].wall_s:.2f} s ({slowest[0]})"
        )
        with zipfile.ZipFile(seed) as zf:
            counts = limits.check_package(zf, seed)
        edits, _ = bombs._at_the_limits(counts)
        big = bombs.package(seed, work / "big.xlsx", edits)
        print("the worst form the limits accept (should exit 0)")
        for args in (["check", big], ["calc", big, "-o", work / "out.xlsx"], ["calc", big]):
            child = bombs.run_child(args, work, timeout=120)
            print(line(" ".join(str(a) for a in args[:1] + args[2:3]), child, big.stat().st_size))


if __name__ == "__main__":
    main()
