"""Test fixtures: 自评表 PDFs "of the published layout", made independently of perfscore's report.

Departments lay the form out in a spreadsheet of their own and publish the PDF. This module does the
same with openpyxl — one sheet, thin borders, wrapped text, A4 landscape fitted to one page wide, the
indicator table's header repeated on every page — without perfscore's report templates or renderer,
and LibreOffice prints it. The column widths are parameters, so the same submission can be printed
with its text wrapped differently.

* :func:`department_workbook` — the 部门整体支出绩效自评表 as the published 2022 增城区 form prints it
  (``shared/seed/000_*.txt``): title, 部门基本情况, 年度部门预算情况, the indicator table, 总分, 评价等级.
* :func:`project_workbook` — the 项目支出绩效自评表 of 财预〔2020〕10号; its computed figures (执行率,
  预算执行 得分, 总分, 等级) are perfscore's own, through the library front door.
* :func:`convert` — many workbooks to PDF in one LibreOffice run.
* :func:`long_reasons` — a copy of a submission with 300+ character reasons (typed line breaks).

LibreOffice keeps the explicit row heights of an openpyxl file (and does not grow rows without one),
so every row height is estimated here from its text, the cell's width and the font (Noto CJK, which
the 宋体 the cells name maps to under perfscore's font configuration). Page breaks are placed here
too, at whole rows, and the 一级/二级 cells merged down a group are split at each break and their
value repeated, as the published form does (its 管理效率 and 预算执行 reappear at the top of page 2).
"""

from __future__ import annotations

import copy
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

from perfscore.engine.framework import Framework, Indicator
from perfscore.engine.project.model import ProjectFramework
from perfscore.report.libreoffice import convert_many

#: The department table's columns, as printed.
DEPARTMENT_COLUMNS = (
    "一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "指标解释", "得分/自评分", "未达标原因", "改进措施",
)  # fmt: skip
#: Default widths (openpyxl units) near the published form's proportions: 指标解释 wraps after about
#: 15 characters, 未达标原因 after 20, 改进措施 after 12, 三级指标 after 7.
DEPARTMENT_WIDTHS = (9.0, 5.0, 9.0, 5.0, 13.0, 5.0, 26.0, 10.0, 34.0, 21.0)
#: The project table's columns after the section label column (绩效指标).
PROJECT_COLUMNS = (
    "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施",
)  # fmt: skip
#: Default widths of the project form's 9 columns: the section labels, then :data:`PROJECT_COLUMNS`.
PROJECT_WIDTHS = (9.0, 9.0, 11.0, 22.0, 15.0, 12.0, 7.0, 9.0, 28.0)

FONT = "宋体"
#: Points one openpyxl width unit takes when LibreOffice prints at 100 % (measured: width 10 → 61 pt).
PT_PER_WIDTH = 6.1
#: Line pitch of Noto CJK in a LibreOffice cell, in em (measured: 14.4 pt at 10 pt, 17.2 at 12).
LINE_EM = 1.44
#: Horizontal room the cell padding takes from a cell's width, and vertical room added to its lines.
PAD_X, PAD_Y = 4.0, 6.0
A4_LANDSCAPE = (841.89, 595.28)
#: Page margins in inches (left, right, top, bottom); no header or footer is printed.
MARGINS = (0.6, 0.6, 0.7, 0.7)
#: The share of a page's printable height the page breaks fill at most (estimates are estimates).
PAGE_FILL = 0.96

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
#: Header fields whose label the published form breaks by hand.
_LABELS = {"年度整体绩效目标": "年度整体\n绩效目标", "年度总体目标": "年度总体\n目标"}


# ------------------------------------------------------------------------------ text metrics


def char_em(ch: str) -> float:
    """A character's advance in em: CJK (and ambiguous-width symbols such as “ ≤ ☑) 1, Latin less."""
    if unicodedata.east_asian_width(ch) in "WFA":
        return 1.0
    if ch.isdigit():
        return 0.55
    if ch in " .,:;'!|il":
        return 0.3
    return 0.7


def text_points(text: str, size: float) -> float:
    return sum(char_em(ch) for ch in text) * size


def _tokens(paragraph: str) -> list[str]:
    """Break units: each CJK character alone; a run of other characters up to a space, the space kept."""
    out: list[str] = []
    word = ""
    for ch in paragraph:
        if unicodedata.east_asian_width(ch) in "WFA":
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        else:
            word += ch
            if ch == " ":
                out.append(word)
                word = ""
    if word:
        out.append(word)
    return out


def wrapped_lines(text: str, width_pt: float, size: float) -> int:
    """Lines ``text`` takes in a wrapping cell ``width_pt`` wide: greedy, a CJK character breaks
    anywhere, a Latin word only at spaces unless it is longer than a line (then anywhere)."""
    avail = max(width_pt - PAD_X, size)
    lines = 0
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        lines += 1
        used = 0.0
        for token in _tokens(paragraph):
            w = text_points(token, size)
            if used + w <= avail:
                used += w
                continue
            if w <= avail:
                lines += 1 if used > 0 else 0
                used = w
                continue
            for ch in token:  # a word longer than a line: broken anywhere
                cw = text_points(ch, size)
                if used + cw > avail and used > 0:
                    lines += 1
                    used = 0.0
                used += cw
    return lines


def text_height(text: str, width_pt: float, size: float) -> float:
    """Points a wrapping cell ``width_pt`` wide needs to show ``text`` whole."""
    return wrapped_lines(text, width_pt, size) * LINE_EM * size + PAD_Y


# ------------------------------------------------------------------------------ values


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def plain(value: Decimal) -> str:
    """A number as the published form prints it: 536.58, 0, 12.5 (no exponent, no trailing zeros)."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def two_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------------------ the sheet writer


@dataclass
class _Run:
    """A cell merged down rows ``first``..``last`` that is split at page breaks, its value repeated."""

    col: int
    last_col: int
    first: int
    last: int
    value: Any


@dataclass
class _Sheet:
    """One worksheet being laid out: cells are written at once; row heights, page breaks and the
    merges of :class:`_Run` cells are settled by :meth:`finish`."""

    ws: Any
    widths: tuple[float, ...]
    size: float
    needs: dict[int, float] = field(default_factory=dict)  # row -> points its cells need
    blocks: list[tuple[int, int, float]] = field(default_factory=list)  # merged down: rows, points
    runs: list[_Run] = field(default_factory=list)
    keep: list[tuple[int, int]] = field(default_factory=list)  # rows not to be split by a page break
    title_row: int | None = None  # the table header, repeated on every page
    breaks: list[int] = field(default_factory=list)  # rows after which a page ends

    def width_pt(self, col: int, last_col: int | None = None) -> float:
        return PT_PER_WIDTH * sum(self.widths[col - 1 : (last_col or col)])

    def need(self, row: int, points: float) -> None:
        self.needs[row] = max(self.needs.get(row, 0.0), points)

    def cell(
        self,
        row: int,
        col: int,
        value: Any,
        *,
        last_col: int | None = None,
        last_row: int | None = None,
        align: str = "center",
        bold: bool = False,
        size: float | None = None,
        border: bool = True,
        number: bool = False,
    ) -> None:
        """Write ``value`` at (row, col), merged to (last_row, last_col); ``number``: a decimal string
        becomes a number cell when it fits the cell unwrapped (a number never wraps; text does)."""
        last_col = last_col or col
        last_row = last_row or row
        size = size or self.size
        width = self.width_pt(col, last_col)
        if number and isinstance(value, str) and (d := _decimal(value)) is not None:
            shown = plain(d)
            if text_points(shown, size) <= width - PAD_X:
                value = int(d) if d == d.to_integral_value() else float(d)
        text = "" if value is None else (value if isinstance(value, str) else plain(Decimal(str(value))))
        target = self.ws.cell(row, col)
        target.value = value
        for r in range(row, last_row + 1):
            for c in range(col, last_col + 1):
                cell = self.ws.cell(r, c)
                cell.font = Font(name=FONT, size=size, bold=bold)
                cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
                if border:
                    cell.border = _BORDER
        if last_row > row or last_col > col:
            self.ws.merge_cells(start_row=row, start_column=col, end_row=last_row, end_column=last_col)
        height = text_height(text, width, size) if text else LINE_EM * size + PAD_Y
        if last_row == row:
            self.need(row, height)
        else:
            self.blocks.append((row, last_row, height))

    def run(self, col: int, first: int, last: int, value: Any, *, last_col: int | None = None) -> None:
        """A group cell (一级/二级 name or weight) merged down ``first``..``last``, split at page breaks."""
        self.runs.append(_Run(col, last_col or col, first, last, value))

    def parts(self, text: str, col: int, last_col: int) -> list[str]:
        """``text`` cut at typed line breaks into pieces that each fit well within a page."""
        limit, width = 0.9 * self.capacity(), self.width_pt(col, last_col)
        out: list[str] = []
        piece: list[str] = []
        for paragraph in text.split("\n"):
            if piece and text_height("\n".join([*piece, paragraph]), width, self.size) > limit:
                out.append("\n".join(piece))
                piece = []
            piece.append(paragraph)
        out.append("\n".join(piece))
        return out

    # -------------------------------------------------------------------------- finishing

    def finish(self) -> None:
        """Row heights, page breaks, the runs' merges and the page setup."""
        rows = max(self.ws.max_row, max(self.needs, default=1))
        heights = {r: self.needs.get(r, LINE_EM * self.size + PAD_Y) for r in range(1, rows + 1)}
        for first, last, points in self.blocks:
            _stretch(heights, first, last, points)
        for _ in range(10):  # a run split at a break needs room on both sides: settle
            for run in self.runs:
                _stretch(heights, run.first, run.last, self._run_height(run))
            self.breaks = self._paginate(heights)
            pieces = list(self._pieces())
            short = [(a, b, h) for a, b, h in pieces if sum(heights[r] for r in range(a, b + 1)) < h - 0.01]
            if not short:
                break
            for a, b, h in short:
                _stretch(heights, a, b, h)
        for r, h in heights.items():
            self.ws.row_dimensions[r].height = round(h + 0.5)
        for run in self.runs:
            for first, last in self._split(run.first, run.last):
                self.cell(first, run.col, run.value, last_col=run.last_col, last_row=last, number=True)
        # The cells written just now only added needs already met; the breaks stand.
        ws = self.ws
        for r in self.breaks:
            ws.row_breaks.append(Break(id=r))
        if self.title_row is not None:
            ws.print_title_rows = f"{self.title_row}:{self.title_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        left, right, top, bottom = MARGINS
        ws.page_margins = PageMargins(left=left, right=right, top=top, bottom=bottom, header=0.3, footer=0.3)
        ws.print_options.horizontalCentered = True
        for n, w in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(n)].width = w

    def _run_height(self, run: _Run) -> float:
        text = "" if run.value is None else str(run.value)
        return text_height(text, self.width_pt(run.col, run.last_col), self.size)

    def _pieces(self) -> Iterable[tuple[int, int, float]]:
        for run in self.runs:
            for first, last in self._split(run.first, run.last):
                yield first, last, self._run_height(run)

    def _split(self, first: int, last: int) -> list[tuple[int, int]]:
        out = []
        start = first
        for b in self.breaks:
            if start <= b < last:
                out.append((start, b))
                start = b + 1
        out.append((start, last))
        return out

    def capacity(self) -> float:
        """Sheet points one page holds: the printable height at the fit-to-width scale."""
        page_w, page_h = A4_LANDSCAPE
        left, right, top, bottom = MARGINS
        scale = min(1.0, (page_w - 72 * (left + right)) / (PT_PER_WIDTH * sum(self.widths)))
        return (page_h - 72 * (top + bottom)) * PAGE_FILL / scale

    def _paginate(self, heights: Mapping[int, float]) -> list[int]:
        cap = self.capacity()
        title = heights[self.title_row] if self.title_row is not None else 0.0
        keep_end = {a: b for a, b in self.keep}
        breaks: list[int] = []
        used = 0.0
        r, last = 1, len(heights)
        while r <= last:
            end = keep_end.get(r, r)
            block = sum(heights[i] for i in range(r, end + 1))
            top = title if self.title_row is not None and r > self.title_row else 0.0
            if block > cap - top:
                raise ValueError(
                    f"rows {r}–{end} need {block:.0f} pt, more than a page holds ({cap - top:.0f} pt): "
                    "shorten the text or widen the columns"
                )
            if used + block > cap and used > 0:
                breaks.append(r - 1)
                used = title if self.title_row is not None and r > self.title_row else 0.0
            used += block
            r = end + 1
        return breaks


def _stretch(heights: dict[int, float], first: int, last: int, points: float) -> None:
    """Grow the last of rows first..last until together they are ``points`` high."""
    have = sum(heights[r] for r in range(first, last + 1))
    if have < points:
        heights[last] += points - have


def _sheet(widths: Sequence[float] | None, default: Sequence[float], font_size: float) -> tuple[Any, _Sheet]:
    chosen = tuple(float(w) for w in (widths if widths is not None else default))
    if len(chosen) != len(default) or min(chosen) <= 0:
        raise ValueError(f"widths: {len(default)} positive column widths expected, got {widths!r}")
    wb = Workbook()
    ws = wb.active
    return wb, _Sheet(ws, chosen, font_size)


def grade_text(bands: Sequence[Any], ticked: str | None) -> str:
    """The 评价等级 cell as the published form prints it, two bands a line::

    ☑优  90分≤得分≤100分； □良  80分≤得分＜90分；
    □中  60分≤得分＜80分；  □差  得分＜60分
    """
    parts = [f"{'☑' if b.grade == ticked else '□'}{b.grade}  {b.label}" for b in bands]
    lines = []
    for n in range(0, len(parts), 2):
        pair = parts[n : n + 2]
        last = n + 2 >= len(parts)
        lines.append("；  ".join(pair) if last else "； ".join(pair) + "；")
    return "\n".join(lines)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


# ------------------------------------------------------------------------------ department form


def department_total(data: Mapping[str, Any]) -> Decimal:
    """Σ 得分 of the submission's indicators, exact, rounded half-up to 0.01 (90.77 for the seed)."""
    total = sum((_decimal(i.get("score")) or Decimal(0) for i in data["indicators"]), Decimal(0))
    return two_places(total)


def department_workbook(
    data: Mapping[str, Any],
    fw: Framework,
    path: Path,
    *,
    widths: Sequence[float] | None = None,
    total: str | None = None,
    font_size: float = 10,
    grade_box: str | None = None,
    blank_placeholders: bool = False,
) -> Path:
    """Write the 部门整体支出绩效自评表 of submission ``data`` (the JSON exchange form) to ``path``.

    ``widths``: the 10 table columns' widths (default :data:`DEPARTMENT_WIDTHS`); ``total``: the
    figure printed as 总分 instead of Σ 得分 (an altered total); ``grade_box``: the grade ticked instead
    of the total's; ``blank_placeholders``: print a placeholder indicator (the seed's second 采购管理
    row, whose name the published PDF lost) with no name and no 指标解释, as the published form shows it.
    """
    wb, s = _sheet(widths, DEPARTMENT_WIDTHS, font_size)
    n = len(DEPARTMENT_COLUMNS)
    header = data.get("header") or {}
    s.cell(1, 1, f"{data['year']}年度{data['department']}部门整体支出绩效自评表", last_col=n,
           bold=True, size=font_size + 6, border=False)  # fmt: skip
    s.cell(2, 1, "部门基本情况", last_col=n, bold=True)
    s.cell(3, 1, "部门名称")
    s.cell(3, 2, _text(data["department"]), last_col=6)
    s.cell(3, 7, "单位数：")
    s.cell(3, 8, _text(header.get("单位数")), last_col=n, number=True)
    row = 4
    for h in fw.header:
        if h.kind != "text":
            continue
        label = _LABELS.get(h.key, h.key)
        parts = s.parts(_text(header.get(h.key)), 2, n)
        for k, part in enumerate(parts):
            s.cell(row + k, 2, part, last_col=n, align="left")
        if len(parts) == 1:
            s.cell(row, 1, label)
        else:  # too tall for a page: several rows, the label merged down them (split at breaks)
            s.run(1, row, row + len(parts) - 1, label)
        row += len(parts)
    row = _department_budget(s, fw, data, row)
    row = _department_table(s, fw, data, row, blank_placeholders=blank_placeholders)
    computed = department_total(data)
    s.cell(row, 1, "总分")
    s.cell(row, 2, plain(fw.total_weight), number=True)
    s.cell(row, 3, None, last_col=7)
    s.cell(row, 8, total if total is not None else plain(computed), number=total is None)
    s.cell(row, 9, None, last_col=n)
    s.cell(row + 1, 1, "评价等级")
    ticked = grade_box if grade_box is not None else fw.grade(computed)
    s.cell(row + 1, 2, grade_text(fw.bands, ticked), last_col=n, align="left")
    s.keep.append((row, row + 1))
    s.finish()
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _department_budget(s: _Sheet, fw: Framework, data: Mapping[str, Any], row: int) -> int:
    """年度部门预算情况: label and 总预算 merged down, three category groups, the values row."""
    budget = data.get("budget") or {}
    fields = list(fw.budget_fields)
    s.cell(row, 1, "年度部门\n预算情况", last_row=row + 3)
    s.cell(row, 2, f"{fields[0]}\n（{fw.budget_unit}）", last_col=3, last_row=row + 2)
    s.cell(row, 4, "年度预算资金类别", last_col=10)
    # Six categories over columns D..J: the first takes D:E (D alone is a narrow 分值 column).
    spans = [(4, 5), (6, 6), (7, 7), (8, 8), (9, 9), (10, 10)]
    groups = [("部门预算", 0, 1), ("事业发展支出", 2, 3), ("事业发展支出(按预算级次划分)", 4, 5)]
    for name, a, b in groups:
        s.cell(row + 1, spans[a][0], name, last_col=spans[b][1])
    for (c, last), key in zip(spans, fields[1:], strict=True):
        s.cell(row + 2, c, key, last_col=last)
    s.cell(row + 3, 2, _text(budget.get(fields[0])), last_col=3, number=True)
    for (c, last), key in zip(spans, fields[1:], strict=True):
        s.cell(row + 3, c, _text(budget.get(key)), last_col=last, number=True)
    s.keep.append((row, row + 3))
    return row + 4


def _department_table(
    s: _Sheet, fw: Framework, data: Mapping[str, Any], row: int, *, blank_placeholders: bool
) -> int:
    """The indicator table: header (print title), one row per 三级, 一级/二级 merged down."""
    for c, name in enumerate(DEPARTMENT_COLUMNS, start=1):
        s.cell(row, c, name, bold=True)
    s.title_row = row
    s.keep.append((row, row + 1))
    row += 1
    filled = {str(i["id"]): i for i in data["indicators"]}
    for top in fw.roots:
        top_first = row
        for mid in top.children:
            mid_first = row
            for leaf in mid.leaves():
                _department_leaf(s, row, leaf, filled.get(leaf.id, {}), blank_placeholders)
                row += 1
            s.run(3, mid_first, row - 1, mid.name)
            s.run(4, mid_first, row - 1, plain(mid.weight))
        s.run(1, top_first, row - 1, top.name)
        s.run(2, top_first, row - 1, plain(top.weight))
    return row


def _department_leaf(s: _Sheet, row: int, leaf: Indicator, entry: Mapping[str, Any], blank: bool) -> None:
    hide = blank and leaf.placeholder
    s.cell(row, 5, "" if hide else leaf.name)
    s.cell(row, 6, plain(leaf.weight), number=True)
    s.cell(row, 7, "" if hide else leaf.explanation, align="left")
    s.cell(row, 8, _text(entry.get("score")), number=True)
    s.cell(row, 9, _text(entry.get("reason")), align="left")
    s.cell(row, 10, _text(entry.get("measure")), align="left")


# ------------------------------------------------------------------------------ project form


@dataclass(frozen=True)
class ProjectFigures:
    """What perfscore computes for a project submission, as the form prints it."""

    rate: str  # 执行率: 99.97%
    funds_score: str  # 预算执行 得分: 10.00
    total: str  # 总分: 100.00
    grade: str | None


def project_figures(data: Mapping[str, Any], fw: ProjectFramework) -> ProjectFigures:
    """perfscore's own figures for ``data``: the filled form built and evaluated by the library's front
    door (``perfscore.build_workbook`` then ``perfscore.evaluate_file``), nothing recomputed here."""
    import json

    import perfscore
    from perfscore.engine.project.pipeline import ProjectResult

    sub = perfscore.ProjectSubmission.loads(json.dumps(dict(data), ensure_ascii=False), fw)
    with tempfile.TemporaryDirectory(prefix="published-layouts-") as folder:
        form = Path(folder) / "form.xlsx"
        perfscore.build_workbook(form, fw, submission=sub)
        result = perfscore.evaluate_file(form, fw)
    assert isinstance(result, ProjectResult)
    sc = result.scores
    rate = "" if sc.funds_rate is None else f"{(sc.funds_rate * 100).quantize(Decimal('0.01'))}%"
    return ProjectFigures(
        rate=rate,
        funds_score="" if sc.funds_score is None else str(two_places(sc.funds_score)),
        total="" if result.total is None else str(two_places(result.total)),
        grade=result.grade,
    )


def project_workbook(
    data: Mapping[str, Any],
    fw: ProjectFramework,
    path: Path,
    *,
    widths: Sequence[float] | None = None,
    total: str | None = None,
    font_size: float = 10,
    grade_box: str | None = None,
) -> Path:
    """Write the 项目支出绩效自评表 (财预〔2020〕10号 layout) of project submission ``data`` to ``path``.

    ``widths``: the 9 columns' widths (default :data:`PROJECT_WIDTHS`: the section labels, then the
    indicator table's 8 columns); ``total`` and ``grade_box`` as for :func:`department_workbook`.
    """
    figures = project_figures(data, fw)
    wb, s = _sheet(widths, PROJECT_WIDTHS, font_size)
    n = len(PROJECT_WIDTHS)
    header = data.get("header") or {}
    s.cell(1, 1, f"{data['year']}年度{fw.title}", last_col=n, bold=True, size=font_size + 6, border=False)
    s.cell(2, 1, "项目名称")
    s.cell(2, 2, _text(header.get("项目名称")), last_col=n, align="left")
    row = 3
    for left, right in (("主管部门", "实施单位"), ("项目负责人", "联系电话")):
        s.cell(row, 1, left)
        s.cell(row, 2, _text(header.get(left)), last_col=4, align="left")
        s.cell(row, 5, right)
        s.cell(row, 6, _text(header.get(right)), last_col=n, align="left")
        row += 1
    row = _project_funds(s, fw, data, figures, row)
    row = _project_goals(s, fw, data, row)
    row = _project_table(s, data, row)
    s.cell(row, 1, "总分", last_col=6)
    s.cell(row, 7, plain(fw.total_weight), number=True)
    s.cell(row, 8, total if total is not None else figures.total)
    s.cell(row, 9, None)
    s.cell(row + 1, 1, "评价等级")
    ticked = grade_box if grade_box is not None else figures.grade
    s.cell(row + 1, 2, grade_text(fw.bands, ticked), last_col=n, align="left")
    s.keep.append((row, row + 1))
    s.finish()
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _project_funds(
    s: _Sheet, fw: ProjectFramework, data: Mapping[str, Any], figures: ProjectFigures, row: int
) -> int:
    """项目资金（万元）: 资金来源 | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分."""
    funds = data.get("funds") or {}
    rows = list(fw.funds.rows)
    s.cell(row, 1, f"项目资金\n（{fw.funds.unit}）", last_row=row + len(rows))
    s.cell(row, 2, "资金来源", last_col=3)
    for c, name in enumerate((*fw.funds.columns, "分值", "执行率", "得分"), start=4):
        s.cell(row, c, name)
    for k, name in enumerate(rows):
        r = row + 1 + k
        s.cell(r, 2, name if k == 0 else (f"其中：{name}" if k == 1 else name), last_col=3)
        values = funds.get(name) or {}
        for c, col in enumerate(fw.funds.columns, start=4):
            s.cell(r, c, _text(values.get(col)), number=True)
        if k == 0:
            s.cell(r, 7, plain(fw.funds.weight), number=True)
            s.cell(r, 8, figures.rate)
            s.cell(r, 9, figures.funds_score)
        else:
            for c in (7, 8, 9):
                s.cell(r, c, "—")
    s.keep.append((row, row + len(rows)))
    return row + 1 + len(rows)


def _project_goals(s: _Sheet, fw: ProjectFramework, data: Mapping[str, Any], row: int) -> int:
    """年度总体目标: 预期目标 | 实际完成情况, headers over texts."""
    goals = data.get("goals") or {}
    keys = [g.key for g in fw.goals]
    s.cell(row, 1, _LABELS["年度总体目标"], last_row=row + 1)
    spans = [(2, 5), (6, 9)]
    for (a, b), key in zip(spans, keys, strict=False):
        s.cell(row, a, key, last_col=b)
        s.cell(row + 1, a, _text(goals.get(key)), last_col=b, align="left")
    s.keep.append((row, row + 1))
    return row + 2


def _project_table(s: _Sheet, data: Mapping[str, Any], row: int) -> int:
    """绩效指标: header (print title), one row per department row, 一级/二级 merged down."""
    for c, name in enumerate(PROJECT_COLUMNS, start=2):
        s.cell(row, c, name, bold=True)
    s.title_row = row
    s.keep.append((row, row + 1))
    first = row + 1
    items = list(data["indicators"])
    for k, item in enumerate(items):
        r = first + k
        s.cell(r, 4, _text(item.get("name")), align="left")
        s.cell(r, 5, _text(item.get("target")))
        s.cell(r, 6, _text(item.get("actual")), number=True)
        s.cell(r, 7, _text(item.get("weight")), number=True)
        s.cell(r, 8, _text(item.get("score")), number=True)
        reason = _text(item.get("reason"))
        s.cell(r, 9, reason if reason.strip() else "\\", align="left" if reason.strip() else "center")
    last = first + len(items) - 1
    s.cell(row, 1, None)  # the corner: 绩效指标 is merged down the rows of each page
    s.run(1, first, last, "绩效指标")
    for level in (0, 1):
        start = first
        for k in range(1, len(items) + 1):
            here = items[k - 1]["group"][: level + 1]
            nxt = items[k]["group"][: level + 1] if k < len(items) else None
            if here != nxt:
                s.run(2 + level, start, first + k - 1, here[-1])
                start = first + k
    return last + 1


# ------------------------------------------------------------------------------ conversion, data


def convert(paths: Sequence[Path], outdir: Path) -> list[Path]:
    """Print workbooks to PDF in ONE LibreOffice run (perfscore's fonts); outputs keep the stems."""
    return convert_many(list(paths), "pdf", outdir)


_REASON_SENTENCES = (
    "年初预算编制时对项目实施进度预估不足，部分采购项目因供应商资质审核、合同会签等环节耗时较长，"
    "实际支付时间晚于计划，导致当年资金支出进度低于序时进度要求。",
    "受外部因素影响，部分线下活动改为线上开展或压缩规模，相应的场地租赁、印刷及差旅费用未按原计划"
    "支出，形成结余。",
    "项目绩效目标设置时对产出数量的测算依据不够充分，个别指标值偏高，与实际工作量存在一定差距，"
    "完成值未达到年初设定的目标值。",
    "部门内部绩效运行监控机制尚不完善，对执行偏差的预警和纠偏不够及时，未能在年度中期调整预算"
    "或优化实施方案。",
)


def long_reason(n: int = 0, minimum: int = 300) -> str:
    """A reason of at least ``minimum`` characters in numbered paragraphs (typed line breaks)."""
    parts: list[str] = []
    k = 0
    while sum(len(p) for p in parts) + len(parts) < minimum:
        sentence = _REASON_SENTENCES[(n + k) % len(_REASON_SENTENCES)]
        parts.append(f"{k + 1}.{sentence}")
        k += 1
    return "\n".join(parts)


def long_reasons(data: Mapping[str, Any], *, minimum: int = 300) -> dict[str, Any]:
    """A deep copy of a submission whose reasons are long: a department form's rows that carry a
    reason (not ``\\``), or else — as in the project demo, which has none — its first and last rows."""
    out: dict[str, Any] = copy.deepcopy(dict(data))
    items = out["indicators"]
    chosen = [i for i in items if _text(i.get("reason")).strip() not in ("", "\\")]
    if not chosen:
        chosen = [items[0], items[-1]] if len(items) > 1 else list(items)
    for n, item in enumerate(chosen):
        item["reason"] = long_reason(n, minimum)
    return out


def page_count(pdf: Path) -> int:
    """Pages of a PDF (pypdf, a perfscore dependency)."""
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def scaled(widths: Sequence[float], factor: float) -> tuple[float, ...]:
    return tuple(round(w * factor, 2) for w in widths)


__all__ = [
    "DEPARTMENT_COLUMNS",
    "DEPARTMENT_WIDTHS",
    "PROJECT_COLUMNS",
    "PROJECT_WIDTHS",
    "ProjectFigures",
    "convert",
    "department_total",
    "department_workbook",
    "grade_text",
    "long_reason",
    "long_reasons",
    "page_count",
    "project_figures",
    "project_workbook",
    "scaled",
    "text_height",
    "wrapped_lines",
]
