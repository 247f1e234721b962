"""The form sheets of a project form (项目支出): 基本情况 and one sheet per 一级 indicator.

Positions come from :mod:`perfscore.engine.project.layout`, values from :mod:`perfscore.engine.project.cells`;
this module adds the look and behaviour: merges, input marking, the 指标性质 drop-down, validation,
protection, print setup and — in ``udf`` mode — the macro buttons. The department's rows are inputs
from 三级指标 to 偏差原因分析; 参考得分 and 定性档次 are computed beside them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfscore.builder.forms import cover_identity, cover_status, cover_summary, status_marks
from perfscore.builder.sheet_writer import PROTECT_OPTIONS, Pos, SheetWriter, insert_buttons, setup_print
from perfscore.builder.styles import Styles, decimal_rule
from perfscore.engine import layout as L
from perfscore.engine.cells import Cells, to_grid, with_results
from perfscore.engine.form import read_meta
from perfscore.engine.grid import PlanValue, parse_ref
from perfscore.engine.project import layout as PL
from perfscore.engine.project.cells import input_cells, static_cells
from perfscore.engine.project.layout import GroupSheet, ProjectLayout, default_slots, layout
from perfscore.engine.project.model import DEFAULT_ROWS, MAX_ROWS, ProjectFramework
from perfscore.engine.project.pipeline import evaluate
from perfscore.engine.project.submission import ProjectSubmission
from perfscore.errors import PerfscoreError

_Values = Callable[[str], dict[Pos, PlanValue]]


def slots_for(fw: ProjectFramework, rows: int | None, sub: ProjectSubmission | None) -> dict[str, int]:
    """Rows per category: ``rows`` (default 5) blank rows, more where the submission has more."""
    n = DEFAULT_ROWS if rows is None else rows
    if not 1 <= n <= MAX_ROWS:
        raise PerfscoreError(f"每个二级指标的行数须在 1 至 {MAX_ROWS} 之间，而不是 {n}")
    slots = default_slots(fw, n)
    for cid, count in (sub.counts() if sub else {}).items():
        if count > MAX_ROWS:
            raise PerfscoreError(f"二级指标 {cid} 有 {count} 行，超过上限 {MAX_ROWS}")
        slots[cid] = max(slots[cid], count)
    return slots


class ProjectForms:
    """A project form's content and how to write its sheets (for :func:`perfscore.builder.workbook.build_workbook`)."""

    def __init__(
        self, fw: ProjectFramework, mode: str, sub: ProjectSubmission | None, rows: int | None
    ) -> None:
        self.fw = fw
        self.lay: ProjectLayout = layout(fw, slots_for(fw, rows, sub))
        content: Cells = static_cells(self.lay, mode)
        if sub is not None:
            content.update(input_cells(self.lay, sub))
        self.order = self.lay.sheet_order()
        grid = to_grid(content, [*self.order])
        self.content = with_results(content, evaluate(grid, fw, read_meta(grid)).shown_values())

    def auto_rows(self) -> dict[str, tuple[int, ...]]:
        return {s.name: tuple(r for rows in s.slot_rows.values() for r in rows) for s in self.lay.sheets}

    def write(self, wb: Workbook, st: Styles, values: _Values, *, buttons: bool) -> Worksheet:
        cover = _cover(wb, st, self.lay, values(L.COVER), buttons=buttons)
        for sheet in self.lay.sheets:
            _group_sheet(wb, st, self.lay, sheet, values(sheet.name), buttons=buttons)
        return cover


# ---------------------------------------------------------------------------------- 基本情况


def _cover(
    wb: Workbook, st: Styles, lay: ProjectLayout, values: dict[Pos, PlanValue], *, buttons: bool
) -> Worksheet:
    fw, cov = lay.fw, lay.cover
    width = cov.width
    sh = SheetWriter(
        wb.add_worksheet(L.COVER), values, PL.COVER_WIDTHS + (11,) * (width - len(PL.COVER_WIDTHS))
    )
    cover_identity(sh, st, cov)
    for h in fw.header:
        r, c = parse_ref(cov[f"header:{h.key}"])
        sh.fmt(r, 1, st.label())
        sh.span(r, c, r, width, st.input_text())
    _funds(sh, st, lay)
    sh.span(cov.goals_label_row, 1, cov.goals_label_row, width, st.section())
    if cov.footer_label_row:
        sh.span(cov.footer_label_row, 1, cov.footer_label_row, width, st.section())
    texts = [f"goal:{g.key}" for g in fw.goals] + [f"footer:{g.key}" for g in fw.footer]
    for key in texts:
        r, c = parse_ref(cov[key])
        sh.fmt(r, 1, st.label())
        sh.span(r, c, r, width, st.input_text(top=True))
        sh.min_height[r] = L.TEXT_FIELD_PT
    cover_summary(sh, st, cov, ["summary:funds", *(f"summary:{g.id}" for g in fw.groups)])
    cover_status(sh, st, cov)
    sh.write(st.text())
    ws = sh.ws
    if buttons:
        insert_buttons(ws, 2, width + 1)
    ws.protect("", PROTECT_OPTIONS)
    setup_print(ws, width, cov.last_row, titles=False)
    ws.set_h_pagebreaks([cov.summary_first_row - 1])
    return ws


def _funds(sh: SheetWriter, st: Styles, lay: ProjectLayout) -> None:
    fw, cov = lay.fw, lay.cover
    f = fw.funds
    sh.span(cov.funds_label_row, 1, cov.funds_label_row, cov.width, st.section())
    n = len(f.columns)
    for c in range(1, n + 5):
        sh.fmt(cov.funds_header_row, c, st.header())
    for k, name in enumerate(f.rows):
        r = cov.funds_header_row + 1 + k
        sh.fmt(r, 1, st.label())
        for col in f.columns:
            rr, cc = parse_ref(cov[f"funds:{name}:{col}"])
            sh.fmt(rr, cc, st.input_number("0.00####"))
            sh.ws.data_validation(
                rr - 1, cc - 1, rr - 1, cc - 1, decimal_rule(Decimal(0), None, f"资金（{f.unit}）")
            )
        for c in range(2 + n, 5 + n):
            sh.fmt(r, c, st.disabled())
    wr, wc = parse_ref(cov["funds_weight"])
    sh.fmt(wr, wc, st.center())
    sh.fmt(wr, wc + 1, st.total("0.00%"))
    sh.fmt(wr, wc + 2, st.total())
    if "funds_reason" in cov.cells:
        r, c = parse_ref(cov["funds_reason"])
        sh.fmt(r, 1, st.label())
        sh.span(r, c, r, cov.width, st.input_text(top=True))
        sh.min_height[r] = L.TEXT_FIELD_PT


# ------------------------------------------------------------------------------ group sheets

_OP_RULE: dict[str, Any] = {
    "validate": "list",
    "source": list(PL.OPS),
    "error_type": "warning",
    "ignore_blank": True,
    "input_title": "指标性质",
    "input_message": "定量指标选 ≥（正向）、≤（反向）或 =；定性指标留空",
    "error_title": "指标性质无效",
    "error_message": "请从列表选择 ≥、>、≤、<、= 之一，定性指标留空。",
}


def _group_sheet(
    wb: Workbook,
    st: Styles,
    lay: ProjectLayout,
    sheet: GroupSheet,
    values: dict[Pos, PlanValue],
    *,
    buttons: bool,
) -> None:
    sh = SheetWriter(wb.add_worksheet(sheet.name), values, PL.WIDTHS)
    ws = sh.ws
    printed = PL.C_BAND
    sh.span(PL.TITLE_ROW, 1, PL.TITLE_ROW, printed, st.title())
    sh.min_height[PL.TITLE_ROW] = 32
    for col in range(1, len(PL.COLUMNS) + 1):
        sh.fmt(PL.HEADER_ROW, col, st.header())
    for cat in sheet.group.categories:
        first, last = sheet.rows_of(cat)
        sh.span(first, PL.C_CAT, last, PL.C_CAT, st.center())
        for r in range(first, last + 1):
            _slot_row(sh, st, r)
    for r in (*sheet.subtotal_rows.values(), sheet.total_row):
        sh.fmt(r, PL.C_NAME, st(bold=True, align="left", bg_color="#E2EFDA"))
        sh.fmt(r, PL.C_WEIGHT, st.total())
        sh.fmt(r, PL.C_SCORE, st.total())
    first, last = sheet.all_rows()
    ws.data_validation(first - 1, PL.C_OP - 1, last - 1, PL.C_OP - 1, _OP_RULE)
    ws.data_validation(
        first - 1, PL.C_WEIGHT - 1, last - 1, PL.C_WEIGHT - 1, decimal_rule(Decimal(0), None, "分值")
    )
    ws.data_validation(
        first - 1, PL.C_SCORE - 1, last - 1, PL.C_SCORE - 1, decimal_rule(Decimal(0), None, "得分")
    )
    status_marks(wb, ws, (first, last), PL.C_SCORE, PL.C_STATUS)
    sh.write(st.text())
    ws.set_column(PL.C_ID - 1, PL.C_ID - 1, PL.WIDTHS[PL.C_ID - 1], None, {"hidden": True})
    ws.freeze_panes(PL.HEADER_ROW, 0)
    if buttons:
        insert_buttons(ws, 0, PL.C_STATUS)
    ws.protect("", PROTECT_OPTIONS)
    setup_print(ws, printed, sheet.total_row, titles=True)


def _slot_row(sh: SheetWriter, st: Styles, r: int) -> None:
    sh.min_height[r] = L.INDICATOR_ROW_PT
    for col in (PL.C_NAME, PL.C_REASON):
        sh.fmt(r, col, st.input_text())
    for col in (PL.C_OP, PL.C_UNIT):
        sh.fmt(r, col, st(align="center", bg_color="#FFF2CC", locked=False))
    for col in (PL.C_VALUE, PL.C_ACTUAL, PL.C_WEIGHT, PL.C_SCORE):
        sh.fmt(r, col, st.input_number())
    sh.fmt(r, PL.C_REFERENCE, st.center())
    sh.fmt(r, PL.C_BAND, st.center())
    sh.fmt(r, PL.C_STATUS, st(align="left", valign="top"))
    sh.fmt(r, PL.C_ID, st.center())
