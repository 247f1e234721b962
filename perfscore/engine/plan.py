"""Write plans: what a front end writes back into a workbook, as data.

The engine decides *what* to write (:func:`calc_plan`); openpyxl (:mod:`perfscore.xlsx`) and xlwings
(:mod:`perfscore.bridge`) only apply it. A plan writes only perfscore's own output cells (校验 column,
result summary, 校验结果 sheet) — never an input cell — in rectangular blocks, one write per block.
Plain ``str`` values are always written as text; only :class:`Formula` values become formulas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from perfscore.engine import layout as L
from perfscore.engine.decimals import fmt
from perfscore.engine.findings import Finding, Severity
from perfscore.engine.grid import CellValue, Formula, Link, PlanValue, parse_ref
from perfscore.engine.pipeline import Result
from perfscore.engine.text import height_for, lines_needed, whole_pixels
from perfscore.engine.values import as_text


@dataclass(frozen=True)
class Block:
    """A rectangle of values whose top-left cell is (top, left), 1-based."""

    sheet: str
    top: int
    left: int
    values: tuple[tuple[PlanValue, ...], ...]

    @property
    def bottom(self) -> int:
        return self.top + len(self.values) - 1

    @property
    def right(self) -> int:
        return self.left + max((len(r) for r in self.values), default=1) - 1


@dataclass(frozen=True)
class WritePlan:
    blocks: tuple[Block, ...]
    # (sheet, first row): clear perfscore's own rows from here down to the sheet's end, before writing
    clear_from: tuple[tuple[str, int, int], ...] = ()  # (sheet, first_row, columns)
    finishing: Finishing | None = None
    #: (sheet, row, points): rows whose merged cells hold long text (基本情况's text fields). No
    #: application grows a row for a merged cell, so the height is set for the text it holds.
    heights: tuple[tuple[str, int, float], ...] = ()


@dataclass(frozen=True)
class Finishing:
    """What a writer that cannot compute formulas (openpyxl) adds when it saves; Excel, through the
    bridge, computes results and row heights itself."""

    #: The result each formula cell shows: sheet → {(row, col): value}.
    results: Mapping[str, Mapping[tuple[int, int], CellValue]]
    #: Rows whose height follows their text (no custom height): the indicator rows.
    auto_rows: Mapping[str, tuple[int, ...]]
    #: The height each of those rows needs for its text now (Excel and WPS grow a row as text is
    #: typed, but not for text written by another program): sheet → {row: points}.
    row_heights: Mapping[str, Mapping[int, float]] = field(default_factory=dict)


def finishing(result: Result) -> Finishing:
    """The cached results (:func:`cached_results`) and free-height rows of ``result``'s workbook."""
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


_MARK = {Severity.ERROR: "✖", Severity.WARNING: "⚠", Severity.INFO: "ℹ"}


def status_text(findings: Sequence[Finding]) -> str:
    """The 校验 column text of one row: worst finding first, e.g. ``✖ 得分为空…``; ✔ when clean."""
    if not findings:
        return "✔"
    rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    ordered = sorted(findings, key=lambda f: rank[f.severity])
    return "\n".join(f"{_MARK[f.severity]} {f.message}" for f in ordered)


def calc_plan(result: Result, now: dt.datetime) -> WritePlan:
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
        for top, bottom in _runs(rows):
            column = tuple((status_text(by_row.get((sheet, r), [])),) for r in range(top, bottom + 1))
            blocks.append(Block(sheet, top, L.C_STATUS, column))
    # summary on the cover
    if result.form.cover_present:
        cl = L.cover_layout(result.framework)
        stamp = now.replace(microsecond=0)

        def put(key: str, value: PlanValue) -> None:
            r, c = parse_ref(cl[key])
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
    return WritePlan(
        tuple(blocks), clear, Finishing(results, done.auto_rows, done.row_heights), text_field_heights(result)
    )


def _runs(rows: set[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) runs: {3, 4, 5, 8} → [(3, 5), (8, 8)]."""
    runs: list[tuple[int, int]] = []
    for r in sorted(rows):
        if runs and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


def cached_results(result: Result) -> dict[str, dict[tuple[int, int], CellValue]]:
    """What each formula cell of the workbook shows: perfscore's figure for the form's computed cells
    (:mod:`perfscore.engine.computed`), what the file held for any other formula."""
    out = {
        name: {pos: sheet.at(*pos) for pos in sheet.formulas} for name, sheet in result.grid.sheets.items()
    }
    for (sheet, cell), value in result.shown_values().items():
        if sheet in out:
            out[sheet][parse_ref(cell)] = value
    return out


def engine_note(result: Result) -> str:
    if result.total is None:
        return "有得分缺失或无效，未能核算总分；请先处理“校验结果”中的错误"
    return f"perfscore 按精确小数核算：总分 {fmt(result.total)}，{result.grade}"
