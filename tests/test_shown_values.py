"""What a viewer that does not recalculate shows: the cached results of every formula cell.

Excel's Protected View, file previews, phone viewers, pandas and calamine show the results stored in
the file. Every file perfscore writes (``new``, ``import``, ``calc``, ``report``) must store the
engine's figures there; a stored result that differs (a tampered or stale file) is an error.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from perfscore.engine import layout as L
from perfscore.engine.computed import computed_cells
from perfscore.engine.decimals import from_float
from perfscore.engine.grid import parse_ref
from perfscore.xlsx import evaluate_file
from perfscore.xlsx.package import sheet_parts

from .conftest import load_fw, seed_submission
from .xlsx_helpers import digest, edit, run_cli

P, M, C = "履职效能", "管理效率", "基本情况"

#: The seed's computed cells as the published form shows them.
SEED_FIGURES = {
    (C, "C13"): Decimal("41.8"),
    (C, "C14"): Decimal("48.97"),
    (C, "C15"): Decimal("90.77"),
    (C, "B16"): "优",
    (P, "H7"): Decimal("41.8"),
    (P, "H8"): Decimal("41.8"),
    (M, "H34"): Decimal("48.97"),
}


def with_openpyxl(path: Path) -> dict[tuple[str, str], Any]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {(c.sheet, c.cell): _same(wb[c.sheet][c.cell].value) for c in computed_cells(load_fw(), "native")}


def with_calamine(path: Path) -> dict[tuple[str, str], Any]:
    wb = CalamineWorkbook.from_path(str(path))
    out = {}
    for c in computed_cells(load_fw(), "native"):
        rows = wb.get_sheet_by_name(c.sheet).to_python(skip_empty_area=False)
        r, col = parse_ref(c.cell)
        out[(c.sheet, c.cell)] = _same(
            rows[r - 1][col - 1] if r <= len(rows) and col <= len(rows[r - 1]) else ""
        )
    return out


def _same(value: Any) -> Any:
    """Numbers as exact decimals (41.8 → Decimal("41.8")), blanks as ""."""
    if isinstance(value, float):
        return from_float(value)
    return "" if value is None else value


def engine_figures(path: Path) -> dict[tuple[str, str], Any]:
    return {k: v for k, v in evaluate_file(path).shown_values().items() if k[0] in (C, P, M)}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed from new + filled by import, calc and report; and a blank new form."""
    tmp = tmp_path_factory.mktemp("shown")
    blank = tmp / "blank.xlsx"
    assert run_cli(["new", "-o", blank]).exit_code == 0
    data = tmp / "seed.json"
    data.write_text(seed_submission().dumps(load_fw()), "utf-8")
    imported = tmp / "imported.xlsx"
    assert run_cli(["import", data, "-o", imported]).exit_code == 0
    calculated = tmp / "calculated.xlsx"
    assert run_cli(["calc", imported, "-o", calculated]).exit_code == 0
    reported = tmp / "reported.xlsx"
    assert run_cli(["report", calculated, "-o", reported]).exit_code == 0
    return {"new": blank, "import": imported, "calc": calculated, "report": reported}


@pytest.mark.parametrize("step", ["import", "calc", "report"])
def test_every_formula_cell_shows_the_engines_figure(files: dict[str, Path], step: str) -> None:
    expected = engine_figures(files[step])
    assert {k: expected[k] for k in SEED_FIGURES} == SEED_FIGURES
    assert with_openpyxl(files[step]) == expected
    assert with_calamine(files[step]) == expected


def test_a_blank_form_shows_blank_figures(files: dict[str, Path]) -> None:
    shown = with_calamine(files["new"])
    assert shown[(C, "C15")] == "" and shown[(C, "B16")] == "" and shown[(P, "H7")] == ""
    assert shown[(C, "A1")] == "部门整体支出绩效自评表"
    assert shown == with_openpyxl(files["new"]) == engine_figures(files["new"])


def test_other_formulas_keep_their_results(files: dict[str, Path]) -> None:
    """The 校验结果 links written by calc show their location text, and survive report."""
    for step in ("calc", "report"):
        ws = openpyxl.load_workbook(files[step], data_only=True)[L.FINDINGS]
        assert ws["D3"].value == "管理效率!E12", step


def rewrite(path: Path, sheet: str, change: Any) -> None:
    """Edit one sheet's XML directly (as another program would), leaving everything else as it is."""
    with zipfile.ZipFile(path) as zf:
        part = sheet_parts(zf)[sheet]
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, change(data.decode("utf-8")).encode("utf-8") if info.filename == part else data)


def test_a_stale_total_is_caught(files: dict[str, Path], tmp_path: Path) -> None:
    """A score changed by a program that does not recalculate: the displayed totals are stale."""
    stale = tmp_path / "stale.xlsx"
    shutil.copy(files["calc"], stale)
    rewrite(stale, P, lambda xml: re.sub(r'(<c r="H4"[^>]*>)<v>20</v>', r"\g<1><v>18</v>", xml))
    before = digest(stale)
    run = run_cli(["check", stale])
    assert digest(stale) == before
    assert run.exit_code == 1
    lines = [line for line in run.stdout.splitlines() if "displayed-total-differs" in line]
    assert [line.split(": error ")[0].rsplit(":", 1)[1] for line in lines] == [
        f"{C}!C13",
        f"{C}!C15",
        f"{C}!B16",
        f"{C}!C16",
        f"{P}!H7",
        f"{P}!H8",
    ]  # fmt: skip (the group score, 总分, 等级 优 → 良 and its line, the sub-totals)
    assert "总分显示为 90.77，按表中填写的得分应为 88.77" in run.stdout
    assert "总分 88.77，等级 良" in run.stdout  # perfscore's own figures come from the scores


def test_a_recalculated_file_is_fresh_again(files: dict[str, Path], tmp_path: Path) -> None:
    """calc writes the figures of the scores as they are now."""
    path = tmp_path / "edited.xlsx"
    shutil.copy(files["calc"], path)
    edit(path, lambda wb: wb[P].__setitem__("H4", 18))  # openpyxl drops every cached result
    run = run_cli(["calc", path])
    assert run.exit_code == 1 and "reason-missing" in run.stdout  # 18 of 20 needs a reason
    assert with_calamine(path)[(C, "C15")] == Decimal("88.77")
    assert with_calamine(path)[(C, "B16")] == "良"


def test_indicator_rows_grow_with_their_text(files: dict[str, Path]) -> None:
    """No custom height on indicator rows: Excel and WPS grow them as the clerk types."""
    for step in ("new", "calc", "report"):
        with zipfile.ZipFile(files[step]) as zf:
            xml = zf.read(sheet_parts(zf)[M]).decode("utf-8")
        rows = {int(r): attrs for r, attrs in re.findall(r'<row r="(\d+)"([^>]*)>', xml)}
        assert all("customHeight" not in rows[r] for r in range(3, 26)), step
        assert all('ht="' in rows[r] for r in range(3, 26)), step  # still tall enough for their text
