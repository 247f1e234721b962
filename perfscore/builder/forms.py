"""The form sheets of the workbook: 基本情况 (the cover) and one sheet per group of indicators.

Positions come from :mod:`perfscore.engine.layout` and the values from :mod:`perfscore.engine.cells`; this module
adds the look and behaviour of the form: merges, input marking (unlocked, coloured cells), data
validation, conditional formats, protection, print setup and — in ``udf`` mode — the macro buttons.
Each sheet is written in steps, top to bottom, in a fixed order (XlsxWriter numbers formats in the
order they are first used, so the same input always gives the same file).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfscore.builder.sheet_writer import PROTECT_OPTIONS, Pos, SheetWriter, insert_buttons, setup_print
from perfscore.builder.styles import (
    ERROR_FILL,
    WARNING_FILL,
    Styles,
    decimal_rule,
    rate_rule,
)
from perfscore.engine import layout as L
from perfscore.engine.framework import Framework, Indicator
from perfscore.engine.grid import PlanValue, column_letter, parse_ref
from perfscore.engine.text import LINE_PT

TWO_LINES_PT = LINE_PT * 2 + 5

# ---------------------------------------------------------------------------------- 基本情况


class CoverCells(Protocol):
    """What the summary and status styling needs of a cover layout (of either kind of form)."""

    width: int
    summary_first_row: int

    def __getitem__(self, key: str) -> str: ...


def write_cover(
    wb: Workbook, st: Styles, fw: Framework, values: dict[Pos, PlanValue], *, buttons: bool
) -> Worksheet:
    """The 基本情况 sheet: identity, header fields, budget, and the result summary on its own page."""
    cl = L.cover_layout(fw)
    width = cl.width
    sh = SheetWriter(
        wb.add_worksheet(L.COVER), values, L.COVER_WIDTHS + (14,) * (width - len(L.COVER_WIDTHS))
    )
    cover_identity(sh, st, cl)
    _cover_header_fields(sh, st, cl, fw)
    _cover_budget(sh, st, cl, fw)
    _cover_summary(sh, st, cl, fw)
    cover_status(sh, st, cl)
    sh.write(st.text())
    ws = sh.ws
    if buttons:
        insert_buttons(ws, 2, width + 1)
    ws.protect("", PROTECT_OPTIONS)
    setup_print(ws, width, cl.last_row, titles=False)
    ws.set_h_pagebreaks([cl.summary_first_row - 1])  # the result summary starts a page, never split
    return ws


def cover_identity(sh: SheetWriter, st: Styles, cl: CoverCells) -> None:
    """Title, section heading, department and year."""
    width = cl.width
    sh.span(1, 1, 1, width, st.title())
    sh.min_height[1] = 32
    sh.span(2, 1, 2, width, st.section())
    dep_r, dep_c = parse_ref(cl["department"])
    year_r, year_c = parse_ref(cl["year"])
    sh.fmt(dep_r, 1, st.label())
    sh.span(dep_r, dep_c, dep_r, year_c - 2, st.input_text())
    sh.fmt(year_r, year_c - 1, st.label())
    sh.span(year_r, year_c, year_r, width, st.input_number("0"))


def _cover_header_fields(sh: SheetWriter, st: Styles, cl: L.CoverLayout, fw: Framework) -> None:
    """The framework's header fields: text fields get room for four lines."""
    for h in fw.header:
        r, c = parse_ref(cl[f"header:{h.key}"])
        sh.fmt(r, 1, st.label())
        if h.kind == "text":
            sh.span(r, c, r, cl.width, st.input_text(top=True))
            sh.min_height[r] = L.TEXT_FIELD_PT
        else:
            sh.span(r, c, r, cl.width, st(align="left", bg_color="#FFF2CC", locked=False, num_format="0"))


def _cover_budget(sh: SheetWriter, st: Styles, cl: L.CoverLayout, fw: Framework) -> None:
    """The budget figures (万元), each a validated input under its label."""
    br = cl.budget_label_row
    sh.span(br, 1, br + 1, 1, st.label())
    for name in fw.budget_fields:
        r, c = parse_ref(cl[f"budget:{name}"])
        sh.fmt(br, c, st.label())
        sh.fmt(r, c, st.input_number("0.00"))
        sh.ws.data_validation(r - 1, c - 1, r - 1, c - 1, decimal_rule(Decimal(0), None, "预算金额（万元）"))


def _cover_summary(sh: SheetWriter, st: Styles, cl: L.CoverLayout, fw: Framework) -> None:
    """The result summary: one line per first-level indicator, the total, the grade and its line."""
    cover_summary(sh, st, cl, [f"root:{root.id}" for root in fw.roots])


def cover_summary(sh: SheetWriter, st: Styles, cl: CoverCells, lines: list[str]) -> None:
    """The summary section: a line per key of ``lines`` (name | 分值 | 得分), the total, the grade and
    its line."""
    sr = cl.summary_first_row
    sh.span(sr, 1, sr, cl.width, st.section())
    for c in range(1, 4):
        sh.fmt(sr + 1, c, st.header())
    for key in lines:
        r, _ = parse_ref(cl[key])
        sh.fmt(r, 1, st.label())
        sh.fmt(r, 2, st.center())
        sh.fmt(r, 3, st.total())
    tr, _ = parse_ref(cl["total"])
    sh.fmt(tr, 1, st.label())
    sh.fmt(tr, 2, st.center())
    sh.fmt(tr, 3, st.total())
    gr, gc = parse_ref(cl["grade"])
    sh.fmt(gr, 1, st.label())
    sh.fmt(gr, gc, st.total())
    lr, lc = parse_ref(cl["grade_line"])
    sh.span(lr, lc, lr, cl.width, st(bold=True, align="left"))
    sh.min_height[lr] = TWO_LINES_PT


def cover_status(sh: SheetWriter, st: Styles, cl: CoverCells) -> None:
    """Counts of findings, the engine's own total and grade, when it was checked, the engine note."""
    for key in ("errors", "warnings", "engine_total", "engine_grade"):
        r, c = parse_ref(cl[key])
        sh.fmt(r, c - 1, st.label())
        sh.fmt(r, c, st.center())
    r, c = parse_ref(cl["checked_at"])
    sh.fmt(r, c - 1, st.label())
    sh.span(r, c, r, cl.width, st(align="center", num_format="yyyy-mm-dd hh:mm:ss"))
    r, c = parse_ref(cl["engine_note"])
    sh.span(r, c, r, cl.width, st.text())
    sh.min_height[r] = TWO_LINES_PT


# ---------------------------------------------------------------------- indicator sheets


def write_indicator_sheet(
    wb: Workbook, st: Styles, sl: L.SheetLayout, values: dict[Pos, PlanValue], *, buttons: bool
) -> None:
    """One sheet of indicators: a row per leaf under merged group cells, subtotals, status marks."""
    sh = SheetWriter(wb.add_worksheet(sl.name), values, L.INDICATOR_WIDTHS)
    ws = sh.ws
    sh.span(L.TITLE_ROW, 1, L.TITLE_ROW, L.PRINTED_COLUMNS, st.title())
    sh.min_height[L.TITLE_ROW] = 32
    for col in range(1, len(L.COLUMNS) + 1):
        sh.fmt(L.HEADER_ROW, col, st.header())
    leaves = list(sl.group.leaves())
    _group_cells(sh, st, sl, leaves)
    for leaf in leaves:
        _leaf_row(sh, st, sl.rows[leaf.id], leaf)
    _subtotal_rows(sh, st, sl)
    status_marks(wb, ws, (min(sl.rows.values()), max(sl.rows.values())), L.C_SCORE, L.C_STATUS)
    sh.write(st.text())
    ws.set_column(L.C_ID - 1, L.C_ID - 1, L.INDICATOR_WIDTHS[L.C_ID - 1], None, {"hidden": True})
    ws.freeze_panes(L.HEADER_ROW, 0)
    if buttons:
        insert_buttons(ws, 0, L.C_STATUS)
    ws.protect("", PROTECT_OPTIONS)
    setup_print(ws, L.PRINTED_COLUMNS, sl.last_row, titles=True)


def _group_cells(sh: SheetWriter, st: Styles, sl: L.SheetLayout, leaves: list[Indicator]) -> None:
    """The 一级/二级 name and weight cells, merged down over the rows of their leaves."""
    for level, cols in ((1, (L.C_L1, L.C_L1W)), (2, (L.C_L2, L.C_L2W))):
        groups: dict[str, list[int]] = {}
        for leaf in leaves:
            groups.setdefault(".".join(leaf.id.split(".")[:level]), []).append(sl.rows[leaf.id])
        for rows in groups.values():
            for col in cols:
                sh.span(min(rows), col, max(rows), col, st.center())


def _leaf_row(sh: SheetWriter, st: Styles, r: int, leaf: Indicator) -> None:
    """A leaf's row: the inputs (score, reason, measure; the rate when it has a rule) and the rest."""
    sh.min_height[r] = L.INDICATOR_ROW_PT  # room to type a reason (the row grows with the text)
    sh.fmt(r, L.C_NAME, st.text())
    sh.fmt(r, L.C_WEIGHT, st.center())
    sh.fmt(r, L.C_EXPLAIN, st.text())
    sh.fmt(r, L.C_SCORE, st.input_number())
    sh.fmt(r, L.C_REASON, st.input_text())
    sh.fmt(r, L.C_MEASURE, st.input_text())
    sh.fmt(r, L.C_STATUS, st(align="left", valign="top"))
    sh.fmt(r, L.C_ID, st.center())
    sh.ws.data_validation(
        r - 1, L.C_SCORE - 1, r - 1, L.C_SCORE - 1, decimal_rule(Decimal(0), leaf.weight, "得分")
    )
    if leaf.rule:
        sh.fmt(r, L.C_RATE, st.input_number("0%"))
        sh.fmt(r, L.C_SUGGEST, st.center())
        sh.ws.data_validation(r - 1, L.C_RATE - 1, r - 1, L.C_RATE - 1, rate_rule())
    else:
        sh.fmt(r, L.C_RATE, st.disabled())
        sh.fmt(r, L.C_SUGGEST, st.disabled())


def _subtotal_rows(sh: SheetWriter, st: Styles, sl: L.SheetLayout) -> None:
    for r in sl.subtotal_rows.values():
        for col in (L.C_NAME, L.C_WEIGHT, L.C_EXPLAIN, L.C_SCORE):
            sh.fmt(r, col, st.total() if col != L.C_NAME else st(bold=True, align="left", bg_color="#E2EFDA"))


def status_marks(wb: Workbook, ws: Worksheet, rows: tuple[int, int], score_col: int, status_col: int) -> None:
    """Colour a score red or yellow when its status cell starts with ✖ (error) or ⚠ (warning)."""
    first, last = rows
    status, score = column_letter(status_col), column_letter(score_col)
    for mark, fill in (("✖", ERROR_FILL), ("⚠", WARNING_FILL)):
        rule = {
            "type": "formula",
            "criteria": f'=LEFT(${status}{first},1)="{mark}"',
            "format": wb.add_format({"bg_color": fill}),
        }
        ws.conditional_format(f"{score}{first}:{score}{last}", rule)
