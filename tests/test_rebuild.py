"""``perfscore rebuild`` and ``macros-lost``: a form's inputs moved into a fresh form, nothing dropped.

A udf-mode ``.xlsm`` re-saved by LibreOffice keeps its module sources but loses the VBA project's
reference to the xlwings add-in and every code name; ``check`` says so (``macros-lost``) and
``rebuild`` moves the inputs into a fresh form. Every round trip is checked by what ``export`` gives
(every input, as typed) and by ``check``'s output (apart from the file name).
"""

from __future__ import annotations

import json
import random
import shutil
import zipfile
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

from perfscore.engine import carry, pipeline
from perfscore.engine.findings import CATALOGUE
from perfscore.engine.grid import ErrorValue, Macros
from perfscore.report import libreoffice
from perfscore.report.workbook import REPORT_CODE_NAME
from perfscore.xlsx import macros
from perfscore.xlsx.fast_reader import read_grid_fast
from perfscore.xlsx.reader import read_grid
from tests.conftest import seed_grid
from tests.xlsx_helpers import build_seed, digest, edit, run_cli, set_cells

SEED_CARRIED = "已带入填写内容 93 项（基本情况 13，履职效能 10，管理效率 70），三级指标 26 行"
PROJECT_CARRIED = (
    "已带入填写内容 77 项（基本情况 19，产出指标 36，效益指标 15，满意度指标 7），三级指标 10 行"
)
LOST = (
    "此表是 udf 模式（含宏）的自评表，但{lost}，可能被 WPS 或 LibreOffice 另存过：在 Excel 中“计算”“生成报表”"
    "按钮和 PS_* 函数都将无法使用；请运行 perfscore rebuild 本文件 -o 新文件.xlsm，把填写内容移入一份新的自评表"
)
LO_LOST = LOST.format(lost="VBA 宏工程已不再引用 xlwings 加载项，且工作表的代码名称（codeName）已丢失")


def exported(path: Path) -> dict[str, object]:
    run = run_cli(["export", path])
    assert run.exit_code == 0, run.output
    doc: dict[str, object] = json.loads(run.stdout)
    return doc


def checked(path: Path) -> tuple[int, list[str]]:
    """``check``'s exit code and lines, each without the file name it starts with."""
    run = run_cli(["check", path])
    prefix = f"{path}:"
    assert all(line.startswith(prefix) for line in run.stdout.splitlines()), run.output
    return run.exit_code, [line[len(prefix) :] for line in run.stdout.splitlines()]


def codes(path: Path) -> list[str]:
    run = run_cli(["check", path, "--json"])
    return [f["code"] for f in json.loads(run.stdout)["findings"]]


def rebuilt(src: Path, *args: str | Path) -> list[str]:
    run = run_cli(["rebuild", src, *args])
    assert run.exit_code == 0, run.output
    assert run.stderr == ""
    return run.stdout.splitlines()


def refused(src: Path, *args: str | Path) -> str:
    """The one line of a refused rebuild (exit 2), without its ``perfscore: FILE: `` prefix."""
    before = {p.name for p in src.parent.iterdir()}
    run = run_cli(["rebuild", src, *args])
    assert (run.exit_code, run.stdout) == (2, ""), run.output
    assert {p.name for p in src.parent.iterdir()} == before  # nothing written
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"perfscore: {src}: "), run.stderr
    return lines[0][len(f"perfscore: {src}: ") :]


def project_demo(path: Path, *args: str) -> Path:
    data = resources.files("perfscore") / "data" / "project-2022.json"
    with resources.as_file(data) as json_file:
        assert run_cli(["import", json_file, "-o", path, *args]).exit_code == 0
    return path


# ------------------------------------------------------------------------------ round trips


def test_rebuild_round_trips_the_seed_form(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "seed.xlsx")
    before = digest(src)
    out = tmp_path / "seed-重建.xlsx"
    assert rebuilt(src) == [
        SEED_CARRIED,
        f"已生成 {out}（部门整体支出绩效自评表，gz-dept-overall-2022，公式：native）",
    ]
    assert digest(src) == before
    assert exported(out) == exported(src)
    assert checked(out) == checked(src)
    assert checked(out)[1][-1] == " 总分 90.77，等级 优；错误 0，警告 0，提示 1"


def test_rebuild_of_a_calculated_udf_form_with_its_report(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "表.xlsm", mode="udf")
    assert run_cli(["calc", src]).exit_code == 0
    assert run_cli(["report", src]).exit_code == 0
    out = tmp_path / "表-重建.xlsm"
    assert rebuilt(src) == [
        SEED_CARRIED,
        f"注意：“自评表”工作表由填写内容生成，未带入；需要时请运行 perfscore report {out}",
        f"已生成 {out}（部门整体支出绩效自评表，gz-dept-overall-2022，公式：udf）",
    ]
    assert exported(out) == exported(src)
    assert checked(out) == checked(src)
    assert "macros-lost" not in codes(src) + codes(out)


def test_rebuild_changes_the_formula_mode(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "seed.xlsx")
    out = tmp_path / "new.xlsm"
    assert rebuilt(src, "-o", out, "--formulas", "udf")[-1] == (
        f"已生成 {out}（部门整体支出绩效自评表，gz-dept-overall-2022，公式：udf）"
    )
    assert exported(out) == exported(src)
    assert checked(out) == checked(src)
    assert zipfile.ZipFile(out).getinfo("xl/vbaProject.bin").file_size > 0


def test_rebuild_round_trips_the_project_demo(tmp_path: Path) -> None:
    src = project_demo(tmp_path / "项目.xlsx")
    out = tmp_path / "新项目.xlsx"
    assert rebuilt(src, "-o", out) == [
        PROJECT_CARRIED,
        f"已生成 {out}（项目支出绩效自评表，mof-project-2020，公式：native）",
    ]
    assert exported(out) == exported(src)
    assert checked(out) == checked(src)


def test_rebuild_keeps_a_project_forms_rows(tmp_path: Path) -> None:
    """A blank 四川 form built with 3 rows per category comes back with 3 rows per category."""
    src = tmp_path / "sc.xlsm"
    assert (
        run_cli(
            ["new", "--framework", "sc-project-2023", "--rows", "3", "--formulas", "udf", "-o", src]
        ).exit_code
        == 0
    )
    out = tmp_path / "sc-重建.xlsm"
    assert rebuilt(src) == [
        "已带入填写内容 0 项（基本情况 0，产出指标 0，效益指标 0，满意度指标 0），三级指标 0 行",
        f"已生成 {out}（项目支出绩效自评表，sc-project-2023，公式：udf）",
    ]
    assert checked(out) == checked(src)
    assert read_grid(out).sheets["_perfscore"].get("B6") == read_grid(src).sheets["_perfscore"].get("B6")


def test_rebuild_carries_a_form_forward_to_its_frameworks_next_version(tmp_path: Path) -> None:
    """The README's next-year edits (a weight 7 → 5, a new indicator 2.4.4) to a district's framework
    file: the old form's inputs go by id into a form of the new version, the new row left blank."""
    toml = tmp_path / "zc.toml"
    assert run_cli(["framework", "copy", "gz-dept-overall-2022", "-o", toml]).exit_code == 0
    data = tmp_path / "zc.json"
    seed = json.loads((resources.files("perfscore") / "data" / "seed-2022.json").read_text("utf-8"))
    data.write_text(json.dumps({**seed, "framework": "zc"}, ensure_ascii=False), "utf-8")
    old = tmp_path / "old.xlsx"
    assert run_cli(["import", data, "--framework", toml, "-o", old]).exit_code == 0
    text = toml.read_text("utf-8")
    text = text.replace('name = "绩效管理制度执行"\nweight = "7"', 'name = "绩效管理制度执行"\nweight = "5"')
    text = text.replace(
        '[[indicators]]\nid = "2.5"\n',
        '[[indicators]]\nid = "2.4.4"\nname = "绩效自评质量"\nweight = "2"\n\n[[indicators]]\nid = "2.5"\n',
        1,
    )
    toml.write_text(text, "utf-8")
    new = tmp_path / "new.xlsx"
    assert rebuilt(old, "--framework", toml, "-o", new) == [
        SEED_CARRIED,
        "注意：原表中被改动的模板内容未带入，新表按指标体系恢复（weight-changed 1 处、explanation-changed 14 处、"
        "formula-changed 10 处）",
        f"已生成 {new}（部门整体支出绩效自评表，zc，公式：native）",
    ]
    before = run_cli(["export", old, "--framework", toml])
    after = run_cli(["export", new, "--framework", toml])
    old_rows = json.loads(before.stdout)["indicators"]
    new_rows = json.loads(after.stdout)["indicators"]
    assert [r for r in new_rows if r["id"] != "2.4.4"] == old_rows
    assert [r for r in new_rows if r["id"] == "2.4.4"] == [
        {"id": "2.4.4", "name": "绩效自评质量", "score": None, "reason": None, "measure": None}
    ]
    _, lines = checked_with(new, toml)
    assert lines[-1] == " 总分 —（无法核算），等级 —；错误 2，警告 0，提示 1"


def checked_with(path: Path, toml: Path) -> tuple[int, list[str]]:
    run = run_cli(["check", path, "--framework", toml])
    return run.exit_code, [line[len(f"{path}:") :] for line in run.stdout.splitlines()]


def test_values_keep_their_type(tmp_path: Path) -> None:
    """A score typed as text stays text (an error in check, as before): rebuild changes nothing typed."""
    src = build_seed(tmp_path / "seed.xlsx")
    set_cells(
        src, {("管理效率", "H5"): "9.3分", ("管理效率", "I5"): "a_x000B_b"}
    )  # stored as Excel stores a \v
    out = tmp_path / "new.xlsx"
    rebuilt(src, "-o", out)
    assert exported(out) == exported(src)
    assert checked(out) == checked(src)
    assert "score-text-number" in codes(out)


def test_edited_template_content_is_restored_and_said(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "seed.xlsx")
    set_cells(src, {("管理效率", "E5"): "改过的名称"})
    out = tmp_path / "new.xlsx"
    assert (
        rebuilt(src, "-o", out)[1]
        == "注意：原表中被改动的模板内容未带入，新表按指标体系恢复（name-changed 1 处）"
    )
    assert "name-changed" in codes(src) and "name-changed" not in codes(out)
    assert exported(out) == exported(src)


# ------------------------------------------------------------------------------ the LibreOffice rescue


@pytest.mark.libreoffice
def test_a_udf_form_re_saved_by_libreoffice_is_found_and_rescued(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "x.xlsm", mode="udf")
    resaved = libreoffice.convert(src, "xlsm:Calc MS Excel 2007 VBA XML", tmp_path / "lo")
    run = run_cli(["check", resaved, "--json"])
    lost = [f for f in json.loads(run.stdout)["findings"] if f["code"] == "macros-lost"]
    assert lost == [
        {"code": "macros-lost", "severity": "warning", "sheet": "", "cell": "", "message": LO_LOST}
    ]
    assert f"{resaved}: warning macros-lost {LO_LOST}" in run_cli(["check", resaved]).stdout.splitlines()
    assert "macros-lost" not in codes(src)
    # the batch's reader sees the same
    assert read_grid_fast(resaved).macros == read_grid(resaved).macros
    assert read_grid(resaved).macros == Macros(
        True,
        False,
        "",
        dict.fromkeys(["基本情况", "履职效能", "管理效率", "校验结果", "xlwings.conf", "_perfscore"], ""),
    )
    fixed = tmp_path / "fixed.xlsm"
    assert rebuilt(resaved, "-o", fixed, "--formulas", "udf") == [
        SEED_CARRIED,
        f"已生成 {fixed}（部门整体支出绩效自评表，gz-dept-overall-2022，公式：udf）",
    ]
    assert "macros-lost" not in codes(fixed)
    found = read_grid(fixed).macros
    assert found is not None and found.vba_project and found.xlwings_reference
    assert exported(fixed) == exported(resaved) == exported(src)
    assert checked(fixed) == checked(src)


def test_a_udf_form_saved_without_its_vba_project(tmp_path: Path) -> None:
    """As Excel's 'save as .xlsx' does (openpyxl without keep_vba drops the project too)."""
    src = build_seed(tmp_path / "x.xlsm", mode="udf")
    plain = tmp_path / "x.xlsx"
    wb = openpyxl.load_workbook(src)
    wb.save(plain)
    assert read_grid(plain).macros == Macros(
        False, None, "ThisWorkbook", read_grid(src).macros.sheet_code_names
    )  # type: ignore[union-attr]
    assert (
        f"{plain}: warning macros-lost {LOST.format(lost='文件中已没有 VBA 宏工程')}"
        in run_cli(["check", plain]).stdout.splitlines()
    )
    out = tmp_path / "x-重建.xlsm"
    assert rebuilt(plain)[-1] == f"已生成 {out}（部门整体支出绩效自评表，gz-dept-overall-2022，公式：udf）"
    assert "macros-lost" not in codes(out)


def test_the_rule_in_the_forms_own_terms() -> None:
    def found(m: Macros | None, mode: str = "udf") -> list[str]:
        grid = seed_grid({("_perfscore", "B3"): mode})
        grid.macros = m
        return [f.message for f in pipeline.evaluate(grid).findings if f.code == "macros-lost"]

    names = {s: f"Sheet{n}" for n, s in enumerate(seed_grid().sheets, 1)}
    assert found(Macros(True, True, "ThisWorkbook", names)) == []
    assert found(Macros(True, None, "ThisWorkbook", names)) == []  # an unreadable project is not judged
    assert found(None) == []  # not read (the Excel bridge)
    assert found(Macros(False, None, "", {}), mode="native") == []
    assert found(Macros(False, None, "ThisWorkbook", names)) == [LOST.format(lost="文件中已没有 VBA 宏工程")]
    assert found(Macros(True, False, "ThisWorkbook", names)) == [
        LOST.format(lost="VBA 宏工程已不再引用 xlwings 加载项")
    ]
    assert found(Macros(True, True, "ThisWorkbook", {**names, "管理效率": ""})) == [
        LOST.format(lost="工作表的代码名称（codeName）已丢失")
    ]
    assert found(Macros(True, True, "", names)) == [LOST.format(lost="工作表的代码名称（codeName）已丢失")]
    assert found(Macros(True, True, "ThisWorkbook", {**names, "自评表": ""})) == []
    assert CATALOGUE["macros-lost"].severity.value == "warning"


def test_the_report_sheet_gets_its_own_code_name(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "x.xlsm", mode="udf")
    assert run_cli(["report", src]).exit_code == 0
    found = read_grid(src).macros
    assert found is not None and found.sheet_code_names["自评表"] == REPORT_CODE_NAME
    names = list(found.sheet_code_names.values())
    assert len(set(names)) == len(names) and all(n.isascii() and n for n in names)
    assert found.sheet_code_names["基本情况"] == "Sheet1"  # the builder's (XlsxWriter's) own, kept
    assert REPORT_CODE_NAME not in {"ThisWorkbook", "PerfscoreButtons", "xlwings_udfs"}


def test_the_vba_reader_agrees_with_pyopenvba(tmp_path: Path) -> None:
    from pyopenvba import ExcelFile
    from pyopenvba.vba import compress

    rng = random.Random(7)
    for size in (0, 1, 100, 4096, 4097, 20000):
        data = bytes(rng.choice(b"ab c\r\nSub xlwings") for _ in range(size))
        assert macros.decompress(compress(data)) == data
    src = build_seed(tmp_path / "x.xlsm", mode="udf")
    with ExcelFile(src) as wb:
        expected = [(r.name, r.libid) for r in wb.vba_project().references if r.kind == "project"]
    with zipfile.ZipFile(src) as zf:
        import olefile

        with olefile.OleFileIO(zf.read("xl/vbaProject.bin")) as ole:
            raw = ole.openstream("VBA/dir").read()
    assert macros.project_references(macros.decompress(raw)) == expected
    assert [name for name, _ in expected] == ["xlwings"]
    with pytest.raises(ValueError):
        macros.decompress(b"\x02abc")


# ------------------------------------------------------------------------------ refusals


def test_a_row_whose_id_the_framework_lacks_is_refused(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "seed.xlsx")
    set_cells(src, {("管理效率", "N5"): "2.9.9"})
    assert refused(src) == (
        "无法完整带入，未生成新文件：管理效率!N5：第 5 行（“财务管理合规性”）的编号 2.9.9 不是指标体系 "
        "gz-dept-overall-2022 的三级指标编号，该行无法带入；请把编号改回原样，或把填写内容移到正确的指标行后删除该行"
    )


def test_a_duplicated_row_with_other_content_is_refused(tmp_path: Path) -> None:
    def duplicate(score: object) -> Path:
        src = build_seed(tmp_path / f"dup-{score}.xlsx")

        def change(wb: openpyxl.Workbook) -> None:
            ws = wb["管理效率"]
            ws.insert_rows(30)
            for col in range(1, 15):
                ws.cell(30, col).value = ws.cell(5, col).value
            ws["H30"] = score

        edit(src, change)
        return src

    same = duplicate(2)  # 2.2.2 scores 2 in the seed: the copy adds nothing, and is dropped
    assert rebuilt(same, "-o", tmp_path / "same.xlsx")[0] == SEED_CARRIED
    assert exported(tmp_path / "same.xlsx") == exported(same)
    assert refused(duplicate(1)) == (
        "无法完整带入，未生成新文件：管理效率!N30：第 30 行与 管理效率!N5 的编号同为 2.2.2，但填写内容不同，"
        "只能带入其中一行；请把内容合并到一行并删除多余的行"
    )


def test_values_a_cell_cannot_take_as_they_are_are_refused(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "seed.xlsx")
    set_cells(src, {("管理效率", "H5"): "=1+1", ("管理效率", "I6"): "<r>原因</r>", ("基本情况", "B5"): True})
    assert refused(src) == (
        "无法完整带入，未生成新文件：基本情况!B5：是逻辑值 TRUE，无法原样带入；请改为文字或数字后再重建；"
        "管理效率!H5：是公式“=1+1”，重建只能带入它的结果，公式会丢失；请改为直接填写数值或文字后再重建；"
        "管理效率!I6：文本以 <r> 开头、以 </r> 结尾，生成工作簿时会被当作格式代码，无法原样保存；请改写开头或结尾"
    )


def test_values_in_the_engines_terms() -> None:
    import datetime as dt
    from decimal import Decimal

    assert (
        carry.value_problem(ErrorValue("#DIV/0!"), None)
        == "是错误值 #DIV/0!，无法带入；请改为数字或文字后再重建"
    )
    assert carry.value_problem(dt.datetime(2022, 3, 1), None) == (
        "是日期 2022-03-01，无法原样带入；请改为文字（如 2022年3月1日）后再重建"
    )
    assert carry.value_problem(Decimal("0.30000000000000004"), None) == (
        "数字的有效位数太多，Excel 无法精确保存（约 15 位有效数字）；请四舍五入后再填写"
    )
    assert carry.value_problem(Decimal("Infinity"), None) == (
        "是超出 Excel 范围的数值（如 1e309），无法带入；请改为正确的数字后再重建"
    )
    assert carry.value_problem(Decimal("9.3"), None) is None
    assert carry.value_problem("９．３", None) is None


def test_content_outside_the_form_is_refused(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "seed.xlsx")
    set_cells(src, {("基本情况", "K5"): "备注：见附件", ("履职效能", "K3"): 0.5})
    assert refused(src) == (
        "无法完整带入，未生成新文件：基本情况!K5：“备注：见附件”不在自评表的填写位置，重建时无法带入；"
        "请把它移到相应的填写单元格或删除后再重建；履职效能!K3：“0.5”不在自评表的填写位置，重建时无法带入；"
        "请把它移到相应的填写单元格或删除后再重建"
    )


def test_a_sheet_of_the_clerks_own_is_refused_unless_empty(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "seed.xlsx")
    edit(src, lambda wb: wb.create_sheet("空表"))
    assert rebuilt(src, "-o", tmp_path / "a.xlsx")[0] == SEED_CARRIED
    edit(src, lambda wb: wb.create_sheet("附件").cell(2, 3, "说明"))
    assert refused(src) == (
        "无法完整带入，未生成新文件：工作表“附件”不属于自评表（有 1 个非空单元格，如 C2），重建时无法带入；"
        "请把其中内容另存后删除该表再重建"
    )


def test_package_content_a_fresh_form_cannot_hold_is_refused(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "seed.xlsx")

    def comment(wb: openpyxl.Workbook) -> None:
        wb["管理效率"]["I5"].comment = Comment("请核对", "审核人")

    edit(src, comment)
    assert refused(src) == (
        "无法完整带入，未生成新文件：文件含有重建时无法带入的内容（批注 1 条）；请先删除，再在新表中重新添加"
    )


def test_project_rows_that_cannot_be_carried_are_refused(tmp_path: Path) -> None:
    src = project_demo(tmp_path / "项目.xlsx")
    unknown = tmp_path / "unknown.xlsx"
    shutil.copyfile(src, unknown)
    set_cells(unknown, {("产出指标", "M3"): "1.9.1"})
    assert refused(unknown) == (
        "无法完整带入，未生成新文件：产出指标!M3：第 3 行（“基建工程委托业务项目数量”）的编号 1.9.1 不属于指标体系 "
        "mof-project-2020 的任何二级指标，该行无法带入；请把编号改回原样，或把填写内容移到相应二级指标的空行后删除该行"
    )
    copied = tmp_path / "copied.xlsx"
    shutil.copyfile(src, copied)
    set_cells(copied, {("产出指标", "M9"): "1.2.1"})  # a row copied whole, hidden id and all
    assert refused(copied) == (
        "无法完整带入，未生成新文件：产出指标!M9：第 9 行与 产出指标!M8 的编号同为 1.2.1（复制的行？），但填写内容不同，"
        "只能带入其中一行；请把多出的一行的内容移到本二级指标的空行，再删除该行"
    )


def test_the_output_never_overwrites(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "seed.xlsx")
    taken = tmp_path / "seed-重建.xlsx"
    taken.write_bytes(b"keep")
    run = run_cli(["rebuild", src])
    assert run.exit_code == 2
    assert (
        run.stderr
        == f"perfscore: {taken}: 文件已存在，为免覆盖已填写的内容不会改写它；请换一个文件名或先删除该文件\n"
    )
    assert taken.read_bytes() == b"keep"
    run = run_cli(["rebuild", src, "-o", src])
    assert run.exit_code == 2 and "文件已存在" in run.stderr
    run = run_cli(["rebuild", src, "-o", tmp_path / "new.xlsm"])
    assert (run.exit_code, run.stderr) == (
        2,
        f"perfscore: {tmp_path / 'new.xlsm'}: --formulas native 生成不含宏的工作簿，文件名须以 .xlsx 结尾"
        "（含宏版本请用 --formulas udf 和 .xlsm）；例如 new.xlsx\n",
    )


def test_the_engine_plan_of_the_seed() -> None:
    found = carry.plan(pipeline.evaluate(seed_grid()))
    assert found.problems == []
    assert (found.carried, found.indicator_rows, found.rows) == (93, 26, None)
