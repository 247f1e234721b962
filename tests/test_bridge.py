"""The macro bridge against a recording stand-in for Excel's Book/Sheet/Range API.

Nobody here has Excel: the stand-in implements just the calls perfscore.bridge makes, holds cell
values as Excel would (numbers as floats, text, formulas) and logs every call, so the tests can
count round trips. Its content comes from the real seed example workbook, read with openpyxl.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from perfscore import bridge, builder
from perfscore.cli import cli
from perfscore.engine import framework, pipeline, plan
from perfscore.engine import layout as L
from perfscore.engine.grid import Link
from perfscore.xlsx import read_grid

from .generated import generated_framework

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "workbook" / "seed-2022-example.xlsx"


class Excel:
    """The call log shared by every stand-in object of one book."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.alerts: list[str] = []
        self.opened: list[Any] = []  # books opened through app.books.open

    def log(self, what: str) -> None:
        self.calls.append(what)


class FakeRange:
    def __init__(self, sheet: FakeSheet, top: int, left: int, bottom: int, right: int) -> None:
        self.sheet, self.top, self.left, self.bottom, self.right = sheet, top, left, bottom, right
        self.opts: dict[str, Any] = {}

    @property
    def address(self) -> str:
        self.sheet.excel.log("range.address")
        return f"${get_column_letter(self.left)}${self.top}:${get_column_letter(self.right)}${self.bottom}"

    def options(self, **opts: Any) -> FakeRange:  # xlwings builds options locally: no Excel call
        assert opts.get("ndim") == 2
        self.opts = opts
        return self

    @property
    def value(self) -> Any:
        self.sheet.excel.log("range.value get")
        return [
            [self.sheet.cells.get((r, c)) for c in range(self.left, self.right + 1)]
            for r in range(self.top, self.bottom + 1)
        ]

    @property
    def row_height(self) -> float:  # pragma: no cover - only set
        raise AssertionError("perfscore never reads row heights")

    @row_height.setter
    def row_height(self, points: float) -> None:
        self.sheet.excel.log("range.row_height set")
        assert self.top == self.bottom and points > 0
        for r in range(self.top, self.bottom + 1):
            self.sheet.heights[r] = points

    @property
    def formula(self) -> Any:
        """Excel's Range.Formula: each cell's formula, or its constant; "" when empty."""
        self.sheet.excel.log("range.formula get")
        return [
            [
                self.sheet.formula_text.get((r, c), self.sheet.cells.get((r, c), ""))
                for c in range(self.left, self.right + 1)
            ]
            for r in range(self.top, self.bottom + 1)
        ]

    @value.setter
    def value(self, rows: list[list[Any]]) -> None:
        self.sheet.excel.log("range.value set")
        assert len(rows) == self.bottom - self.top + 1
        for dr, line in enumerate(rows):
            assert len(line) == self.right - self.left + 1
            for dc, v in enumerate(line):
                self.sheet.put(self.top + dr, self.left + dc, v)

    @property
    def column_width(self) -> float:  # pragma: no cover - only set
        raise NotImplementedError

    @column_width.setter
    def column_width(self, width: float) -> None:
        self.sheet.excel.log("range.column_width set")
        self.sheet.widths[self.left] = width

    def merge(self) -> None:
        self.sheet.excel.log("range.merge")
        self.sheet.merges.append((self.top, self.left, self.bottom, self.right))

    def clear_contents(self) -> None:
        self.sheet.excel.log("range.clear_contents")
        for r in range(self.top, self.bottom + 1):
            for c in range(self.left, self.right + 1):
                self.sheet.put(r, c, None)


class FakeSheet:
    def __init__(self, excel: Excel, name: str) -> None:
        self.excel, self._name = excel, name
        self.cells: dict[tuple[int, int], Any] = {}
        self.formulas: set[tuple[int, int]] = set()
        self.formula_text: dict[tuple[int, int], str] = {}  # the workbook's own formulas, as Excel holds them
        self.widths: dict[int, float] = {}
        self.heights: dict[int, float] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.sheets: FakeSheets | None = None
        self.source_path: Path | None = None  # the file a copied sheet came from

    def delete(self) -> None:
        self.excel.log("sheet.delete")
        assert self.sheets is not None
        self.sheets.items.remove(self)

    def copy(self, before: FakeSheet | None = None, after: FakeSheet | None = None) -> FakeSheet:
        """Excel's Worksheet.Copy into another open book: values, merges and formats travel along."""
        self.excel.log("sheet.copy")
        target = (before or after).sheets  # type: ignore[union-attr]
        assert target is not None and (before is None) != (after is None)
        clone = FakeSheet(self.excel, self._name)
        clone.cells, clone.merges, clone.widths = dict(self.cells), list(self.merges), dict(self.widths)
        clone.source_path = self.source_path
        clone.sheets = target
        anchor = target.items.index(before) if before else target.items.index(after) + 1  # type: ignore[arg-type]
        target.items.insert(anchor, clone)
        return clone

    def put(self, r: int, c: int, v: Any) -> None:
        """Store a value as Excel does on ``Range.Value = v``."""
        self.formulas.discard((r, c))
        self.formula_text.pop((r, c), None)
        if v is None or v == "":
            self.cells.pop((r, c), None)
        elif isinstance(v, str) and v.startswith("'"):
            self.cells[(r, c)] = v[1:]  # the apostrophe only marks text
        elif isinstance(v, str) and v.startswith(("=", "+", "-", "@")):
            self.cells[(r, c)] = v  # Excel would turn this into a formula
            self.formulas.add((r, c))
            self.formula_text[(r, c)] = v
        elif isinstance(v, (bool, str, dt.datetime)):
            self.cells[(r, c)] = v
        else:
            assert isinstance(v, (int, float)), v
            self.cells[(r, c)] = float(v)

    @property
    def name(self) -> str:
        self.excel.log("sheet.name")
        return self._name

    @property
    def used_range(self) -> FakeRange:
        self.excel.log("sheet.used_range")
        if not self.cells:
            return FakeRange(self, 1, 1, 1, 1)
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))

    def range(self, first: tuple[int, int], last: tuple[int, int]) -> FakeRange:
        self.excel.log("sheet.range")
        return FakeRange(self, first[0], first[1], last[0], last[1])


class FakeSheets:
    def __init__(self, excel: Excel, sheets: list[FakeSheet]) -> None:
        self.excel, self.items = excel, sheets

    def __iter__(self) -> Any:
        self.excel.log("sheets.iter")
        return iter(list(self.items))

    def __getitem__(self, name: str) -> FakeSheet:
        self.excel.log("sheets[name]")
        return next(s for s in self.items if s._name == name)

    def add(self, name: str, before: FakeSheet | None = None) -> FakeSheet:
        self.excel.log("sheets.add")
        sheet = FakeSheet(self.excel, name)
        sheet.sheets = self
        self.items.insert(self.items.index(before) if before else len(self.items), sheet)
        return sheet


class FakeBooks:
    def __init__(self, excel: Excel) -> None:
        self.excel = excel

    def open(self, path: str) -> FakeBook:
        """Excel opening a file: the stand-in reads it with openpyxl (values and merges)."""
        self.excel.log("books.open")
        book = FakeBook(excel_values(Path(path)), excel=self.excel, formulas=excel_formulas(Path(path)))
        wb = openpyxl.load_workbook(path)
        for sheet in book._sheets.items:
            ws = wb[sheet._name]
            sheet.source_path = Path(path)
            sheet.merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        self.excel.opened.append(book)
        return book


class FakeApp:
    def __init__(self, excel: Excel) -> None:
        self.excel = excel
        self.books = FakeBooks(excel)

    def alert(self, prompt: str, title: str | None = None) -> None:
        self.excel.log("app.alert")
        self.excel.alerts.append(prompt)


class FakeBook:
    def __init__(
        self,
        sheets: dict[str, dict[tuple[int, int], Any]],
        excel: Excel | None = None,
        formulas: dict[str, dict[tuple[int, int], str]] | None = None,
    ) -> None:
        self.excel = excel or Excel()
        self.closed = False
        self._sheets = FakeSheets(self.excel, [])
        for name, cells in sheets.items():
            s = FakeSheet(self.excel, name)
            s.cells = dict(cells)
            s.formula_text = dict((formulas or {}).get(name, {}))
            s.sheets = self._sheets
            self._sheets.items.append(s)

    @property
    def sheets(self) -> FakeSheets:
        self.excel.log("book.sheets")
        return self._sheets

    @property
    def app(self) -> FakeApp:
        self.excel.log("book.app")
        return FakeApp(self.excel)

    def sheet(self, name: str) -> FakeSheet:
        return next(s for s in self._sheets.items if s._name == name)

    def close(self) -> None:
        self.excel.log("book.close")
        self.closed = True


def excel_values(path: Path) -> dict[str, dict[tuple[int, int], Any]]:
    """A workbook's cells as Excel holds them after opening (cached formula results, numbers as floats)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out: dict[str, dict[tuple[int, int], Any]] = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if v is not None and v != "":
                    cells[(cell.row, cell.column)] = (
                        float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                    )
        out[ws.title] = cells
    return out


def excel_formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """A workbook's formulas as Excel holds them (``=…``)."""
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.data_type == "f"}
        for ws in wb.worksheets
    }


def recalculated(
    cells: dict[str, dict[tuple[int, int], Any]], path: Path
) -> dict[str, dict[tuple[int, int], Any]]:
    """``cells`` after a test changed an input: Excel would recalculate its formulas; the stand-in
    cannot, so their results are left out (unknown) rather than stale."""
    for name, formulas in excel_formulas(path).items():
        for pos in formulas:
            cells.get(name, {}).pop(pos, None)
    return cells


def seed_book() -> FakeBook:
    return FakeBook(excel_values(SEED), formulas=excel_formulas(SEED))


# ------------------------------------------------------------------------------------------ tests


def test_read_gives_the_same_grid_as_the_openpyxl_reader() -> None:
    grid, _ = bridge.read_book(seed_book())
    assert grid.sheets.keys() == read_grid(SEED).sheets.keys()
    for name, sheet in read_grid(SEED).sheets.items():
        assert grid.sheets[name].rows == sheet.rows, name


def test_calculate_writes_the_same_cells_as_perfscore_calc(tmp_path: Path) -> None:
    out = tmp_path / "calc.xlsx"
    run = CliRunner().invoke(cli, ["calc", str(SEED), "-o", str(out)])
    assert out.exists(), run.output
    book = seed_book()
    bridge.calculate(book)
    assert book.excel.alerts == ["计算完成：总分 90.77，优；错误 0 条，警告 0 条（详见“校验结果”表）"]
    cli_wb = openpyxl.load_workbook(out)
    result = pipeline.evaluate(read_grid(SEED))
    written = plan.calc_plan(result, dt.datetime(2000, 1, 1))
    checked_at = L.cover_layout(result.framework)["checked_at"]
    compared = 0
    for block in written.blocks:
        sheet = book.sheet(block.sheet)
        for r in range(block.top, block.bottom + 1):
            for c in range(block.left, block.right + 1):
                cell = cli_wb[block.sheet].cell(r, c)
                ours = sheet.cells.get((r, c))
                if block.sheet == L.COVER and cell.coordinate == checked_at:
                    assert isinstance(ours, dt.datetime) and isinstance(cell.value, dt.datetime)
                    continue
                planned = block.values[r - block.top][c - block.left]
                if isinstance(planned, Link):  # Excel: a HYPERLINK formula; openpyxl: a cell hyperlink
                    assert ours == planned.formula().text and cell.value == planned.text
                    assert cell.hyperlink.location == planned.location and cell.data_type == "s"
                    compared += 1
                    continue
                want = float(cell.value) if isinstance(cell.value, (int, float)) else cell.value
                assert (ours, (r, c) in sheet.formulas) == (want, cell.data_type == "f"), (block.sheet, r, c)
                compared += 1
    assert compared == sum(len(b.values) * (b.right - b.left + 1) for b in written.blocks) - 1
    cover = book.sheet(L.COVER)
    lay = L.cover_layout(result.framework)
    assert cover.cells[_rc(lay["engine_total"])] == 90.77
    assert cover.cells[_rc(lay["engine_grade"])] == "优"


def _rc(cell: str) -> tuple[int, int]:
    from perfscore.engine.grid import parse_ref

    return parse_ref(cell)


def test_user_text_starting_with_formula_characters_stays_text() -> None:
    cells = excel_values(SEED)
    cells["履职效能"][(5, 9)] = "=1+1 不是公式"  # 未达标原因 typed by a clerk
    cells["履职效能"][(5, 8)] = "abc"  # an invalid score: its finding quotes the text
    book = FakeBook(recalculated(cells, SEED), formulas=excel_formulas(SEED))
    book.sheet("履职效能").cells[(3, 10)] = "-"
    bridge.calculate(book)
    findings = book.sheet(L.FINDINGS)
    messages = [v for (r, c), v in findings.cells.items() if c == 5]
    assert any("“abc”不是数字" in m for m in messages)
    assert not findings.formulas - {(r, 4) for r in range(3, 100)}  # only the HYPERLINK column
    for r, c in findings.formulas:
        assert findings.cells[(r, c)].startswith('=HYPERLINK("#')
    assert bridge.excel_value("=1+1") == "'=1+1"
    assert (
        bridge.excel_value("@x") == "'@x"
        and bridge.excel_value("+1") == "'+1"
        and bridge.excel_value("-") == "'-"
    )
    assert bridge.excel_value(plan.Formula("=A1")) == "=A1"
    assert bridge.excel_value(Decimal("90.77")) == 90.77 and bridge.excel_value(Decimal("2")) == 2


def test_unusable_workbook_gives_a_chinese_message_not_a_traceback() -> None:
    cells = excel_values(SEED)
    del cells[L.META]
    book = FakeBook(cells, formulas=excel_formulas(SEED))
    bridge.calculate(book)
    assert len(book.excel.alerts) == 1
    assert book.excel.alerts[0].startswith(
        "无法完成：不是 perfscore 生成的自评表（缺少隐藏工作表 _perfscore）"
    )
    assert not any(c == "range.value set" for c in book.excel.calls)


def test_check_writes_nothing_and_lists_findings() -> None:
    cells = excel_values(SEED)
    cells["履职效能"][(5, 8)] = "abc"
    book = FakeBook(recalculated(cells, SEED), formulas=excel_formulas(SEED))
    bridge.check(book)
    assert not any(c in ("range.value set", "range.clear_contents") for c in book.excel.calls)
    assert book.excel.alerts[0].startswith("校验完成：错误 1 条")
    assert "履职效能!H5：“部门预算资金支出率”的得分“abc”不是数字" in book.excel.alerts[0]


def test_deleted_findings_sheet_comes_back_before_the_meta_sheet() -> None:
    cells = excel_values(SEED)
    del cells[L.FINDINGS]
    book = FakeBook(cells, formulas=excel_formulas(SEED))
    bridge.calculate(book)
    names = [s._name for s in book._sheets.items]
    assert names.index(L.FINDINGS) == names.index(L.META) - 1


def test_generate_report_copies_the_rendered_report_sheet_into_the_book(tmp_path: Path) -> None:
    from perfscore.report.workbook import write_report

    book = seed_book()
    bridge.generate_report(book)
    assert book.excel.alerts == [
        "计算并生成报表完成：总分 90.77，优；错误 0 条，警告 0 条（详见“校验结果”表）"
    ]
    names = [s._name for s in book._sheets.items]
    assert names.index(L.REPORT) == names.index(L.COVER) + 1
    # the temporary workbook was opened in Excel, its sheet copied, and it was closed again
    assert len(book.excel.opened) == 1 and book.excel.opened[0].closed
    assert book.excel.calls.count("sheet.copy") == 1
    # the copied sheet is what `perfscore report` writes into the workbook
    out = tmp_path / "report.xlsx"
    write_report(SEED, out)
    expected = excel_values(out)[L.REPORT]
    sheet = book.sheet(L.REPORT)
    assert sheet.cells == expected
    wb = openpyxl.load_workbook(out)
    merges = sorted((m.min_row, m.min_col, m.max_row, m.max_col) for m in wb[L.REPORT].merged_cells.ranges)
    assert sorted(sheet.merges) == merges and merges
    bridge.generate_report(book)  # a second run replaces the sheet
    assert [s._name for s in book._sheets.items].count(L.REPORT) == 1
    assert book.excel.calls.count("sheet.delete") == 1


# ---------------------------------------------------------------------------- call counts


def generated_book(tmp_path: Path, per_second: int) -> tuple[FakeBook, int]:
    folder = tmp_path / f"frameworks-{per_second}"
    folder.mkdir()
    toml = folder / "gen.toml"
    toml.write_text(generated_framework(per_second), "utf-8")
    fw = framework.load(toml)
    xlsx = tmp_path / f"gen-{per_second}.xlsx"
    builder.build_workbook(xlsx, fw)
    cells = excel_values(xlsx)
    cells[L.COVER][(3, 2)] = "测试部门"
    cells[L.COVER][(3, 7)] = 2022.0
    cover = L.cover_layout(fw)
    for h in fw.header:
        cells[L.COVER][_rc(cover[f"header:{h.key}"])] = 1.0 if h.kind == "integer" else "无"
    for name in fw.budget_fields:
        cells[L.COVER][_rc(cover[f"budget:{name}"])] = 0.0
    for sl in L.sheet_layouts(fw):
        for leaf in sl.group.leaves():
            cells[sl.name][(sl.rows[leaf.id], L.C_SCORE)] = float(leaf.weight)
    return FakeBook(recalculated(cells, xlsx), formulas=excel_formulas(xlsx)), len(fw.leaves())


@pytest.mark.parametrize("action", [bridge.calculate, bridge.check, bridge.generate_report])
def test_excel_calls_do_not_grow_with_indicators(
    tmp_path: Path, action: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, n_small = generated_book(tmp_path, 1)
    large, n_large = generated_book(tmp_path, 13)
    assert (n_small, n_large) == (20, 260)
    monkeypatch.setenv(framework.FRAMEWORKS_ENV, str(tmp_path / "frameworks-1"))
    action(small)
    monkeypatch.setenv(framework.FRAMEWORKS_ENV, str(tmp_path / "frameworks-13"))
    action(large)
    assert large.excel.alerts[0].startswith(
        ("计算完成：总分 100，优", "校验完成：错误 0 条", "计算并生成报表完成：总分 100，优")
    ), large.excel.alerts
    assert len(large.excel.calls) == len(small.excel.calls)


def test_seed_call_count_is_fixed_per_sheet_and_block() -> None:
    book = seed_book()
    bridge.calculate(book)
    sheets = 5  # 基本情况, 履职效能, 管理效率, 校验结果, _perfscore
    result = pipeline.evaluate(read_grid(SEED))
    blocks = len(
        plan.calc_plan(result, dt.datetime(2000, 1, 1)).blocks
    )  # 2 校验 columns, 6 summary cells, 校验结果 lines
    reads = 2 + 5 * sheets  # book.sheets + iteration, then name/used_range/address/value/formula per sheet
    clear = 2  # sheet.range + clear_contents (校验结果 rows)
    writes = 2 * blocks  # sheet.range + value set per block
    heights = (
        2 * 3
    )  # sheet.range + row_height set per long text field of 基本情况 (merged: Excel won't grow it)
    alert = 2  # book.app + alert
    assert blocks == 9
    assert len(book.excel.calls) == reads + clear + writes + heights + alert == 55


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
    form, out = tmp_path / "p.xlsx", tmp_path / "calc.xlsx"
    build_workbook(form, fw, submission=sub)
    assert CliRunner().invoke(cli, ["calc", str(form), "-o", str(out)]).exit_code == 1
    book = FakeBook(excel_values(form), formulas=excel_formulas(form))
    bridge.calculate(book)
    assert book.excel.alerts == ["计算完成：总分 99，优；错误 1 条，警告 1 条（详见“校验结果”表）"]
    written = openpyxl.load_workbook(out)
    for sheet, cell in (("产出指标", "L3"), ("基本情况", "B27"), ("基本情况", "D27"), ("基本情况", "B28"),
                        ("校验结果", "C3"), ("校验结果", "E4")):  # fmt: skip
        r, c = _rc(cell)
        want = written[sheet][cell].value
        assert book.sheet(sheet).cells.get((r, c)) == (float(want) if isinstance(want, int) else want), (
            sheet,
            cell,
        )
