"""The report context: a plain dict built from the engine's :class:`~perfscore.engine.pipeline.Result` only.

Templates (``templates/*.xlsx``) see exactly this dict, described once by :data:`perfscore.report.context_names.CONTEXT` (the
table in ``templates/README.md`` is generated from it, and a test checks the dict against it).

Values are typed: a number is a :class:`~decimal.Decimal` (``None`` when empty), ``year`` and the
integer header fields (单位数) an ``int``; text the clerk typed is passed through unchanged — it is
data, never template source — and so is a text typed where a number belongs (``"五百"``), so the
report shows what was typed. Rendering prints a Decimal as the published form does (``90.77``,
``41.8``) with :func:`perfscore.engine.decimals.fmt` (see :mod:`perfscore.report.expressions`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from perfscore.engine.decimals import fmt
from perfscore.engine.form import Located
from perfscore.engine.grid import CellValue, ErrorValue
from perfscore.engine.pipeline import AnyResult, Result
from perfscore.engine.scoring import Leaf, Node, by_id

#: What a full-mark row shows in 未达标原因 / 改进措施 when the clerk left them empty (as the seed does).
FULL_MARK_MARK = "\\"

Number = Decimal | str | None  # a typed number cell: a Decimal, the text typed instead, or empty


def text(value: CellValue) -> str:
    """A typed cell as text, as the report prints it: numbers via ``fmt``, text exactly as typed."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, ErrorValue):
        return value.code
    return value


def number(value: CellValue) -> Number:
    """A cell where a number belongs: the number, None when empty, else the text as the report prints it."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    return text(value)


def integer(value: CellValue) -> int | Number:
    """A cell where an integer belongs (单位数): a whole number as ``int``, else as :func:`number`."""
    typed = number(value)
    if isinstance(typed, Decimal) and typed.is_finite() and typed == typed.to_integral_value():
        return int(typed)
    return typed


def year_of(value: CellValue) -> int | None:
    """The year as an ``int``: a whole number, or a text of digits; None when empty or anything else."""
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    typed = integer(value)
    return typed if isinstance(typed, int) else None


def build_context(result: Result) -> dict[str, Any]:
    """The dict a report template sees (described by :data:`CONTEXT`)."""
    fw = result.framework
    form = result.form
    department = text(form.department.value).strip()  # spaces typed around it: a warning, not printed
    year_text = text(form.year.value)
    header = {h.key: _header_value(form.header.get(h.key), h.kind) for h in fw.header}
    header_fields = [{"key": h.key, "kind": h.kind, "value": header[h.key]} for h in fw.header]
    budget = {name: number(_value(form.budget.get(name))) for name in fw.budget_fields}
    nodes = by_id(result.groups)
    bands = [
        {
            "grade": b.grade,
            "label": b.label,
            "ticked": b.grade == result.grade,
            "box": "☑" if b.grade == result.grade else "□",
        }
        for b in fw.bands
    ]
    return {
        "title": f"{year_text}年度{department}{fw.title}" if year_text else f"{department}{fw.title}",
        "framework_title": fw.title,
        "framework_id": fw.id,
        "region": fw.region,
        "department": department,
        "year": year_of(form.year.value),
        "header": header,
        "header_fields": header_fields,
        "header_texts": [f for f in header_fields if f["kind"] == "text"],
        "budget": budget,
        "budget_fields": [{"name": n, "value": budget[n]} for n in fw.budget_fields],
        "budget_unit": fw.budget_unit,
        "rows": [_row(leaf, nodes) for leaf in result.leaves.values()],
        "groups": [_group(n) for n in result.groups],
        "total": result.total,
        "total_weight": fw.total_weight,
        "grade": result.grade,
        "grade_line": result.grade_line,
        "bands": bands,
        "errors": result.errors,
        "warnings": result.warnings,
        "check_lines": [check_line(result)] if result.errors else [],
    }


def check_line(result: AnyResult) -> str:
    """What a report of a form with error findings says, so it never looks like a clean one."""
    return f"校验未通过：错误 {result.errors} 项（见“校验结果”）"


def _value(loc: Located | None) -> CellValue:
    return None if loc is None else loc.value


def _header_value(loc: Located | None, kind: str) -> int | Number:
    """An integer field (单位数) typed (:func:`integer`); a text field as text (``""`` when empty)."""
    return integer(_value(loc)) if kind == "integer" else text(_value(loc))


def _group(node: Node) -> dict[str, Any]:
    ind = node.indicator
    return {
        "id": ind.id,
        "name": ind.name,
        "weight": ind.weight,
        "score": node.score,
        "level": ind.level,
        "children": [_group(c) for c in node.children if not c.indicator.is_leaf],
    }


def _row(leaf: Leaf, nodes: dict[str, Node]) -> dict[str, Any]:
    ind = leaf.indicator
    parts = ind.id.split(".")
    l1 = nodes[parts[0]]
    l2 = nodes[".".join(parts[:2])] if len(parts) > 2 else l1
    row = leaf.row
    score = leaf.score if leaf.score is not None else (number(row.score.value) if row else None)
    full = leaf.score is not None and leaf.score == ind.weight
    reason = text(row.reason.value) if row else ""
    measure = text(row.measure.value) if row else ""
    if full and not reason.strip():
        reason = FULL_MARK_MARK
    if full and not measure.strip():
        measure = FULL_MARK_MARK
    return {
        "id": ind.id,
        "l1_id": l1.indicator.id,
        "l1_name": l1.indicator.name,
        "l1_weight": l1.indicator.weight,
        "l1_score": l1.score,
        "l2_id": l2.indicator.id,
        "l2_name": l2.indicator.name,
        "l2_weight": l2.indicator.weight,
        "l2_score": l2.score,
        # a placeholder row prints as the published table does: name and explanation blank
        "name": "" if ind.placeholder else ind.name,
        "weight": ind.weight,
        "explanation": "" if ind.placeholder else ind.explanation,
        "score": score,
        "full_mark": full,
        "reason": reason,
        "measure": measure,
        "placeholder": ind.placeholder,
        "sheet": row.sheet if row else "",
        "cell": row.score.cell if row else "",
    }
