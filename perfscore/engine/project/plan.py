"""The project form's write plan: what ``calc`` and the 计算 button write back, as data.

As for the department form (:mod:`perfscore.engine.plan`), only perfscore's own output cells are
written — the 校验 column of the department rows, the status block of 基本情况 and the 校验结果 sheet —
one block per contiguous run, never an input cell.
"""

from __future__ import annotations

import datetime as dt

from perfscore.engine import layout as L
from perfscore.engine.decimals import fmt
from perfscore.engine.findings import Finding
from perfscore.engine.grid import CellValue, Formula, Link, PlanValue, parse_ref
from perfscore.engine.project import layout as PL
from perfscore.engine.project.pipeline import ProjectResult
from perfscore.engine.text import height_for, lines_needed, whole_pixels
from perfscore.engine.values import as_text
from perfscore.engine.write_plan import Block, Finishing, WritePlan, runs, status_text

_TEXT_COLUMNS = (PL.C_NAME, PL.C_REASON)


def engine_note(result: ProjectResult) -> str:
    if result.total is None:
        return "有得分缺失或无效，未能核算总分；请先处理“校验结果”中的错误"
    return f"perfscore 按精确小数核算：总分 {fmt(result.total)}，{result.grade}"


def calc_plan(result: ProjectResult, now: dt.datetime) -> WritePlan:
    blocks: list[Block] = []
    by_row: dict[tuple[str, int], list[Finding]] = {}
    for f in result.findings:
        if f.cell:
            by_row.setdefault((f.sheet, parse_ref(f.cell)[0]), []).append(f)
    rows_by_sheet: dict[str, set[int]] = {}
    for row in result.form.rows:
        rows_by_sheet.setdefault(row.sheet, set()).add(row.row)
    for sheet, rows in rows_by_sheet.items():
        for top, bottom in runs(rows):
            column = tuple((status_text(by_row.get((sheet, r), [])),) for r in range(top, bottom + 1))
            blocks.append(Block(sheet, top, PL.C_STATUS, column))
    if result.form.cover_present:
        cov = result.form.layout.cover

        def put(key: str, value: PlanValue) -> None:
            r, c = parse_ref(cov[key])
            blocks.append(Block(L.COVER, r, c, ((value,),)))

        put("errors", result.errors)
        put("warnings", result.warnings)
        put("checked_at", now.replace(microsecond=0))
        put("engine_total", result.total if result.total is not None else "—")
        put("engine_grade", result.grade or "—")
        put("engine_note", engine_note(result))
    lines = []
    for n, f in enumerate(result.findings, 1):
        link: PlanValue = Link(f.location, f.sheet, f.cell) if f.cell else f.where
        lines.append((n, f.severity.label, f.code, link, f.message))
    if lines:
        blocks.append(Block(L.FINDINGS, L.FINDINGS_FIRST_ROW, 1, tuple(lines)))
    clear = ((L.FINDINGS, L.FINDINGS_FIRST_ROW, len(L.FINDINGS_COLUMNS)),)
    done = finishing(result)
    results = {sheet: dict(cells) for sheet, cells in done.results.items()}
    for block in blocks:
        for dr, line in enumerate(block.values):
            for dc, value in enumerate(line):
                if isinstance(value, Formula):
                    results.setdefault(block.sheet, {})[(block.top + dr, block.left + dc)] = value.value
    finished = Finishing(results, done.auto_rows, done.row_heights)
    return WritePlan(tuple(blocks), clear, finished, text_field_heights(result))


def finishing(result: ProjectResult) -> Finishing:
    """The cached results of the form's formulas and the heights its department rows need."""
    heights: dict[str, dict[int, float]] = {}
    for row in result.form.rows:
        need = max(height_for(lines_needed(as_text(row.value(c)), PL.WIDTHS[c - 1])) for c in _TEXT_COLUMNS)
        heights.setdefault(row.sheet, {})[row.row] = whole_pixels(max(L.INDICATOR_ROW_PT, need))
    return Finishing(cached_results(result), {s: tuple(r) for s, r in heights.items()}, heights)


def cached_results(result: ProjectResult) -> dict[str, dict[tuple[int, int], CellValue]]:
    out = {
        name: {pos: sheet.at(*pos) for pos in sheet.formulas} for name, sheet in result.grid.sheets.items()
    }
    for (sheet, cell), value in result.shown_values().items():
        if sheet in out:
            out[sheet][parse_ref(cell)] = value
    return out


def text_field_heights(result: ProjectResult) -> tuple[tuple[str, int, float], ...]:
    """The heights 基本情况's long text fields (merged across the sheet) need for what they hold."""
    if not result.form.cover_present:
        return ()
    cov = result.form.layout.cover
    width = sum(PL.COVER_WIDTHS[1 : cov.width]) + 11 * max(0, cov.width - len(PL.COVER_WIDTHS))
    form = result.form
    fields = [*form.goals.values(), *form.footer.values()]
    if form.funds_reason is not None:
        fields.append(form.funds_reason)
    return tuple(
        (
            L.COVER,
            parse_ref(at.cell)[0],
            height_for(lines_needed(as_text(at.value), width), minimum=L.TEXT_FIELD_PT),
        )
        for at in fields
    )
