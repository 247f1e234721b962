"""Bad inputs, end to end: a real seed workbook is damaged with openpyxl, then `perfscore check` runs.

Every case asserts the exit code, the exact finding code at the exact Sheet!Cell (or the one-line
reason of an unusable file), and that `check` left the file byte for byte unchanged.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from perfscore.report import libreoffice
from tests.xlsx_helpers import build_seed, digest, edit, run_cli

P, M, C = "履职效能", "管理效率", "基本情况"  # the seed's indicator sheets and the cover


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seed(tmp_path_factory.mktemp("seed") / "seed.xlsx")


def cells(**values: Any) -> Callable[[Any], None]:
    """An edit that sets ``{"履职效能!H5": value}``-style cells (text stays text)."""

    def change(wb: Any) -> None:
        for where, value in values.items():
            sheet, cell = where.split("!")
            c = wb[sheet][cell]
            c.value = value
            if isinstance(value, str) and not value.startswith("="):
                c.data_type = "s"

    return change


def put(values: dict[str, Any]) -> Callable[[Any], None]:
    return cells(**values)


def error_value(sheet: str, cell: str, code: str = "#DIV/0!") -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        c = wb[sheet][cell]
        c.value = code
        c.data_type = "e"

    return change


def delete_row(sheet: str, row: int) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        ws = wb[sheet]
        for rng in list(ws.merged_cells.ranges):  # keep the fixture simple: unmerge, then delete
            ws.unmerge_cells(str(rng))
        ws.delete_rows(row)

    return change


def copy_row(sheet: str, src: int, dst: int, cols: range = range(5, 15)) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        ws = wb[sheet]
        for c in cols:
            ws.cell(dst, c).value = ws.cell(src, c).value

    return change


def swap_rows(sheet: str, a: int, b: int, cols: range = range(5, 15)) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        ws = wb[sheet]
        for c in cols:
            ws.cell(a, c).value, ws.cell(b, c).value = ws.cell(b, c).value, ws.cell(a, c).value

    return change


def rename_sheet(old: str, new: str) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        wb[old].title = new

    return change


def drop_sheet(name: str) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        wb.remove(wb[name])

    return change


# (id, edit, exit code, severity, code, location) — the location is Sheet!Cell, or Sheet for a sheet
FORM_CASES: list[tuple[str, Callable[[Any], None], int, str, str, str]] = [
    ("score-blank", put({f"{M}!H3": None}), 1, "error", "score-missing", f"{M}!H3"),
    ("score-abc", put({f"{M}!H3": "abc"}), 1, "error", "score-not-number", f"{M}!H3"),
    # a number typed as text: the form's own formulas skip it, so it is an error (never 错误 0 beside a blank total)
    ("score-fullwidth", put({f"{P}!H5": "９．３"}), 1, "error", "score-text-number", f"{P}!H5"),
    ("score-spaces", put({f"{P}!H5": " 9.3 "}), 1, "error", "score-text-number", f"{P}!H5"),
    ("score-unit", put({f"{P}!H5": "9.3分"}), 1, "error", "score-text-number", f"{P}!H5"),
    ("score-decimal-comma", put({f"{P}!H5": "9,3"}), 1, "error", "score-not-number", f"{P}!H5"),
    ("score-comma-ten", put({f"{M}!H3": "1,0"}), 1, "error", "score-not-number", f"{M}!H3"),
    ("score-fullwidth-comma", put({f"{P}!H5": "12，5"}), 1, "error", "score-not-number", f"{P}!H5"),
    ("score-percent", put({f"{P}!H5": "93%"}), 1, "error", "score-not-number", f"{P}!H5"),
    # the workbook's own integrity: typed-over computed cells, edited fixed texts, a renamed sheet
    ("typed-total", put({f"{C}!C15": 95.5}), 1, "error", "formula-changed", f"{C}!C15"),
    ("typed-grade", put({f"{C}!B16": "优"}), 1, "error", "formula-changed", f"{C}!B16"),
    ("typed-group-score", put({f"{C}!C13": 45}), 1, "error", "formula-changed", f"{C}!C13"),
    ("typed-subtotal", put({f"{P}!H7": 41.8}), 1, "error", "formula-changed", f"{P}!H7"),
    (
        "explanation-edited",
        put({f"{P}!G4": "改写的指标解释"}),
        0,
        "warning",
        "explanation-changed",
        f"{P}!G4",
    ),
    ("sheet-renamed", rename_sheet(P, "履职"), 0, "warning", "sheet-renamed", "履职"),
    ("score-negative", put({f"{M}!H4": -1}), 1, "error", "score-negative", f"{M}!H4"),
    ("score-above", put({f"{M}!H3": 4}), 1, "error", "score-above-weight", f"{M}!H3"),
    ("score-3-decimals", put({f"{P}!H3": 12.345}), 0, "warning", "score-precision", f"{P}!H3"),
    ("score-div0", error_value(P, "H4"), 1, "error", "score-formula-error", f"{P}!H4"),
    ("score-na", error_value(M, "H10", "#N/A"), 1, "error", "score-formula-error", f"{M}!H10"),
    ("score-true", put({f"{M}!H3": True}), 1, "error", "score-not-number", f"{M}!H3"),
    ("reason-missing", put({f"{P}!I3": None}), 1, "error", "reason-missing", f"{P}!I3"),
    ("measure-backslash", put({f"{P}!J3": "\\"}), 1, "error", "measure-missing", f"{P}!J3"),
    ("lower-score-no-reason", put({f"{M}!H8": 4}), 1, "error", "reason-missing", f"{M}!I8"),
    ("weight-edited", put({f"{P}!F3": 25}), 1, "error", "weight-changed", f"{P}!F3"),
    ("group-weight-edited", put({f"{M}!D11": 9}), 1, "error", "weight-changed", f"{M}!D11"),
    ("name-changed", put({f"{P}!E3": "产出指标"}), 1, "error", "name-changed", f"{P}!E3"),
    ("row-deleted", delete_row(P, 4), 1, "error", "row-missing", f"{P}!E4"),
    ("row-duplicated", copy_row(P, 3, 6), 1, "error", "row-duplicate", f"{P}!E6"),
    ("row-moved", swap_rows(M, 13, 14), 0, "warning", "row-moved", f"{M}!E14"),
    (
        "row-unknown-id",
        put({f"{P}!N6": "1.1.9", f"{P}!E6": "新增指标"}),
        1,
        "error",
        "row-unknown",
        f"{P}!E6",
    ),
    ("sheet-deleted", drop_sheet(P), 1, "error", "sheet-missing", P),
    ("cover-deleted", drop_sheet(C), 1, "error", "sheet-missing", C),
    ("budget-identity", put({f"{C}!B9": 500}), 1, "error", "budget-identity", f"{C}!B9"),
    ("budget-text", put({f"{C}!C9": "四百四十一"}), 1, "error", "budget-not-number", f"{C}!C9"),
    ("budget-text-number", put({f"{C}!D9": "95.45万元"}), 0, "warning", "budget-text-number", f"{C}!D9"),
    ("budget-negative", put({f"{C}!E9": -1}), 1, "error", "budget-negative", f"{C}!E9"),
    ("budget-error", error_value(C, "F9", "#REF!"), 1, "error", "budget-not-number", f"{C}!F9"),
    ("budget-blank", put({f"{C}!H9": None}), 0, "warning", "budget-missing", f"{C}!H9"),
    ("department-blank", put({f"{C}!B3": None}), 1, "error", "header-missing", f"{C}!B3"),
    (
        "department-padded",
        put({f"{C}!B3": " 广州市增城区工商业联合会 "}),
        0,
        "warning",
        "department-padded",
        f"{C}!B3",
    ),
    ("year-invalid", put({f"{C}!G3": "二〇二二"}), 1, "error", "header-invalid", f"{C}!G3"),
    ("year-other", put({f"{C}!G3": 2023}), 0, "warning", "year-outside-framework", f"{C}!G3"),
    ("units-zero", put({f"{C}!B4": 0}), 1, "error", "header-invalid", f"{C}!B4"),
    ("rate-percent-text", put({f"{P}!K5": "93%"}), 0, "warning", "rate-text-number", f"{P}!K5"),
    ("rate-invalid", put({f"{P}!K5": 1.5}), 1, "error", "rate-invalid", f"{P}!K5"),
    ("rate-text", put({f"{M}!K17": "很高"}), 1, "error", "rate-invalid", f"{M}!K17"),
    ("suggestion-differs", put({f"{P}!K5": 0.9}), 0, "warning", "suggestion-differs", f"{P}!H5"),
]


@pytest.mark.parametrize(
    ("change", "exit_code", "severity", "code", "where"),
    [pytest.param(*case[1:], id=case[0]) for case in FORM_CASES],
)
def test_bad_form(
    seed_file: Path, tmp_path: Path, change: Callable[[Any], None], exit_code: int, severity: str, code: str,
    where: str,
) -> None:  # fmt: skip
    path = tmp_path / "form.xlsx"
    shutil.copy(seed_file, path)
    edit(path, change)
    before = digest(path)
    run = run_cli(["check", path])
    assert digest(path) == before
    assert f"{path}:{where}: {severity} {code} " in run.stdout, run.output
    assert run.exit_code == exit_code, run.output
    assert run.stderr == ""
    assert "Traceback" not in run.output


def test_seed_file_is_clean(seed_file: Path) -> None:
    """The reference for every case above: the undamaged seed passes with the published figures."""
    run = run_cli(["check", seed_file])
    assert run.exit_code == 0, run.output
    assert "总分 90.77，等级 优；错误 0，警告 0" in run.stdout


def test_full_width_digits_are_an_error_the_form_cannot_count(seed_file: Path, tmp_path: Path) -> None:
    """The form's own SUM skips text, so its 总分 is blank: perfscore says why and has no total either."""
    path = tmp_path / "form.xlsx"
    shutil.copy(seed_file, path)
    edit(path, put({f"{P}!H5": "９．３"}))
    run = run_cli(["check", "--json", path])
    assert run.exit_code == 1
    assert '"total": null' in run.stdout and '"errors": 1' in run.stdout
    assert "表内的小计和总分公式不会计入它；请删除后重新输入数字 9.3" in run.stdout


def test_a_comma_is_never_read_as_a_number(seed_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    shutil.copy(seed_file, path)
    edit(path, put({f"{M}!H3": "1,0", f"{C}!D9": "95,45"}))
    run = run_cli(["check", path])
    assert run.exit_code == 1
    assert f"{M}!H3: error score-not-number" in run.stdout and "小数请用小数点" in run.stdout
    assert f"{C}!D9: error budget-not-number" in run.stdout and "含有逗号" in run.stdout


def test_renamed_sheet_still_read_by_id(seed_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    shutil.copy(seed_file, path)
    edit(path, rename_sheet(P, "履职"))
    before = digest(path)
    run = run_cli(["check", path])
    assert digest(path) == before
    assert run.exit_code == 0, run.output
    assert "总分 90.77，等级 优；错误 0" in run.stdout


def test_formula_error_recalculated_by_libreoffice(seed_file: Path, tmp_path: Path) -> None:
    """A clerk's formula =1/0 in a score cell, computed by a real engine (LibreOffice), read back."""
    src = tmp_path / "src" / "div0.xlsx"
    src.parent.mkdir()
    shutil.copy(seed_file, src)
    edit(src, put({f"{M}!H5": "=1/0"}))
    path = libreoffice.recalculate(src, tmp_path / "lo")
    before = digest(path)
    run = run_cli(["check", path])
    assert digest(path) == before
    assert f"{path}:{M}!H5: error score-formula-error " in run.stdout, run.output
    assert "#DIV/0!" in run.stdout
    assert run.exit_code == 1


# ------------------------------------------------------------------------ unusable input: exit 2


def _not_perfscore(p: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "部门整体支出绩效自评表"
    wb.save(p)


def _truncated(seed: Path) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        data = seed.read_bytes()
        p.write_bytes(data[: len(data) // 2])

    return make


def _encrypted(seed: Path) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        with seed.open("rb") as src, p.open("wb") as out:
            OOXMLFile(src).encrypt("1234", out)

    return make


def _csv(p: Path) -> None:
    p.write_text("一级指标,分值,得分\n履职效能,50,41.8\n", "utf-8")


def _huge_sparse(p: Path) -> None:
    with p.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(60 * 1024 * 1024)


def _many_rows(seed: Path) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        shutil.copy(seed, p)

        def add(wb: Any) -> None:
            ws = wb.create_sheet("明细")
            for r in range(1, 20_002):
                ws.cell(r, 1, r)

        edit(p, add)

    return make


def _zip_bomb(seed: Path) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        shutil.copy(seed, p)
        with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("xl/media/padding.bin", "w") as fh:
            block = b"\0" * (1024 * 1024)
            for _ in range(310):
                fh.write(block)

    return make


def _meta(value: str | None) -> Callable[[Path], Callable[[Path], None]]:
    def factory(seed: Path) -> Callable[[Path], None]:
        def make(p: Path) -> None:
            shutil.copy(seed, p)
            edit(p, cells(**{"_perfscore!B1": value}))

        return make

    return factory


def _broken_xml(seed: Path) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        with zipfile.ZipFile(seed) as src, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "xl/worksheets/sheet2.xml":
                    data = data[: len(data) // 2]
                dst.writestr(item, data)

    return make


def _docx(p: Path) -> None:
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")


# (id, maker(seed) -> (path -> None), file name, phrase of the reason)
UNUSABLE: list[tuple[str, Callable[[Path], Callable[[Path], None]], str, str]] = [
    ("not-perfscore", lambda s: _not_perfscore, "other.xlsx", "不是 perfscore 生成的自评表"),
    ("truncated", _truncated, "cut.xlsx", "文件不完整或已损坏"),
    ("encrypted", _encrypted, "locked.xlsx", "设置了打开密码"),
    ("csv-renamed", lambda s: _csv, "data.xlsx", "CSV/文本表格"),
    ("plain-text", lambda s: lambda p: p.write_text("你好", "utf-8"), "note.xlsx", "纯文本"),
    ("empty", lambda s: lambda p: p.write_bytes(b""), "empty.xlsx", "文件为空"),
    ("huge-file", lambda s: _huge_sparse, "huge.xlsx", "文件过大"),
    ("many-rows", _many_rows, "rows.xlsx", "超过 20000 行数据"),
    ("zip-bomb", _zip_bomb, "bomb.xlsx", "解压后过大"),
    ("unknown-framework", _meta("gz-unknown-2099"), "fw.xlsx", "未知的指标体系 “gz-unknown-2099”"),
    ("meta-blank", _meta(None), "meta.xlsx", "未记录指标体系编号"),
    ("broken-xml", _broken_xml, "xml.xlsx", "工作簿已损坏"),
    ("docx-renamed", lambda s: _docx, "doc.xlsx", "是Word 文档"),
    (
        "binary-junk",
        lambda s: lambda p: p.write_bytes(bytes(range(256)) * 4),
        "junk.xlsx",
        "不是 .xlsx 工作簿",
    ),
]


@pytest.mark.parametrize(
    ("maker", "name", "phrase"), [pytest.param(*case[1:], id=case[0]) for case in UNUSABLE]
)
def test_unusable_input(
    seed_file: Path, tmp_path: Path, maker: Callable[[Path], Callable[[Path], None]], name: str, phrase: str
) -> None:
    path = tmp_path / name
    maker(seed_file)(path)
    before = digest(path)
    run = run_cli(["check", path])
    assert digest(path) == before
    assert run.exit_code == 2, run.output
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"perfscore: {path}: "), lines[0]
    assert phrase in lines[0]


def test_missing_file(tmp_path: Path) -> None:
    run = run_cli(["check", tmp_path / "nope.xlsx"])
    assert run.exit_code == 2
    assert run.stderr == f"perfscore: {tmp_path / 'nope.xlsx'}: 文件不存在；请检查文件名和路径\n"


def test_directory_given(tmp_path: Path) -> None:
    run = run_cli(["check", tmp_path])
    assert run.exit_code == 2
    assert "是一个文件夹" in run.stderr


def test_old_xls_and_ods(seed_file: Path, tmp_path: Path) -> None:
    """Real .xls and .ods files (written by LibreOffice), renamed or not, are refused with what to do."""
    xls = libreoffice.convert(seed_file, "xls:MS Excel 97", tmp_path / "xls")
    ods = libreoffice.convert(seed_file, "ods", tmp_path / "ods")
    renamed = tmp_path / "ods-renamed.xlsx"
    shutil.copy(ods, renamed)
    for path, phrase in (
        (xls, "旧版 Excel 97-2003（.xls）"),
        (ods, "OpenDocument"),
        (renamed, "OpenDocument"),
    ):
        run = run_cli(["check", path])
        assert run.exit_code == 2, run.output
        assert run.stderr.startswith(f"perfscore: {path}: ") and phrase in run.stderr


def test_unusable_input_on_every_reading_command(seed_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    _csv(path)
    before = digest(path)
    for args in (["check", "--json", path], ["calc", path], ["export", path]):
        run = run_cli(args)
        assert run.exit_code == 2, (args, run.output)
        assert run.stderr.startswith(f"perfscore: {path}: 不是 .xlsx 工作簿"), run.stderr
    assert digest(path) == before


def test_all_catalogued_error_codes_reachable() -> None:
    """The form cases exercise every finding code a clerk can cause (a guard against gaps)."""
    from perfscore.engine.findings import CATALOGUE

    covered = {case[4] for case in FORM_CASES}
    not_from_files = {"rule-failed", "placeholder-indicator", "fullmark-text"}
    # a stale cached result cannot be made with openpyxl (it drops them): an XML edit in
    # tests/test_shown_values.py::test_a_stale_total_is_caught makes it from a real file
    from_xml_edits = {"displayed-total-differs"}
    # a udf form re-saved by LibreOffice (or saved without its VBA project): tests/test_rebuild.py
    from_resaved = {"macros-lost"}
    # the project form's own codes: each at its cell in tests/test_project.py
    project = {code for code, entry in CATALOGUE.items() if entry.summary.startswith("项目支出表：")}
    # reading a published PDF or text back: tests/test_digitise_*.py
    digitise = {code for code in CATALOGUE if code.startswith("digitise-")}
    assert (
        set(CATALOGUE) - not_from_files - from_xml_edits - from_resaved - project - digitise - covered
        == set()
    )
