"""The workbook builder: content equals cells.py, protection, validation, print setup, safety."""

from __future__ import annotations

import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

from perfscore.builder import build_workbook
from perfscore.engine import cells as C
from perfscore.engine import layout as L
from perfscore.engine.decimals import from_float
from perfscore.engine.framework import Framework
from perfscore.engine.grid import Formula, PlanValue, ref
from perfscore.engine.submission import IndicatorInput, Submission
from perfscore.errors import PerfscoreError
from tests.conftest import seed_submission

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import build_workbooks


def _cell_value(value: Any) -> PlanValue:
    """An openpyxl cell value in cells.py terms (numbers as Decimal, formulas as Formula)."""
    if isinstance(value, str) and value.startswith("="):
        return Formula(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return from_float(value)
    return value  # type: ignore[no-any-return]


def _read_cells(path: Path) -> dict[tuple[str, str], PlanValue]:
    wb = openpyxl.load_workbook(path)
    found: dict[tuple[str, str], PlanValue] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    found[(ws.title, cell.coordinate)] = _cell_value(cell.value)
    return found


def _expected(content: C.Cells) -> dict[tuple[str, str], PlanValue]:
    return {k: (Decimal(v) if isinstance(v, int) else v) for k, v in content.items() if v is not None}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("built")
    template, example = build_workbooks.build_all(out)
    return {"template": template, "example": example}


def test_template_content_is_exactly_static_cells(built: dict[str, Path], fw: Framework) -> None:
    assert _read_cells(built["template"]) == _expected(C.static_cells(fw, "native"))


def test_seed_example_content_is_static_plus_input_cells(built: dict[str, Path], fw: Framework) -> None:
    content = C.static_cells(fw, "native")
    content.update(C.input_cells(fw, seed_submission(fw)))
    assert _read_cells(built["example"]) == _expected(content)


def test_sheets_in_order_and_meta_hidden(built: dict[str, Path], fw: Framework) -> None:
    wb = openpyxl.load_workbook(built["template"])
    assert wb.sheetnames == C.sheet_order(fw)
    states = {ws.title: ws.sheet_state for ws in wb.worksheets}
    assert states.pop(L.META) == "hidden"
    assert set(states.values()) == {"visible"}
    assert wb.active.title == L.COVER
    for sl in L.sheet_layouts(fw):
        ws = wb[sl.name]
        assert ws.column_dimensions["N"].hidden
        assert not any(ws.column_dimensions[c].hidden for c in "ABCDEFGHIJKLM")
        assert ws.freeze_panes == "A3"


def _signature(path: Path) -> dict[str, Any]:
    """What a committed workbook must share with a fresh build (content, not bytes)."""
    wb = openpyxl.load_workbook(path)
    sig: dict[str, Any] = {"sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets]}
    for ws in wb.worksheets:
        sig[ws.title] = {
            "cells": {
                c.coordinate: (c.value, c.number_format, c.protection.locked)
                for r in ws.iter_rows()
                for c in r
            },
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "validations": sorted(
                (str(d.sqref), d.formula1, d.formula2) for d in ws.data_validations.dataValidation
            ),
            "conditional": sorted(str(r.sqref) for r in ws.conditional_formatting),
            "print": (ws.print_area, ws.print_title_rows, ws.page_setup.orientation, ws.page_setup.paperSize),
            "protected": ws.protection.sheet,
        }
    return sig


@pytest.mark.parametrize("name", [build_workbooks.TEMPLATE, build_workbooks.SEED_EXAMPLE])
def test_committed_workbooks_equal_a_fresh_build(name: str, repo_root: Path, tmp_path: Path) -> None:
    committed = repo_root / "workbook" / name
    fresh = {p.name: p for p in build_workbooks.build_all(tmp_path)}[name]
    assert _signature(committed) == _signature(fresh), (
        f"workbook/{name} is stale: run scripts/build_workbooks.py"
    )


def test_two_builds_are_content_identical(tmp_path: Path, fw: Framework) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    build_workbook(a, fw, submission=seed_submission(fw))
    build_workbook(b, fw, submission=seed_submission(fw))
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        assert za.namelist() == zb.namelist()
        for name in za.namelist():
            assert za.read(name) == zb.read(name), name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "b.xlsx"]  # no temp files left


def _input_cells(fw: Framework) -> set[tuple[str, str]]:
    cl = L.cover_layout(fw)
    inputs = {(L.COVER, cl["department"]), (L.COVER, cl["year"])}
    inputs |= {(L.COVER, cl[f"header:{h.key}"]) for h in fw.header}
    inputs |= {(L.COVER, cl[f"budget:{b}"]) for b in fw.budget_fields}
    for sl in L.sheet_layouts(fw):
        for iid, r in sl.rows.items():
            inputs |= {(sl.name, ref(r, c)) for c in (L.C_SCORE, L.C_REASON, L.C_MEASURE)}
            if fw.by_id[iid].rule:
                inputs.add((sl.name, ref(r, L.C_RATE)))
    return inputs


def test_inputs_unlocked_and_marked_everything_else_locked(built: dict[str, Path], fw: Framework) -> None:
    wb = openpyxl.load_workbook(built["example"])
    inputs = _input_cells(fw)
    assert len(inputs) == 2 + len(fw.header) + len(fw.budget_fields) + 3 * len(fw.leaves()) + 2
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title
        assert ws.protection.formatRows is False and ws.protection.formatColumns is False  # allowed
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell):  # covered part of a merge: its anchor decides
                    continue
                key = (ws.title, cell.coordinate)
                assert cell.protection.locked == (key not in inputs), key
                if key in inputs:
                    assert cell.fill.fgColor.rgb == "FFFFF2CC", key
    for sheet, cell in inputs:
        assert wb[sheet][cell].protection.locked is False


def test_score_and_rate_validation(built: dict[str, Path], fw: Framework) -> None:
    wb = openpyxl.load_workbook(built["template"])
    for sl in L.sheet_layouts(fw):
        ws = wb[sl.name]
        rules = {str(d.sqref): d for d in ws.data_validations.dataValidation}
        for iid, r in sl.rows.items():
            dv = rules[f"H{r}"]
            leaf = fw.by_id[iid]
            assert (dv.type, dv.operator or "between", dv.errorStyle) == ("decimal", "between", "warning")
            assert Decimal(dv.formula1) == 0 and Decimal(dv.formula2) == leaf.weight
            assert dv.showInputMessage and f"0–{leaf.weight} 之间的得分" in dv.prompt
            assert dv.error and "得分" in dv.error
            if leaf.rule:
                rate = rules[f"K{r}"]
                assert (Decimal(rate.formula1), Decimal(rate.formula2)) == (0, 1)
                assert "请输入执行率，如 93%" in rate.prompt
                assert ws[f"K{r}"].number_format == "0%"
        assert len(rules) == len(sl.rows) + sum(1 for i in sl.rows if fw.by_id[i].rule)


def test_conditional_formats_follow_the_status_column(built: dict[str, Path], fw: Framework) -> None:
    wb = openpyxl.load_workbook(built["template"])
    for sl in L.sheet_layouts(fw):
        first, last = min(sl.rows.values()), max(sl.rows.values())
        formulas = {
            f: str(cf.sqref)
            for cf in wb[sl.name].conditional_formatting
            for rule in cf.rules
            for f in rule.formula
        }
        assert formulas == {
            f'LEFT($M{first},1)="✖"': f"H{first}:H{last}",
            f'LEFT($M{first},1)="⚠"': f"H{first}:H{last}",
        }


def test_merges_follow_the_indicator_groups(built: dict[str, Path], fw: Framework) -> None:
    wb = openpyxl.load_workbook(built["template"])
    for sl in L.sheet_layouts(fw):
        merged = {str(m) for m in wb[sl.name].merged_cells.ranges}
        expected = {"A1:J1"}
        for node in fw.walk():
            if node.level in (1, 2) and node.id.split(".")[0] == sl.group.id.split(".")[0]:
                rows = [sl.rows[leaf.id] for leaf in node.leaves()]
                if len(rows) > 1:
                    cols = "AB" if node.level == 1 else "CD"
                    expected |= {f"{c}{min(rows)}:{c}{max(rows)}" for c in cols}
        assert merged == expected


def test_print_setup(built: dict[str, Path], fw: Framework) -> None:
    wb = openpyxl.load_workbook(built["template"])
    cl = L.cover_layout(fw)
    areas = {L.COVER: f"A1:H{cl.last_row}"} | {sl.name: f"A1:J{sl.last_row}" for sl in L.sheet_layouts(fw)}
    for name, area in areas.items():
        ws = wb[name]
        last = area.split(":")[1]
        assert ws.print_area == f"'{name}'!$A$1:${last[0]}${last[1:]}"
        setup = ws.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)  # absent = 1 (OOXML default)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_options.horizontalCentered
        assert "第 &P 页 共 &N 页" in ws.oddFooter.center.text
        if name != L.COVER:
            assert ws.print_title_rows == "$1:$2"


def test_default_font_is_cjk(built: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(built["template"])
    assert wb[L.COVER]["A3"].font.name == "宋体"
    with zipfile.ZipFile(built["template"]) as z:
        assert '<name val="宋体"/>' in z.read("xl/styles.xml").decode("utf-8")


def test_user_text_starting_with_equals_stays_text(tmp_path: Path, fw: Framework) -> None:
    sub = Submission(fw.id, year=Decimal(2022), department='=HYPERLINK("x")')
    sub.indicators["1.1.1"] = IndicatorInput("1.1.1", score="=1+1", reason="=1+1", measure="+A1")
    out = tmp_path / "inject.xlsx"
    build_workbook(out, fw, submission=sub)
    wb = openpyxl.load_workbook(out)
    sheet = L.sheet_layouts(fw)[0]
    r = sheet.rows["1.1.1"]
    for cell, text in ((f"H{r}", "=1+1"), (f"I{r}", "=1+1"), (f"J{r}", "+A1")):
        assert wb[sheet.name][cell].value == text
        assert wb[sheet.name][cell].data_type == "s"
    assert wb[L.COVER][L.cover_layout(fw)["department"]].data_type == "s"


def test_udf_mode_needs_the_addin_builder(
    tmp_path: Path, fw: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "perfscore.builder.vba", None)  # import fails
    with pytest.raises(PerfscoreError, match=r"perfscore\.builder\.vba"):
        build_workbook(tmp_path / "x.xlsm", fw, mode="udf")
    assert list(tmp_path.iterdir()) == []


def test_udf_mode_embeds_vba_and_buttons(
    tmp_path: Path, fw: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    import xlwings

    quickstart = Path(xlwings.__file__).parent / "quickstart.xlsm"
    with zipfile.ZipFile(quickstart) as z:
        vba = tmp_path / "vbaProject.bin"
        vba.write_bytes(z.read("xl/vbaProject.bin"))
    fake = types.ModuleType("perfscore.builder.vba")
    fake.vba_project_bin = lambda: vba  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "perfscore.builder.vba", fake)
    out = tmp_path / "form.xlsm"
    conf = [["Interpreter_Win", "python"], ["UDF Modules", "perfscore.udfs"]]
    build_workbook(out, fw, mode="udf", extra_sheets={"xlwings.conf": conf})
    with zipfile.ZipFile(out) as z:
        assert z.read("xl/vbaProject.bin") == vba.read_bytes()
        vml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".vml"))
    n_sheets = 1 + len(L.sheet_layouts(fw))
    assert vml.count("<x:FmlaMacro>[0]!Calculate</x:FmlaMacro>") == n_sheets
    assert vml.count("<x:FmlaMacro>[0]!GenerateReport</x:FmlaMacro>") == n_sheets
    assert vml.count("计算") == n_sheets and vml.count("生成报表") == n_sheets
    wb = openpyxl.load_workbook(out, keep_vba=True)
    assert wb.sheetnames == [*C.sheet_order(fw)[:-1], "xlwings.conf", L.META]
    assert [[c.value for c in r] for r in wb["xlwings.conf"].iter_rows()] == conf
    assert wb[L.COVER][L.cover_layout(fw)["total"]].value.startswith("=PS_TOTAL(")


@pytest.mark.parametrize(("name", "mode"), [("x.xlsm", "native"), ("x.xlsx", "udf"), ("x.xlsx", "excel")])
def test_wrong_mode_or_suffix_is_a_clear_error(tmp_path: Path, fw: Framework, name: str, mode: str) -> None:
    with pytest.raises(PerfscoreError):
        build_workbook(tmp_path / name, fw, mode=mode)
    assert list(tmp_path.iterdir()) == []


def test_failed_build_leaves_existing_file_untouched(tmp_path: Path, fw: Framework) -> None:
    out = tmp_path / "form.xlsx"
    out.write_bytes(b"old content")
    with pytest.raises(PerfscoreError, match="bad"):
        build_workbook(out, fw, extra_sheets={"bad[name]": [["x"]]})  # fails mid-build
    assert out.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["form.xlsx"]
