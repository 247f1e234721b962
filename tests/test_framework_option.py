"""``--framework FILE`` on every command that reads or writes a form, with no environment variable set.

A form built from a district's own framework file records only the framework's id; the commands find
the framework by that id among the shipped and configured ones, or take the file the user names on the
command line. A path is never read from a workbook or a JSON file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from perfscore.engine import framework as frameworks

from .test_framework_commands import SHIPPED, indicator, insert_before, replace, variant
from .xlsx_helpers import digest, run_cli

#: What a form of the custom framework is filled with: every 三级 at full marks but 2.4.4 (1.5 of 2).
FULL_BUT = {"2.4.4": "1.5"}


@pytest.fixture(autouse=True)
def no_configured_frameworks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(frameworks.FRAMEWORKS_ENV, raising=False)


@pytest.fixture
def custom(tmp_path: Path) -> Path:
    """A next-year variant: 2.4.3 gives 2 points to a new 2.4.4; a header field renamed."""
    return variant(
        tmp_path,
        "zc-2023",
        replace("years = [2022, 2022]", "years = [2023, 2023]"),
        replace('key = "未能完成原因"', 'key = "未完成原因及改进措施"'),
        replace('name = "绩效管理制度执行"\nweight = "7"', 'name = "绩效管理制度执行"\nweight = "5"'),
        insert_before('[[indicators]]\nid = "2.5"\n', indicator("2.4.4", "绩效自评质量", "2")),
    )


def filled(tmp_path: Path, custom: Path) -> Path:
    """A filled form of the custom framework: new → export → fill the JSON → import, all with --framework."""
    blank = tmp_path / "blank.xlsx"
    ok(["new", "-o", blank, "--framework", custom, "--department", "某区某局", "--year", "2023"])
    data = tmp_path / "data.json"
    ok(["export", blank, "-o", data, "--framework", custom])
    doc = json.loads(data.read_text("utf-8"))
    fw = frameworks.load(custom)
    for row in doc["indicators"]:
        weight = str(fw.by_id[row["id"]].weight)
        row["score"] = FULL_BUT.get(row["id"], weight)
        if row["id"] in FULL_BUT:
            row["reason"], row["measure"] = "自评材料不完整", "下年补齐自评材料"
        if fw.by_id[row["id"]].rule:
            row["rate"] = "1"
    doc["header"] = {
        "单位数": 1,
        "年度整体绩效目标": "目标",
        "整体绩效目标完成情况": "完成",
        "未完成原因及改进措施": "无",
    }
    doc["budget"] = {k: "0" for k in doc["budget"]}
    data.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    form = tmp_path / "form.xlsx"
    ok(["import", data, "-o", form, "--framework", custom])
    return form


def ok(args: list[str | Path]) -> str:
    run = run_cli(args)
    assert run.exit_code == 0, run.output
    return run.stdout


def test_every_command_takes_the_framework_file(tmp_path: Path, custom: Path) -> None:
    form = filled(tmp_path, custom)
    assert ok(["check", form, "--framework", custom]).splitlines()[-1] == (
        f"{form}: 总分 99.5，等级 优；错误 0，警告 0，提示 1"
    )
    doc = json.loads(ok(["check", form, "--json", "--framework", custom]))
    assert (doc["framework"], doc["total"]) == ("zc-2023", "99.5")
    calculated = tmp_path / "calculated.xlsx"
    ok(["calc", form, "-o", calculated, "--framework", custom])
    assert openpyxl.load_workbook(calculated)["基本情况"]["B18"].value == 99.5
    reported = tmp_path / "reported.xlsx"
    ok(["report", calculated, "-o", reported, "--framework", custom])
    texts = [c for row in openpyxl.load_workbook(reported)["自评表"].iter_rows(values_only=True) for c in row]
    assert "未完成原因及改进措施" in texts and "绩效自评质量" in texts
    again = tmp_path / "again.json"
    ok(["export", reported, "-o", again, "--framework", custom])
    assert json.loads(again.read_text("utf-8"))["framework"] == "zc-2023"


def test_without_the_option_the_id_is_unknown_and_both_ways_are_named(tmp_path: Path, custom: Path) -> None:
    form = filled(tmp_path, custom)
    before = digest(form)
    for command in (["check"], ["calc"], ["export"], ["report"]):
        run = run_cli([*command, form])
        assert run.exit_code == 2, command
        line = run.stderr.strip()
        assert line.startswith(f"perfscore: {form}: 未知的指标体系 “zc-2023”"), line
        assert "PERFSCORE_FRAMEWORKS" in line and "--framework 文件.toml" in line, line
    assert digest(form) == before
    run = run_cli(["import", tmp_path / "data.json", "-o", tmp_path / "x.xlsx"])
    assert run.exit_code == 2 and "未知的指标体系 “zc-2023”" in run.stderr


def test_the_configured_folder_works_too(
    tmp_path: Path, custom: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = filled(tmp_path, custom)
    folder = tmp_path / "frameworks"
    folder.mkdir()
    shutil.copy(custom, folder / "zc-2023.toml")
    monkeypatch.setenv(frameworks.FRAMEWORKS_ENV, str(folder))
    assert ok(["check", form]).splitlines()[-1].endswith("总分 99.5，等级 优；错误 0，警告 0，提示 1")


def test_a_framework_of_another_id_is_refused(tmp_path: Path, custom: Path) -> None:
    form = filled(tmp_path, custom)
    before = digest(form)
    for command in (["check"], ["calc"], ["export"], ["report"]):
        run = run_cli([*command, form, "--framework", SHIPPED])
        assert run.exit_code == 2
        assert run.stderr.strip() == (
            f"perfscore: {form}: 此表单由指标体系 “zc-2023” 生成，而指定的指标体系是 “{SHIPPED}”"
            f"（{SHIPPED}.toml）；请指定生成该表单所用的指标体系"
        )
    assert digest(form) == before
    run = run_cli(["import", tmp_path / "data.json", "-o", tmp_path / "x.xlsx", "--framework", SHIPPED])
    assert run.exit_code == 2
    assert run.stderr.strip() == (
        f"perfscore: {tmp_path / 'data.json'}: framework: 数据属于指标体系 “zc-2023”，而 --framework 指定的是 "
        f"“{SHIPPED}”（{SHIPPED}.toml）；请指定该数据所用的指标体系"
    )
    assert not (tmp_path / "x.xlsx").exists()


def test_a_missing_or_broken_framework_file(tmp_path: Path) -> None:
    form = tmp_path / "f.xlsx"
    ok(["new", "-o", form])
    run = run_cli(["check", form, "--framework", tmp_path / "nope.toml"])
    assert run.exit_code == 2 and "nope.toml" in run.stderr and "不存在" in run.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text('id = "x"\n', "utf-8")
    run = run_cli(["calc", form, "--framework", broken])
    assert run.exit_code == 2 and str(broken) in run.stderr
