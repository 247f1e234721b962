"""Benchmark: ``digitise`` of published forms — the seed's text, the seed's report PDF, a long
department form and the project demo — with the time per page and where it goes (pdfminer's
reading, rebuilding the cells, reading the form). LibreOffice prints the PDFs once, untimed.

Run from the repository root: ``python3 scripts/bench_digitise.py``. Target: well under a second
per page, so that a bureau digitising a folder of published forms waits seconds per form.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import perfscore
from perfscore.batch.pdfs import stage_report
from perfscore.engine.framework import Framework, load_any_by_id
from perfscore.engine.project.submission import ProjectSubmission
from perfscore.published import cells, pdf
from perfscore.published.digitise import digitise
from perfscore.report import libreoffice
from tests.conftest import seed_submission
from tests.digitise_fills import department_fill

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = ROOT.parent / "shared" / "seed" / "000_f2d04014988fe795.txt"


def timed(fn: Callable[[], object], n: int = 5) -> tuple[float, float]:
    """(median, best) seconds of ``n`` runs."""
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


def printed(folder: Path) -> dict[str, Path]:
    dept = load_any_by_id("gz-dept-overall-2022")
    assert isinstance(dept, Framework)
    proj = perfscore.load_framework("mof-project-2020")
    assert isinstance(proj, perfscore.ProjectFramework)
    demo = (ROOT / "perfscore" / "data" / "project-2022.json").read_text("utf-8")
    forms = {
        "seed report": (dept, seed_submission()),
        "long department form": (dept, department_fill(dept, random.Random(4), 1)),
        "project demo": (proj, ProjectSubmission.loads(demo, proj)),
    }
    staged = []
    for n, (fw, sub) in enumerate(forms.values()):
        path = folder / f"form{n}.xlsx"
        perfscore.build_workbook(path, fw, submission=sub)
        staged.append(stage_report(perfscore.evaluate_file(path), folder, n, None))
    made = libreoffice.convert_many(staged, "pdf", folder / "pdf")
    return dict(zip(forms, made, strict=True))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pdfs = printed(Path(tmp))
        if SEED_TEXT.is_file():
            median, best = timed(lambda: digitise(SEED_TEXT))
            print(
                f"seed text ({SEED_TEXT.stat().st_size:,} bytes): median {median * 1000:.0f} ms, best {best * 1000:.0f} ms"
            )
        for name, path in pdfs.items():
            pages = pdf.read_pages(path)
            median, best = timed(lambda path=path: digitise(path))  # type: ignore[misc]
            read, _ = timed(lambda path=path: pdf.read_pages(path))  # type: ignore[misc]
            rebuilt, _ = timed(lambda pages=pages: [cells.layout(p) for p in pages])  # type: ignore[misc]
            print(
                f"{name}: {len(pages)} pages, {sum(len(p.glyphs) for p in pages):,} glyphs — digitise median "
                f"{median:.2f} s (best {best:.2f} s), {median / len(pages) * 1000:.0f} ms per page; of which "
                f"pdfminer {read:.2f} s, cells {rebuilt:.2f} s, reading the form {max(median - read - rebuilt, 0):.2f} s"
            )


if __name__ == "__main__":
    main()
