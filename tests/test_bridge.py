"""The macro bridge, run through xlwings' REAL Windows code over a fake Excel COM object model.

Nobody here has Excel. ``tests/com/fake.py`` imports ``xlwings/_xlwindows.py`` with pywin32 stubbed and
gives it fake ``Application``/``Workbook``/``Worksheet``/``Range`` objects that hold cells as Excel
does and log every COM operation (one IDispatch Invoke: a property get, a property put or a method
call). The tests check WHAT the bridge writes (the same cells as ``perfscore calc``, text as text,
nothing else touched) and HOW MANY COM operations it takes: a fixed number for a form's sheets,
whatever the number of indicators. These are counts against xlwings' code with a fake COM layer, not
measurements in Excel.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from perfscore import bridge
from perfscore.cli import cli
from perfscore.engine import framework, pipeline, plan
from perfscore.engine import layout as L
from perfscore.engine.grid import ErrorValue, Link, parse_ref
from perfscore.xlsx import read_grid

from .com import forms
from .com.fake import XL_CALCULATION_MANUAL, Cell, ComTime, Excel, Workbook, XlError
from .com.forms import SEED, Form, Run, open_form

# ------------------------------------------------------------------------------------------ helpers


def snapshot(wb: Workbook) -> dict[str, dict[tuple[int, int], tuple[Any, str | None]]]:
    """Every cell of every sheet: (value, formula)."""
    return {s.name: {pos: (c.value, c.formula) for pos, c in s.cells.items()} for s in wb.worksheets.items}


def forget_results(wb: Workbook) -> None:
    """After the test changed an input, Excel would recalculate the formulas; the fake cannot, so
    their results are unknown (None) rather than stale."""
    for sheet in wb.worksheets.items:
        for cell in sheet.cells.values():
            if cell.formula is not None:
                cell.value = None


def assert_writes_like_calc(opened: Run, before: dict[str, Any], form: Path, tmp_path: Path) -> int:
    """The bridge wrote exactly the cells ``perfscore calc`` writes into ``form``, with the same values
    (text as text, only perfscore's formulas as formulas), and changed no other cell. Returns the
    number of cells compared."""
    out = tmp_path / f"calc-{form.stem}.xlsx"
    run = CliRunner().invoke(cli, ["calc", str(form), "-o", str(out)])
    assert out.exists(), run.output
    cli_wb = openpyxl.load_workbook(out)
    result = pipeline.evaluate(read_grid(form))
    written = plan.calc_plan(result, dt.datetime(2000, 1, 1))
    checked_at = _checked_at(result)
    planned: set[tuple[str, int, int]] = set()
    for block in written.blocks:
        sheet = opened.workbook.sheet(block.sheet)
        for r in range(block.top, block.bottom + 1):
            for c in range(block.left, block.right + 1):
                planned.add((block.sheet, r, c))
                cell = cli_wb[block.sheet].cell(r, c)
                ours = sheet.cells.get((r, c), Cell())
                if (block.sheet, cell.coordinate) == checked_at:
                    assert isinstance(ours.value, dt.datetime) and isinstance(cell.value, dt.datetime)
                    assert abs(ours.value - dt.datetime.now()) < dt.timedelta(minutes=5)
                    continue
                planned_value = block.values[r - block.top][c - block.left]
                if isinstance(planned_value, Link):  # Excel: a HYPERLINK formula; openpyxl: a cell hyperlink
                    assert ours.formula == planned_value.formula().text and cell.value == planned_value.text
                    assert cell.hyperlink.location == planned_value.location and cell.data_type == "s"
                    continue
                want = float(cell.value) if isinstance(cell.value, (int, float)) else cell.value
                shown = ours.formula if ours.formula is not None else ours.value
                assert (shown, ours.formula is not None) == (want, cell.data_type == "f"), (block.sheet, r, c)
                if isinstance(planned_value, str) and planned_value:
                    assert ours.prefixed, (block.sheet, r, c)  # written as text, with the apostrophe
    after = snapshot(opened.workbook)
    for name, cells in after.items():
        if name not in before:
            continue
        for pos in set(cells) | set(before[name]):
            if (name, *pos) in planned:
                continue
            cleared = any(
                name == s and pos[0] >= first and pos[1] <= columns
                for s, first, columns in written.clear_from
            )
            assert cells.get(pos) == (None if cleared else before[name].get(pos)), (name, pos)
    for name, row, points in written.heights:
        assert opened.workbook.sheet(name).heights[row] == points
    return len(planned)


def _checked_at(result: pipeline.AnyResult) -> tuple[str, str] | None:
    from perfscore.engine.project.pipeline import ProjectResult

    if isinstance(result, ProjectResult):
        return (L.COVER, result.form.layout.cover.cells["checked_at"])
    return (L.COVER, L.cover_layout(result.framework)["checked_at"])


def assert_quiet_while_writing(excel: Excel) -> None:
    """Every write ran with screen updating, automatic calculation and events off; all restored."""
    writes = [op for op in excel.ops if op.type in ("Range", "Worksheet", "Workbooks") and op.kind != "get"]
    writes = [op for op in writes if op.member not in ("Range", "Cells")]
    assert writes
    assert {op.state for op in writes} == {(False, XL_CALCULATION_MANUAL, False)}, writes
    app = excel.application
    assert (app.screen_updating, app.calculation, app.enable_events) == (True, -4105, True)


# ------------------------------------------------------------------------------------------ reading


def test_read_gives_the_same_grid_as_the_openpyxl_reader_and_skips_output_sheets() -> None:
    opened = open_form(SEED)
    grid, _ = bridge.read_book(opened.book)
    expected = read_grid(SEED)
    assert list(grid.sheets) == list(expected.sheets)
    for name, sheet in expected.sheets.items():
        if name in bridge.OUTPUT_ONLY:  # never read: perfscore only writes them
            assert grid.sheets[name].rows == [] and grid.sheets[name].formulas == {}
            continue
        assert grid.sheets[name].rows == sheet.rows, name
        assert grid.sheets[name].formulas == sheet.formulas, name
    read = opened.excel.members()
    assert read["get Range.Value"] == 4 and read["get Range.Formula"] == 3  # _perfscore: values only


def test_values_are_converted_by_perfscore_not_by_xlwings() -> None:
    """Raw values as pywin32 gives them: error codes, aware dates, floats; a text that looks like a
    formula is text (Range.Formula gives a constant as its text: its value tells them apart)."""
    opened = open_form(SEED)
    sheet = opened.workbook.sheet("履职效能")
    sheet.cells[(5, 8)] = Cell(XlError("#DIV/0!"))
    sheet.cells[(5, 9)] = Cell("=1+1 不是公式", prefixed=True)
    sheet.cells[(4, 9)] = Cell(dt.datetime(2022, 12, 31, 8, 30))
    grid, _ = bridge.read_book(opened.book)
    read = grid.sheets["履职效能"]
    assert read.at(5, 8) == ErrorValue("#DIV/0!")
    assert read.at(5, 9) == "=1+1 不是公式" and (5, 9) not in read.formulas
    assert read.at(4, 9) == dt.datetime(2022, 12, 31, 8, 30)
    assert bridge.excel_cell(-2146826246) == ErrorValue("#N/A")
    assert bridge.excel_cell(ComTime(2023, 1, 5, tzinfo=dt.timezone.utc)) == dt.datetime(2023, 1, 5)
    assert bridge.excel_cell(9.3) == Decimal("9.3") and bridge.excel_cell(None) is None


# ------------------------------------------------------------------------------------------ writing


def test_calculate_writes_the_same_cells_as_perfscore_calc(tmp_path: Path) -> None:
    opened = open_form(SEED)
    before = snapshot(opened.workbook)
    bridge.calculate(opened.book)
    assert opened.excel.alerts == ["计算完成：总分 90.77，优；错误 0 条，警告 0 条（详见“校验结果”表）"]
    assert opened.excel.alert_titles == [bridge.TITLE]
    compared = assert_writes_like_calc(opened, before, SEED, tmp_path)
    assert compared == 3 + 23 + 6 + 5  # the 校验 columns, 6 result cells, one line of 校验结果
    assert_quiet_while_writing(opened.excel)
    cover = opened.workbook.sheet(L.COVER)
    fw = pipeline.evaluate(read_grid(SEED)).framework
    assert cover.value(*parse_ref(L.cover_layout(fw)["engine_total"])) == 90.77
    assert cover.value(*parse_ref(L.cover_layout(fw)["engine_grade"])) == "优"


def test_user_text_starting_with_formula_characters_stays_text(tmp_path: Path) -> None:
    opened = open_form(SEED)
    sheet = opened.workbook.sheet("履职效能")
    sheet.put(5, 9, "=1+1 不是公式")  # 未达标原因 typed by a clerk (as text: Excel shows it as typed)
    sheet.cells[(5, 9)].prefixed = True
    sheet.put(5, 8, "abc")  # an invalid score: its finding quotes the text
    sheet.put(3, 10, "-")
    forget_results(opened.workbook)
    bridge.calculate(opened.book)
    findings = opened.workbook.sheet(L.FINDINGS)
    messages = [c.value for (r, col), c in findings.cells.items() if col == 5]
    assert any("“abc”不是数字" in m for m in messages)
    assert findings.formulas and {c for _, c in findings.formulas} == {4}  # only the HYPERLINK column
    assert all(f.startswith('=HYPERLINK("#') for f in findings.formulas.values())
    lines = [c for (r, col), c in findings.cells.items() if r >= L.FINDINGS_FIRST_ROW and col != 4]
    assert all(c.prefixed for c in lines if isinstance(c.value, str))  # written as text
    assert sheet.cells[(5, 9)] == Cell("=1+1 不是公式", prefixed=True)  # an input: never written
    assert bridge.excel_value("=1+1") == "'=1+1"
    assert (
        bridge.excel_value("@x") == "'@x"
        and bridge.excel_value("+1") == "'+1"
        and bridge.excel_value("-") == "'-"
    )
    assert bridge.excel_value("") == "" and bridge.excel_value(None) == ""
    assert bridge.excel_value(plan.Formula("=A1")) == "=A1"
    assert bridge.excel_value(Decimal("90.77")) == 90.77 and bridge.excel_value(Decimal("2")) == 2
    stamp = bridge.excel_value(dt.datetime(2023, 1, 5, 9, 30))
    assert stamp == dt.datetime(2023, 1, 5, 9, 30, tzinfo=dt.timezone.utc)  # as xlwings sends dates


def test_blocks_become_few_rectangles_writing_the_same_cells() -> None:
    """基本情况's six result cells: touching ones join, and ones separated only by label text join
    with the label written back as the same text; a gap of anything else keeps blocks apart."""
    result = pipeline.evaluate(read_grid(SEED))
    blocks = plan.calc_plan(result, dt.datetime(2000, 1, 1)).blocks
    areas = bridge.rectangles(blocks, result.grid)
    assert [(a.sheet, bridge.address(a.top, a.left, a.bottom, a.right)) for a in areas] == [
        ("履职效能", "M3:M5"),
        ("管理效率", "M3:M25"),
        (L.COVER, "B17:F17"),
        (L.COVER, "B18:E18"),
        (L.FINDINGS, "A3:E3"),
    ]
    assert areas[2].rows[0][1::2] == ["'警告", "'计算时间"] and areas[3].rows[0][1] == "'等级"
    cover = [bridge.address(a.top, a.left, a.bottom, a.right) for a in bridge.rectangles(blocks)][2:-1]
    assert cover == ["B17:B18", "D17:D18", "F17", "E18"]  # without what was read: touching blocks only
    grid = read_grid(SEED)
    grid.sheets[L.COVER].rows[16][2] = Decimal(1)  # C17 a number: B17 and D17 stay apart
    cover = [bridge.address(a.top, a.left, a.bottom, a.right) for a in bridge.rectangles(blocks, grid)][2:-1]
    assert cover == ["B17:B18", "D17:F17", "D18:E18"]


def test_unusable_workbook_gives_a_chinese_message_not_a_traceback() -> None:
    opened = open_form(SEED)
    opened.workbook.worksheets.items.remove(opened.workbook.sheet(L.META))
    bridge.calculate(opened.book)
    assert len(opened.excel.alerts) == 1
    assert opened.excel.alerts[0].startswith(
        "无法完成：不是 perfscore 生成的自评表（缺少隐藏工作表 _perfscore）"
    )
    assert opened.excel.counts()["set"] == 0  # nothing written, no setting touched


def test_a_failing_write_restores_excel_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from .com import fake

    opened = open_form(SEED)
    opened.excel.application.calculation = 2  # the clerk's own mode: semi-automatic

    def refuse(self: fake.Range, data: Any) -> None:
        raise fake.excel_error("The cell or chart you're trying to change is protected.")

    monkeypatch.setattr(fake.Range, "set_Value", refuse)
    bridge.calculate(opened.book)
    assert opened.excel.alerts[0].startswith("perfscore 内部错误（请将此信息报告给维护人员）：com_error:")
    app = opened.excel.application
    assert (app.screen_updating, app.calculation, app.enable_events) == (True, 2, True)


def test_check_writes_nothing_and_lists_findings() -> None:
    opened = open_form(SEED)
    opened.workbook.sheet("履职效能").put(5, 8, "abc")
    forget_results(opened.workbook)
    before = snapshot(opened.workbook)
    bridge.check(opened.book)
    assert opened.excel.counts()["set"] == 0 and snapshot(opened.workbook) == before
    assert opened.excel.alerts[0].startswith("校验完成：错误 1 条")
    assert "履职效能!H5：“部门预算资金支出率”的得分“abc”不是数字" in opened.excel.alerts[0]


def test_deleted_findings_sheet_comes_back_before_the_meta_sheet() -> None:
    opened = open_form(SEED)
    opened.workbook.worksheets.items.remove(opened.workbook.sheet(L.FINDINGS))
    bridge.calculate(opened.book)
    names = opened.workbook.names
    assert names.index(L.FINDINGS) == names.index(L.META) - 1
    assert opened.workbook.sheet(L.FINDINGS).value(3, 3) == "placeholder-indicator"


def test_generate_report_copies_the_rendered_report_sheet_into_the_book(tmp_path: Path) -> None:
    from perfscore.report.workbook import write_report

    opened = open_form(SEED)
    bridge.generate_report(opened.book)
    excel = opened.excel
    assert excel.alerts == ["计算并生成报表完成：总分 90.77，优；错误 0 条，警告 0 条（详见“校验结果”表）"]
    names = opened.workbook.names
    assert names.index(L.REPORT) == names.index(L.COVER) + 1
    # the temporary workbook was opened in Excel, its sheet copied, and it was closed again
    assert len(excel.opened) == 1 and excel.opened[0].closed
    assert excel.members()["call Worksheet.Copy"] == 1
    assert_quiet_while_writing(excel)
    # the copied sheet is what `perfscore report` writes into the workbook
    out = tmp_path / "report.xlsx"
    write_report(SEED, out)
    ws = openpyxl.load_workbook(out, data_only=True)[L.REPORT]
    expected = {
        (c.row, c.column): float(c.value) if isinstance(c.value, int) else c.value
        for row in ws.iter_rows()
        for c in row
        if c.value not in (None, "")
    }
    sheet = opened.workbook.sheet(L.REPORT)
    assert {pos: c.value for pos, c in sheet.cells.items()} == expected
    merges = sorted((m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges)
    assert sorted(sheet.merges) == merges and merges
    excel.reset()
    bridge.generate_report(opened.book)  # a second run replaces the sheet, without Excel's prompt
    assert opened.workbook.names.count(L.REPORT) == 1
    assert excel.members()["call Worksheet.Delete"] == 1 and excel.dialogs == []
    assert excel.application.display_alerts is True


def test_calculate_on_a_project_form_writes_what_calc_writes(tmp_path: Path) -> None:
    """The 计算 button on a 项目支出 form: the same pipeline and write plan as ``perfscore calc``."""
    from perfscore.builder.workbook import build_workbook
    from perfscore.engine import framework as frameworks
    from perfscore.engine.project.submission import ProjectSubmission

    fw = frameworks.load_any("mof-project-2020")
    data = Path(__file__).resolve().parent.parent / "perfscore" / "data" / "project-2022.json"
    assert isinstance(fw, frameworks.ProjectFramework)
    sub = ProjectSubmission.loads(data.read_text("utf-8"), fw)
    sub.rows[0].score = Decimal(7)  # below full marks without a reason: one error, one warning
    form = tmp_path / "p.xlsx"
    build_workbook(form, fw, submission=sub)
    opened = open_form(form)
    before = snapshot(opened.workbook)
    bridge.calculate(opened.book)
    assert opened.excel.alerts == ["计算完成：总分 99，优；错误 1 条，警告 1 条（详见“校验结果”表）"]
    assert assert_writes_like_calc(opened, before, form, tmp_path) > 20
    assert_quiet_while_writing(opened.excel)
    written = openpyxl.load_workbook(tmp_path / "calc-p.xlsx")
    for sheet, cell in (("产出指标", "L3"), ("基本情况", "B27"), ("基本情况", "D27"), ("基本情况", "B28"),
                        ("校验结果", "C3"), ("校验结果", "E4")):  # fmt: skip
        want = written[sheet][cell].value
        got = opened.workbook.sheet(sheet).value(*parse_ref(cell))
        assert got == (float(want) if isinstance(want, int) else want), (sheet, cell)


# ---------------------------------------------------------------------------- COM operation counts

#: COM operations (IDispatch Invokes) of each entry point on a form with the seed's five sheets, at
#: 26 indicators (the seed) and at 260 — see ``python scripts/bench_com.py`` for the breakdown.
SEED_SHAPED = {"calculate": 56, "report": 62, "check": 29}
#: The same on ``tests/generated.py``'s forms of 13 sheets (10 indicator sheets), at 20 and 260.
THIRTEEN_SHEETS = {"calculate": 118, "report": 124, "check": 77}


@pytest.fixture(scope="module")
def seed_shaped_260(tmp_path_factory: pytest.TempPathFactory) -> Form:
    return forms.seed_shaped_form(tmp_path_factory.mktemp("seed-shaped"), 260)


def _runs(form: Form) -> dict[str, Run]:
    return {action: forms.run(bridge, action, form) for action in forms.ACTIONS}


def _ops(runs: dict[str, Run]) -> dict[str, list[str]]:
    return {action: [str(op) for op in r.excel.ops] for action, r in runs.items()}


def test_com_operations_are_the_same_for_the_seed_and_260_indicators(seed_shaped_260: Form) -> None:
    assert seed_shaped_260.indicators == 260 and seed_shaped_260.sheets == 5
    seed, large = _runs(forms.seed_form()), _runs(seed_shaped_260)
    assert {a: r.total for a, r in seed.items()} == {a: r.total for a, r in large.items()} == SEED_SHAPED
    assert _ops(seed) == _ops(large)  # the very same operations, in the same order
    assert seed["calculate"].total <= 60
    assert seed["calculate"].excel.counts() == {"get": 27, "set": 14, "call": 15, "total": 56}


def test_the_260_indicator_form_gets_the_same_cells_as_perfscore_calc(
    seed_shaped_260: Form, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(framework.FRAMEWORKS_ENV, str(seed_shaped_260.frameworks))
    opened = open_form(seed_shaped_260.path)
    before = snapshot(opened.workbook)
    bridge.calculate(opened.book)
    assert opened.excel.alerts[0].startswith("计算完成：总分 99.99，优；错误 2 条")
    assert assert_writes_like_calc(opened, before, seed_shaped_260.path, tmp_path) > 260
    assert_quiet_while_writing(opened.excel)


def test_com_operations_do_not_grow_with_indicators_on_thirteen_sheets(tmp_path: Path) -> None:
    small, large = forms.generated_form(tmp_path, 20), forms.generated_form(tmp_path, 260)
    assert (small.indicators, large.indicators, small.sheets, large.sheets) == (20, 260, 13, 13)
    small_runs, large_runs = _runs(small), _runs(large)
    assert {a: r.total for a, r in small_runs.items()} == THIRTEEN_SHEETS
    assert {a: r.total for a, r in large_runs.items()} == THIRTEEN_SHEETS
    assert _ops(small_runs) == _ops(large_runs)
