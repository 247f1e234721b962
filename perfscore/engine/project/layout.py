"""Where everything sits in a project form — the one place its builder, reader and writer agree on.

A project form has the cover sheet 基本情况 (header, 项目资金, 年度总体目标, the footer fields and the
result summary) and one sheet per 一级 indicator. On those, each 二级 category has a run of rows for
the department's own 三级 indicators — as many as the form was built with (``slots``, recorded in
the hidden ``_perfscore`` sheet as ``rows``) — followed by a 小计 line per category and the 一级's 合计.
Department rows are found by the id in the hidden 编号 column (``1.2.3`` = 一级 1, category 2, slot 3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from perfscore.engine import layout as L
from perfscore.engine.grid import ref
from perfscore.engine.project.model import DEFAULT_ROWS, MAX_ROWS, Category, Group, ProjectFramework

#: Indicator sheet columns (1-based): what the department writes (B–I), then perfscore's own (J–M).
COLUMNS = (
    "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分", "偏差原因分析及改进措施",
    "参考得分", "定性档次", "校验", "编号",
)  # fmt: skip
C_CAT, C_NAME, C_OP, C_VALUE, C_UNIT, C_ACTUAL, C_WEIGHT, C_SCORE, C_REASON = range(1, 10)
C_REFERENCE, C_BAND, C_STATUS, C_ID = 10, 11, 12, 13
#: The columns of a department row the clerk writes: a row with any of them filled is in use.
INPUT_COLUMNS = tuple(range(C_NAME, C_REASON + 1))
WIDTHS = (12, 28, 8, 10, 8, 11, 7, 7, 36, 9, 9, 36, 8)
COVER_WIDTHS = (18, 13, 13, 13, 9, 11, 11, 14)
TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
#: The operators a clerk picks in 指标性质 (empty = a qualitative indicator).
OPS = ("≥", ">", "≤", "<", "=")

_SLOTS = re.compile(r"^(\d+\.\d+)=(\d+)$")


def column_labels(fw: ProjectFramework) -> tuple[str, ...]:
    """The header row of an indicator sheet, with the framework's printed column names."""
    c = fw.columns
    return (
        "二级指标", "三级指标", c.op, c.value, c.unit, c.actual, c.weight, c.score, c.reason,
        "参考得分", "定性档次", "校验", "编号",
    )  # fmt: skip


def default_slots(fw: ProjectFramework, rows: int = DEFAULT_ROWS) -> dict[str, int]:
    return {c.id: rows for c in fw.categories()}


def slots_text(slots: Mapping[str, int]) -> str:
    """``1.1=5;1.2=5;…``: how a form records its rows per category (in ``_perfscore``)."""
    return ";".join(f"{cid}={n}" for cid, n in slots.items())


def parse_slots(text: str, fw: ProjectFramework) -> dict[str, int] | None:
    """The slots recorded by a form; None if the text is not a valid record for ``fw``."""
    out: dict[str, int] = {}
    for part in text.split(";"):
        m = _SLOTS.match(part.strip())
        if not m or m.group(1) in out or not 1 <= int(m.group(2)) <= MAX_ROWS:
            return None
        out[m.group(1)] = int(m.group(2))
    if list(out) != [c.id for c in fw.categories()]:
        return None
    return out


@dataclass(frozen=True)
class GroupSheet:
    """One 一级's sheet: the rows of each category's slots, its 小计 rows and the 合计 row."""

    name: str
    group: Group
    slot_rows: Mapping[str, tuple[int, ...]]  # category id -> rows of its slots
    subtotal_rows: Mapping[str, int]  # category id -> its 小计 row
    total_row: int

    def rows_of(self, category: Category) -> tuple[int, int]:
        rows = self.slot_rows[category.id]
        return rows[0], rows[-1]

    def all_rows(self) -> tuple[int, int]:
        """First and last department row of the sheet (contiguous)."""
        return FIRST_ROW, self.total_row - len(self.subtotal_rows) - 2


@dataclass
class Cover:
    """Cell addresses on 基本情况, keyed ``department``, ``header:项目名称``, ``funds:年度资金总额:全年预算数``, …"""

    cells: dict[str, str] = field(default_factory=dict)
    text_rows: list[int] = field(default_factory=list)  # rows of long text merged across the sheet
    funds_label_row: int = 0
    funds_header_row: int = 0
    goals_label_row: int = 0
    footer_label_row: int = 0
    summary_first_row: int = 0
    last_row: int = 0
    width: int = 8

    def __getitem__(self, key: str) -> str:
        return self.cells[key]


@dataclass(frozen=True)
class ProjectLayout:
    fw: ProjectFramework
    slots: Mapping[str, int]
    cover: Cover
    sheets: tuple[GroupSheet, ...]

    def sheet_of(self, group_id: str) -> GroupSheet:
        return next(s for s in self.sheets if s.group.id == group_id)

    def sheet_order(self) -> list[str]:
        return [L.COVER, *(s.name for s in self.sheets), L.FINDINGS, L.META]


def layout(fw: ProjectFramework, slots: Mapping[str, int]) -> ProjectLayout:
    return ProjectLayout(fw, MappingProxyType(dict(slots)), _cover(fw), tuple(_sheets(fw, slots)))


def _sheets(fw: ProjectFramework, slots: Mapping[str, int]) -> list[GroupSheet]:
    out = []
    used = {L.COVER, L.FINDINGS, L.REPORT, L.META, L.XLWINGS_CONF}
    for group in fw.groups:
        name = L.sheet_name(group.name)
        if name in used:
            name = L.sheet_name(f"{group.id} {group.name}")
        used.add(name)
        row = FIRST_ROW
        slot_rows: dict[str, tuple[int, ...]] = {}
        for cat in group.categories:
            slot_rows[cat.id] = tuple(range(row, row + slots[cat.id]))
            row += slots[cat.id]
        row += 1  # a blank line before the sub-totals
        subtotals = {}
        for cat in group.categories:
            subtotals[cat.id] = row
            row += 1
        out.append(GroupSheet(name, group, MappingProxyType(slot_rows), MappingProxyType(subtotals), row))
    return out


def _cover(fw: ProjectFramework) -> Cover:
    cov = Cover()
    c = cov.cells
    c["title"] = "A1"
    c["department"] = "B3"
    c["year"] = "G3"
    row = 4
    for h in fw.header:
        c[f"header:{h.key}"] = ref(row, 2)
        row += 1
    cov.funds_label_row = row
    cov.funds_header_row = row + 1
    row += 2
    f = fw.funds
    n = len(f.columns)
    for r, name in enumerate(f.rows):
        for k, col in enumerate(f.columns):
            c[f"funds:{name}:{col}"] = ref(row + r, 2 + k)
    c["funds_weight"] = ref(row, 2 + n)
    c["funds_rate"] = ref(row, 3 + n)
    c["funds_score"] = ref(row, 4 + n)
    row += len(f.rows)
    if f.reason_below is not None:
        c["funds_reason"] = ref(row, 2)
        cov.text_rows.append(row)
        row += 1
    cov.goals_label_row = row
    row += 1
    for goal in fw.goals:
        c[f"goal:{goal.key}"] = ref(row, 2)
        cov.text_rows.append(row)
        row += 1
    cov.footer_label_row = row if fw.footer else 0
    row += 1 if fw.footer else 0
    for field_ in fw.footer:
        c[f"footer:{field_.key}"] = ref(row, 2)
        cov.text_rows.append(row)
        row += 1
    row += 1
    cov.summary_first_row = row  # section title; table header on row+1
    row += 2
    c["summary:funds"] = ref(row, 3)
    c["summary_weight:funds"] = ref(row, 2)
    row += 1
    for g in fw.groups:
        c[f"summary:{g.id}"] = ref(row, 3)
        c[f"summary_weight:{g.id}"] = ref(row, 2)
        row += 1
    cov.last_row = L.place_result_lines(c, row)
    cov.width = max(8, 4 + n)
    return cov
