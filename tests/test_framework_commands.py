"""``perfscore framework list/show/validate/copy/diff`` on the shipped framework, variants and broken files."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from perfscore.engine import framework as frameworks
from perfscore.engine.framework_diff import diff

from .xlsx_helpers import run_cli

SHIPPED = "gz-dept-overall-2022"


def shipped_text() -> str:
    return (resources.files("perfscore") / "frameworks" / f"{SHIPPED}.toml").read_text("utf-8")


def variant(folder: Path, fid: str, *edits: Callable[[str], str], name: str | None = None) -> Path:
    """The shipped framework text with a new id and ``edits`` applied, written to ``folder``."""
    text = shipped_text().replace(f'id = "{SHIPPED}"', f'id = "{fid}"', 1)
    for edit in edits:
        text = edit(text)
    path = folder / (name or f"{fid}.toml")
    path.write_text(text, "utf-8")
    return path


def replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return edit


def insert_before(anchor: str, block: str) -> Callable[[str], str]:
    return replace(anchor, block + anchor)


def indicator(iid: str, name: str, weight: str) -> str:
    return f'[[indicators]]\nid = "{iid}"\nname = "{name}"\nweight = "{weight}"\n\n'


def block(iid: str) -> str:
    """The shipped file's ``[[indicators]]`` entry of ``iid``, up to the next entry."""
    match = re.search(
        rf'\[\[indicators\]\]\nid = "{re.escape(iid)}"\n.*?(?=\[\[indicators\]\])', shipped_text(), re.S
    )
    assert match is not None, iid
    return match.group(0)


def renumber(iid: str, new: str) -> Callable[[str], str]:
    return replace(block(iid), block(iid).replace(f'id = "{iid}"', f'id = "{new}"'))


# ------------------------------------------------------------------------------------------ list


def test_list_shows_shipped_and_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "fw"
    folder.mkdir()
    good = variant(folder, "zc-2023", replace("years = [2022, 2022]", "years = [2023, 2024]"))
    variant(folder, "other-id", name="wrong-name.toml")
    (folder / "broken.toml").write_text('id = "broken"\n', "utf-8")
    monkeypatch.setenv(frameworks.FRAMEWORKS_ENV, os.pathsep.join([str(folder), str(tmp_path / "gone")]))
    run = run_cli(["framework", "list"])
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    assert lines[:3] == [
        f"{SHIPPED}  部门整体支出绩效自评表（2022）  内置",
        "mof-project-2020  项目支出绩效自评表（2020–2099）  内置",
        "sc-project-2023  项目支出绩效自评表（2023–2099）  内置",
    ]
    lines = lines[:1] + lines[3:]
    assert lines[1].startswith(f"broken  {folder / 'broken.toml'}  ⚠ 无法使用：")
    assert lines[2] == (
        f"other-id  部门整体支出绩效自评表（2022）  {folder / 'wrong-name.toml'}"
        "  ⚠ 文件名应为 other-id.toml（表单按编号查找“<编号>.toml”）"
    )
    assert lines[3] == f"zc-2023  部门整体支出绩效自评表（2023–2024）  {good}"
    assert lines[4] == f"{tmp_path / 'gone'}  ⚠ 文件夹不存在"
    assert lines[5].startswith("自定义指标体系：在命令中用 --framework 文件.toml")
    assert len(lines) == 6
    doc = json.loads(run_cli(["framework", "list", "--json"]).stdout)
    assert doc[0] == {
        "id": SHIPPED,
        "title": "部门整体支出绩效自评表",
        "years": [2022, 2022],
        "origin": "shipped",
        "file": None,
        "problem": None,
    }
    assert [(d["id"], d["origin"], d["problem"] is None) for d in doc] == [
        (SHIPPED, "shipped", True),
        ("mof-project-2020", "shipped", True),
        ("sc-project-2023", "shipped", True),
        ("broken", "configured", False),
        ("other-id", "configured", False),
        ("zc-2023", "configured", True),
        ("", "configured", False),
    ]


# ------------------------------------------------------------------------------------------ show


def test_show_prints_the_tree() -> None:
    run = run_cli(["framework", "show", SHIPPED])
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    assert lines[:8] == [
        f"{SHIPPED}  部门整体支出绩效自评表（广州市增城区，2022，版本 1）",
        f"文件：内置（取得可修改的副本：perfscore framework copy {SHIPPED} -o 文件.toml）",
        "表头字段：单位数（整数）、年度整体绩效目标（文本）、整体绩效目标完成情况（文本）、未能完成原因（文本）",
        "预算字段（万元）：总预算、基本支出、项目支出、专项资金、其他事业发展支出、区本级资金、对下转移支付",
        "预算核对：总预算 = 基本支出 + 项目支出；事业发展支出：专项资金 + 其他事业发展支出 = 区本级资金 + 对下转移支付",
        "评价等级：优 ≥ 90、良 ≥ 80、中 ≥ 60、差 ≥ 0",
        "工作表：每个一级指标一个（履职效能、管理效率）",
        "指标（分值合计 100，末级指标 26 项）：",
    ]
    tree = lines[8:]
    assert len(tree) == 2 + 8 + 26  # 一级, 二级, 三级
    assert tree[:5] == [
        "1 履职效能  50",
        "  1.1 整体效能  50",
        "    1.1.1 部门整体绩效目标产出指标完成情况  20",
        "    1.1.2 部门整体绩效目标效益指标完成情况  20",
        "    1.1.3 部门预算资金支出率  10  参考计分：分值 × 年度平均执行率",
    ]
    assert "    2.5.2 〔名称待补〕采购管理第2项  1.5  （名称待补）" in tree
    assert "    2.5.1 采购意向公开合规性  0.5" in tree


def test_show_json_and_a_file(tmp_path: Path) -> None:
    path = variant(tmp_path, "zc-2023")
    doc = json.loads(run_cli(["framework", "show", str(path), "--json"]).stdout)
    assert doc["id"] == "zc-2023" and doc["file"] == str(path)
    assert doc["total_weight"] == "100" and doc["leaves"] == 26
    assert doc["sheets"] == ["履职效能", "管理效率"]
    assert doc["header"][0] == {"key": "单位数", "kind": "integer"}
    assert doc["bands"][0] == {"grade": "优", "min": "90", "label": "90分≤得分≤100分"}
    leaf = doc["indicators"][0]["children"][0]["children"][2]
    assert leaf == {
        "id": "1.1.3",
        "name": "部门预算资金支出率",
        "weight": "10",
        "explanation": "反映部门预算资金支出进度。",
        "rule": "rate",
        "rule_input": "年度平均执行率",
    }


def test_show_unknown_id_names_both_ways() -> None:
    run = run_cli(["framework", "show", "nope-2030"])
    assert run.exit_code == 2
    assert "未知的指标体系 “nope-2030”" in run.stderr
    assert "PERFSCORE_FRAMEWORKS" in run.stderr and "--framework" in run.stderr


# -------------------------------------------------------------------------------------- validate


def test_validate_clean_and_broken(tmp_path: Path) -> None:
    good = variant(tmp_path, "zc-2023")
    bad = variant(
        tmp_path,
        "zc-bad",
        replace('name = "结转结余率"\nweight = "2"', 'name = "结转结余率"\nwieght = "2"'),
        replace('name = "资产盘点情况"\nweight = "1"', 'name = "资产盘点情况"\nweight = "x"'),
    )
    run = run_cli(["framework", "validate", str(good), str(bad)])
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert lines[0] == f"{good}: 没有问题（zc-2023，部门整体支出绩效自评表，末级指标 26 项）"
    text = bad.read_text("utf-8").splitlines()
    typo = text.index('wieght = "2"') + 1
    word = text.index('weight = "x"') + 1
    assert lines[1].startswith(f"{bad}:{typo}: ") and "“wieght”" in lines[1] and "“weight”" in lines[1]
    assert any(line.startswith(f"{bad}:{word}: ") and "“weight”" in line for line in lines[2:])
    assert run.stderr.startswith("perfscore: 1 个文件共 ")
    doc = json.loads(run_cli(["framework", "validate", str(bad), "--json"]).stdout)
    assert doc[str(bad)][0]["line"] == typo


def test_validate_missing_file(tmp_path: Path) -> None:
    run = run_cli(["framework", "validate", str(tmp_path / "nope.toml")])
    assert run.exit_code == 1
    assert run.stdout.startswith(f"{tmp_path / 'nope.toml'}") and "不存在" in run.stdout


# ------------------------------------------------------------------------------------------ copy


def test_copy_gives_a_commented_file_with_its_own_id(tmp_path: Path) -> None:
    out = tmp_path / "zc-2023.toml"
    run = run_cli(["framework", "copy", SHIPPED, "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert run.stdout == f"已复制 {SHIPPED} → {out}（编号 zc-2023）\n"
    text = out.read_text("utf-8")
    assert text.startswith("# 由 perfscore ")
    assert "# 修改后检查：perfscore framework validate zc-2023.toml\n" in text
    assert "# Indicators: dotted id = position" in text
    fw = frameworks.load(out)
    assert fw.id == "zc-2023"
    assert diff(frameworks.load(SHIPPED), fw) == []
    assert run_cli(["framework", "validate", str(out)]).exit_code == 0
    again = run_cli(["framework", "copy", SHIPPED, "-o", str(out)])
    assert again.exit_code == 2 and "文件已存在" in again.stderr
    assert out.read_text("utf-8") == text


@pytest.mark.parametrize(
    ("name", "extra", "message"),
    [
        ("某区2023.toml", [], "编号 “某区2023” 不可用"),
        (f"{SHIPPED}.toml", [], f"编号 “{SHIPPED}” 与内置指标体系相同"),
        ("x.txt", [], "指标体系文件名须以 .toml 结尾"),
        ("x.toml", ["--id", "a b"], "编号 “a b” 不可用"),
    ],
)
def test_copy_refuses_an_unusable_id(tmp_path: Path, name: str, extra: list[str], message: str) -> None:
    run = run_cli(["framework", "copy", SHIPPED, "-o", str(tmp_path / name), *extra])
    assert run.exit_code == 2 and message in run.stderr, run.stderr
    assert list(tmp_path.iterdir()) == []


def test_copy_with_id_option(tmp_path: Path) -> None:
    out = tmp_path / "某区2023.toml"
    assert run_cli(["framework", "copy", SHIPPED, "-o", str(out), "--id", "mq-2023"]).exit_code == 0
    assert frameworks.load(out).id == "mq-2023"


# ------------------------------------------------------------------------------------------ diff


def texts(a: Path | str, b: Path | str) -> list[str]:
    run = run_cli(["framework", "diff", str(a), str(b)])
    assert run.exit_code == 0, run.output
    return run.stdout.splitlines()


def test_diff_of_a_copy_is_empty(tmp_path: Path) -> None:
    assert texts(SHIPPED, variant(tmp_path, "same")) == [f"{SHIPPED} → same：没有改动"]


def test_diff_lists_exactly_the_changes(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        "zc-2023",
        replace("years = [2022, 2022]", "years = [2023, 2023]"),
        replace('title = "部门整体支出绩效自评表"', 'title = "部门整体支出绩效自评表（2023版）"'),
        replace('key = "未能完成原因"', 'key = "未完成原因及改进措施"'),
        replace(
            '"其他事业发展支出", "区本级资金", "对下转移支付"]',
            '"其他事业发展支出", "区本级资金", "对下转移支付", "上年结转"]',
        ),
        replace('name = "绩效管理制度执行"\nweight = "7"', 'name = "绩效管理制度执行"\nweight = "5"'),
        insert_before('[[indicators]]\nid = "2.5"\n', indicator("2.4.4", "绩效自评质量", "2")),
        replace('name = "资产盘点情况"', 'name = "资产清查盘点情况"'),
        replace('rule = "rate"\nrule_input = "年度平均执行率"\n', ""),
        replace('grade = "良"\nmin = "80"', 'grade = "良"\nmin = "85"'),
    )
    assert texts(SHIPPED, path) == [
        "标题：部门整体支出绩效自评表 → 部门整体支出绩效自评表（2023版）",
        "适用年度：2022 → 2023",
        "表头字段改名：“未能完成原因” → “未完成原因及改进措施”",
        "新增预算字段 “上年结转”",
        "评价等级：优≥90、良≥80、中≥60、差≥0 → 优≥90、良≥85、中≥60、差≥0",
        "参考计分规则 1.1.3 部门预算资金支出率：rate（年度平均执行率） → 无",
        "分值 2.4.3 绩效管理制度执行：7 → 5",
        "新增 2.4.4 绩效自评质量（分值 2）",
        "改名 2.6.3：资产盘点情况 → 资产清查盘点情况",
        f"{SHIPPED} → zc-2023：9 处改动",
    ]


def test_diff_insertion_renumbers_and_a_move(tmp_path: Path) -> None:
    """A 三级 inserted at the top of 2.2 renumbers its siblings; one moved to 2.3 is a move."""
    path = variant(
        tmp_path,
        "v",
        renumber("2.2.2", "2.2.3"),
        renumber("2.2.1", "2.2.2"),
        insert_before('[[indicators]]\nid = "2.2.2"\n', indicator("2.2.1", "预算调整率", "0")),
    )
    assert texts(SHIPPED, path) == [
        "新增 2.2.1 预算调整率（分值 0）",
        "编号 2.2.1 → 2.2.2 结转结余率",
        "编号 2.2.2 → 2.2.3 财务管理合规性",
        f"{SHIPPED} → v：3 处改动",
    ]
    moved = variant(
        tmp_path,
        "m",
        replace('name = "预算执行"\nweight = "4"', 'name = "预算执行"\nweight = "2"'),
        replace(block("2.2.2"), ""),
        replace('name = "信息公开"\nweight = "4"', 'name = "信息公开"\nweight = "6"'),
        insert_before('[[indicators]]\nid = "2.4"\n', block("2.2.2").replace('id = "2.2.2"', 'id = "2.3.3"')),
    )
    assert texts(SHIPPED, moved) == [
        "分值 2.2 预算执行：4 → 2",
        "分值 2.3 信息公开：4 → 6",
        "移动 2.2.2 → 2.3.3 财务管理合规性",
        f"{SHIPPED} → m：3 处改动",
    ]


def test_diff_json(tmp_path: Path) -> None:
    path = variant(tmp_path, "zc", replace('name = "资产盘点情况"', 'name = "资产清查"'))
    doc = json.loads(run_cli(["framework", "diff", SHIPPED, str(path), "--json"]).stdout)
    assert doc == {
        "a": SHIPPED,
        "b": "zc",
        "changes": [{"kind": "renamed", "id": "2.6.3", "text": "改名 2.6.3：资产盘点情况 → 资产清查"}],
    }


@pytest.mark.parametrize("group", ["framework", "template"])
def test_a_group_without_a_command_shows_its_help(group: str) -> None:
    top = run_cli([])
    run = run_cli([group])
    assert run.exit_code == top.exit_code  # (click shows it on stderr, as for perfscore alone)
    assert bool(run.stdout) == bool(top.stdout) and bool(run.stderr) == bool(top.stderr)
    assert (run.stdout + run.stderr).startswith(f"Usage: perfscore {group} [OPTIONS] COMMAND [ARGS]...\n")
