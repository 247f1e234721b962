"""The department form read from a PDF's cells: every value from its own cell, so texts come back as
typed (line breaks included) and a score is never confused with the text beside it.

The indicator table is found by its header row (一级指标 … 三级指标 分值 指标解释 得分 未达标原因
改进措施), repeated on each page; its rows are aligned with the framework's rows in order by name
(or, for a row whose name was lost, by position and printed 分值).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from perfscore.engine.decimals import fmt
from perfscore.engine.framework import Framework
from perfscore.engine.framework_model import Indicator
from perfscore.published.fields import is_total, text_field, title, totals
from perfscore.published.page import Box, PageLayout
from perfscore.published.reading import Common, DepartmentReading, Printed, RowReading
from perfscore.published.table import Cells, TableRow, rows_under_header, where
from perfscore.published.text import compact, printed_number


def read_pages(pages: Sequence[PageLayout], fw: Framework) -> DepartmentReading:
    reading = DepartmentReading(framework=fw)
    cells = Cells(pages)
    title(cells, fw.title, reading)
    _header(cells, fw, reading)
    _budget(cells, fw, reading)
    rows = rows_under_header(pages, _pick, is_total) or []
    if not rows:
        for leaf in fw.leaves():
            _unread(leaf, None, "未找到指标表（表头“三级指标 … 分值 … 得分 …”）", reading)
    else:
        _align(rows, fw, reading)
    totals(cells, reading)
    return reading


# ------------------------------------------------------------------------------ title and header


def _header(cells: Cells, fw: Framework, reading: DepartmentReading) -> None:
    for label in cells.labelled("部门名称", prefix=True)[:1]:
        value = cells.next_right(label)
        if value is not None and value.text:
            reading.department = value.text
    if reading.department is None:
        reading.note("digitise-field-missing", "", what="部门名称")
    for field in fw.header:
        if field.kind == "integer":
            labels = cells.labelled(field.key, prefix=True)
            if not labels:
                reading.note("digitise-field-missing", "", what=f"基本情况“{field.key}”")
                continue
            inline = re.sub(r"^\s*" + re.escape(field.key) + r"\s*[:：]?\s*", "", labels[0].text)
            box = None if inline else cells.next_right(labels[0])
            text = inline or (box.text if box is not None else "")
            number = printed_number(text)
            reading.header[field.key] = number if number is not None else (text or None)
        else:
            reading.header[field.key] = text_field(cells, field.key, reading)


def _budget(cells: Cells, fw: Framework, reading: DepartmentReading) -> None:
    for key in fw.budget_fields:
        labels = cells.labelled(key, prefix=True)
        value = cells.below(labels[0]) if labels else None
        if value is None:
            reading.note("digitise-field-missing", "", what=f"预算“{key}”")
            continue
        number = printed_number(value.text)
        reading.budget[key] = Printed(number if number is not None else (value.text or None), where(value))


# ----------------------------------------------------------------------------------------- table

_HEAD = {
    "l1": ("一级指标",),
    "l2": ("二级指标",),
    "name": ("三级指标",),
    "explanation": ("指标解释", "指标说明"),
    "reason": ("未达标原因", "未完成原因", "偏差原因"),
    "measure": ("改进措施",),
}


def _pick(row: Sequence[Box]) -> dict[str, Box] | None:
    """The department table's header cells in one row of cells, or None if it is not that row."""
    named: dict[str, Box] = {}
    for i, c in enumerate(row):
        text = compact(c.text)
        for key, labels in _HEAD.items():
            if any(text.startswith(label) for label in labels) and key not in named:
                named[key] = c
        if text.startswith(("得分", "自评分", "自评得分")) and "score" not in named:
            named["score"] = c
        if text == "分值" and "name" in named and "weight" not in named and i > 0:
            named["weight"] = c
    return named if {"name", "weight", "score"} <= set(named) else None


def _align(rows: list[TableRow], fw: Framework, reading: DepartmentReading) -> None:
    """Match the table's rows with the framework's in order: by name (or 指标解释); a row with
    neither, at the place of a framework row and printing its 分值, is read from 分值 and 得分."""
    leaves = fw.leaves()
    names = {compact(leaf.name): n for n, leaf in enumerate(leaves) if not leaf.placeholder}
    explained = {compact(leaf.explanation): n for n, leaf in enumerate(leaves) if leaf.explanation}
    groups = {compact(i.name): i for i in fw.walk() if not i.is_leaf}
    at = 0
    for row in rows:
        name = compact(row.key.text)
        if name.endswith("小计") and name[: -len("小计")] in groups:  # a group's printed subtotal
            node = groups[name[: -len("小计")]]
            score = printed_number(_text(row, "score") or "")
            reading.subtotals[node.id] = Printed(
                score if score is not None else _text(row, "score"), where(row.key)
            )
            continue
        expl = compact(_text(row, "explanation") or "")
        n = names.get(name, explained.get(expl) if expl else None)
        if n is not None and n >= at:
            for skipped in leaves[at:n]:
                _unread(skipped, row.key, "表中此行缺失或名称不符", reading)
            _take(leaves[n], row, reading, partial=False)
            at = n + 1
        elif at < len(leaves) and not name and _weight(row) == leaves[at].weight:
            _take(leaves[at], row, reading, partial=True)
            at += 1
        elif name:
            reading.note("digitise-row-unread", where(row.key), "printed", name=row.key.text,
                         weight=_shown(_text(row, "weight")), found="指标体系中没有此名称的行")  # fmt: skip
    for skipped in leaves[at:]:
        _unread(skipped, rows[-1].key, "表中此行缺失或名称不符", reading)


def _text(row: TableRow, column: str) -> str | None:
    box = row.cells.get(column)
    return box.text if box is not None else None


def _weight(row: TableRow) -> object:
    return printed_number(_text(row, "weight") or "")


def _shown(text: str | None) -> str:
    return text or "（空）"


def _unread(leaf: Indicator, near: Box | None, found: str, reading: Common) -> None:
    reading.note("digitise-row-unread", where(near) if near else "", id=leaf.id, name=leaf.name, weight=fmt(leaf.weight),
                 found=found)  # fmt: skip


def _take(leaf: Indicator, row: TableRow, reading: DepartmentReading, *, partial: bool) -> None:
    score_text = _text(row, "score") or ""
    score = printed_number(score_text)
    if score is None:
        _unread(leaf, row.key, f"得分处为“{score_text}”" if score_text else "得分为空", reading)
        return
    weight = printed_number(_text(row, "weight") or "")
    reading.rows[leaf.id] = RowReading(
        leaf.id, where(row.key), score, _text(row, "reason") or None, _text(row, "measure") or None,
        weight if weight is not None else (_text(row, "weight") or None),
    )  # fmt: skip
    if partial:
        reading.note("digitise-row-partial", where(row.key), id=leaf.id, name=leaf.name,
                     weight=fmt(leaf.weight), score=fmt(score))  # fmt: skip
