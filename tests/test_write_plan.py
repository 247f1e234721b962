"""Applying a write plan with openpyxl: only perfscore's own cells change; everything else survives."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
import stat
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.workbook.defined_name import DefinedName

from perfscore import xlsx
from perfscore.engine import cells
from perfscore.engine.grid import Formula
from perfscore.engine.pipeline import evaluate
from perfscore.engine.plan import calc_plan
from perfscore.engine.submission import IndicatorInput, Submission
from perfscore.engine.write_plan import Block, WritePlan
from perfscore.errors import WriteError
from perfscore.report import libreoffice
from tests.conftest import load_fw, seed_submission
from tests.xlsx_helpers import build_seed, build_workbook, digest, edit, run_cli

NOW = dt.datetime(2024, 3, 1, 9, 30)


def plan_cells(path: Path) -> set[tuple[str, str]]:
    """Every cell the calc plan of ``path`` may write or clear."""
    result = evaluate(xlsx.read_grid(path))
    plan = calc_plan(result, NOW)
    out: set[tuple[str, str]] = set()
    for b in plan.blocks:
        for r in range(b.top, b.bottom + 1):
            for c in range(b.left, b.right + 1):
                out.add((b.sheet, openpyxl.utils.get_column_letter(c) + str(r)))
    for sheet, first, cols in plan.clear_from:
        for r in range(first, first + 200):
            for c in range(1, cols + 1):
                out.add((sheet, openpyxl.utils.get_column_letter(c) + str(r)))
    return out


def snapshot(path: Path, skip: set[tuple[str, str]]) -> dict[str, Any]:
    """What a user would call "the file": cells, styles, validation, formats, names, protection, print."""
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm", rich_text=True)
    snap: dict[str, Any] = {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items()),
        "workbook_protection": repr(wb.security),
    }
    for ws in wb.worksheets:
        t = ws.title
        snap[t, "cells"] = {
            c.coordinate: (c.value, c.data_type, c.number_format, repr(c.font), repr(c.fill), c.protection.locked,
                           repr(c.border), repr(c.alignment))
            for row in ws.iter_rows() for c in row
            if (t, c.coordinate) not in skip
        }  # fmt: skip
        snap[t, "comments"] = {
            c.coordinate: (c.comment.text, c.comment.author)
            for row in ws.iter_rows()
            for c in row
            if c.comment
        }
        snap[t, "validation"] = sorted(
            (str(v.sqref), v.type, v.formula1, v.formula2, v.prompt, v.error)
            for v in ws.data_validations.dataValidation
        )
        snap[t, "conditional"] = sorted(
            (str(rng.sqref), r.type, r.operator, tuple(r.formula or ()), r.dxfId)
            for rng in ws.conditional_formatting
            for r in rng.rules
        )
        snap[t, "merged"] = sorted(str(m) for m in ws.merged_cells.ranges)
        snap[t, "protection"] = (
            ws.protection.sheet,
            ws.protection.formatCells,
            ws.protection.selectLockedCells,
        )
        snap[t, "print"] = (
            ws.print_area, ws.print_title_rows, ws.page_setup.orientation, ws.page_setup.paperSize,
            ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr and
            ws.sheet_properties.pageSetUpPr.fitToPage, repr(ws.page_margins), ws.oddHeader.center.text,
            ws.oddFooter.center.text,
        )  # fmt: skip
        snap[t, "names"] = sorted((n, d.attr_text) for n, d in ws.defined_names.items())
        snap[t, "widths"] = {k: d.width for k, d in ws.column_dimensions.items()}
        snap[t, "heights"] = {k: d.height for k, d in ws.row_dimensions.items() if d.height}
        snap[t, "freeze"] = ws.freeze_panes
    return snap


def decorate(wb: Any) -> None:
    """What a clerk or IT may add in Excel: comments, names, an extra conditional format."""
    cover, sheet = wb["基本情况"], wb["履职效能"]
    sheet["H3"].comment = Comment("得分依据见附件 3", "张三")
    cover["B3"].comment = Comment("全称以编办批复为准", "李四")
    wb.defined_names["上报日期"] = DefinedName("上报日期", attr_text="基本情况!$G$3")
    sheet.defined_names["本表得分"] = DefinedName("本表得分", attr_text="履职效能!$H$3:$H$5")
    sheet.conditional_formatting.add("I3:I5", CellIsRule(operator="equal", formula=['"\\"'], fill=None))


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    path = build_seed(tmp_path / "seed.xlsx")
    edit(path, decorate)
    return path


def test_calc_keeps_everything_the_file_held(seed_file: Path) -> None:
    skip = plan_cells(seed_file)
    before = snapshot(seed_file, skip)
    assert before["履职效能", "validation"] and before["履职效能", "conditional"]  # the template has them
    assert before["履职效能", "protection"][0] and before["履职效能", "print"][0]
    assert (
        before["履职效能", "comments"]
        and before["履职效能", "names"]
        and ("上报日期", "基本情况!$G$3") in before["names"]
    )
    run = run_cli(["calc", seed_file])
    assert run.exit_code == 0, run.output
    after = snapshot(seed_file, skip)
    for key in before:
        assert after[key] == before[key], key
    assert after == before


def test_calc_writes_the_results(seed_file: Path) -> None:
    run_cli(["calc", seed_file])
    wb = openpyxl.load_workbook(seed_file)
    cover = wb["基本情况"]
    assert (cover["B18"].value, cover["D18"].value) == (90.77, "优")
    assert (cover["B17"].value, cover["D17"].value) == (0, 0)
    assert cover["F17"].number_format == xlsx.DATE_FORMAT and isinstance(cover["F17"].value, dt.datetime)
    assert wb["履职效能"]["M5"].value == "✔"
    findings = wb["校验结果"]
    assert findings["C3"].value == "placeholder-indicator"
    assert findings["D3"].value == "管理效率!E12" and findings["D3"].data_type == "s"  # a link, no formula
    assert findings["D3"].hyperlink.location == "'管理效率'!E12"


def test_calc_twice_then_fixed_clears_old_findings(tmp_path: Path) -> None:
    path = build_seed(tmp_path / "f.xlsx")
    edit(path, lambda wb: [wb["管理效率"].__setitem__(c, None) for c in ("H3", "H4", "H5")])
    assert run_cli(["calc", path]).exit_code == 1
    wb = openpyxl.load_workbook(path)
    assert [wb["校验结果"].cell(r, 3).value for r in range(3, 7)] == ["score-missing"] * 3 + [
        "placeholder-indicator"
    ]
    edit(path, lambda wb: [wb["管理效率"].__setitem__(c, v) for c, v in (("H3", 3), ("H4", 2), ("H5", 2))])
    assert run_cli(["calc", path]).exit_code == 0
    wb = openpyxl.load_workbook(path)
    ws = wb["校验结果"]
    assert ws["C3"].value == "placeholder-indicator"
    assert all(ws.cell(r, c).value is None for r in range(4, 8) for c in range(1, 6))
    assert wb["管理效率"]["M3"].value == "✔"


def test_text_is_never_a_formula(tmp_path: Path) -> None:
    path = build_seed(tmp_path / "f.xlsx")
    plan = WritePlan(
        (
            Block("校验结果", 3, 1, (("=1+1", Formula("=1+2"), Decimal("9.30"), 7, NOW, None),)),
            Block("校验结果", 4, 1, (("@SUM(A1)", "+1", "-1", Decimal("0.97"), Decimal("1E+1"), "\\"),)),
        )
    )
    xlsx.apply_plan(path, plan)
    ws = openpyxl.load_workbook(path)["校验结果"]
    assert (ws["A3"].value, ws["A3"].data_type) == ("=1+1", "s")
    assert (ws["B3"].value, ws["B3"].data_type) == ("=1+2", "f")
    assert (ws["C3"].value, ws["D3"].value) == (9.3, 7)
    assert ws["E3"].value == NOW and ws["E3"].number_format == xlsx.DATE_FORMAT
    assert [ws.cell(4, c).value for c in range(1, 7)] == ["@SUM(A1)", "+1", "-1", 0.97, 10, "\\"]
    assert all(ws.cell(4, c).data_type == "s" for c in (1, 2, 3, 6))


def test_out_file_leaves_original_untouched(seed_file: Path, tmp_path: Path) -> None:
    before = digest(seed_file)
    out = tmp_path / "result.xlsx"
    run = run_cli(["calc", seed_file, "-o", out])
    assert run.exit_code == 0, run.output
    assert digest(seed_file) == before
    assert openpyxl.load_workbook(out)["基本情况"]["B18"].value == 90.77


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".~perfscore-")]


def test_read_only_file_is_not_damaged(seed_file: Path) -> None:
    before = digest(seed_file)
    os.chmod(seed_file, stat.S_IRUSR | stat.S_IRGRP)
    try:
        run = run_cli(["calc", seed_file])
    finally:
        os.chmod(seed_file, stat.S_IRUSR | stat.S_IWUSR)
    assert run.exit_code == 2
    assert (
        run.stderr
        == f"perfscore: {seed_file}: 无法写入：文件只读或被占用（如在 Excel 中打开），请关闭后重试；原文件未被改动\n"
    )
    assert digest(seed_file) == before
    assert _leftovers(seed_file.parent) == []


def test_unwritable_targets(seed_file: Path, tmp_path: Path) -> None:
    run = run_cli(["calc", seed_file, "-o", tmp_path / "no" / "such" / "dir.xlsx"])
    assert run.exit_code == 2 and "不存在；请先创建该文件夹" in run.stderr
    (tmp_path / "taken.xlsx").mkdir()
    with pytest.raises(WriteError, match="无法写入"):
        xlsx.apply_plan(seed_file, WritePlan(()), tmp_path / "taken.xlsx")
    assert _leftovers(tmp_path) == []


def test_failed_save_removes_temp_file_and_keeps_original(
    seed_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save that dies midway (disk full) leaves the original byte for byte and no temp file."""
    before = digest(seed_file)

    def full_disk(self: Any, filename: str) -> None:
        Path(filename).write_bytes(b"PK\x03\x04 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", full_disk)
    with pytest.raises(WriteError, match="保存失败（No space left on device）；原文件未被改动"):
        xlsx.apply_plan(seed_file, WritePlan(()))
    assert digest(seed_file) == before
    assert _leftovers(seed_file.parent) == []


def test_file_mode_is_kept(seed_file: Path) -> None:
    os.chmod(seed_file, 0o640)
    assert run_cli(["calc", seed_file]).exit_code == 0
    assert stat.S_IMODE(seed_file.stat().st_mode) == 0o640


def test_whole_column_print_area_is_restored(tmp_path: Path) -> None:
    """openpyxl 3.1 cannot parse a print area like ``$A:$E`` (warns, drops it); the writer restores it."""
    path = build_seed(tmp_path / "f.xlsx")
    raw = tmp_path / "raw"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(raw)
    wbxml = raw / "xl" / "workbook.xml"
    text = wbxml.read_text("utf-8")
    name = '<definedName name="_xlnm.Print_Area" localSheetId="3">校验结果!$A:$E</definedName>'
    text = text.replace("</definedNames>", name + "</definedNames>") if "<definedNames>" in text else (
        text.replace("</sheets>", f"</sheets><definedNames>{name}</definedNames>"))  # fmt: skip
    wbxml.write_text(text, "utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(raw.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(raw).as_posix())
    assert run_cli(["calc", path]).exit_code == 0
    with zipfile.ZipFile(path) as zf:
        out = zf.read("xl/workbook.xml").decode()
    assert re.search(r"localSheetId=\"3\">'校验结果'!\$A\$1:\$E\$1048576<", out), out


def test_xlsm_keeps_vba_and_buttons(tmp_path: Path) -> None:
    path = build_seed(tmp_path / "seed.xlsm", mode="udf")

    def parts(p: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(p) as zf:
            return {n: zf.read(n) for n in zf.namelist() if n.endswith((".bin", ".vml"))}

    def macros(p: Path) -> list[str]:
        return sorted(m for data in parts(p).values() for m in re.findall(rb"<x:FmlaMacro>([^<]+)<", data))

    before = parts(path)
    assert b"xl/vbaProject.bin" in {k.encode() for k in before} and macros(path)
    buttons = macros(path)
    run = run_cli(["calc", path])
    assert run.exit_code == 0, run.output
    after = parts(path)
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert macros(path) == buttons
    with zipfile.ZipFile(path) as zf:
        assert b"macroEnabled" in zf.read("[Content_Types].xml")
        rels = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/_rels/"))
    assert len(re.findall(rb'Target="[^"]*vmlDrawing\d+\.vml"', rels)) == sum(
        1 for n in before if n.endswith(".vml")
    )


# ------------------------------------------------------------------------------ property test


def random_submission(rng: random.Random) -> Submission:
    fw = load_fw()
    sub = seed_submission(fw)
    for leaf in fw.leaves():
        pick = rng.random()
        weight = leaf.weight
        if pick < 0.7:
            score: Decimal | str | None = (weight * Decimal(rng.randint(0, 100)) / 100).quantize(
                Decimal("0.01")
            )
        elif pick < 0.8:
            score = None
        elif pick < 0.9:
            score = rng.choice(["９．５", " 1.5 ", "2分", "abc", "=1+1", "93%", "@x"])
        else:
            score = Decimal(rng.randint(-5, 30))
        text = rng.choice([None, "\\", "原因：" + "说明" * rng.randint(1, 30), '=HYPERLINK("x")', "含\n换行"])
        rate = rng.choice([None, Decimal(rng.randint(0, 120)) / 100, "93%", "很高"]) if leaf.rule else None
        sub.indicators[leaf.id] = IndicatorInput(leaf.id, score, text, text, rate)
    sub.department = rng.choice(["广州市某局", None, "=A1", "部门（一）"])
    return sub


def test_random_fills_keep_inputs(tmp_path: Path) -> None:
    """For random fills, after `calc` every input cell is unchanged and the file opens again."""
    fw = load_fw()
    rng = random.Random(20240301)
    done: list[Path] = []
    for n in range(30):
        sub = random_submission(rng)
        path = tmp_path / f"fill{n:02d}.xlsx"
        build_workbook(path, fw, mode="native", submission=sub)
        inputs = list(cells.input_cells(fw, sub))
        wb = openpyxl.load_workbook(path)
        before = {(s, c): (wb[s][c].value, wb[s][c].data_type) for s, c in inputs}
        result = evaluate(xlsx.read_grid(path))
        run = run_cli(["calc", path])
        assert run.exit_code == (1 if result.errors else 0), run.output
        wb = openpyxl.load_workbook(path)
        after = {(s, c): (wb[s][c].value, wb[s][c].data_type) for s, c in inputs}
        assert after == before, n
        again = evaluate(xlsx.read_grid(path))
        assert (again.findings, again.total) == (result.findings, result.total), n
        done.append(path)
    # a real spreadsheet engine opens the calculated files too (one batched LibreOffice run)
    converted = libreoffice.convert_many(done[:5], "xlsx", tmp_path / "lo")
    for src, path in zip(done[:5], converted, strict=True):
        wb = openpyxl.load_workbook(path, data_only=True)
        assert wb.sheetnames == openpyxl.load_workbook(src).sheetnames
        assert wb["基本情况"]["B18"].value == openpyxl.load_workbook(src)["基本情况"]["B18"].value


def test_calc_in_place_equals_calc_to_other_file(tmp_path: Path) -> None:
    path = build_seed(tmp_path / "a.xlsx")
    shutil.copy(path, tmp_path / "b.xlsx")
    assert run_cli(["calc", path]).exit_code == 0
    assert run_cli(["calc", tmp_path / "b.xlsx", "-o", tmp_path / "c.xlsx"]).exit_code == 0
    a = snapshot(path, {("基本情况", "F17")})
    c = snapshot(tmp_path / "c.xlsx", {("基本情况", "F17")})
    assert a == c
