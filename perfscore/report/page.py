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


def col_points(width: float) -> float:
    """Excel column width (characters of the default font) → points: (w·7 + 5) px at 96 dpi."""
    return (math.trunc(width * 7 + 0.5) + 5) * 0.75


def paper_points(paper: int, landscape: bool) -> tuple[float, float]:
    """(width, height) in points of an Excel paper size (A4 when unknown), as oriented."""
    w, h = _PAPER.get(paper, _PAPER[9])
    return (h, w) if landscape else (w, h)
