"""Where everything sits in a perfscore workbook — the one place the builder, reader and writer agree on.

Indicator rows are found by the id in the hidden 编号 column, never by row number, so a form re-saved
by another spreadsheet application (or with rows the clerk resized) still reads correctly. Header,
budget and summary cells are laid out from the framework by :func:`cover_layout`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from perfscore.engine.framework import Framework, Indicator
from perfscore.engine.grid import ref
from perfscore.errors import FrameworkError

COVER = "基本情况"
FINDINGS = "校验结果"
REPORT = "自评表"
META = "_perfscore"
#: The sheet of xlwings settings a udf-mode (.xlsm) form carries (xlwings reads it by this name).
XLWINGS_CONF = "xlwings.conf"
LAYOUT_VERSION = "1"

#: The default font of every form perfscore builds (SimSun in Excel and WPS): column widths count its digits.
FORM_FONT, FORM_FONT_SIZE = "宋体", 11

#: Column widths (Excel character units) of the indicator sheets (A..N) and of 基本情况 (A..H).
INDICATOR_WIDTHS = (8, 6, 10, 6, 20, 6, 36, 9, 24, 24, 11, 10, 40, 8)
COVER_WIDTHS = (16, 14, 14, 14, 14, 16, 14, 14)
#: Least heights: an indicator row (room to type a reason), a long text field of 基本情况.
INDICATOR_ROW_PT, TEXT_FIELD_PT = 14.5 * 2 + 8, 14.5 * 4 + 5

# Indicator sheet columns (1-based). A–J are the published form, exactly as printed.
COLUMNS = (
    "一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "指标解释", "得分/自评分", "未达标原因", "改进措施",
    "参考数据", "参考得分", "校验", "编号",
)  # fmt: skip
C_L1, C_L1W, C_L2, C_L2W, C_NAME, C_WEIGHT, C_EXPLAIN, C_SCORE, C_REASON, C_MEASURE = range(1, 11)
C_RATE, C_SUGGEST, C_STATUS, C_ID = 11, 12, 13, 14
PRINTED_COLUMNS = 10  # A:J
TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3

# 校验结果 sheet
FINDINGS_COLUMNS = ("序号", "级别", "代码", "位置", "说明")
FINDINGS_FIRST_ROW = 3

# _perfscore (hidden) sheet: key in column A, value in column B
META_KEYS = ("framework", "framework_version", "formulas", "perfscore_version", "layout")

_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str) -> str:
    """A valid Excel sheet name for an indicator group (≤ 31 chars, no []:*?/\\)."""
    return _INVALID_SHEET_CHARS.sub("_", name)[:31]


@dataclass(frozen=True)
class SheetLayout:
    """One indicator sheet: its group, the row of each leaf, and the sub-total rows."""

    name: str
    group: Indicator
    rows: dict[str, int]  # leaf id -> row
    subtotal_rows: dict[str, int]  # 二级 (or the sheet group) id -> row of its 小计/合计 line
    last_row: int

    def score_range(self, node: Indicator) -> tuple[str, str]:
        """First and last score cell of the leaves under ``node`` (they are contiguous)."""
        rows = [self.rows[leaf.id] for leaf in node.leaves()]
        return ref(min(rows), C_SCORE), ref(max(rows), C_SCORE)


_SHEETS: WeakKeyDictionary[Framework, tuple[SheetLayout, ...]] = WeakKeyDictionary()
_COVERS: WeakKeyDictionary[Framework, CoverLayout] = WeakKeyDictionary()


def sheet_layouts(fw: Framework) -> list[SheetLayout]:
    """The indicator sheets of ``fw``'s workbook, in order (computed once per framework)."""
    hit = _SHEETS.get(fw)
    if hit is None:
        hit = _SHEETS[fw] = tuple(_sheet_layouts(fw))
    return list(hit)


def _sheet_layouts(fw: Framework) -> list[SheetLayout]:
    depth = max(i.level for i in fw.walk())
    if depth != 3:
        raise FrameworkError("工作簿版式需要三级指标体系（一级/二级/三级）", path=fw.source)
    layouts: list[SheetLayout] = []
    used: set[str] = {COVER, FINDINGS, REPORT, META}
    for group in fw.sheet_groups():
        name = sheet_name(group.name)
        if name in used:
            name = sheet_name(f"{group.id} {group.name}")
        used.add(name)
        rows: dict[str, int] = {}
        row = FIRST_ROW
        for leaf in group.leaves():
            rows[leaf.id] = row
            row += 1
        row += 1  # a blank line before the sub-totals
        subtotals: dict[str, int] = {}
        for node in _level_two(group):
            subtotals[node.id] = row
            row += 1
        subtotals[group.id] = row
        layouts.append(SheetLayout(name, group, rows, subtotals, row))
    return layouts


def _level_two(group: Indicator) -> list[Indicator]:
    """The 二级 indicators a sheet group holds (the group itself when it is one), in order."""
    if group.level == 2:
        return [group]
    return [n for child in group.children for n in _level_two(child)] if group.level < 2 else []


@dataclass
class CoverLayout:
    """Cell addresses on 基本情况, keyed ``department``, ``header:单位数``, ``budget:总预算``, …"""

    cells: dict[str, str] = field(default_factory=dict)
    text_rows: list[int] = field(default_factory=list)  # rows holding long text (tall)
    budget_label_row: int = 0
    summary_first_row: int = 0
    last_row: int = 0
    width: int = 8  # columns A..H

    def __getitem__(self, key: str) -> str:
        return self.cells[key]


def cover_layout(fw: Framework) -> CoverLayout:
    """Cell addresses on 基本情况 for ``fw`` (computed once per framework; do not change it)."""
    hit = _COVERS.get(fw)
    if hit is None:
        hit = _COVERS[fw] = _cover_layout(fw)
    return hit


def _cover_layout(fw: Framework) -> CoverLayout:
    lay = CoverLayout(width=max(8, 1 + len(fw.budget_fields)))
    c = lay.cells
    c["title"] = "A1"
    c["department"] = "B3"
    c["year"] = "G3"
    row = 4
    for h in fw.header:
        c[f"header:{h.key}"] = ref(row, 2)
        if h.kind == "text":
            lay.text_rows.append(row)
        row += 1
    lay.budget_label_row = row
    for n, name in enumerate(fw.budget_fields):
        c[f"budget:{name}"] = ref(row + 1, 2 + n)
    row += 3
    lay.summary_first_row = row  # section title; table header on row+1
    row += 2
    for root in fw.roots:
        c[f"root:{root.id}"] = ref(row, 3)
        c[f"root_weight:{root.id}"] = ref(row, 2)
        row += 1
    lay.last_row = place_result_lines(c, row)
    return lay


def place_result_lines(cells: dict[str, str], row: int) -> int:
    """Place the cover's closing lines from ``row`` on: 总分, 评价等级 with its line, the check counts and
    time, the engine's own total; the last row used. (Both kinds of form end their cover so.)"""
    cells["total"] = ref(row, 3)
    cells["total_weight"] = ref(row, 2)
    row += 1
    cells["grade"] = ref(row, 2)
    cells["grade_line"] = ref(row, 3)
    row += 1
    cells["errors"] = ref(row, 2)
    cells["warnings"] = ref(row, 4)
    cells["checked_at"] = ref(row, 6)
    row += 1
    cells["engine_total"] = ref(row, 2)
    cells["engine_grade"] = ref(row, 4)
    cells["engine_note"] = ref(row, 5)
    return row
