"""The report context: a plain dict built from the engine's :class:`~perfscore.engine.pipeline.Result` only.

Templates (``templates/*.xlsx``) see exactly this dict; its keys are documented in
``templates/README.md``. Every number is already formatted as the published form prints it
(``90.77``, ``0.5``, ``41.8``) with :func:`perfscore.engine.decimals.fmt`; a template turns one back into a
numeric cell with the ``number`` filter. Text the clerk typed is passed through unchanged — it is
data, never template source.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from perfscore.engine.decimals import fmt
from perfscore.engine.grid import CellValue, ErrorValue
from perfscore.engine.pipeline import Result
from perfscore.engine.scoring import Leaf, Node, by_id

#: What a full-mark row shows in 未达标原因 / 改进措施 when the clerk left them empty (as the seed does).
FULL_MARK_MARK = "\\"


def text(value: CellValue) -> str:
    """A typed cell as the report prints it: numbers via ``fmt``, text exactly as typed."""
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


def build_context(result: Result) -> dict[str, Any]:
    fw = result.framework
    form = result.form
    department = text(form.department.value).strip()  # spaces typed around it: a warning, not printed
    year = text(form.year.value)
    header = {key: text(loc.value) for key, loc in form.header.items()}
    header_fields = [{"key": h.key, "kind": h.kind, "value": header.get(h.key, "")} for h in fw.header]
    budget = {name: text(loc.value) for name, loc in form.budget.items()}
    nodes = by_id(result.groups)
    rows = [_row(leaf, nodes) for leaf in result.leaves.values()]
    groups = [_group(n) for n in result.groups]
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
        "title": f"{year}年度{department}{fw.title}" if year else f"{department}{fw.title}",
        "framework_title": fw.title,
        "framework_id": fw.id,
        "region": fw.region,
        "department": department,
        "year": year,
        "header": header,
        "header_fields": header_fields,
        "header_texts": [f for f in header_fields if f["kind"] == "text"],
        "budget": budget,
        "budget_fields": [{"name": n, "value": budget.get(n, "")} for n in fw.budget_fields],
        "budget_unit": fw.budget_unit,
        "rows": rows,
        "groups": groups,
        "total": fmt(result.total),
        "total_weight": fmt(fw.total_weight),
        "grade": result.grade or "",
        "grade_line": result.grade_line,
        "bands": bands,
        "errors": result.errors,
        "warnings": result.warnings,
        "check_lines": [check_line(result)] if result.errors else [],
    }


def check_line(result: Result) -> str:
    """What a report of a form with error findings says, so it never looks like a clean one."""
    return f"校验未通过：错误 {result.errors} 项（见“校验结果”）"


def _group(node: Node) -> dict[str, Any]:
    ind = node.indicator
    return {
        "id": ind.id,
        "name": ind.name,
        "weight": fmt(ind.weight),
        "score": fmt(node.score),
        "level": ind.level,
        "children": [_group(c) for c in node.children if not c.indicator.is_leaf],
    }


def _row(leaf: Leaf, nodes: dict[str, Node]) -> dict[str, Any]:
    ind = leaf.indicator
    parts = ind.id.split(".")
    l1 = nodes[parts[0]]
    l2 = nodes[".".join(parts[:2])] if len(parts) > 2 else l1
    row = leaf.row
    score = fmt(leaf.score) if leaf.score is not None else (text(row.score.value) if row else "")
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
        "l1_weight": fmt(l1.indicator.weight),
        "l1_score": fmt(l1.score),
        "l2_id": l2.indicator.id,
        "l2_name": l2.indicator.name,
        "l2_weight": fmt(l2.indicator.weight),
        "l2_score": fmt(l2.score),
        # a placeholder row prints as the published table does: name and explanation blank
        "name": "" if ind.placeholder else ind.name,
        "weight": fmt(ind.weight),
        "explanation": "" if ind.placeholder else ind.explanation,
        "score": score,
        "full_mark": full,
        "reason": reason,
        "measure": measure,
        "placeholder": ind.placeholder,
        "sheet": row.sheet if row else "",
        "cell": row.score.cell if row else "",
    }
