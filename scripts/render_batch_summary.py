"""Render the README picture of the batch summary: the 统计 page of ``perfscore batch -o 汇总.xlsx``.

Run from the repository root: ``python3 scripts/render_batch_summary.py [OUT.png]`` (default
``docs/batch-summary.png``). It writes the summary workbook of the synthetic records the tests use
(:func:`tests.test_batch_summary.sample_records`: 30 inputs, two frameworks), prints it to PDF with
LibreOffice (perfscore's fonts and profile) and renders the 统计 page at 70 dpi with poppler's
``pdftoppm``. Needs LibreOffice, the Noto CJK fonts and poppler-utils, as the tests do.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfscore.report import libreoffice  # noqa: E402
from tests.test_batch_summary import sample_records, write_summary  # noqa: E402

DPI = 70
STATS_TITLE = "绩效自评表批量检查统计"


def page_count(pdf: Path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def stats_page(pdf: Path) -> int:
    """The first page printing the 统计 sheet."""
    for page in range(1, page_count(pdf) + 1):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout  # fmt: skip
        if STATS_TITLE in text:
            return page
    raise SystemExit(f"{pdf}: no page shows {STATS_TITLE}")


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "batch-summary.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="perfscore-batch-png-") as tmp:
        folder = Path(tmp)
        summary = write_summary(folder / "汇总.xlsx", sample_records(folder))
        pdf = libreoffice.to_pdf(summary, folder / "pdf", timeout=180)
        page = stats_page(pdf)
        stem = folder / "page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem)],
            check=True, timeout=120,
        )  # fmt: skip
        shutil.copyfile(stem.with_suffix(".png"), out)
    print(f"{out}: 统计 page {page} of the sample summary, {DPI} dpi")


if __name__ == "__main__":
    main()
