"""A rendered report as plain data (:class:`RenderedSheet`), and :func:`apply`, which writes it with openpyxl.

:func:`perfscore.report_render.render` produces a :class:`RenderedSheet`: values, merges, row heights,
page breaks and print setup, with nothing left for the spreadsheet application to compute. The
command line writes it with :func:`apply`; the Excel add-in writes the same data through xlwings
(:class:`CellStyle` is the simplified style it can set there).

The page geometry shared by the template (print scale) and the paging (page height) lives here too:
:func:`col_points` and :func:`paper_points`.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Union

from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.pagebreak import Break, RowBreak

if TYPE_CHECKING:
    from perfscore.report.template import Template

Value = Union[None, str, Decimal, int, float]  # noqa: UP007 - a runtime alias
Merge = tuple[int, int, int, int]  # (first row, first col, last row, last col), 1-based

_PAPER = {1: (612.0, 792.0), 8: (842.0, 1191.0), 9: (595.3, 841.9)}  # Letter, A3, A4 (portrait pt)


@dataclass(frozen=True)
class CellStyle:
    """A simplified style, for front ends that cannot copy openpyxl styles (the xlwings add-in)."""

    font_name: str | None
    font_size: float
    bold: bool
    h_align: str | None
    v_align: str | None
    wrap: bool
    border: bool


@dataclass(frozen=True)
class PageSpec:
    landscape: bool
    paper_size: int
    scale: int
    margins: tuple[float, float, float, float, float, float]  # left, right, top, bottom, header, footer (in)
    center_horizontally: bool
    footer: str


@dataclass
class RenderedSheet:
    """A rendered report as plain data. Rows/columns are 1-based; merges are (r1, c1, r2, c2)."""

    template: str
    n_rows: int
    n_cols: int
    values: dict[tuple[int, int], Value]
    source_rows: dict[int, int]  # output row -> template row its styles come from
    merges: list[Merge]
    row_heights: dict[int, float]
    col_widths: dict[int, float]
    row_breaks: list[int]  # a page ends after each of these rows
    print_title_rows: tuple[int, int] | None
    page: PageSpec
    styles: dict[tuple[int, int], CellStyle] = field(default_factory=dict)  # by template (row, col)

    def matrix(self) -> list[list[Value]]:
        """All values as one rectangle (for a single bulk write), ``None`` where empty."""
        return [
            [self.values.get((r, c)) for c in range(1, self.n_cols + 1)] for r in range(1, self.n_rows + 1)
        ]

    def style(self, row: int, col: int) -> CellStyle | None:
        return self.styles.get((self.source_rows.get(row, 0), col))

    @property
    def print_area(self) -> str:
        return f"A1:{get_column_letter(self.n_cols)}{self.n_rows}"


def col_points(width: float) -> float:
    """Excel column width (characters of the default font) → points: (w·7 + 5) px at 96 dpi."""
    return (math.trunc(width * 7 + 0.5) + 5) * 0.75


def paper_points(paper: int, landscape: bool) -> tuple[float, float]:
    """(width, height) in points of an Excel paper size (A4 when unknown), as oriented."""
    w, h = _PAPER.get(paper, _PAPER[9])
    return (h, w) if landscape else (w, h)


# ------------------------------------------------------------------------------------ openpyxl


def apply(rendered: RenderedSheet, template: Template, ws: Any) -> None:
    """Write a rendered sheet into an empty openpyxl worksheet: values, styles, merges, print setup."""
    _write_rows(rendered, template.ws, ws)
    for c, w in rendered.col_widths.items():
        ws.column_dimensions[get_column_letter(c)].width = w
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
                cell.value = v
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
