"""Check a project form: each rule returns findings at the cell to fix; :func:`validate` runs them all.

The department form's wording is reused where the finding is the same (a score missing, above its
weight, a funds figure that is not a number, a computed cell overwritten); the project form's own
findings — targets, actuals, units, weights the department wrote, the 一级 shares and the funds
table — are catalogued with them in :mod:`perfscore.engine.findings`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from perfscore.engine import layout as L
from perfscore.engine.checks import EMPTY_MARKS, Rules, identity_findings, score_findings
from perfscore.engine.computed import same_formula, same_shown
from perfscore.engine.decimals import fmt
from perfscore.engine.findings import Finding, finding
from perfscore.engine.grid import CellValue, ErrorValue, Grid, parse_ref, ref
from perfscore.engine.integrity import _described, _shown
from perfscore.engine.project import layout as PL
from perfscore.engine.project.cells import computed_cells
from perfscore.engine.project.form import ProjectForm
from perfscore.engine.project.model import ProjectFramework
from perfscore.engine.project.rules import RateUndefined, completion_rate, overshoot
from perfscore.engine.project.scoring import ScoredRow, Scores
from perfscore.engine.project.targets import OPS, parse_actual, parse_target, same_unit
from perfscore.engine.values import Kind, as_text, read_number

#: A typed score this far from the reference score (in points) is a ``suggestion-differs`` warning.
SUGGESTION_TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class Context:
    fw: ProjectFramework
    form: ProjectForm
    scores: Scores
    grid: Grid


#: The project form's rules, run by :func:`validate`.
rule: Rules[Context] = Rules()
validate = rule.validate


def _label(sr: ScoredRow) -> str:
    name = as_text(sr.row.value(PL.C_NAME))
    return name or f"第 {sr.row.row} 行"


# ------------------------------------------------------------------------------------- structure


@rule
def sheets_present(ctx: Context) -> Iterator[Finding]:
    if not ctx.form.cover_present:
        yield finding("sheet-missing", L.COVER, "", "cover", name=L.COVER)
    found = {r.id for r in ctx.form.rows}
    for sheet in ctx.form.layout.sheets:
        ids = {
            f"{c.id}.{n}" for c in sheet.group.categories for n in range(1, ctx.form.layout.slots[c.id] + 1)
        }
        if found.isdisjoint(ids):
            why = "工作表不存在" if sheet.name not in ctx.form.sheets else "工作表中找不到任何指标行"
            yield finding("sheet-missing", sheet.name, "", "group", group=sheet.group.name, why=why)


@rule
def rows_unique(ctx: Context) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for row in ctx.form.rows:
        here = ref(row.row, PL.C_NAME)
        if row.id in seen:
            yield finding("row-duplicate", row.sheet, here, id=row.id, first=seen[row.id])
        else:
            seen[row.id] = f"{row.sheet}!{here}"


# ------------------------------------------------------------------------------ department rows


@rule
def rows_complete(ctx: Context) -> Iterator[Finding]:
    for sr in ctx.scores.rows.values():
        row = sr.row
        if not row.used:
            continue
        name = _label(sr)
        if not as_text(row.value(PL.C_NAME)):
            yield finding("row-name-missing", row.sheet, ref(row.row, PL.C_NAME), row=row.row)
        w = sr.weight
        wat = row.at(PL.C_WEIGHT)
        if w.kind is Kind.EMPTY:
            yield finding("row-weight-invalid", wat.sheet, wat.cell, "missing", name=name)
            continue
        if w.kind is not Kind.NUMBER or w.value is None or w.value < 0:
            yield finding("row-weight-invalid", wat.sheet, wat.cell, name=name, value=_shown(wat.value))
            continue
        yield from score_findings(sr.score, row.at(PL.C_SCORE), w.value, name)
        if sr.counts and sr.score.value is not None and sr.score.value < w.value:
            reason = row.at(PL.C_REASON)
            if as_text(reason.value) in EMPTY_MARKS:
                yield finding("deviation-missing", reason.sheet, reason.cell, name=name,
                              score=fmt(sr.score.value), weight=fmt(w.value))  # fmt: skip


@rule
def targets(ctx: Context) -> Iterator[Finding]:
    for sr in ctx.scores.rows.values():
        row = sr.row
        if not row.used:
            continue
        name = _label(sr)
        op_at, value_at, unit_at = row.at(PL.C_OP), row.at(PL.C_VALUE), row.at(PL.C_UNIT)
        op = op_at.value
        if op not in (None, "") and op not in OPS:
            yield finding("target-op-invalid", op_at.sheet, op_at.cell, name=name, value=_shown(op))
            continue
        if value_at.value in (None, ""):
            yield finding("target-missing", value_at.sheet, value_at.cell, name=name)
            continue
        if op in (None, ""):
            text = as_text(value_at.value)
            parsed = parse_target(text + as_text(unit_at.value))
            if isinstance(value_at.value, str) and parsed.quantitative and parsed.value is not None:
                yield finding("target-unsplit", value_at.sheet, value_at.cell, name=name, value=text,
                              op=parsed.op or "", number=fmt(parsed.value), unit=parsed.unit or "（无）")  # fmt: skip
            elif isinstance(value_at.value, Decimal):
                yield finding("target-op-missing", op_at.sheet, op_at.cell, name=name)
            continue
        if not isinstance(value_at.value, Decimal):
            yield finding(
                "target-not-number", value_at.sheet, value_at.cell, name=name, value=_shown(value_at.value)
            )
            continue
        yield from _actual(ctx, sr, name, str(op), value_at.value, as_text(unit_at.value))


def _actual(ctx: Context, sr: ScoredRow, name: str, op: str, target: Decimal, unit: str) -> Iterator[Finding]:
    row = sr.row
    at = row.at(PL.C_ACTUAL)
    if at.value in (None, ""):
        yield finding("actual-missing", at.sheet, at.cell, name=name)
        return
    if isinstance(at.value, ErrorValue):
        yield finding(
            "actual-not-number", at.sheet, at.cell, name=name, value=at.value.code, unit=unit or "（无）"
        )
        return
    if isinstance(at.value, Decimal):
        actual = at.value
    else:
        parsed = parse_actual(as_text(at.value))
        if parsed.value is not None and parsed.unit and not same_unit(unit, parsed.unit):
            yield finding("unit-mismatch", at.sheet, at.cell, name=name, value=as_text(at.value),
                          unit=parsed.unit, target_unit=unit or "（无）")  # fmt: skip
        else:
            yield finding("actual-not-number", at.sheet, at.cell, name=name, value=as_text(at.value),
                          unit=unit or "（无）")  # fmt: skip
        return
    if actual < 0 or target < 0:
        yield finding("reference-undefined", at.sheet, at.cell, "negative", name=name)
        return
    try:
        completion_rate(op, target, actual)
    except RateUndefined as exc:
        yield finding("reference-undefined", at.sheet, at.cell, name=name, why=str(exc))
        return
    reason = row.at(PL.C_REASON)
    if overshoot(op, target, actual, ctx.fw.overshoot) and as_text(reason.value) in EMPTY_MARKS:
        yield finding("target-overshoot", reason.sheet, reason.cell, name=name, actual=fmt(actual),
                      target=f"{op}{fmt(target)}{unit}", percent=fmt(ctx.fw.overshoot * 100))  # fmt: skip
    differs = sr.reference is not None and sr.score.value is not None and sr.counts
    if differs and abs((sr.score.value or Decimal(0)) - (sr.reference or Decimal(0))) > SUGGESTION_TOLERANCE:
        s = row.at(PL.C_SCORE)
        yield finding("suggestion-differs", s.sheet, s.cell, "target", name=name,
                      reference=fmt(sr.reference), score=fmt(sr.score.value))  # fmt: skip


# ----------------------------------------------------------------------------------- 一级 shares


@rule
def group_weights(ctx: Context) -> Iterator[Finding]:
    fw, sc, lay = ctx.fw, ctx.scores, ctx.form.layout
    for sheet in lay.sheets:
        g = sheet.group
        used = any(r.row.used for r in sc.rows.values() if r.row.category.split(".")[0] == g.id)
        first = ref(PL.FIRST_ROW, PL.C_NAME)
        if not used and g.required:
            yield finding("group-empty", sheet.name, first, group=g.name)
            continue
        if g.weight is not None and used and sc.rows_weights[g.id] != sc.group_weights[g.id]:
            yield finding("group-weight", sheet.name, ref(sheet.total_row, PL.C_WEIGHT), group=g.name,
                          found=fmt(sc.rows_weights[g.id]), expected=fmt(sc.group_weights[g.id]))  # fmt: skip
    if all(g.weight is None for g in fw.groups):
        total = sum(sc.rows_weights.values(), Decimal(0))
        if total != fw.indicator_weight:
            sheet = lay.sheets[0]
            yield finding("indicators-weight", sheet.name, ref(sheet.total_row, PL.C_WEIGHT),
                          found=fmt(total), expected=fmt(fw.indicator_weight))  # fmt: skip


# ---------------------------------------------------------------------------------------- cover


@rule
def header_fields(ctx: Context) -> Iterator[Finding]:
    form, fw = ctx.form, ctx.fw
    if not form.cover_present:
        return
    yield from identity_findings(form.department, form.year, fw.id, fw.years)
    fields = [(h, form.header[h.key]) for h in fw.header] + [(g, form.goals[g.key]) for g in fw.goals]
    for f, at in fields:
        if f.required and not as_text(at.value):
            yield finding("header-missing", at.sheet, at.cell, "text", field=f.key)


@rule
def funds(ctx: Context) -> Iterator[Finding]:
    form, fw = ctx.form, ctx.fw
    if not form.cover_present:
        return
    f = fw.funds
    values: dict[tuple[str, str], Decimal] = {}
    for (row, col), at in form.funds.items():
        field = f"{row}·{col}"
        r = read_number(at.value)
        if r.kind is Kind.EMPTY and row == f.rows[0] and col in (f.budget, f.actual):
            yield finding("funds-missing", at.sheet, at.cell, field=field, name=f.name)
        elif r.kind is Kind.EMPTY:
            yield finding("budget-missing", at.sheet, at.cell, field=field)
        elif r.kind is Kind.COMMA:
            yield finding("budget-not-number", at.sheet, at.cell, "comma", field=field, value=at.value)
        elif r.kind is not Kind.NUMBER or r.value is None:
            yield finding(
                "budget-not-number", at.sheet, at.cell, field=field, value=_shown(at.value), unit=f.unit
            )
        elif r.value < 0:
            yield finding("budget-negative", at.sheet, at.cell, field=field, value=fmt(r.value))
        else:
            values[(row, col)] = r.value
    total, parts = f.rows[0], f.rows[1:]
    for col in f.columns if parts else ():
        if all((p, col) in values for p in (total, *parts)):
            s = sum((values[(p, col)] for p in parts), Decimal(0))
            if s != values[(total, col)]:
                at = form.funds[(total, col)]
                detail = " + ".join(f"{p} {fmt(values[(p, col)])}" for p in parts)
                yield finding("budget-identity", at.sheet, at.cell, label=f"{col}：{total} = 其中各项之和",
                              left=total, left_sum=fmt(values[(total, col)]), right=detail, right_sum=fmt(s))  # fmt: skip
    budget = values.get((total, f.budget))
    if budget == 0:
        at = form.funds[(total, f.budget)]
        yield finding("funds-budget-zero", at.sheet, at.cell, field=f"{total}·{f.budget}")
    rate = ctx.scores.funds_rate
    if (
        f.reason_below is not None
        and form.funds_reason is not None
        and rate is not None
        and rate < f.reason_below
    ):
        at = form.funds_reason
        if as_text(at.value) in EMPTY_MARKS:
            yield finding("funds-reason-missing", at.sheet, at.cell, rate=fmt(rate * 100),
                          limit=fmt(f.reason_below * 100))  # fmt: skip


# ----------------------------------------------------------------------------------- integrity


@rule
def computed_cells_intact(ctx: Context) -> Iterator[Finding]:
    """Every computed cell holds its formula, and its cached result shows the engine's figure."""
    for comp in computed_cells(ctx.form.layout, ctx.form.meta.formulas):
        if not comp.checked or comp.sheet not in ctx.grid.sheets:
            continue
        sheet = ctx.grid.sheets[comp.sheet]
        pos = parse_ref(comp.cell)
        found, cached = sheet.formulas.get(pos), sheet.at(*pos)
        if not same_formula(found, comp.formula):
            short = comp.formula if len(comp.formula) <= 60 else comp.formula[:60] + "…"
            yield finding("formula-changed", comp.sheet, comp.cell, label=comp.label, formula=short,
                          found=_described(found, cached))  # fmt: skip
            continue
        if cached is None:
            continue
        expected: CellValue = ctx.scores.values[comp.key]
        if not same_shown(cached, expected):
            yield finding("displayed-total-differs", comp.sheet, comp.cell, label=comp.label,
                          shown=_shown(cached), expected=_shown(expected))  # fmt: skip
