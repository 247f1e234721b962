"""The report context of a project form (项目支出): a plain dict built from a :class:`ProjectResult`.

Typed as the department form's context (:mod:`perfscore.report.context`): numbers are Decimals (None
when empty, the text typed when a number belongs and text was typed), text exactly as typed. Its names
are described in ``templates/README.md`` (section "The project form").

``rows`` is the published table's body: every department row in use, in form order, and one blank row
for a category without any (the published forms print 经济效益指标 empty); each row carries the spans
of its 一级 and 二级 cells for the merges.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from perfscore.engine.decimals import fmt
from perfscore.engine.grid import ref
from perfscore.engine.project import layout as PL
from perfscore.engine.project.pipeline import ProjectResult
from perfscore.engine.project.scoring import ScoredRow
from perfscore.engine.project.submission import RowInput
from perfscore.report.context import FULL_MARK_MARK, check_line, number, text, year_of


def build_project_context(result: ProjectResult) -> dict[str, Any]:
    fw, form, sc = result.framework, result.form, result.scores
    department = text(form.department.value).strip()
    year_text = text(form.year.value)
    header_fields = [{"key": h.key, "value": text(form.header[h.key].value)} for h in fw.header]
    f = fw.funds
    funds_rows = []
    for n, name in enumerate(f.rows):
        funds_rows.append(
            {
                "name": name,
                "label": name if n == 0 or len(f.rows) == 1 else f"其中：{name}",
                "amounts": [number(form.funds[(name, c)].value) for c in f.columns],
                "total": n == 0,
            }
        )
    bands = [
        {"grade": b.grade, "label": b.label, "ticked": b.grade == result.grade,
         "box": "☑" if b.grade == result.grade else "□"}
        for b in fw.bands
    ]  # fmt: skip
    c = fw.columns
    return {
        "title": f"{year_text}年度{department}{fw.title}" if year_text else f"{department}{fw.title}",
        "framework_title": fw.title,
        "framework_id": fw.id,
        "region": fw.region,
        "department": department,
        "year": year_of(form.year.value),
        "header": {h["key"]: h["value"] for h in header_fields},
        "header_fields": header_fields,
        "funds_unit": f.unit,
        "funds_name": f.name,
        "funds_columns": list(f.columns),
        "funds_rows": funds_rows,
        "funds_weight": f.weight,
        "funds_rate": sc.funds_rate,
        "funds_rate_text": ""
        if sc.funds_rate is None
        else f"{fmt((sc.funds_rate * 100).quantize(Decimal('0.01')))}%",
        "funds_score": sc.funds_score,
        "funds_reason_label": f.reason_label if f.reason_below is not None else "",
        "funds_reason": text(form.funds_reason.value) if form.funds_reason is not None else "",
        "goals": [{"key": g.key, "value": text(form.goals[g.key].value)} for g in fw.goals],
        "footer": [{"key": g.key, "value": text(form.footer[g.key].value)} for g in fw.footer],
        "columns": {
            "target": c.target,
            "op": c.op,
            "value": c.value,
            "unit": c.unit,
            "actual": c.actual,
            "weight": c.weight,
            "score": c.score,
            "reason": c.reason,
        },
        "indicator_weight": fw.indicator_weight,
        "rows": _rows(result),
        "groups": [
            {"id": g.indicator.id, "name": g.indicator.name, "weight": g.indicator.weight, "score": g.score}
            for g in result.groups
        ],
        "total": result.total,
        "total_weight": fw.total_weight,
        "grade": result.grade,
        "grade_line": result.grade_line,
        "bands": bands,
        "errors": result.errors,
        "warnings": result.warnings,
        "check_lines": [check_line(result)] if result.errors else [],
    }


def _rows(result: ProjectResult) -> list[dict[str, Any]]:
    fw, form, sc = result.framework, result.form, result.scores
    out: list[dict[str, Any]] = []
    for g in fw.groups:
        group_rows: list[dict[str, Any]] = []
        for cat in g.categories:
            mine = [
                sc.rows[f"{cat.id}.{n}"]
                for n in range(1, form.layout.slots[cat.id] + 1)
                if f"{cat.id}.{n}" in sc.rows and sc.rows[f"{cat.id}.{n}"].row.used
            ]
            cat_rows = [_row(sr) for sr in mine] or [_blank()]
            for n, row in enumerate(cat_rows):
                row.update(category=cat.name, category_id=cat.id, category_first=n == 0,
                           category_span=len(cat_rows) if n == 0 else 0)  # fmt: skip
            group_rows += cat_rows
        for n, row in enumerate(group_rows):
            row.update(group=g.name, group_id=g.id, group_weight=result.scores.group_weights[g.id],
                       group_first=n == 0, group_span=len(group_rows) if n == 0 else 0)  # fmt: skip
        out += group_rows
    return out


def _row(sr: ScoredRow) -> dict[str, Any]:
    row = sr.row
    op = row.value(PL.C_OP)
    printed = RowInput(
        row.category,
        op=op if isinstance(op, str) and op else None,
        value=_input(row.value(PL.C_VALUE)),
        unit=_input(row.value(PL.C_UNIT)),
    ).target_text()
    weight, score = number(row.value(PL.C_WEIGHT)), number(row.value(PL.C_SCORE))
    full = sr.counts and sr.score.value == sr.weight.value
    reason = text(row.value(PL.C_REASON))
    if full and not reason.strip():
        reason = FULL_MARK_MARK
    return {
        "id": row.id,
        "name": text(row.value(PL.C_NAME)),
        "op": text(op),
        "value": number(row.value(PL.C_VALUE)),
        "unit": text(row.value(PL.C_UNIT)),
        "target": text(printed),
        "actual": text(row.value(PL.C_ACTUAL)),
        "weight": weight,
        "score": score,
        "reason": reason,
        "reference": sr.reference,
        "band": sr.band or "",
        "blank": False,
        "sheet": row.sheet,
        "cell": ref(row.row, PL.C_SCORE),
    }


def _input(v: object) -> Decimal | str | None:
    return v if v is None or isinstance(v, (Decimal, str)) else str(v)


def _blank() -> dict[str, Any]:
    return {"id": "", "name": "", "op": "", "value": None, "unit": "", "target": "", "actual": "",
            "weight": None, "score": None, "reason": "", "reference": None, "band": "", "blank": True,
            "sheet": "", "cell": ""}  # fmt: skip
