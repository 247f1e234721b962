"""A rendered report as plain data (:class:`RenderedSheet`) and the page geometry it is laid out in.

:func:`perfscore.report.render.render` produces a :class:`RenderedSheet`: values, merges, row heights,
page breaks and print setup, with nothing left for the spreadsheet application to compute;
:func:`perfscore.report.sheet.apply` writes it with openpyxl. The geometry shared by the template
(print scale) and the paging (page height) lives here too: :func:`col_points`, :func:`paper_points`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Union

from perfscore.engine.grid import column_letter

Value = Union[None, str, Decimal, int, float]  # noqa: UP007 - a runtime alias
Merge = tuple[int, int, int, int]  # (first row, first col, last row, last col), 1-based

_PAPER = {1: (612.0, 792.0), 8: (842.0, 1191.0), 9: (595.3, 841.9)}  # Letter, A3, A4 (portrait pt)


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

    def matrix(self) -> list[list[Value]]:
        """All values as one rectangle (for a single bulk write), ``None`` where empty."""
        return [
            [self.values.get((r, c)) for c in range(1, self.n_cols + 1)] for r in range(1, self.n_rows + 1)
        ]

    @property
    def print_area(self) -> str:
        return f"A1:{column_letter(self.n_cols)}{self.n_rows}"


@dataclass(frozen=True)
class ColumnMetrics:
    """How wide a column prints. A column width counts digits of the workbook's default font, so its
    size in points depends on that font and on the application that prints it: ``narrow_px`` is the
    narrowest digit (in pixels at 96 dpi) any of them uses, ``wide_px`` the widest. Text is wrapped for
    the narrowest columns (rows are tall enough everywhere) and the print scale fits the widest table
    on the page (it is never cut at the right edge)."""

    narrow_px: int
    wide_px: int


#: perfscore's own PDF: default font Noto Sans CJK SC 10, whose digit LibreOffice prints 7 px wide.
PDF_METRICS = ColumnMetrics(7, 7)


def form_metrics(font_size: float) -> ColumnMetrics:
    """The metrics of a sheet inside a form whose default font is a CJK font of ``font_size`` points
    (宋体 11 in perfscore's forms): its digit is 0.5 em wide in 宋体/SimSun (Excel, WPS) and up to
    0.6 em in the Noto CJK faces LibreOffice substitutes; 7 px is the narrowest default digit."""
    return ColumnMetrics(7, math.ceil(font_size * 4 / 3 * 0.6))


def col_points(width: float, digit_px: int = 7) -> float:
    """Excel column width (digits of the default font) → points: trunc(w·px + 0.5) pixels plus
    Excel's padding of 2·⌈px/4⌉ + 1 pixels, at 96 dpi (5 px padding for the usual 7 px digit)."""
    return (math.trunc(width * digit_px + 0.5) + 2 * math.ceil(digit_px / 4) + 1) * 0.75


def paper_points(paper: int, landscape: bool) -> tuple[float, float]:
    """(width, height) in points of an Excel paper size (A4 when unknown), as oriented."""
    w, h = _PAPER.get(paper, _PAPER[9])
    return (h, w) if landscape else (w, h)
