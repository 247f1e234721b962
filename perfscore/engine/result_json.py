"""A form's result as JSON data: the document ``perfscore check --json`` prints (and ``batch --json``
prints per form). Decimals are strings (``"90.77"``), so they stay exact; unknowns are null.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from perfscore.engine.decimals import fmt, to_json_number
from perfscore.engine.grid import CellValue
from perfscore.engine.pipeline import Result
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


def to_json(result: Result, path: str = "") -> dict[str, Any]:
    """The ``check --json`` document; decimals are strings (``"90.77"``), unknowns are null."""
    form = result.form
    dep = form.department.value
    return {
        "file": path,
        "framework": result.framework.id,
        "year": year_value(form.year.value),
        "department": None if dep is None else (fmt(dep) if isinstance(dep, Decimal) else str(dep)),
        "total": to_json_number(result.total),
        "grade": result.grade,
        "errors": result.errors,
        "warnings": result.warnings,
        "groups": [_node(g) for g in result.groups],
        "findings": [f.to_json() for f in result.findings],
    }
