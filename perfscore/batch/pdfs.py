"""``perfscore batch --pdf DIR``: every form's 自评表 as a PDF, and one combined PDF with a bookmark each.

Each worker renders its form's report into a workbook of its own in a staging folder (the same
rendering as ``perfscore report --pdf``); :func:`publish` then prints them all through LibreOffice in
as few runs as it can (one soffice process for up to :data:`PER_RUN` files, with perfscore's fonts),
names each PDF after the department and year, and joins them into ``全部自评表.pdf`` with pypdf, one
bookmark per form. The forms themselves are never written to.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from perfscore.engine.pipeline import AnyResult
from perfscore.report import libreoffice
from perfscore.report.page import PDF_METRICS
from perfscore.report.render import render
from perfscore.report.sheet import standalone_workbook
from perfscore.report.template import load_template
from perfscore.report.workbook import context_of, default_template
from perfscore.xlsx.atomic import replace_atomically

#: Reports printed by one LibreOffice process (its start-up costs about a second; a very long run
#: would be killed whole by a timeout).
PER_RUN = 100
COMBINED = "全部自评表.pdf"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def stage_report(result: AnyResult, folder: Path, number: int, template: Path | None) -> Path:
    """Render the report of ``result`` into ``folder/NNNNN.xlsx``, ready to print."""
    tpl = load_template(template or default_template(result.framework))
    rendered = render(tpl, context_of(result), PDF_METRICS)
    path = folder / f"{number:05d}.xlsx"
    standalone_workbook(rendered, tpl, for_pdf=True).save(path)
    return path


def title_of(department: str, year: int | None, file: str) -> str:
    """The name of a form's PDF and bookmark: ``部门-年度`` (the file's name when the form has none)."""
    name = department.strip() or Path(file).stem
    return f"{name}-{year}" if year is not None else name


def safe_name(title: str, taken: set[str]) -> str:
    """``title`` as a file name on every system, unique among ``taken`` (which it joins)."""
    base = _UNSAFE.sub("_", title).strip(" .") or "自评表"
    base = base[:80]
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base}（{n}）"
    taken.add(name.lower())
    return name


def publish(staged: Sequence[tuple[Path, str]], outdir: Path) -> list[Path]:
    """Print the staged reports into ``outdir`` as ``<title>.pdf`` and join them into :data:`COMBINED`.

    ``staged``: (staged workbook, title) in the order of the summary. Returns the PDFs written.
    """
    from pypdf import PdfReader, PdfWriter

    outdir.mkdir(parents=True, exist_ok=True)
    taken = {p.stem.lower() for p in outdir.glob("*.pdf")} - {Path(COMBINED).stem.lower()}
    printed: list[tuple[Path, str]] = []
    work = staged[0][0].parent / "pdf" if staged else outdir
    for start in range(0, len(staged), PER_RUN):
        chunk = staged[start : start + PER_RUN]
        made = libreoffice.convert_many([s for s, _ in chunk], "pdf", work)
        for pdf, (_, title) in zip(made, chunk, strict=True):
            target = outdir / f"{safe_name(title, taken)}.pdf"
            replace_atomically(target, lambda tmp, pdf=pdf: shutil.copyfile(pdf, tmp))  # type: ignore[misc]
            printed.append((target, title))
    writer = PdfWriter()
    for path, title in printed:
        first = len(writer.pages)
        for page in PdfReader(path).pages:
            writer.add_page(page)
        writer.add_outline_item(title=title, page_number=first)
    combined = outdir / COMBINED
    replace_atomically(combined, lambda tmp: writer.write(str(tmp)))
    return [p for p, _ in printed] + [combined]
