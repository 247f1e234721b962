"""A form's result as JSON data: the document ``perfscore check --json`` prints (and ``batch --json``
prints per form). Decimals are strings (``"90.77"``), so they stay exact; unknowns are null.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from perfscore.engine.decimals import fmt, to_json_number
from perfscore.engine.grid import CellValue
from perfscore.engine.pipeline import AnyResult
from perfscore.engine.project.pipeline import FUNDS_ID, ProjectResult
from perfscore.engine.scoring import Node


def year_value(value: CellValue) -> int | str | None:
    """The 年度 cell as JSON: an integer, else the text typed (null when empty)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else fmt(value)
    return None if value is None else str(value)


def _node(node: Node) -> dict[str, Any]:
    ind = node.indicator
    return {
        "id": ind.id,
        "name": ind.name,
        "weight": fmt(ind.weight),
        "score": to_json_number(node.score),
        "children": [_node(c) for c in node.children],
    }


def _project_node(node: Node, result: ProjectResult) -> dict[str, Any]:
    """A project form's node: rows (``1.2.3``) add their reference score and qualitative band,
    the budget-execution group its execution rate."""
    out = _node(node)
    out["children"] = [_project_node(c, result) for c in node.children]
    ind = node.indicator
    if ind.id == FUNDS_ID:
        out["rate"] = to_json_number(result.scores.funds_rate)
    elif ind.id.count(".") == 2:
        row = result.scores.rows[ind.id]
        out["reference"] = to_json_number(row.reference)
        out["band"] = row.band
    return out


def to_json(result: AnyResult, path: str = "") -> dict[str, Any]:
    """The ``check --json`` document; decimals are strings (``"90.77"``), unknowns are null."""
    form = result.form
    dep = form.department.value
    if isinstance(result, ProjectResult):
        groups = [_project_node(g, result) for g in result.groups]
    else:
        groups = [_node(g) for g in result.groups]
    return {
        "file": path,
        "framework": result.framework.id,
        "year": year_value(form.year.value),
        "department": None if dep is None else (fmt(dep) if isinstance(dep, Decimal) else str(dep)),
        "total": to_json_number(result.total),
        "grade": result.grade,
        "errors": result.errors,
        "warnings": result.warnings,
        "groups": groups,
        "findings": [f.to_json() for f in result.findings],
    }
