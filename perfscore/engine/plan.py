"""Write plans: what a front end writes back into a workbook, as data.

The engine decides *what* to write (:func:`calc_plan`); openpyxl (:mod:`perfscore.xlsx`) and xlwings
(:mod:`perfscore.bridge`) only apply it. A plan writes only perfscore's own output cells (校验 column,
result summary, 校验结果 sheet) — never an input cell — in rectangular blocks, one write per block.
Plain ``str`` values are always written as text; only :class:`Formula` values become formulas.
"""

from __future__ import annotations

import datetime as dt

from perfscore.engine import layout as L
from perfscore.engine.decimals import fmt
from perfscore.engine.findings import Finding
from perfscore.engine.grid import CellValue, Formula, Link, PlanValue, parse_ref
from perfscore.engine.pipeline import AnyResult, Result
from perfscore.engine.project import layout as PL
from perfscore.engine.project import plan as project_plan
from perfscore.engine.project.pipeline import ProjectResult
from perfscore.engine.text import height_for, lines_needed, whole_pixels
from perfscore.engine.values import as_text
from perfscore.engine.write_plan import Block, Finishing, WritePlan, formula_results, runs, status_text


def finishing(result: AnyResult) -> Finishing:
    """The cached results (:func:`cached_results`) and free-height rows of ``result``'s workbook."""
    if isinstance(result, ProjectResult):
        return project_plan.finishing(result)
    rows: dict[str, dict[int, float]] = {}
    for row in result.form.rows:
        need = max(
            height_for(lines_needed(as_text(row.value(c)), L.INDICATOR_WIDTHS[c - 1])) for c in _TEXT_COLUMNS
        )
        rows.setdefault(row.sheet, {})[row.row] = whole_pixels(max(L.INDICATOR_ROW_PT, need))
    return Finishing(cached_results(result), {s: tuple(r) for s, r in rows.items()}, rows)


_TEXT_COLUMNS = (L.C_NAME, L.C_EXPLAIN, L.C_REASON, L.C_MEASURE)


def text_field_heights(result: Result) -> tuple[tuple[str, int, float], ...]:
    """The heights 基本情况's long text fields (merged across the sheet) need for what they hold."""
    if not result.form.cover_present:
        return ()
    fw = result.framework
    cl = L.cover_layout(fw)
    width = sum(L.COVER_WIDTHS[1 : cl.width]) + 14 * max(0, cl.width - len(L.COVER_WIDTHS))
    out = []
    for h in fw.header:
        if h.kind == "text":
            at = result.form.header[h.key]
            need = height_for(lines_needed(as_text(at.value), width), minimum=L.TEXT_FIELD_PT)
            out.append((L.COVER, parse_ref(at.cell)[0], need))
    return tuple(out)


def calc_plan(result: AnyResult, now: dt.datetime) -> WritePlan:
    """What ``calc`` writes: the 校验 column, the status block of 基本情况 and the 校验结果 sheet (the
    same for both kinds of form; only where the 校验 column and the status cells are differs)."""
    if isinstance(result, ProjectResult):
        status_column, cover = PL.C_STATUS, result.form.layout.cover.cells
    else:
        status_column, cover = L.C_STATUS, L.cover_layout(result.framework).cells
    blocks: list[Block] = []
    by_row: dict[tuple[str, int], list[Finding]] = {}
    for f in result.findings:
        if f.cell:
            by_row.setdefault((f.sheet, parse_ref(f.cell)[0]), []).append(f)
    # 校验 column: one block per run of consecutive indicator rows. A row the clerk inserted between
    # them is not perfscore's: whatever it holds in this column stays as it is.
    rows_by_sheet: dict[str, set[int]] = {}
    for row in result.form.rows:
        rows_by_sheet.setdefault(row.sheet, set()).add(row.row)
    for sheet, rows in rows_by_sheet.items():
        for top, bottom in runs(rows):
            column = tuple((status_text(by_row.get((sheet, r), [])),) for r in range(top, bottom + 1))
            blocks.append(Block(sheet, top, status_column, column))
    # summary on the cover
    if result.form.cover_present:
        stamp = now.replace(microsecond=0)

        def put(key: str, value: PlanValue) -> None:
            r, c = parse_ref(cover[key])
            blocks.append(Block(L.COVER, r, c, ((value,),)))

        put("errors", result.errors)
        put("warnings", result.warnings)
        put("checked_at", stamp)
        put("engine_total", result.total if result.total is not None else "—")
        put("engine_grade", result.grade or "—")
        put("engine_note", engine_note(result))
    # 校验结果 sheet
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
    heights = (
        project_plan.text_field_heights(result)
        if isinstance(result, ProjectResult)
        else text_field_heights(result)
    )
    return WritePlan(tuple(blocks), clear, Finishing(results, done.auto_rows, done.row_heights), heights)


def cached_results(result: AnyResult) -> dict[str, dict[tuple[int, int], CellValue]]:
    """What each formula cell of the workbook shows: perfscore's figure for the form's computed cells
    (:mod:`perfscore.engine.computed`), what the file held for any other formula."""
    return formula_results(result.grid, result.shown_values())


def engine_note(result: AnyResult) -> str:
    if result.total is None:
        return "有得分缺失或无效，未能核算总分；请先处理“校验结果”中的错误"
    return f"perfscore 按精确小数核算：总分 {fmt(result.total)}，{result.grade}"
