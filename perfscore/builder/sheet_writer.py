"""Writing one worksheet with XlsxWriter: formats and merges first, then values and fitted row heights.

:class:`SheetWriter` collects a sheet's formats, merges and minimum row heights, then writes every
cell once (:meth:`SheetWriter.write`): a merge never hides content, text is always written as text,
and rows grow to fit their wrapped text. :func:`setup_print` and :func:`insert_buttons` are the print
setup and macro buttons the workbook's sheets share.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from perfscore.engine import layout as L
from perfscore.engine import xml_text
from perfscore.engine.grid import Formula, PlanValue
from perfscore.engine.text import ROW_PT, height_for, lines_needed
from perfscore.errors import InternalError

PROTECT_OPTIONS = {
    "format_rows": True,
    "format_columns": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}
BUTTONS = (("Calculate", "计算"), ("GenerateReport", "生成报表"))
Pos = tuple[int, int]  # (row, col), 1-based


class SheetWriter:
    """One worksheet being laid out: formats and merges first, then values, heights, writing."""

    def __init__(self, ws: Worksheet, values: dict[Pos, PlanValue], widths: tuple[int, ...]) -> None:
        self.ws = ws
        self.values = values
        self.widths = widths
        self.formats: dict[Pos, Format] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.min_height: dict[int, float] = {}
        for n, w in enumerate(widths):
            ws.set_column(n, n, w)

    def fmt(self, row: int, col: int, f: Format) -> None:
        self.formats[(row, col)] = f

    def span(self, row: int, col: int, last_row: int, last_col: int, f: Format) -> None:
        """Format a rectangle; merge it when it is more than one cell."""
        for r in range(row, last_row + 1):
            for c in range(col, last_col + 1):
                self.formats[(r, c)] = f
        if (row, col) != (last_row, last_col):
            self.merges.append((row, col, last_row, last_col))

    def width(self, col: int, last_col: int | None = None) -> float:
        cols = range(col, (last_col or col) + 1)
        return sum(self.widths[c - 1] if c <= len(self.widths) else 8.43 for c in cols)

    def write(self, default: Format) -> None:
        covered: set[Pos] = set()
        for r1, c1, r2, c2 in self.merges:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        covered.add((r, c))
        lost = sorted(p for p in covered if self.values.get(p) is not None)
        if lost:
            raise InternalError(f"内部错误：{self.ws.name} 的合并单元格覆盖了内容 {lost[:3]}")
        for r1, c1, r2, c2 in self.merges:
            self.ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", self.formats[(r1, c1)])
        for pos in sorted(set(self.formats) | set(self.values)):
            if pos in covered:
                continue
            write_value(self.ws, pos, self.values.get(pos), self.formats.get(pos, default))
        self._heights()

    def _heights(self) -> None:
        need: dict[int, float] = {r: ROW_PT for r, _ in self.formats}
        need.update(self.min_height)
        merged_at = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in self.merges}
        spans: list[tuple[int, int, float]] = []
        for (r, c), v in self.values.items():
            if not isinstance(v, str) or not v:
                continue
            r2, c2 = merged_at.get((r, c), (r, c))
            h = height_for(lines_needed(v, self.width(c, c2)))
            if r2 == r:
                need[r] = max(need.get(r, 0.0), h)
            else:
                spans.append((r, r2, h))
        for r1, r2, h in spans:
            rows = range(r1, r2 + 1)
            have = sum(need.get(r, ROW_PT) for r in rows)
            if have < h:
                extra = (h - have) / len(rows)
                for r in rows:
                    need[r] = need.get(r, ROW_PT) + extra
        for r, h in need.items():
            self.ws.set_row(r - 1, round(h, 1))


def write_value(ws: Worksheet, pos: Pos, value: PlanValue, f: Format) -> None:
    r, c = pos[0] - 1, pos[1] - 1
    if value is None:
        ws.write_blank(r, c, None, f)
    elif isinstance(value, Formula):
        ws.write_formula(r, c, value.text, f, _result(value.value))
    elif isinstance(value, str):
        ws.write_string(r, c, value, f)  # never write(): text that starts with "=" stays text
    elif isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value, f)
    elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        ws.write_number(r, c, float(value), f)
    else:  # pragma: no cover - PlanValue admits nothing else
        raise TypeError(f"cannot write {value!r}")


def _result(value: object) -> float | str:
    """A formula's cached result as XlsxWriter takes it (a number or a text; "" when unknown)."""
    if isinstance(value, Decimal):
        return float(value)
    return "" if value is None else xml_text.encode(str(value))  # XlsxWriter escapes no <v> text


def setup_print(ws: Worksheet, last_col: int, last_row: int, *, titles: bool) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if last_row:
        ws.print_area(0, 0, last_row - 1, last_col - 1)
    if titles:
        ws.repeat_rows(L.TITLE_ROW - 1, L.HEADER_ROW - 1)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.5, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页 共 &N 页")


def insert_buttons(ws: Worksheet, row: int, col: int) -> None:
    """The 计算 and 生成报表 macro buttons (``udf`` mode)."""
    for n, (macro, caption) in enumerate(BUTTONS):
        options: dict[str, Any] = {"macro": macro, "caption": caption, "width": 96, "height": 28}
        if row == 0:  # indicator sheets: side by side in the title row, right of the print area
            options["x_offset"] = 4 + n * 104
            options["y_offset"] = 6
            ws.insert_button(row, col - 1, options)
        else:  # cover: stacked to the right of the form
            ws.insert_button(row + 2 * n, col - 1, options)
