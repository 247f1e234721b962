"""Writing a rendered report with openpyxl: into a worksheet (:func:`apply`) or a workbook of its own.

The styles of every cell are copied from the template cell it was rendered from; values are written
as they are (text always as text, never a formula).
"""

from __future__ import annotations

import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.pagebreak import Break, RowBreak

from perfscore.engine import layout as L
from perfscore.engine import xml_text
from perfscore.engine.grid import column_letter
from perfscore.report import libreoffice
from perfscore.report.page import RenderedSheet
from perfscore.report.template import Template


def apply(rendered: RenderedSheet, template: Template, ws: Any) -> None:
    """Write a rendered sheet into an empty openpyxl worksheet: values, styles, merges, print setup."""
    _write_rows(rendered, template.ws, ws)
    for c, w in rendered.col_widths.items():
        ws.column_dimensions[column_letter(c)].width = w
    for r1, c1, r2, c2 in rendered.merges:
        if (r1, c1) != (r2, c2):
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    _print_setup(rendered, template.ws, ws)


def _write_rows(rendered: RenderedSheet, tws: Any, ws: Any) -> None:
    """Values and heights of every row, each cell styled as its template cell."""
    for r in range(1, rendered.n_rows + 1):
        tr = rendered.source_rows[r]
        for c in range(1, rendered.n_cols + 1):
            v = rendered.values.get((r, c))
            tc = tws._cells.get((tr, c))  # avoid creating cells in the template
            if v is None and (tc is None or not tc.has_style):
                continue
            cell = ws.cell(row=r, column=c)
            if tc is not None and tc.has_style:
                _copy_style(tc, cell)
            if isinstance(v, str):
                cell.value = xml_text.encode(v)  # openpyxl stores text verbatim
                cell.data_type = "s"  # text, never a formula
                if v[:1] in ("=", "+", "-", "@"):
                    cell.quotePrefix = True
            elif v is not None:
                cell.value = v
        ws.row_dimensions[r].height = rendered.row_heights[r]


def _copy_style(source: Any, cell: Any) -> None:
    cell.font = copy.copy(source.font)
    cell.border = copy.copy(source.border)
    cell.fill = copy.copy(source.fill)
    cell.number_format = source.number_format
    cell.alignment = copy.copy(source.alignment)
    cell.protection = copy.copy(source.protection)


def _print_setup(rendered: RenderedSheet, tws: Any, ws: Any) -> None:
    """Paper, fixed scale, margins, header/footer, print area, title rows and the manual page breaks."""
    page = rendered.page
    ws.page_setup.orientation = "landscape" if page.landscape else "portrait"
    ws.page_setup.paperSize = page.paper_size
    ws.page_setup.scale = page.scale
    ws.sheet_properties.pageSetUpPr = None
    left, right, top, bottom, header, footer = page.margins
    ws.page_margins.left, ws.page_margins.right = left, right
    ws.page_margins.top, ws.page_margins.bottom = top, bottom
    ws.page_margins.header, ws.page_margins.footer = header, footer
    ws.print_options.horizontalCentered = page.center_horizontally
    ws.HeaderFooter = copy.copy(tws.HeaderFooter)
    ws.sheet_view.showGridLines = tws.sheet_view.showGridLines
    ws.print_area = rendered.print_area
    if rendered.print_title_rows:
        a, b = rendered.print_title_rows
        ws.print_title_rows = f"{a}:{b}"
    ws.row_breaks = RowBreak()
    for b in rendered.row_breaks:
        ws.row_breaks.append(Break(id=b))


def standalone_workbook(rendered: RenderedSheet, template: Template, *, for_pdf: bool = False) -> Workbook:
    """A new workbook holding only the rendered 自评表 sheet (styles, merges and print setup included).

    Its default font is the forms' (宋体 11), so the sheet copied into a form keeps its widths
    (render it with :func:`perfscore.report.page.form_metrics`). ``for_pdf``: a workbook for perfscore's
    own LibreOffice run instead (render it with :data:`~perfscore.report.page.PDF_METRICS`): default
    font Noto Sans CJK SC 10, whose digit prints 7 px wide, and every cell's font the Noto CJK face
    of its kind (Song/serif faces Noto Serif CJK SC, the rest Noto Sans CJK SC).
    """
    wb = Workbook()
    if for_pdf:
        wb._fonts = IndexedList([Font(name=libreoffice.SANS, size=10, family=2)])
    else:
        wb._fonts = IndexedList([Font(name=L.FORM_FONT, size=L.FORM_FONT_SIZE, family=3, charset=134)])
    ws = wb.active
    ws.title = L.REPORT
    apply(rendered, template, ws)
    if for_pdf:
        serif = set(libreoffice.SERIF_FAMILIES)
        for row in ws.iter_rows():
            for cell in row:
                if cell.has_style:
                    face = libreoffice.SERIF if cell.font.name in serif else libreoffice.SANS
                    cell.font = _with_font(cell.font, face)
    return wb


def _with_font(font: Font, name: str) -> Font:
    new = copy.copy(font)
    new.name = name
    return new
