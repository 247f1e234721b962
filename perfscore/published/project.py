"""The project form (项目支出绩效自评表) read from a PDF's cells.

The department writes the 三级 rows itself, so there is nothing to align them with: each row under
the indicator table's header is read as printed, its 一级/二级 from the merged cells beside it
(which must be the framework's groups and categories). The 项目资金 table is read by its row and
column names; 执行率 and its 得分 are kept for the cross-checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from perfscore.engine.decimals import fmt
from perfscore.engine.framework import ProjectFramework
from perfscore.engine.project.submission import ProjectSubmission
from perfscore.published.fields import is_total, text_field, title, totals
from perfscore.published.page import Box, PageLayout
from perfscore.published.reading import Common, Printed
from perfscore.published.table import Cells, TableRow, rows_under_header, where
from perfscore.published.text import compact, printed_number


@dataclass
class ProjectRow:
    group: list[str]
    name: str
    target: str | None
    actual: Decimal | str | None
    weight: Decimal
    score: Decimal
    reason: str | None
    where: str


@dataclass
class ProjectReading(Common):
    framework: ProjectFramework | None = None
    header: dict[str, str | None] = field(default_factory=dict)
    goals: dict[str, str | None] = field(default_factory=dict)
    footer: dict[str, str | None] = field(default_factory=dict)
    funds: dict[str, dict[str, Decimal | str | None]] = field(default_factory=dict)
    funds_reason: str | None = None
    funds_printed: dict[str, Printed] = field(default_factory=dict)  # 分值, 执行率, 得分 of the total row
    rows: list[ProjectRow] = field(default_factory=list)
    unread: int = 0

    def to_json(self) -> dict[str, Any]:
        """The submission JSON (as ``perfscore export`` writes it), checked by the JSON reader."""
        fw = self.framework
        assert fw is not None

        def out(v: object) -> Any:
            return fmt(v) if isinstance(v, Decimal) else v

        doc: dict[str, Any] = {
            "framework": fw.id,
            "year": self.year,
            "department": self.department,
            "header": self.header,
            "funds": {r: {c: out(v) for c, v in cols.items()} for r, cols in self.funds.items()},
            "goals": self.goals,
        }
        if fw.funds.reason_below is not None:
            doc["funds_reason"] = self.funds_reason
        if fw.footer:
            doc["footer"] = self.footer
        doc["indicators"] = [
            {"group": r.group, "name": r.name, "target": r.target, "actual": out(r.actual),
             "weight": out(r.weight), "score": out(r.score), "reason": r.reason}
            for r in self.rows
        ]  # fmt: skip
        return ProjectSubmission.from_json(doc, fw, source="digitise").to_json(fw)


def read_pages(pages: Sequence[PageLayout], fw: ProjectFramework) -> ProjectReading:
    reading = ProjectReading(framework=fw)
    cells = Cells(pages)
    title(cells, fw.title, reading)
    if reading.department is None:
        reading.note("digitise-field-missing", "", what="标题中的部门名称")
    for h in fw.header:
        reading.header[h.key] = _beside(cells, h.key, reading, required=h.required)
    for g in fw.goals:
        reading.goals[g.key] = text_field(cells, g.key, reading, [x.key for x in fw.goals])
    for f in fw.footer:
        reading.footer[f.key] = text_field(cells, f.key, reading)
    if fw.funds.reason_below is not None:
        reading.funds_reason = _beside(cells, fw.funds.reason_label, reading, required=False)
    _funds(cells, fw, reading)
    _indicators(pages, fw, reading)
    totals(cells, reading)
    return reading


def _beside(cells: Cells, key: str, reading: Common, *, required: bool) -> str | None:
    labels = cells.labelled(key, prefix=True)
    if not labels:
        if required:
            reading.note("digitise-field-missing", "", what=f"“{key}”")
        return None
    box = cells.next_right(labels[0])
    return box.text if box is not None and box.text else None


def _funds(cells: Cells, fw: ProjectFramework, reading: ProjectReading) -> None:
    f = fw.funds
    heads = {c: cells.labelled(c) for c in (*f.columns, "分值", "执行率", "得分")}
    for n, name in enumerate(f.rows):
        labels = cells.labelled(name) + cells.labelled(f"其中：{name}") + cells.labelled(f"其中:{name}")
        if not labels:
            reading.note("digitise-field-missing", "", what=f"项目资金“{name}”一行")
            continue
        label = labels[0]
        row: dict[str, Decimal | str | None] = {}
        for col in (*f.columns, "分值", "执行率", "得分"):
            box = _at(cells, label, heads[col])
            if box is None:
                if col in f.columns:
                    reading.note("digitise-field-missing", where(label), what=f"项目资金“{name}·{col}”")
                continue
            if col in f.columns:
                number = printed_number(box.text)
                row[col] = number if number is not None else (box.text or None)
            elif n == 0:
                value = box.text.rstrip("%")
                number = printed_number(value)
                shown = number / 100 if number is not None and box.text.endswith("%") else number
                reading.funds_printed[col] = Printed(shown if shown is not None else box.text, where(box))
        reading.funds[name] = row


def _at(cells: Cells, label: Box, heads: list[Box]) -> Box | None:
    """The cell on ``label``'s row under one of the column heads (the one on the same page above it)."""
    for head in heads:
        if head.page != label.page or head.bottom > label.top + 0.5:
            continue
        for c in cells.pages_of(label):
            overlap = min(c.bottom, label.bottom) - max(c.top, label.top)
            if overlap > 0.5 and head.x0 - 0.5 <= (c.x0 + c.x1) / 2 <= head.x1 + 0.5:
                return c
    return None


# ----------------------------------------------------------------------------------------- table


def _picker(fw: ProjectFramework) -> Any:
    c = fw.columns
    names = {"l1": "一级指标", "l2": "二级指标", "name": "三级指标", "target": c.target, "actual": c.actual,
             "weight": c.weight, "score": c.score, "reason": c.reason}  # fmt: skip

    def pick(row: Sequence[Box]) -> dict[str, Box] | None:
        found: dict[str, Box] = {}
        for box in row:
            text = compact(box.text)
            for key, label in names.items():
                if text == compact(label) and key not in found:
                    found[key] = box
        return found if {"name", "weight", "score", "l1", "l2"} <= set(found) else None

    return pick


def _indicators(pages: Sequence[PageLayout], fw: ProjectFramework, reading: ProjectReading) -> None:
    rows = rows_under_header(pages, _picker(fw), is_total)
    if rows is None:
        reading.unread += 1
        reading.note("digitise-row-unread", "", "printed", name="绩效指标表", weight="—",
                     found="未找到表头“一级指标 二级指标 三级指标 …”")  # fmt: skip
        return
    for row in rows:
        _row(row, fw, reading)


def _text(row: TableRow, key: str) -> str:
    box = row.cells.get(key)
    return box.text if box is not None else ""


def _row(row: TableRow, fw: ProjectFramework, reading: ProjectReading) -> None:
    name = _text(row, "name")
    values = [_text(row, k) for k in ("target", "actual", "weight", "score")]
    if not name and not any(values):
        return  # a category printed without rows
    l1, l2 = compact(_text(row, "l1")), compact(_text(row, "l2"))
    group = next((g for g in fw.groups if compact(g.name) == l1), None)
    category = next((c for c in group.categories if compact(c.name) == l2), None) if group else None
    weight, score = printed_number(values[2]), printed_number(values[3])
    problem = ""
    if group is None or category is None:
        problem = f"一级/二级指标“{_text(row, 'l1')}/{_text(row, 'l2')}”不在指标体系中"
    elif not name:
        problem = "三级指标名称为空"
    elif weight is None:
        problem = f"分值处为“{values[2]}”" if values[2] else "分值为空"
    elif score is None:
        problem = f"得分处为“{values[3]}”" if values[3] else "得分为空"
    if problem or group is None or category is None or weight is None or score is None:
        reading.unread += 1
        reading.note("digitise-row-unread", where(row.key), "printed", name=name or "（空）",
                     weight=values[2] or "（空）", found=problem)  # fmt: skip
        return
    actual = printed_number(values[1])
    reason = _text(row, "reason")
    reading.rows.append(ProjectRow(
        [group.name, category.name], name, values[0] or None,
        actual if actual is not None else (values[1] or None),
        weight, score, reason or None, where(row.key),
    ))  # fmt: skip
