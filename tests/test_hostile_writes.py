"""Hostile and careless input on the write side: nothing misread, nothing lost, no formula from file
text, one writer at a time, no litter.

Every case is built here at run time from a real form (the seed, built by perfscore's own builder)
edited the way other programs and clerks edit it: a streaming writer's stale ``<dimension>``, a pasted
seal, a chart, an embedded document, custom XML, a row inserted between indicator rows, a number no
spreadsheet can hold, a sheet name made to break out of a formula, a second writer, a killed run.
"""

from __future__ import annotations

import csv
import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from perfscore.engine.grid import Link, quote_sheet
from perfscore.xlsx import lock
from perfscore.xlsx.inventory import inventory
from tests.package_parts import (
    add_chart,
    add_custom_xml,
    add_embedded_file,
    add_picture,
    png,
    rewrite,
    sheet_part,
)
from tests.xlsx_helpers import build_seed, digest, edit, run_cli

CLEAN_SUMMARY = "总分 90.77，等级 优；错误 0，警告 0，提示 1"


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    return build_seed(tmp_path / "seed.xlsx")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~"))


def values(path: Path) -> dict[tuple[str, str], Any]:
    """Every non-empty cell of every sheet, as openpyxl reads it (formulas as text)."""
    wb = openpyxl.load_workbook(path)
    return {
        (ws.title, c.coordinate): c.value
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


# ------------------------------------------------------------------------- 1. valid forms misread


def _dimension(ref: str | None) -> Callable[[dict[str, bytes]], None]:
    def change(parts: dict[str, bytes]) -> None:
        for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
            new = b"" if ref is None else f'<dimension ref="{ref}"/>'.encode()
            parts[name], count = re.subn(rb'<dimension ref="[^"]*"/>', new, parts[name])
            assert count == 1, name

    return change


@pytest.mark.parametrize("ref", ["A1", "B2:C5", None, "A1:XFD1048576"], ids=["A1", "stale", "absent", "huge"])
def test_a_wrong_dimension_is_not_trusted(seed: Path, ref: str | None) -> None:
    rewrite(seed, _dimension(ref))
    before = digest(seed)
    run = run_cli(["check", seed])
    assert (run.exit_code, run.stdout.splitlines()[-1]) == (0, f"{seed}: {CLEAN_SUMMARY}"), run.output
    assert len(run.stdout.splitlines()) == 2  # the placeholder info and the summary: nothing missing
    assert digest(seed) == before
    run = run_cli(["calc", seed])
    assert run.exit_code == 0, run.output
    wb = openpyxl.load_workbook(seed)
    assert wb["基本情况"]["B18"].value == 90.77
    assert wb["管理效率"]["M3"].value == "✔"


# ----------------------------------------------------------------- 2. nothing lost on write


Graft = Callable[[Path], None]
GRAFTS: dict[str, tuple[Graft, str]] = {
    "seal on the cover": (
        lambda p: add_picture(p, "基本情况"),
        "图片 1 张、绘图对象（图片、形状、文本框） 1 个",
    ),
    "two signatures": (
        lambda p: (add_picture(p, "履职效能"), add_picture(p, "管理效率", image=png(8, 8, (0, 0, 200)))),
        "图片 2 张、绘图对象（图片、形状、文本框） 2 个",
    ),
    "embedded document": (lambda p: add_embedded_file(p, "管理效率"), "嵌入对象（OLE） 1 个"),
    "custom XML": (add_custom_xml, "自定义 XML 1 个"),
}


@pytest.mark.libreoffice
def test_the_grafted_picture_and_chart_are_real_content(seed: Path, tmp_path: Path) -> None:
    """LibreOffice reads what the helpers graft: its own re-save holds the picture and the chart."""
    add_picture(seed, "基本情况")
    add_chart(seed, "履职效能")
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "xlsx",
         "--outdir", str(tmp_path / "lo"), str(seed)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert inventory(tmp_path / "lo" / "seed.xlsx") == {
        "图片": 1,
        "图表": 1,
        "绘图对象（图片、形状、文本框）": 2,
    }


@pytest.mark.parametrize("name", list(GRAFTS))
@pytest.mark.parametrize("command", ["calc", "report"])
def test_in_place_write_that_would_lose_content_is_refused(seed: Path, name: str, command: str) -> None:
    graft, lost = GRAFTS[name]
    graft(seed)
    held = inventory(seed)
    before = digest(seed)
    for read_only in (["check", seed], ["export", seed]):  # reading never changes a byte
        assert run_cli(read_only).exit_code == 0
        assert digest(seed) == before
    run = run_cli([command, seed])
    assert run.exit_code == 2
    assert run.stderr == (
        f"perfscore: {seed}: 此文件含有 perfscore 写入时无法保留的内容（{lost}），为免丢失未写入；"
        "请在 Excel 中用“计算”按钮（加载项），或先把这些内容移到其他文件再运行；"
        "用 -o 另存时新文件将不含这些内容；原文件未被改动\n"
    )
    assert digest(seed) == before and inventory(seed) == held
    assert leftovers(seed.parent) == []


@pytest.mark.parametrize("name", list(GRAFTS))
def test_write_to_another_file_names_what_it_lacks(seed: Path, tmp_path: Path, name: str) -> None:
    graft, lost = GRAFTS[name]
    graft(seed)
    before = digest(seed)
    for command in ("calc", "report"):
        out = tmp_path / f"{command}.xlsx"
        run = run_cli([command, seed, "-o", out])
        assert run.exit_code == 0, run.output
        assert run.stderr == f"perfscore: {out}: 注意：新文件未能保留原文件的部分内容：{lost}\n"
        assert digest(seed) == before
    assert openpyxl.load_workbook(tmp_path / "calc.xlsx")["基本情况"]["B18"].value == 90.77
    assert "自评表" in openpyxl.load_workbook(tmp_path / "report.xlsx").sheetnames


def test_what_openpyxl_keeps_is_written_in_place(seed: Path) -> None:
    """A chart and comments survive openpyxl, so they do not block an in-place write."""
    add_chart(seed, "履职效能")

    def comment(wb: Any) -> None:
        wb["履职效能"]["J3"].comment = openpyxl.comments.Comment("已与财务科核对", "张三")
        wb["管理效率"]["J3"].comment = openpyxl.comments.Comment("附件见 OA", "李四")

    edit(seed, comment)
    held = inventory(seed)
    assert held == {"图表": 1, "绘图对象（图片、形状、文本框）": 1, "批注": 2, "按钮或批注框": 2}
    for command in ("calc", "report"):
        run = run_cli([command, seed])
        assert run.exit_code == 0, run.output
        assert inventory(seed) == held, command
    wb = openpyxl.load_workbook(seed)
    assert (wb["履职效能"]["J3"].comment.text, wb["管理效率"]["J3"].comment.text) == (
        "已与财务科核对",
        "附件见 OA",
    )


def test_a_row_the_clerk_inserted_is_never_written(seed: Path) -> None:
    """Text in perfscore's own 校验 column of a row the clerk inserted between indicator rows stays."""
    typed = {"E": "补充说明", "G": "本行为单位自行插入", "I": "改进中", "M": "备注：见附件", "N": "张三"}

    def insert(wb: Any) -> None:
        ws = wb["管理效率"]
        ws.insert_rows(6)
        for col, text in typed.items():
            ws[f"{col}6"] = text

    edit(seed, insert)
    before = values(seed)
    run = run_cli(["calc", seed])
    assert run.exit_code == 1, run.output  # the sub-total formulas no longer cover the shifted rows
    after = values(seed)
    assert {col: after[("管理效率", f"{col}6")] for col in typed} == typed
    assert after[("管理效率", "M5")] == "✔" and after[("管理效率", "M7")] == "✔"
    # every cell the clerk or the template holds is as it was; only perfscore's outputs changed
    changed = {k for k in before if after.get(k) != before[k]}
    assert {k[0] for k in changed} <= {"基本情况", "校验结果"}, sorted(changed)


def _store(sheet: str, cell: str, literal: str) -> Callable[[dict[str, bytes]], None]:
    """Put a raw numeric literal into a cell's ``<v>``, as a converter or a script might."""

    def change(parts: dict[str, bytes]) -> None:
        name = sheet_part(parts, sheet)
        text = parts[name].decode()
        new, count = re.subn(
            rf'(<c r="{cell}"[^>]*?)(?: t="\w+")?>(?:<v>[^<]*</v>|<is>.*?</is>)</c>',
            rf"\1><v>{literal}</v></c>",
            text,
        )
        if not count:  # an empty styled cell
            new, count = re.subn(rf'<c r="{cell}"([^>]*?)/>', rf'<c r="{cell}"\1><v>{literal}</v></c>', text)
        assert count == 1, (sheet, cell)
        parts[name] = new.encode()

    return change


@pytest.mark.parametrize(
    ("sheet", "cell", "literal", "finding"),
    [
        (
            "履职效能",
            "H3",
            "1e309",
            "error score-not-number “部门整体绩效目标产出指标完成情况”的得分“超出 Excel 范围的数值（如 1e309）”不是数字；请填写 0 至 20 之间的分数",
        ),
        (
            "基本情况",
            "C9",
            "1e999",
            "error budget-not-number 基本支出“超出 Excel 范围的数值（如 1e309）”不是数字（单位：万元）",
        ),
        (
            "管理效率",
            "H4",
            "-1E400",
            "error score-not-number “结转结余率”的得分“超出 Excel 范围的数值（如 1e309）”不是数字；请填写 0 至 2 之间的分数",
        ),
    ],
)
def test_a_number_no_spreadsheet_holds_is_never_blanked(
    seed: Path, tmp_path: Path, sheet: str, cell: str, literal: str, finding: str
) -> None:
    rewrite(seed, _store(sheet, cell, literal))
    before = digest(seed)
    run = run_cli(["check", seed])
    assert run.exit_code == 1
    assert f"{seed}:{sheet}!{cell}: {finding}" in run.stdout.splitlines(), run.stdout
    message = (
        f"{quote_sheet(sheet)}!{cell} 的数值超出 Excel 可表示的范围（如 1e309），保存时无法原样保留，"
        "为免丢失未写入；请改为正确的数字后再试；原文件未被改动"
    )
    for args, target in (([], seed), (["-o", tmp_path / "out.xlsx"], tmp_path / "out.xlsx")):
        run = run_cli(["calc", seed, *args])
        assert (run.exit_code, run.stderr) == (2, f"perfscore: {target}: {message}\n"), run.output
    assert digest(seed) == before and not (tmp_path / "out.xlsx").exists()
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------ 3. no formula made of file text

HOSTILE_NAMES = ['管理"效率', "管理'效率", 'x",1)&HYPERLINK("evil', "a''b\"\"c"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_findings_link_to_cells_without_formulas(seed: Path, name: str) -> None:
    edit(seed, lambda wb: setattr(wb["管理效率"], "title", name))
    run = run_cli(["calc", seed])
    assert run.exit_code == 0, run.output  # a renamed sheet is a warning: it is read by its rows' ids
    wb = openpyxl.load_workbook(seed)
    findings = wb["校验结果"]
    formulas = [c.coordinate for row in findings.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    links = {
        c.value: c.hyperlink.location for row in findings.iter_rows(min_row=3) for c in row if c.hyperlink
    }
    placeholder = f"{name}!E12"
    assert links[placeholder] == f"{quote_sheet(name)}!E12"
    assert all(
        loc == f"{quote_sheet(text.rpartition('!')[0])}!{text.rpartition('!')[2]}"
        for text, loc in links.items()
    )


@pytest.mark.libreoffice
def test_the_bridge_link_formula_shows_exactly_its_text_in_libreoffice(tmp_path: Path) -> None:
    """The Excel bridge writes links as HYPERLINK formulas (one write per block); file text reaches
    them only as quoted literals, so LibreOffice shows each exactly and evaluates nothing else."""
    src = tmp_path / "links.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "links"
    links = [Link(f"{name}!H3", name, "H3") for name in HOSTILE_NAMES]
    for row, link in enumerate(links, 1):
        ws.cell(row, 1).value = link.formula().text
    wb.save(src)
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )

    with (tmp_path / "links.csv").open(encoding="utf-8") as fh:
        shown = [row[0] for row in csv.reader(fh)]
    assert shown == [link.text for link in links]


# ------------------------------------------------------------ 8. one writer, no litter, outputs first


def _holder(
    path: Path, seconds: float, ready: Path, department: str | None = None
) -> subprocess.Popen[bytes]:
    """A second process that takes perfscore's lock on ``path`` (and, if asked, changes the form)."""
    code = f"""
import time, openpyxl, os
from pathlib import Path
from perfscore.xlsx.lock import locked
p = Path({str(path)!r})
with locked(p):
    Path({str(ready)!r}).touch()
    time.sleep({seconds})
    if {department!r} is not None:
        wb = openpyxl.load_workbook(p)
        wb["基本情况"]["B3"].value = {department!r}
        wb.save(str(p) + ".new")
        os.replace(str(p) + ".new", p)
"""
    return subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parent.parent)


def _wait_for(ready: Path) -> None:
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert time.monotonic() < deadline, "the lock holder did not start"
        time.sleep(0.05)


def test_a_second_writer_waits_and_reads_what_the_first_wrote(seed: Path, tmp_path: Path) -> None:
    holder = _holder(seed, 1.5, tmp_path / "ready", department="第二个写入者改过的部门")
    _wait_for(tmp_path / "ready")
    run = run_cli(["calc", seed])
    assert holder.wait(timeout=60) == 0
    assert run.exit_code == 0, run.output
    wb = openpyxl.load_workbook(seed)
    assert wb["基本情况"]["B3"].value == "第二个写入者改过的部门"  # not overwritten with what calc read first
    assert wb["基本情况"]["B18"].value == 90.77
    assert leftovers(seed.parent) == []


def test_a_writer_that_cannot_get_the_lock_names_the_holder(
    seed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.5)
    holder = _holder(seed, 30, tmp_path / "ready")
    try:
        _wait_for(tmp_path / "ready")
        before = digest(seed)
        for command in (["calc", seed], ["report", seed]):
            run = run_cli(command)
            assert run.exit_code == 2, run.output
            assert re.fullmatch(
                rf"perfscore: {re.escape(str(seed))}: 另一个 perfscore 进程正在写入此文件"
                rf"（PID {holder.pid}，{re.escape(socket.gethostname())}，-c，开始于 \d\d:\d\d:\d\d），"
                r"等待 0.5 秒后仍未完成；请等它完成后再试；本次未写入任何内容\n",
                run.stderr,
            ), run.stderr
        assert digest(seed) == before
    finally:
        holder.kill()
        holder.wait()


def test_what_a_killed_run_left_is_reused_and_removed(seed: Path) -> None:
    folder = seed.parent
    (folder / ".~perfscore-tmp-seed.xlsx").write_bytes(b"half a workbook")
    (folder / ".~perfscore-lock-seed.xlsx").write_text("PID 99999999，gone，perfscore calc，开始于 00:00:00")
    run = run_cli(["calc", seed])
    assert run.exit_code == 0, run.output
    assert leftovers(folder) == []


def test_a_killed_writer_leaves_the_file_whole_and_releases_the_lock(seed: Path, tmp_path: Path) -> None:
    holder = _holder(seed, 30, tmp_path / "ready")
    _wait_for(tmp_path / "ready")
    holder.kill()  # SIGKILL: no cleanup runs
    holder.wait()
    assert leftovers(seed.parent) == [".~perfscore-lock-seed.xlsx"]
    run = run_cli(["calc", seed])
    assert run.exit_code == 0, run.output
    assert leftovers(seed.parent) == []


def test_every_output_is_checked_before_anything_is_written(seed: Path, tmp_path: Path) -> None:
    before = digest(seed)
    missing = tmp_path / "no-such-folder" / "x.pdf"
    for args in (
        ["report", seed, "--pdf", missing],
        ["report", seed, "-o", tmp_path / "out.xlsx", "--pdf", missing],
    ):
        run = run_cli(args)
        assert run.exit_code == 2
        assert (
            run.stderr
            == f"perfscore: {missing}: 目标文件夹 {missing.parent} 不存在；请先创建该文件夹；原文件未被改动\n"
        )
    assert digest(seed) == before and not (tmp_path / "out.xlsx").exists()


def test_calc_on_a_symbolic_link_updates_the_file_it_points_to(seed: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.xlsx"
    link.symlink_to(seed)
    run = run_cli(["calc", link])
    assert run.exit_code == 0, run.output
    assert link.is_symlink() and link.resolve() == seed.resolve()
    assert openpyxl.load_workbook(seed)["基本情况"]["B18"].value == 90.77
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------------------ 9. careless typing


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("  广州市增城区工商业联合会 ", "  广州市增城区工商业联合会 "),
        ("\t广州市增城区工商业联合会\n", "\\t广州市增城区工商业联合会\\n"),
    ],
)
def test_spaces_around_the_department_are_a_warning_and_not_printed(
    seed: Path, typed: str, shown: str
) -> None:
    edit(seed, lambda wb: setattr(wb["基本情况"]["B3"], "value", typed))
    before = digest(seed)
    run = run_cli(["check", seed])
    assert run.exit_code == 0
    assert run.stdout.splitlines()[0] == (
        f"{seed}:基本情况!B3: warning department-padded 部门名称“{shown}”前后有空格，打印的标题和报表已去掉；请删除多余的空格"
    )
    assert digest(seed) == before
    run = run_cli(["report", seed])
    assert run.exit_code == 0, run.output
    wb = openpyxl.load_workbook(seed)
    assert wb["基本情况"]["B3"].value == typed  # the input stays as typed
    titles = [
        c.value
        for row in wb["自评表"].iter_rows(max_row=3)
        for c in row
        if isinstance(c.value, str) and "年度" in c.value
    ]
    assert titles == ["2022年度广州市增城区工商业联合会部门整体支出绩效自评表"]


@pytest.mark.parametrize(("typed", "cell"), [("1,0", "H3"), ("1,5", "H4"), ("12,50", "H5")])
def test_a_decimal_comma_is_never_guessed(seed: Path, typed: str, cell: str) -> None:
    edit(seed, lambda wb: setattr(wb["履职效能"][cell], "value", typed))
    run = run_cli(["check", seed])
    assert run.exit_code == 1
    hits = [line for line in run.stdout.splitlines() if f":履职效能!{cell}: " in line]
    assert len(hits) == 1 and hits[0].endswith(f"的得分“{typed}”含有逗号；小数请用小数点，如 9.3"), hits
    assert "总分 —（无法核算）" in run.stdout.splitlines()[-1]


def test_an_output_under_a_regular_file_is_named_as_such(seed: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_text("not a folder", "utf-8")
    run = run_cli(["new", "-o", plain / "x.xlsx"])
    assert (run.exit_code, run.stderr) == (
        2,
        f"perfscore: {plain / 'x.xlsx'}: {plain} 是一个文件，不是文件夹；请换一个输出路径\n",
    )
    run = run_cli(["calc", seed, "-o", plain / "x.xlsx"])
    assert (run.exit_code, run.stderr) == (
        2,
        f"perfscore: {plain / 'x.xlsx'}: {plain} 是一个文件，不是文件夹；请换一个输出路径；原文件未被改动\n",
    )


@pytest.mark.parametrize("command", ["calc", "report"])
def test_a_write_keeps_texts_that_look_like_escapes(tmp_path: Path, command: str) -> None:
    """openpyxl strips ``x005F_`` when it loads: a typed ``_x000B_`` must not come back as a tab."""
    doc = json.loads(
        (Path(__file__).parent.parent / "perfscore" / "data" / "seed-2022.json").read_text("utf-8")
    )
    texts = ["见附件_x000B_第二页", "换行\x0b之后", "x005F_保留"]
    doc["indicators"][0]["reason"], doc["indicators"][0]["measure"], doc["indicators"][1]["reason"] = texts
    data = tmp_path / "d.json"
    data.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    form = tmp_path / "f.xlsx"
    assert run_cli(["import", data, "-o", form]).exit_code == 0
    run = run_cli([command, form])
    assert run.exit_code == 0, run.output
    back = json.loads(run_cli(["export", form]).stdout)["indicators"]
    assert [back[0]["reason"], back[0]["measure"], back[1]["reason"]] == texts


@pytest.mark.parametrize(
    ("department", "refusal"),
    [
        (
            "<r>a&b</r>",
            "文本以 <r> 开头、以 </r> 结尾，生成工作簿时会被当作格式代码，无法原样保存；请改写开头或结尾",
        ),
        ("工商\x00联", "含有空字符（U+0000），Excel 单元格不能保存；请删除该字符"),
        ("工商联\x0b二", None),
        ("见_x000B_", None),
    ],
)
def test_new_department_is_stored_exactly_or_refused(
    tmp_path: Path, department: str, refusal: str | None
) -> None:
    form = tmp_path / "f.xlsx"
    run = run_cli(["new", "-o", form, "--department", department])
    if refusal is not None:
        assert (run.exit_code, run.stderr) == (2, f"perfscore: --department: {refusal}\n")
        assert not form.exists()
        return
    assert run.exit_code == 0, run.output
    assert json.loads(run_cli(["export", form]).stdout)["department"] == department
