"""Printing the report alone as a PDF through LibreOffice (``perfscore report --pdf``)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from perfscore.errors import WriteError
from perfscore.report import libreoffice
from perfscore.report.page import RenderedSheet
from perfscore.report.sheet import standalone_workbook
from perfscore.report.template import Template
from perfscore.xlsx.atomic import replace_atomically


def export_pdf(rendered: RenderedSheet, template: Template, pdf: Path) -> None:
    """Print just the report: a temporary workbook holding only the 自评表 sheet, through LibreOffice.

    ``rendered`` must be laid out with :data:`~perfscore.report.page.PDF_METRICS`. The fonts are
    perfscore's (:mod:`perfscore.report.libreoffice`), so the pages are the same on every machine that
    has the Noto CJK fonts. The PDF replaces ``pdf`` all or nothing.
    """
    pdf = Path(pdf)
    folder = pdf.parent if str(pdf.parent) else Path(".")
    if not folder.is_dir():
        raise WriteError(f"目标文件夹 {folder} 不存在；请先创建该文件夹", path=str(pdf))
    wb = standalone_workbook(rendered, template, for_pdf=True)
    with tempfile.TemporaryDirectory(prefix="perfscore-report-") as tmp:
        src = Path(tmp) / f"{pdf.stem or 'report'}.xlsx"
        wb.save(src)
        made = libreoffice.to_pdf(src, Path(tmp) / "out")
        replace_atomically(pdf, lambda staged: shutil.copyfile(made, staged))
