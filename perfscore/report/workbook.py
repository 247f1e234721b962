"""The print-ready report sheet (自评表): context → template → the 自评表 sheet and, optionally, a PDF.

:func:`write_report` is what ``perfscore report FILE [-o OUT] [--pdf PDF]`` calls. It reads the workbook,
runs the pipeline, renders the template (``templates/report.xlsx`` unless another is given) and
replaces the workbook's 自评表 sheet — values only, so the sheet reads correctly where neither Python
nor the add-in is present. Nothing else in the workbook is changed.

The Excel add-in (:func:`perfscore.bridge.generate_report`) renders the same sheet with
:func:`save_standalone_report` into a temporary workbook, opens it in the running Excel and copies the
sheet into the clerk's workbook: styles, merges, page breaks and print setup arrive whole, in a fixed
number of Excel calls.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils.indexed_list import IndexedList

from perfscore.engine import layout as L
from perfscore.engine.pipeline import Result, evaluate
from perfscore.errors import WriteError
from perfscore.report import libreoffice
from perfscore.report.context import build_context
from perfscore.report.render import render
from perfscore.report.sheet import RenderedSheet, apply
from perfscore.report.template import Template, load_template
from perfscore.resources import templates_dir
from perfscore.xlsx import io as xlsx

DEFAULT_TEMPLATE = "report.xlsx"
#: 宋体 (SimSun) is not on a Linux server; print it with the Song-style CJK font LibreOffice has.
_SONG = frozenset({"宋体", "SimSun", "新宋体", "NSimSun"})
_SONG_PDF = "Noto Serif CJK SC"


def default_template() -> Path:
    return templates_dir() / DEFAULT_TEMPLATE


def render_report(result: Result, template: Path | None = None) -> RenderedSheet:
    """Render the report of ``result`` with ``template`` (default ``templates/report.xlsx``) as data."""
    return render(load_template(template or default_template()), build_context(result))


#: The name the add-in's generate_report() uses (same function).
render_report_rows = render_report


def write_report(
    workbook_path: Path,
    out: Path | None = None,
    pdf: Path | None = None,
    template: Path | None = None,
) -> Result:
    """(Re)generate the 自评表 sheet of a workbook; optionally export it alone as a PDF."""
    path = Path(workbook_path)
    target = Path(out) if out is not None else path
    result = evaluate(xlsx.read_grid(path))
    tpl = load_template(template or default_template())
    rendered = render(tpl, build_context(result))
    with xlsx.editing(path, target) as (wb, _losses):
        active = wb.active.title if wb.active is not None else None
        if L.REPORT in wb.sheetnames:
            index = wb.sheetnames.index(L.REPORT)
            if active == L.REPORT:
                active = None
            wb.remove(wb[L.REPORT])
        elif L.COVER in wb.sheetnames:
            index = wb.sheetnames.index(L.COVER) + 1
        else:
            index = wb.sheetnames.index(L.META) if L.META in wb.sheetnames else len(wb.sheetnames)
        ws = wb.create_sheet(L.REPORT, index)
        apply(rendered, tpl, ws)
        wb.active = wb.sheetnames.index(active) if active in wb.sheetnames else index
        for sheet in wb.worksheets:  # exactly one selected tab, the active one
            sheet.sheet_view.tabSelected = sheet is wb.active
    if pdf is not None:
        export_pdf(rendered, tpl, Path(pdf))
    return result


def standalone_workbook(rendered: RenderedSheet, template: Template, *, for_pdf: bool = False) -> Workbook:
    """A new workbook holding only the rendered 自评表 sheet (styles, merges and print setup included).

    ``for_pdf``: print 宋体 with the Song-style CJK font LibreOffice has on a Linux server.
    """
    wb = Workbook()
    # Column widths count characters of the default font: Arial 10 has Calibri 11's 7-pixel digit
    # (LibreOffice has Liberation Sans, metric-compatible with Arial, where Calibri falls back to the
    # wider DejaVu Sans), so the printed columns keep the widths the page layout was computed for.
    wb._fonts = IndexedList([Font(name="Arial", size=10, family=2)])
    ws = wb.active
    ws.title = L.REPORT
    apply(rendered, template, ws)
    if for_pdf:
        for row in ws.iter_rows():
            for cell in row:
                if cell.has_style and cell.font.name in _SONG:
                    cell.font = _with_font(cell.font, _SONG_PDF)
    return wb


def save_standalone_report(result: Result, dest: Path, template: Path | None = None) -> Path:
    """Write the report of ``result`` as a workbook of its own (the add-in copies its sheet into Excel)."""
    tpl = load_template(template or default_template())
    standalone_workbook(render(tpl, build_context(result)), tpl).save(dest)
    return dest


def export_pdf(rendered: RenderedSheet, template: Template, pdf: Path) -> None:
    """Print just the report: a temporary workbook holding only the 自评表 sheet, through LibreOffice."""
    pdf = Path(pdf)
    folder = pdf.parent if str(pdf.parent) else Path(".")
    if not folder.is_dir():
        raise WriteError(f"目标文件夹 {folder} 不存在；请先创建该文件夹", path=str(pdf))
    wb = standalone_workbook(rendered, template, for_pdf=True)
    with tempfile.TemporaryDirectory(prefix="perfscore-report-") as tmp:
        src = Path(tmp) / f"{pdf.stem or 'report'}.xlsx"
        wb.save(src)
        made = libreoffice.to_pdf(src, Path(tmp) / "out")
        staged = folder / f".~perfscore-{pdf.name}"
        try:
            shutil.copyfile(made, staged)
            staged.replace(pdf)
        except OSError as exc:
            staged.unlink(missing_ok=True)
            raise WriteError(f"无法写入 PDF（{exc.strerror or exc}）", path=str(pdf)) from None


def _with_font(font: Font, name: str) -> Font:
    new = copy.copy(font)
    new.name = name
    return new
