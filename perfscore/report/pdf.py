"""Printing the report alone as a PDF through LibreOffice (``perfscore report --pdf``)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from perfscore.errors import LibreOfficeError
from perfscore.report import libreoffice
from perfscore.report.page import RenderedSheet
from perfscore.report.sheet import standalone_workbook
from perfscore.report.template import Template
from perfscore.xlsx.atomic import check_writable, replace_atomically


def check_printing() -> None:
    """Refuse before anything is written when a PDF cannot be printed as it should: no LibreOffice,
    or no Noto CJK fonts (the pages would then depend on whatever fonts the machine has)."""
    if libreoffice.soffice_path() is None:
        raise LibreOfficeError(
            f"找不到 LibreOffice（soffice）：请安装 libreoffice-calc-nogui 与 {libreoffice.FONT_PACKAGE}"
        )
    missing = libreoffice.missing_fonts()
    if missing:
        raise LibreOfficeError(
            f"找不到字体 {'、'.join(missing)}：请安装 {libreoffice.FONT_PACKAGE}（Debian/Ubuntu："
            f"apt-get install {libreoffice.FONT_PACKAGE}）；没有它，PDF 的换行和分页会随机器上的字体而变"
        )


def export_pdf(rendered: RenderedSheet, template: Template, pdf: Path) -> None:
    """Print just the report: a temporary workbook holding only the 自评表 sheet, through LibreOffice.

    ``rendered`` must be laid out with :data:`~perfscore.report.page.PDF_METRICS`. The fonts are
    perfscore's (:mod:`perfscore.report.libreoffice`), so the pages are the same on every machine that
    has the Noto CJK fonts. The PDF replaces ``pdf`` all or nothing.
    """
    pdf = Path(pdf)
    check_writable(pdf)
    check_printing()
    wb = standalone_workbook(rendered, template, for_pdf=True)
    with tempfile.TemporaryDirectory(prefix="perfscore-report-") as tmp:
        src = Path(tmp) / f"{pdf.stem or 'report'}.xlsx"
        wb.save(src)
        made = libreoffice.to_pdf(src, Path(tmp) / "out")
        replace_atomically(pdf, lambda staged: shutil.copyfile(made, staged))
