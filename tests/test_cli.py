"""The `perfscore` command line: commands, output formats, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl

from tests.xlsx_helpers import build_seed, digest, edit, run_cli


def test_demo_prints_the_seed_result(tmp_path: Path) -> None:
    run = run_cli(["demo", "--out", tmp_path / "demo"])
    assert run.exit_code == 0, run.output
    rows = {line.split()[0]: line.split()[1:] for line in run.stdout.splitlines() if line.strip()}
    assert rows["履职效能"] == ["50", "41.8"]
    assert rows["管理效率"] == ["50", "48.97"]
    assert rows["总分"] == ["100", "90.77"]
    assert rows["评价等级"] == ["优"]
    assert (tmp_path / "demo" / "seed-2022.xlsx").is_file()
    assert [p.name for p in (tmp_path / "demo").iterdir()] == ["seed-2022.xlsx"]
    cover = openpyxl.load_workbook(tmp_path / "demo" / "seed-2022.xlsx")["基本情况"]
    assert (cover["B18"].value, cover["D18"].value) == (90.77, "优")
    again = run_cli(["demo", "--out", tmp_path / "demo"])  # re-running the demo refreshes it
    assert again.exit_code == 0 and again.stdout == run.stdout


def test_demo_columns_are_aligned(tmp_path: Path) -> None:
    from perfscore.cli_output import width

    out = run_cli(["demo", "--out", tmp_path]).stdout.splitlines()
    table = [
        line
        for line in out
        if line.split() and line.split()[0] in ("一级指标", "履职效能", "管理效率", "总分")
    ]
    assert len(table) == 4
    assert len({width(line) for line in table}) == 1


def test_check_lines_and_summary(tmp_path: Path) -> None:
    form = build_seed(tmp_path / "f.xlsx")
    edit(form, lambda wb: wb["履职效能"].__setitem__("H4", None))
    before = digest(form)
    run = run_cli(["check", form])
    assert digest(form) == before
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert (
        lines[0]
        == f"{form}:履职效能!H4: error score-missing “部门整体绩效目标效益指标完成情况”的得分为空；请填写 0 至 20 之间的分数"
    )
    assert lines[-1] == f"{form}: 总分 —（无法核算），等级 —；错误 1，警告 0，提示 1"


def test_check_json(tmp_path: Path) -> None:
    form = build_seed(tmp_path / "f.xlsx")
    run = run_cli(["check", "--json", form])
    assert run.exit_code == 0
    doc = json.loads(run.stdout)
    assert {k: doc[k] for k in ("framework", "year", "department", "total", "grade")} == {
        "framework": "gz-dept-overall-2022", "year": 2022, "department": "广州市增城区工商业联合会",
        "total": "90.77", "grade": "优",
    }  # fmt: skip
    groups = {g["name"]: g for g in doc["groups"]}
    assert (groups["履职效能"]["score"], groups["管理效率"]["score"]) == ("41.8", "48.97")
    assert groups["管理效率"]["weight"] == "50" and groups["管理效率"]["id"] == "2"
    purchase = next(c for c in groups["管理效率"]["children"] if c["name"] == "采购管理")
    assert purchase["score"] == "8.97"  # 0.5 + 1.5 + 1 + 2 + 2 + 1 + 0.97
    assert purchase["children"][-1] == {
        "id": "2.5.7",
        "name": "采购政策效能",
        "weight": "1",
        "score": "0.97",
        "children": [],
    }
    assert doc["findings"] == [
        {"code": "placeholder-indicator", "severity": "info", "sheet": "管理效率", "cell": "E12",
         "message": "指标 2.5.2 的名称在原表中缺失，现为占位名称；待正式指标体系文件补正"}
    ]  # fmt: skip


def test_check_json_without_total(tmp_path: Path) -> None:
    form = build_seed(tmp_path / "f.xlsx")
    edit(form, lambda wb: wb["管理效率"].__setitem__("H3", "abc"))
    run = run_cli(["check", "--json", form])
    assert run.exit_code == 1
    doc = json.loads(run.stdout)
    assert (doc["total"], doc["grade"]) == (None, None)
    assert doc["groups"][0]["score"] == "41.8" and doc["groups"][1]["score"] is None


def test_calc_in_place_and_reports(tmp_path: Path) -> None:
    form = build_seed(tmp_path / "f.xlsx")
    run = run_cli(["calc", form])
    assert run.exit_code == 0
    assert f"{form}: 总分 90.77，等级 优；错误 0，警告 0，提示 1" in run.stdout
    assert run.stdout.splitlines()[-1] == f"已写入 {form}"


def test_calc_output_suffix_must_match(tmp_path: Path) -> None:
    form = build_seed(tmp_path / "f.xlsx")
    run = run_cli(["calc", form, "-o", tmp_path / "f.xlsm"])
    assert run.exit_code == 2 and "扩展名应与原文件一致" in run.stderr


def test_new_blank_and_prefilled(tmp_path: Path) -> None:
    blank = tmp_path / "blank.xlsx"
    run = run_cli(["new", "-o", blank])
    assert run.exit_code == 0, run.output
    check = run_cli(["check", blank])
    assert check.exit_code == 1 and "score-missing" in check.stdout
    filled = tmp_path / "dept.xlsx"
    assert run_cli(["new", "-o", filled, "--department", "某某局", "--year", "2022"]).exit_code == 0
    cover = openpyxl.load_workbook(filled)["基本情况"]
    assert (cover["B3"].value, cover["G3"].value) == ("某某局", 2022)


def test_new_checks_suffix_and_overwrite(tmp_path: Path) -> None:
    run = run_cli(["new", "-o", tmp_path / "x.xlsx", "--formulas", "udf"])
    assert run.exit_code == 2
    assert (
        run.stderr
        == f"perfscore: {tmp_path / 'x.xlsx'}: --formulas udf 生成含宏的工作簿，文件名须以 .xlsm 结尾；例如 x.xlsm\n"
    )
    run = run_cli(["new", "-o", tmp_path / "x.xlsm"])
    assert run.exit_code == 2 and "文件名须以 .xlsx 结尾" in run.stderr
    (tmp_path / "y.xlsx").write_bytes(b"keep me")
    run = run_cli(["new", "-o", tmp_path / "y.xlsx"])
    assert run.exit_code == 2 and "文件已存在" in run.stderr
    assert (tmp_path / "y.xlsx").read_bytes() == b"keep me"
    run = run_cli(["new", "-o", tmp_path / "z.xlsx", "--framework", "no-such-fw"])
    assert run.exit_code == 2 and run.stderr.startswith("perfscore: 未知的指标体系 “no-such-fw”")
    assert not (tmp_path / "z.xlsx").exists()


def test_new_udf_builds_xlsm(tmp_path: Path) -> None:
    out = tmp_path / "form.xlsm"
    run = run_cli(["new", "-o", out, "--formulas", "udf"])
    assert run.exit_code == 0, run.output
    wb = openpyxl.load_workbook(out, keep_vba=True)
    assert wb.vba_archive is not None
    conf = wb["xlwings.conf"]  # the UDF module is named on the sheet xlwings reads
    assert [conf["A1"].value, conf["B1"].value] == ["UDF Modules", "perfscore.udfs"]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli(["frobnicate"]).exit_code == 2
    assert run_cli(["check"]).exit_code == 2
    assert run_cli(["new"]).exit_code == 2
    assert run_cli(["new", "-o", tmp_path / "a.xlsx", "--formulas", "vba"]).exit_code == 2


def test_command_list_is_exact() -> None:
    from perfscore.cli import cli

    assert sorted(cli.commands) == [
        "addin",
        "batch",
        "calc",
        "check",
        "demo",
        "digitise",
        "export",
        "framework",
        "import",
        "new",
        "rebuild",
        "report",
        "template",
    ]


def test_module_entry_point_never_prints_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("a,b\n1,2\n", "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "perfscore.cli", "check", str(bad)],
        capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"perfscore: {bad}: 不是 .xlsx 工作簿") and proc.stderr.count("\n") == 1


def test_report_command(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "seed.xlsx")
    out = tmp_path / "with-report.xlsx"
    run = run_cli(["report", src, "-o", out])
    assert run.exit_code == 0, run.output
    assert "总分 90.77，等级 优" in run.stdout
    wb = openpyxl.load_workbook(out)
    assert "自评表" in wb.sheetnames
    values = {c.value for row in wb["自评表"].iter_rows() for c in row}
    assert "2022年度广州市增城区工商业联合会部门整体支出绩效自评表" in values


def test_report_command_errors(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "seed.xlsx")
    before = digest(src)
    run = run_cli(["report", src, "-o", tmp_path / "x.xlsm"])
    assert run.exit_code == 2 and "扩展名应与原文件一致" in run.stderr
    bad = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "自评表"
    wb.active["A1"] = "{{ no_such_key }}"
    wb.save(bad)
    run = run_cli(["report", src, "--template", bad])
    assert run.exit_code == 2
    assert "bad.xlsx" in run.stderr and "自评表!A1" in run.stderr
    assert digest(src) == before  # a failed render leaves the workbook untouched
