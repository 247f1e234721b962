"""Score a project form: department rows → reference scores, bands, sub-totals, total and grade.

Everything here is what the form's own formulas (:mod:`perfscore.engine.project.formulas`) show, computed
exactly: :func:`shown` gives each computed cell's value by its key (see
:func:`perfscore.engine.project.cells.computed_cells`), "" where the form shows nothing. A row counts
when its 得分 and 分值 are numbers with 0 ≤ 得分 ≤ 分值; a category has no 小计 until every row in use
counts, so perfscore never shows a total that is silently wrong. The reference score and band are
offered to the clerk and never replace the typed 得分.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from perfscore.engine.decimals import round_half_up
from perfscore.engine.grid import CellValue
from perfscore.engine.project import layout as PL
from perfscore.engine.project.form import DeptRow, ProjectForm
from perfscore.engine.project.model import ProjectFramework
from perfscore.engine.project.rules import RateUndefined, band_of, reference
from perfscore.engine.project.targets import OPS
from perfscore.engine.values import Kind, Reading, as_text, read_number

RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class ScoredRow:
    row: DeptRow
    weight: Reading
    score: Reading
    reference: Decimal | None  # what 参考得分 shows
    band: str | None  # what 定性档次 shows

    @property
    def counts(self) -> bool:
        w, s = self.weight, self.score
        return (
            w.kind is Kind.NUMBER
            and s.kind is Kind.NUMBER
            and w.value is not None
            and s.value is not None
            and 0 <= s.value <= w.value
        )

    @property
    def op(self) -> str | None:
        v = self.row.value(PL.C_OP)
        return v if isinstance(v, str) and v != "" else (None if v in (None, "") else str(v))


def _number(v: CellValue) -> Decimal | None:
    return v if isinstance(v, Decimal) and v.is_finite() else None


def score_row(row: DeptRow) -> ScoredRow:
    weight, score = read_number(row.value(PL.C_WEIGHT)), read_number(row.value(PL.C_SCORE))
    op_cell = row.value(PL.C_OP)
    w, t, a = (_number(row.value(c)) for c in (PL.C_WEIGHT, PL.C_VALUE, PL.C_ACTUAL))
    ref_value = None
    if w is not None and t is not None and a is not None and min(w, t, a) >= 0 and op_cell in OPS:
        try:
            ref_value = reference(str(op_cell), t, a, w)
        except RateUndefined:
            ref_value = None
    band = None
    s = _number(row.value(PL.C_SCORE))
    if op_cell in (None, "") and w is not None and s is not None:
        band = band_of(s, w)
    return ScoredRow(row, weight, score, ref_value, band)


@dataclass(frozen=True)
class Scores:
    """The form's figures: each computed cell's value by key, and the parts results need."""

    rows: dict[str, ScoredRow]  # by row id (first of each id)
    values: dict[str, CellValue]  # computed-cell key -> what it shows
    funds_rate: Decimal | None
    funds_score: Decimal | None
    group_scores: dict[str, Decimal | None]
    group_weights: dict[str, Decimal]  # what each 一级 should weigh (moved weights included)
    rows_weights: dict[str, Decimal]  # what the rows of each 一级 weigh
    total: Decimal | None
    grade: str | None


def _figure(v: Decimal | None) -> CellValue:
    return "" if v is None else v


def score(form: ProjectForm, fw: ProjectFramework) -> Scores:
    lay = form.layout
    rows: dict[str, ScoredRow] = {}
    for row in form.rows:
        rows.setdefault(row.id, score_row(row))
    values: dict[str, CellValue] = {}
    for sr in rows.values():
        values[f"ref:{sr.row.id}"] = _figure(sr.reference)
        values[f"band:{sr.row.id}"] = sr.band or ""
    used_by_group: dict[str, bool] = {}
    group_scores: dict[str, Decimal | None] = {}
    rows_weights: dict[str, Decimal] = {}
    for sheet in lay.sheets:
        g = sheet.group
        subs: list[Decimal | None] = []
        sub_weights: list[Decimal] = []
        used_any = False
        for cat in g.categories:
            mine = [rows[f"{cat.id}.{n}"] for n in range(1, lay.slots[cat.id] + 1) if f"{cat.id}.{n}" in rows]
            used = [r for r in mine if r.row.used]
            used_any = used_any or bool(used)
            weight = round_half_up(
                sum((_number(r.row.value(PL.C_WEIGHT)) or Decimal(0) for r in mine), Decimal(0))
            )
            sub = (
                round_half_up(sum((r.score.value or Decimal(0) for r in used), Decimal(0)))
                if all(r.counts for r in used)
                else None
            )
            values[f"subweight:{cat.id}"] = weight
            values[f"sub:{cat.id}"] = _figure(sub)
            subs.append(sub)
            sub_weights.append(weight)
        rows_weights[g.id] = round_half_up(sum(sub_weights, Decimal(0)))
        values[f"rowsweight:{g.id}"] = rows_weights[g.id]
        total_g = (
            None
            if any(s is None for s in subs)
            else round_half_up(sum((s or Decimal(0) for s in subs), Decimal(0)))
        )
        group_scores[g.id] = total_g
        values[f"groupscore:{g.id}"] = _figure(total_g)
        values[f"group:{g.id}"] = _figure(total_g)
        used_by_group[g.id] = used_any
    group_weights = _group_weights(fw, used_by_group, rows_weights)
    for gid, w in group_weights.items():
        values[f"weight:{gid}"] = w
    rate, funds_score = _funds(form, fw)
    values["funds_rate"] = _figure(rate)
    values["funds_score"] = _figure(funds_score)
    parts = [funds_score, *group_scores.values()]
    total = (
        None
        if any(p is None for p in parts)
        else round_half_up(sum((p or Decimal(0) for p in parts), Decimal(0)))
    )
    grade = fw.grade(total) if total is not None else None
    values["total"] = _figure(total)
    values["grade"] = grade or ""
    values["grade_line"] = fw.grade_line(grade)
    year = as_text(form.year.value)
    values["title"] = f"{year}年度{fw.title}" if year else fw.title
    return Scores(rows, values, rate, funds_score, group_scores, group_weights, rows_weights, total, grade)


def _group_weights(
    fw: ProjectFramework, used: dict[str, bool], rows_weights: dict[str, Decimal]
) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for g in fw.groups:
        if g.weight is None:
            out[g.id] = rows_weights[g.id]
            continue
        w = Decimal(0) if g.moves_to is not None and not used[g.id] else g.weight
        for other in fw.groups:
            if other.moves_to == g.id and other.weight is not None and not used[other.id]:
                w += other.weight
        out[g.id] = w
    return out


def _funds(form: ProjectForm, fw: ProjectFramework) -> tuple[Decimal | None, Decimal | None]:
    total_row = fw.funds.rows[0]
    budget = _number(form.funds[(total_row, fw.funds.budget)].value)
    actual = _number(form.funds[(total_row, fw.funds.actual)].value)
    if budget is None or actual is None or budget <= 0 or actual < 0:
        return None, None
    rate = round_half_up(actual / budget, RATE_PLACES)
    return rate, reference("≥", budget, actual, fw.funds.weight)
