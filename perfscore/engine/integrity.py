"""Integrity checks: is the workbook still the template it was built from, and does it show the truth?

What a bureau receives is a workbook whose visible totals it will trust. These rules (registered with
the others in :mod:`perfscore.engine.checks`) report:

* ``formula-changed`` — a computed cell (a sub-total, a group score, 总分, 评价等级, the grade line)
  whose formula was typed over or edited;
* ``displayed-total-differs`` — a computed cell whose cached result differs from what the form's
  entries give (a tampered or stale file);
* ``explanation-changed`` — a 指标解释 or a sub-total label edited (text fixed by the framework);
* ``sheet-renamed`` — an indicator sheet found under another name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from perfscore.engine import layout as L
from perfscore.engine.checks import Context, rule
from perfscore.engine.computed import computed_cells, renamed, same_formula, same_shown
from perfscore.engine.decimals import fmt
from perfscore.engine.findings import Finding, finding
from perfscore.engine.grid import CellValue, ErrorValue, Grid, ref
from perfscore.engine.values import as_text

_FORMULA_SHOWN = 60  # characters of a formula quoted in a message


def sheet_names(ctx: Context) -> dict[str, str]:
    """Each indicator sheet's name in the workbook, by the name the layout gives it: the same name,
    or the sheet (not another layout's) where its rows were found. Sheets not found are left out."""
    layouts = L.sheet_layouts(ctx.fw)
    own = {sl.name for sl in layouts} | {L.COVER, L.FINDINGS, L.REPORT, L.META}
    names: dict[str, str] = {}
    for sl in layouts:
        if sl.name in ctx.form.sheets:
            names[sl.name] = sl.name
            continue
        found = Counter(r.sheet for r in ctx.form.rows if r.id in sl.rows and r.sheet not in own)
        if found:
            names[sl.name] = found.most_common(1)[0][0]
    return names


@rule
def sheets_named(ctx: Context) -> Iterator[Finding]:
    for expected, actual in sheet_names(ctx).items():
        if actual != expected:
            yield finding("sheet-renamed", actual, "", expected=expected, name=actual)


@rule
def computed_cells_intact(ctx: Context) -> Iterator[Finding]:
    """Every computed cell holds its formula, and its cached result shows the engine's figure."""
    names = sheet_names(ctx) | {L.COVER: L.COVER}
    shown: dict[tuple[str, str], CellValue] | None = None  # computed only when a file holds results
    for comp in computed_cells(ctx.fw, ctx.form.meta.formulas):
        sheet = names.get(comp.sheet)
        if not comp.checked or sheet is None or sheet not in ctx.grid.sheets:
            continue
        grid_sheet = ctx.grid.sheets[sheet]
        pos = comp.pos
        found = grid_sheet.formulas.get(pos)
        cached = grid_sheet.at(*pos)
        if not same_formula(found, comp.formula) and not same_formula(found, renamed(comp.formula, names)):
            expected = renamed(comp.formula, names)  # as Excel, WPS and LibreOffice rename references
            short = expected if len(expected) <= _FORMULA_SHOWN else expected[:_FORMULA_SHOWN] + "…"
            yield finding("formula-changed", sheet, comp.cell, label=comp.label, formula=short,
                          found=_described(found, cached))  # fmt: skip
            continue
        if cached is None:
            continue
        shown = shown if shown is not None else ctx.shown_values()
        if not same_shown(cached, shown[(comp.sheet, comp.cell)]):
            yield finding("displayed-total-differs", sheet, comp.cell, label=comp.label, shown=_shown(cached),
                          expected=_shown(shown[(comp.sheet, comp.cell)]))  # fmt: skip


def _described(formula: str | None, value: CellValue) -> str:
    if formula is not None:
        return f"公式“{formula if len(formula) <= _FORMULA_SHOWN else formula[:_FORMULA_SHOWN] + '…'}”"
    return "空" if value is None else f"手工输入的“{_shown(value)}”"


def _shown(value: CellValue) -> str:
    if value is None or value == "":
        return "空白"
    if isinstance(value, ErrorValue):
        return value.code
    return as_text(value)


@rule
def fixed_texts_unchanged(ctx: Context) -> Iterator[Finding]:
    """指标解释 and the sub-total lines' labels and weights are the framework's, not the clerk's."""
    for leaf in ctx.fw.leaves():
        row = ctx.leaves[leaf.id].row
        if row is not None and not _same_text(row.value(L.C_EXPLAIN), leaf.explanation):
            at = row.at(L.C_EXPLAIN)
            yield finding("explanation-changed", at.sheet, at.cell, "explanation", id=leaf.id,
                          found=_clip(as_text(at.value)))  # fmt: skip
    names = sheet_names(ctx)
    for sl in L.sheet_layouts(ctx.fw):
        if sl.name not in names or names[sl.name] not in ctx.grid.sheets:
            continue
        yield from _subtotal_labels(ctx, ctx.grid, names[sl.name], sl)


def _subtotal_labels(ctx: Context, grid: Grid, sheet: str, sl: L.SheetLayout) -> Iterator[Finding]:
    ws = grid.sheets[sheet]
    for gid, row in sl.subtotal_rows.items():
        node = ctx.fw.by_id[gid]
        label = f"{'合计' if gid == sl.group.id else '小计'}：{node.name}"
        for col, expected in ((L.C_NAME, label), (L.C_WEIGHT, fmt(node.weight))):
            value = ws.at(row, col)
            if not _same_text(value, expected):
                yield finding("explanation-changed", sheet, ref(row, col), "subtotal",
                              label=label, found=_clip(as_text(value)) or "空")  # fmt: skip


def _same_text(value: CellValue, expected: str) -> bool:
    """The same text, up to spaces and line breaks (a clerk may widen a cell or re-wrap it)."""
    return as_text(value) == expected or _squash(value) == _squash(expected)


def _squash(value: CellValue | str) -> str:
    return "".join(as_text(value).split())


def _clip(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[:size] + "…"
