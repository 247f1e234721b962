"""Terminal and JSON renderings of a :class:`~perfscore.engine.pipeline.Result` (for the CLI).

Finding lines follow the compiler convention ``FILE:Sheet!Cell: severity CODE message`` (a finding
about a whole sheet: ``FILE:Sheet: …``), so editors and scripts can jump to the cell.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from perfscore.engine.decimals import fmt, to_json_number
from perfscore.engine.findings import Finding, Severity, count
from perfscore.engine.grid import CellValue
from perfscore.engine.pipeline import Result
from perfscore.engine.scoring import Node
from perfscore.engine.text import display_width as width


def title(result: Result) -> str:
    """``2022年度广州市增城区工商业联合会部门整体支出绩效自评表`` (as the form prints it)."""
    form = result.form
    year = _year(form.year.value)
    dep = form.department.value
    department = "" if dep is None else (fmt(dep) if isinstance(dep, Decimal) else str(dep))
    return f"{f'{year}年度' if year is not None else ''}{department}{result.framework.title}"


def finding_line(path: str, f: Finding) -> str:
    """``FILE:Sheet!Cell: severity CODE message`` (``FILE: …`` for a finding about the whole workbook)."""
    where = f"{path}:{f.location}" if f.location else path
    return f"{where}: {f.severity.value} {f.code} {f.message}"


def summary_line(path: str, result: Result) -> str:
    total = fmt(result.total) if result.total is not None else "—（无法核算）"
    grade = result.grade or "—"
    infos = count(result.findings, Severity.INFO)
    return f"{path}: 总分 {total}，等级 {grade}；错误 {result.errors}，警告 {result.warnings}，提示 {infos}"


def lines(path: str, result: Result) -> list[str]:
    return [finding_line(path, f) for f in result.findings] + [summary_line(path, result)]


def _year(value: CellValue) -> int | str | None:
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
        "year": _year(form.year.value),
        "department": None if dep is None else (fmt(dep) if isinstance(dep, Decimal) else str(dep)),
        "total": to_json_number(result.total),
        "grade": result.grade,
        "errors": result.errors,
        "warnings": result.warnings,
        "groups": [_node(g) for g in result.groups],
        "findings": [f.to_json() for f in result.findings],
    }


# ------------------------------------------------------------------------------- result table


def _pad(text: str, cols: int, *, right: bool = False) -> str:
    gap = " " * max(0, cols - width(text))
    return gap + text if right else text + gap


def table(result: Result) -> str:
    """一级指标 | 分值 | 得分, then 总分 and 评价等级, aligned for a terminal."""
    rows = [("一级指标", "分值", "得分")]
    for g in result.groups:
        rows.append((g.indicator.name, fmt(g.indicator.weight), fmt(g.score) if g.score is not None else "—"))
    total = fmt(result.total) if result.total is not None else "—"
    rows.append(("总分", fmt(result.framework.total_weight), total))
    w0 = max(width(r[0]) for r in rows)
    w1 = max(width(r[1]) for r in rows)
    w2 = max(width(r[2]) for r in rows)
    out = []
    for n, (a, b, c) in enumerate(rows):
        out.append(f"{_pad(a, w0)}  {_pad(b, w1, right=True)}  {_pad(c, w2, right=True)}")
        if n == 0 or n == len(rows) - 2:
            out.append("-" * (w0 + w1 + w2 + 4))
    out.append(f"{_pad('评价等级', w0)}  {result.grade or '—'}")
    out.append(f"{' ' * w0}  {result.grade_line}")
    return "\n".join(out)
