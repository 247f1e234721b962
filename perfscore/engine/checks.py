"""Check: a registry of small pure rules, each returning findings; :func:`validate` runs them all.

A rule that raises becomes a ``rule-failed`` finding, never a traceback for the user. The rules
about the workbook's own integrity (formulas, displayed figures, fixed texts) are in
:mod:`perfscore.engine.integrity` and register here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from perfscore.engine import layout as L
from perfscore.engine.computed import shown_values
from perfscore.engine.decimals import decimals_of, fmt
from perfscore.engine.findings import WORKBOOK, Finding, finding
from perfscore.engine.form import Form, Located, Row
from perfscore.engine.framework import Framework
from perfscore.engine.grid import CellValue, ErrorValue, Grid, ref
from perfscore.engine.scoring import Leaf, Node, valid_rate
from perfscore.engine.values import Kind, Reading, as_text, read_number


@dataclass(frozen=True)
class Context:
    fw: Framework
    form: Form
    leaves: dict[str, Leaf]
    grid: Grid
    groups: tuple[Node, ...]
    total: Decimal | None
    grade: str | None

    def shown_values(self) -> dict[tuple[str, str], CellValue]:
        """What each formula cell of the form shows when computed from its entries."""
        return shown_values(self.fw, self.form, self.leaves, self.groups, self.total, self.grade)


C = TypeVar("C")


class Rules(Generic[C]):
    """A registry of check rules over a context ``C``: ``@rules`` registers one, :meth:`validate` runs
    them all. A rule that raises becomes a ``rule-failed`` finding; the others still run."""

    def __init__(self) -> None:
        self.rules: list[Callable[[C], Iterable[Finding]]] = []

    def __call__(self, fn: Callable[[C], Iterable[Finding]]) -> Callable[[C], Iterable[Finding]]:
        self.rules.append(fn)
        return fn

    def validate(self, ctx: C) -> list[Finding]:
        out: list[Finding] = []
        for fn in self.rules:
            try:
                out.extend(fn(ctx))
            except Exception as exc:  # a broken rule must not hide the others
                out.append(finding("rule-failed", WORKBOOK, "", rule=fn.__name__, error=repr(exc)))
        return out


#: The department form's rules (this module's and :mod:`perfscore.engine.integrity`'s).
rule: Rules[Context] = Rules()
validate = rule.validate

EMPTY_MARKS = frozenset({"", "\\", "/", "＼", "／", "无", "-", "—"})


def _shown(value: object) -> str:
    if isinstance(value, Decimal):  # infinity: a file held a number like 1e309 that no spreadsheet can
        return fmt(value) if value.is_finite() else "超出 Excel 范围的数值（如 1e309）"
    return str(value)


# ------------------------------------------------------------------------------------ structure


@rule
def sheets_present(ctx: Context) -> Iterator[Finding]:
    if not ctx.form.cover_present:
        yield finding("sheet-missing", L.COVER, "", "cover", name=L.COVER)
    found_ids = {r.id for r in ctx.form.rows}
    for sl in L.sheet_layouts(ctx.fw):
        if not any(leaf.id in found_ids for leaf in sl.group.leaves()):
            where = "工作表不存在" if sl.name not in ctx.form.sheets else "工作表中找不到任何指标行"
            yield finding("sheet-missing", sl.name, "", "group", group=sl.group.name, why=where)


@rule
def rows_match_framework(ctx: Context) -> Iterator[Finding]:
    fw, form = ctx.fw, ctx.form
    sheets = L.sheet_layouts(fw)
    layouts = {iid: sl for sl in sheets for iid in sl.rows}
    found_ids = {r.id for r in form.rows}
    seen: dict[str, Row] = {}
    for row in form.rows:
        name_cell = row.cell(L.C_NAME)
        if row.id not in fw.by_id or not fw.by_id[row.id].is_leaf:
            yield finding("row-unknown", row.sheet, name_cell, id=row.id, framework=fw.id)
        elif row.id in seen:
            first = seen[row.id]
            yield finding("row-duplicate", row.sheet, name_cell, id=row.id,
                          first=f"{first.sheet}!{first.cell(L.C_NAME)}")  # fmt: skip
        else:
            seen[row.id] = row
    # a sheet none of whose rows was found is reported once, as sheet-missing
    present = {sl.name for sl in sheets if not found_ids.isdisjoint(sl.rows)}
    for leaf in fw.leaves():
        sl = layouts[leaf.id]
        if leaf.id not in seen and sl.name in present:
            yield finding("row-missing", sl.name, ref(sl.rows[leaf.id], L.C_NAME), id=leaf.id, name=leaf.name)
    # order: framework order within the workbook, and each row on its group's sheet
    order = {leaf.id: n for n, leaf in enumerate(fw.leaves())}
    last = -1
    for row in seen.values():
        pos = order[row.id]
        wrong_sheet = row.sheet != layouts[row.id].name and layouts[row.id].name in form.sheets
        if pos < last or wrong_sheet:
            yield finding("row-moved", row.sheet, row.cell(L.C_NAME), id=row.id, target=layouts[row.id].name)
        last = max(last, pos)


def _same_name(cell: CellValue, name: str) -> bool:
    return as_text(cell).replace("\n", "") == name


@rule
def names_and_weights(ctx: Context) -> Iterator[Finding]:
    for leaf in ctx.fw.leaves():
        row = ctx.leaves[leaf.id].row
        if row is not None:
            yield from _compare(row, L.C_NAME, L.C_WEIGHT, leaf.name, leaf.weight, "三级指标", leaf.id)
    # group cells sit (merged) on the first row of their group
    for group in ctx.fw.walk():
        if group.level in _GROUP_COLUMNS and not group.is_leaf:
            row = ctx.leaves[next(group.leaves()).id].row
            if row is not None:
                label, cn, cw = _GROUP_COLUMNS[group.level]
                yield from _compare(row, cn, cw, group.name, group.weight, label, group.id)


_GROUP_COLUMNS = {1: ("一级指标", L.C_L1, L.C_L1W), 2: ("二级指标", L.C_L2, L.C_L2W)}


def _compare(
    row: Row, cn: int, cw: int, name: str, weight: Decimal, label: str, iid: str
) -> Iterator[Finding]:
    typed_name = row.value(cn)
    if typed_name != name and not _same_name(typed_name, name):
        yield finding("name-changed", row.sheet, row.cell(cn), label=label, id=iid, name=name,
                      found=as_text(typed_name))  # fmt: skip
    typed_weight = row.value(cw)
    if isinstance(typed_weight, Decimal) and typed_weight == weight:
        return  # as built
    got = read_number(typed_weight)
    if got.value != weight or not got.usable:
        found = _shown(row.value(cw)) if row.value(cw) is not None else "空"
        yield finding(
            "weight-changed", row.sheet, row.cell(cw), label=label, id=iid, weight=fmt(weight), found=found
        )


@rule
def placeholders(ctx: Context) -> Iterator[Finding]:
    for leaf in ctx.fw.leaves():
        row = ctx.leaves[leaf.id].row
        if leaf.placeholder and row is not None:
            yield finding("placeholder-indicator", row.sheet, row.cell(L.C_NAME), id=leaf.id)


# ---------------------------------------------------------------------------------------- scores


@rule
def scores(ctx: Context) -> Iterator[Finding]:
    for leaf in ctx.leaves.values():
        if leaf.row is None:
            continue
        yield from score_findings(leaf.reading, leaf.row.score, leaf.indicator.weight, leaf.indicator.name)


def score_findings(r: Reading, at: Located, weight: Decimal, name: str) -> Iterator[Finding]:
    """Findings for one score cell (also used by the row-check UDF)."""
    s, c, raw = at.sheet, at.cell, at.value
    if r.kind is Kind.NUMBER and r.value is not None and 0 <= r.value <= weight and decimals_of(r.value) <= 2:
        return  # the usual case, decided without formatting anything
    w = fmt(weight)
    if r.kind is Kind.EMPTY:
        yield finding("score-missing", s, c, name=name, weight=w)
        return
    if r.kind is Kind.ERROR:
        yield finding("score-formula-error", s, c, name=name, value=raw)
        return
    if r.kind is Kind.PERCENT:
        yield finding("score-not-number", s, c, "percent", name=name, value=raw, weight=w)
        return
    if r.kind is Kind.COMMA:
        yield finding("score-not-number", s, c, "comma", name=name, value=raw)
        return
    if r.kind is Kind.NOT_NUMBER or r.value is None:
        yield finding("score-not-number", s, c, name=name, value=_shown(raw), weight=w)
        return
    score = fmt(r.value)
    if r.kind is Kind.TEXT_NUMBER:
        yield finding("score-text-number", s, c, name=name, value=raw, number=score)
    if r.value < 0:
        yield finding("score-negative", s, c, name=name, score=score)
    elif r.value > weight:
        yield finding("score-above-weight", s, c, name=name, score=score, weight=w)
    if decimals_of(r.value) > 2:
        yield finding("score-precision", s, c, name=name, score=score)


@rule
def shortfall_explained(ctx: Context) -> Iterator[Finding]:
    for leaf in ctx.leaves.values():
        score, row = leaf.score, leaf.row
        if score is None or row is None or score >= leaf.indicator.weight:
            continue
        yield from shortfall_findings(
            score, leaf.indicator.weight, leaf.indicator.name, row.reason, row.measure
        )


def shortfall_findings(
    score: Decimal, weight: Decimal, name: str, reason: Located, measure: Located
) -> Iterator[Finding]:
    """A score below its weight needs 未达标原因 and 改进措施 (also used by the row-check UDF)."""
    if score >= weight:
        return
    for at, code in ((reason, "reason-missing"), (measure, "measure-missing")):
        if as_text(at.value) in EMPTY_MARKS:
            yield finding(code, at.sheet, at.cell, name=name, score=fmt(score), weight=fmt(weight))


@rule
def reference_rules(ctx: Context) -> Iterator[Finding]:
    for leaf in ctx.leaves.values():
        ind, row = leaf.indicator, leaf.row
        if ind.rule is None or row is None or leaf.rate.kind is Kind.EMPTY:
            continue
        at, r = row.rate, leaf.rate
        if valid_rate(r) is None:
            yield finding("rate-invalid", at.sheet, at.cell, what=ind.rule_input, value=_shown(at.value))
            continue
        if r.kind is not Kind.NUMBER:
            percent = fmt(r.value * 100 if r.value is not None else None)
            yield finding(
                "rate-text-number", at.sheet, at.cell, what=ind.rule_input, value=at.value, percent=percent
            )
        if leaf.suggestion is not None and leaf.score is not None and leaf.score != leaf.suggestion:
            s = row.score
            yield finding("suggestion-differs", s.sheet, s.cell, weight=fmt(ind.weight),
                          percent=fmt((r.value or Decimal(0)) * 100), suggestion=fmt(leaf.suggestion),
                          score=fmt(leaf.score))  # fmt: skip


# ---------------------------------------------------------------------------------- cover sheet


def identity_findings(dep: Located, year: Located, fid: str, years: tuple[int, int]) -> Iterator[Finding]:
    """The department and year cells of either kind of form: present, trimmed, a four-digit year
    within the framework's years."""
    if not as_text(dep.value):
        yield finding("header-missing", dep.sheet, dep.cell, "department")
    elif isinstance(dep.value, str) and dep.value != dep.value.strip():
        yield finding("department-padded", dep.sheet, dep.cell, value=dep.value)
    r = read_number(year.value)
    if r.kind is Kind.EMPTY:
        yield finding("header-missing", year.sheet, year.cell, "year")
    elif r.value is None or r.value != r.value.to_integral_value() or not 2000 <= r.value <= 2100:
        yield finding("header-invalid", year.sheet, year.cell, "year", value=_shown(year.value))
    elif not years[0] <= int(r.value) <= years[1]:
        span = f"{years[0]}" if years[0] == years[1] else f"{years[0]}–{years[1]}"
        yield finding(
            "year-outside-framework", year.sheet, year.cell, year=int(r.value), framework=fid, span=span
        )


@rule
def header_fields(ctx: Context) -> Iterator[Finding]:
    form, fw = ctx.form, ctx.fw
    if not form.cover_present:
        return
    yield from identity_findings(form.department, form.year, fw.id, fw.years)
    for h in fw.header:
        at = form.header[h.key]
        if h.kind == "integer":
            n = read_number(at.value)
            if n.kind is Kind.EMPTY:
                yield finding("header-missing", at.sheet, at.cell, "integer", field=h.key)
            elif n.value is None or n.value < 1 or n.value != n.value.to_integral_value():
                yield finding(
                    "header-invalid", at.sheet, at.cell, "integer", field=h.key, value=_shown(at.value)
                )
        elif not as_text(at.value):
            yield finding("header-missing", at.sheet, at.cell, "text", field=h.key)


@rule
def budget(ctx: Context) -> Iterator[Finding]:
    form, fw = ctx.form, ctx.fw
    if not form.cover_present:
        return
    values: dict[str, Decimal] = {}
    for name in fw.budget_fields:
        at = form.budget[name]
        r = read_number(at.value)
        if r.kind is Kind.EMPTY:
            yield finding("budget-missing", at.sheet, at.cell, field=name)
        elif r.kind is Kind.COMMA:
            yield finding("budget-not-number", at.sheet, at.cell, "comma", field=name, value=at.value)
        elif not r.usable or r.value is None or isinstance(at.value, ErrorValue):
            yield finding(
                "budget-not-number",
                at.sheet,
                at.cell,
                field=name,
                value=_shown(at.value),
                unit=fw.budget_unit,
            )
        elif r.value < 0:
            yield finding("budget-negative", at.sheet, at.cell, field=name, value=fmt(r.value))
        else:
            if r.kind is Kind.TEXT_NUMBER:
                yield finding(
                    "budget-text-number", at.sheet, at.cell, field=name, value=at.value, number=fmt(r.value)
                )
            values[name] = r.value
    for ident in fw.identities:
        names = ident.left + ident.right
        if not all(n in values for n in names):
            continue
        left = sum((values[n] for n in ident.left), Decimal(0))
        right = sum((values[n] for n in ident.right), Decimal(0))
        if left != right:
            at = form.budget[ident.left[0]]
            detail = " + ".join(f"{n} {fmt(values[n])}" for n in ident.right)
            yield finding("budget-identity", at.sheet, at.cell, label=ident.label, left=" + ".join(ident.left),
                          left_sum=fmt(left), right=detail, right_sum=fmt(right))  # fmt: skip
