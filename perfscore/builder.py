"""Build a perfscore workbook from a framework (and optionally a submission) with XlsxWriter.

The content is exactly :func:`perfscore.cells.static_cells` plus, for a filled form,
:func:`perfscore.cells.input_cells`; positions come only from :mod:`perfscore.layout`. This module
adds the look and behaviour: merges, borders, input marking, protection, data validation,
conditional formats, print setup and — in ``udf`` mode — the VBA project and buttons.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter.exceptions import FileCreateError, XlsxWriterException
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import cells as C
from . import layout as L
from .builder_styles import (
    COVER_WIDTHS,
    ERROR_FILL,
    FINDINGS_WIDTHS,
    INDICATOR_WIDTHS,
    LINE_PT,
    ROW_PT,
    WARNING_FILL,
    WORKBOOK_OPTIONS,
    Styles,
    decimal_rule,
    height_for,
    lines_needed,
    rate_rule,
)
from .errors import PerfscoreError, WriteError
from .formulas import MODES
from .framework import Framework
from .grid import parse_ref
from .plan import Formula, PlanValue
from .submission import Submission

#: Fixed document timestamp: two builds of the same input are content-identical.
CREATED = dt.datetime(2023, 1, 1, 0, 0, 0)
PROTECT_OPTIONS = {
    "format_rows": True,
    "format_columns": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}
BUTTONS = (("Calculate", "计算"), ("GenerateReport", "生成报表"))
Pos = tuple[int, int]  # (row, col), 1-based


def build_workbook(
    out: Path,
    fw: Framework,
    *,
    mode: str = "native",
    submission: Submission | None = None,
    extra_sheets: Mapping[str, list[list[str]]] | None = None,
) -> None:
    """Write the workbook for ``fw`` to ``out`` atomically (temp file in the same folder + rename).

    ``mode`` ``native`` needs an ``.xlsx`` name, ``udf`` an ``.xlsm`` one (VBA project and buttons).
    ``extra_sheets`` (name → rows of text) are added after 校验结果, e.g. the add-in's xlwings.conf.
    """
    out = Path(out)
    if mode not in MODES:
        raise PerfscoreError(f"公式模式必须是 {' 或 '.join(MODES)}，而不是 {mode!r}")
    suffix = ".xlsm" if mode == "udf" else ".xlsx"
    if out.suffix.lower() != suffix:
        raise PerfscoreError(f"{mode} 模式的工作簿文件名须以 {suffix} 结尾：{out.name}", path=str(out))
    content = C.static_cells(fw, mode)
    if submission is not None:
        content.update(C.input_cells(fw, submission))
    vba = _vba_project() if mode == "udf" else None
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=suffix, dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        wb = Workbook(str(tmp), WORKBOOK_OPTIONS)
        wb.set_properties({"title": fw.title, "subject": fw.id, "author": "perfscore", "created": CREATED})
        wb.set_calc_mode("auto")
        _Book(wb, fw, content, buttons=vba is not None).build(extra_sheets or {})
        if vba is not None:
            wb.add_vba_project(str(vba))
        wb.close()
        tmp.chmod(_file_mode(out))
        os.replace(tmp, out)
    except (OSError, FileCreateError) as exc:
        tmp.unlink(missing_ok=True)
        raise WriteError(f"无法写入工作簿：{exc}", path=str(out)) from None
    except XlsxWriterException as exc:
        tmp.unlink(missing_ok=True)
        raise PerfscoreError(f"无法生成工作簿：{exc}", path=str(out)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _file_mode(out: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 minus umask."""
    try:
        return out.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _vba_project() -> Path:
    try:
        from .addin_build import vba_project_bin  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        raise PerfscoreError(
            "无法生成 udf 模式（.xlsm）工作簿：缺少 perfscore.addin_build（加载项构建模块）；"
            "请改用 --formulas native，或安装完整的 perfscore"
        ) from None
    path: Path = vba_project_bin()
    return path


class _Sheet:
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
            raise PerfscoreError(f"内部错误：{self.ws.name} 的合并单元格覆盖了内容 {lost[:3]}")
        for r1, c1, r2, c2 in self.merges:
            self.ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", self.formats[(r1, c1)])
        for pos in sorted(set(self.formats) | set(self.values)):
            if pos in covered:
                continue
            _put(self.ws, pos, self.values.get(pos), self.formats.get(pos, default))
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


def _put(ws: Worksheet, pos: Pos, value: PlanValue, f: Format) -> None:
    r, c = pos[0] - 1, pos[1] - 1
    if value is None:
        ws.write_blank(r, c, None, f)
    elif isinstance(value, Formula):
        ws.write_formula(r, c, value.text, f, "")
    elif isinstance(value, str):
        ws.write_string(r, c, value, f)  # never write(): text that starts with "=" stays text
    elif isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value, f)
    elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        ws.write_number(r, c, float(value), f)
    else:  # pragma: no cover - PlanValue admits nothing else
        raise TypeError(f"cannot write {value!r}")


def _setup_print(ws: Worksheet, last_col: int, last_row: int, *, titles: bool) -> None:
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


class _Book:
    def __init__(self, wb: Workbook, fw: Framework, content: C.Cells, *, buttons: bool) -> None:
        self.wb = wb
        self.fw = fw
        self.buttons = buttons
        self.st = Styles(wb)
        self.by_sheet: dict[str, dict[Pos, PlanValue]] = {}
        for (sheet, cell), value in content.items():
            self.by_sheet.setdefault(sheet, {})[parse_ref(cell)] = value

    def build(self, extra_sheets: Mapping[str, list[list[str]]]) -> None:
        known = set(C.sheet_order(self.fw)) | set(extra_sheets)
        stray = set(self.by_sheet) - known
        if stray:
            raise PerfscoreError(f"内部错误：未知工作表 {sorted(stray)}")
        cover = self._cover()
        for sl in L.sheet_layouts(self.fw):
            self._indicator_sheet(sl)
        self._findings()
        for name, rows in extra_sheets.items():
            ws = self.wb.add_worksheet(name)
            for r, line in enumerate(rows):
                for c, text in enumerate(line):
                    ws.write_string(r, c, text)
        self._meta()
        cover.activate()

    def _sheet(self, name: str, widths: tuple[int, ...]) -> _Sheet:
        ws = self.wb.add_worksheet(name)
        return _Sheet(ws, self.by_sheet.get(name, {}), widths)

    # ------------------------------------------------------------------------------ 基本情况
    def _cover(self) -> Worksheet:
        st, cl = self.st, L.cover_layout(self.fw)
        width = cl.width
        sh = self._sheet(L.COVER, COVER_WIDTHS + (14,) * (width - len(COVER_WIDTHS)))
        sh.span(1, 1, 1, width, st.title())
        sh.min_height[1] = 32
        sh.span(2, 1, 2, width, st.section())
        dep_r, dep_c = parse_ref(cl["department"])
        year_r, year_c = parse_ref(cl["year"])
        sh.fmt(dep_r, 1, st.label())
        sh.span(dep_r, dep_c, dep_r, year_c - 2, st.input_text())
        sh.fmt(year_r, year_c - 1, st.label())
        sh.span(year_r, year_c, year_r, width, st.input_number("0"))
        for h in self.fw.header:
            r, c = parse_ref(cl[f"header:{h.key}"])
            sh.fmt(r, 1, st.label())
            if h.kind == "text":
                sh.span(r, c, r, width, st.input_text(top=True))
                sh.min_height[r] = LINE_PT * 4 + 5
            else:
                sh.span(r, c, r, width, st(align="left", bg_color="#FFF2CC", locked=False, num_format="0"))
        br = cl.budget_label_row
        sh.span(br, 1, br + 1, 1, st.label())
        for name in self.fw.budget_fields:
            r, c = parse_ref(cl[f"budget:{name}"])
            sh.fmt(br, c, st.label())
            sh.fmt(r, c, st.input_number("0.00"))
            sh.ws.data_validation(
                r - 1, c - 1, r - 1, c - 1, decimal_rule(Decimal(0), None, "预算金额（万元）")
            )
        sr = cl.summary_first_row
        sh.span(sr, 1, sr, width, st.section())
        for c in range(1, 4):
            sh.fmt(sr + 1, c, st.header())
        for root in self.fw.roots:
            r, _ = parse_ref(cl[f"root:{root.id}"])
            sh.fmt(r, 1, st.label())
            sh.fmt(r, 2, st.center())
            sh.fmt(r, 3, st.total())
        tr, _ = parse_ref(cl["total"])
        sh.fmt(tr, 1, st.label())
        sh.fmt(tr, 2, st.center())
        sh.fmt(tr, 3, st.total())
        gr, gc = parse_ref(cl["grade"])
        sh.fmt(gr, 1, st.label())
        sh.fmt(gr, gc, st.total())
        lr, lc = parse_ref(cl["grade_line"])
        sh.span(lr, lc, lr, width, st(bold=True, align="left"))
        sh.min_height[lr] = LINE_PT * 2 + 5
        for key in ("errors", "warnings", "engine_total", "engine_grade"):
            r, c = parse_ref(cl[key])
            sh.fmt(r, c - 1, st.label())
            sh.fmt(r, c, st.center())
        r, c = parse_ref(cl["checked_at"])
        sh.fmt(r, c - 1, st.label())
        sh.span(r, c, r, width, st(align="center", num_format="yyyy-mm-dd hh:mm:ss"))
        r, c = parse_ref(cl["engine_note"])
        sh.span(r, c, r, width, st.text())
        sh.min_height[r] = LINE_PT * 2 + 5
        sh.write(st.text())
        ws = sh.ws
        if self.buttons:
            self._buttons(ws, 2, width + 1)
        ws.protect("", PROTECT_OPTIONS)
        _setup_print(ws, width, cl.last_row, titles=False)
        ws.set_h_pagebreaks([sr - 1])  # the result summary starts a page, never split
        return ws

    # ---------------------------------------------------------------------- indicator sheets
    def _indicator_sheet(self, sl: L.SheetLayout) -> None:
        st = self.st
        sh = self._sheet(sl.name, INDICATOR_WIDTHS)
        ws = sh.ws
        sh.span(L.TITLE_ROW, 1, L.TITLE_ROW, L.PRINTED_COLUMNS, st.title())
        sh.min_height[L.TITLE_ROW] = 32
        for col in range(1, len(L.COLUMNS) + 1):
            sh.fmt(L.HEADER_ROW, col, st.header())
        leaves = list(sl.group.leaves())
        for level, cols in ((1, (L.C_L1, L.C_L1W)), (2, (L.C_L2, L.C_L2W))):
            groups: dict[str, list[int]] = {}
            for leaf in leaves:
                groups.setdefault(".".join(leaf.id.split(".")[:level]), []).append(sl.rows[leaf.id])
            for rows in groups.values():
                for col in cols:
                    sh.span(min(rows), col, max(rows), col, st.center())
        for leaf in leaves:
            r = sl.rows[leaf.id]
            sh.min_height[r] = LINE_PT * 2 + 8  # room to type a reason (rows can be resized)
            sh.fmt(r, L.C_NAME, st.text())
            sh.fmt(r, L.C_WEIGHT, st.center())
            sh.fmt(r, L.C_EXPLAIN, st.text())
            sh.fmt(r, L.C_SCORE, st.input_number())
            sh.fmt(r, L.C_REASON, st.input_text())
            sh.fmt(r, L.C_MEASURE, st.input_text())
            sh.fmt(r, L.C_STATUS, st(align="left", valign="top"))
            sh.fmt(r, L.C_ID, st.center())
            ws.data_validation(
                r - 1, L.C_SCORE - 1, r - 1, L.C_SCORE - 1, decimal_rule(Decimal(0), leaf.weight, "得分")
            )
            if leaf.rule:
                sh.fmt(r, L.C_RATE, st.input_number("0%"))
                sh.fmt(r, L.C_SUGGEST, st.center())
                ws.data_validation(r - 1, L.C_RATE - 1, r - 1, L.C_RATE - 1, rate_rule())
            else:
                sh.fmt(r, L.C_RATE, st.disabled())
                sh.fmt(r, L.C_SUGGEST, st.disabled())
        for r in sl.subtotal_rows.values():
            for col in (L.C_NAME, L.C_WEIGHT, L.C_EXPLAIN, L.C_SCORE):
                sh.fmt(
                    r, col, st.total() if col != L.C_NAME else st(bold=True, align="left", bg_color="#E2EFDA")
                )
        first, last = min(sl.rows.values()), max(sl.rows.values())
        scores = f"H{first}:H{last}"
        for mark, fill in (("✖", ERROR_FILL), ("⚠", WARNING_FILL)):
            rule = {
                "type": "formula",
                "criteria": f'=LEFT($M{first},1)="{mark}"',
                "format": self.wb.add_format({"bg_color": fill}),
            }
            ws.conditional_format(scores, rule)
        sh.write(st.text())
        ws.set_column(L.C_ID - 1, L.C_ID - 1, INDICATOR_WIDTHS[L.C_ID - 1], None, {"hidden": True})
        ws.freeze_panes(L.HEADER_ROW, 0)
        if self.buttons:
            self._buttons(ws, 0, L.C_STATUS)
        ws.protect("", PROTECT_OPTIONS)
        _setup_print(ws, L.PRINTED_COLUMNS, sl.last_row, titles=True)

    # ------------------------------------------------------------------ 校验结果, _perfscore
    def _findings(self) -> None:
        st = self.st
        sh = self._sheet(L.FINDINGS, FINDINGS_WIDTHS)
        sh.span(1, 1, 1, len(L.FINDINGS_COLUMNS), st(bold=True, align="left", border=0, font_size=12))
        sh.min_height[1] = 24
        for col in range(1, len(L.FINDINGS_COLUMNS) + 1):
            sh.fmt(2, col, st.header())
        sh.write(st.text())
        ws = sh.ws
        ws.set_column(4, 4, FINDINGS_WIDTHS[4], st(border=0, text_wrap=True, align="left"))
        ws.freeze_panes(2, 0)
        ws.protect("", PROTECT_OPTIONS)
        _setup_print(ws, len(L.FINDINGS_COLUMNS), 0, titles=True)  # no print area: all findings

    def _meta(self) -> None:
        sh = self._sheet(L.META, (20, 30))
        sh.write(self.st(border=0, text_wrap=False))
        sh.ws.hide()
        sh.ws.protect("", PROTECT_OPTIONS)

    def _buttons(self, ws: Worksheet, row: int, col: int) -> None:
        for n, (macro, caption) in enumerate(BUTTONS):
            options: dict[str, Any] = {"macro": macro, "caption": caption, "width": 96, "height": 28}
            if row == 0:  # indicator sheets: side by side in the title row, right of the print area
                options["x_offset"] = 4 + n * 104
                options["y_offset"] = 6
                ws.insert_button(row, col - 1, options)
            else:  # cover: stacked to the right of the form
                ws.insert_button(row + 2 * n, col - 1, options)
