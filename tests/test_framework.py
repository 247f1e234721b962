"""Framework files: the shipped seed framework and the validation of broken ones."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from perfscore.engine import framework
from perfscore.errors import FrameworkError, UnknownFrameworkError

SEED_TEXT = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_f2d04014988fe795.txt"


def test_seed_framework_structure(fw: framework.Framework) -> None:
    assert fw.id == "gz-dept-overall-2022"
    assert fw.total_weight == 100
    assert [(r.name, r.weight) for r in fw.roots] == [("履职效能", 50), ("管理效率", 50)]
    l2 = [(n.name, n.weight) for n in fw.walk() if n.level == 2]
    assert l2 == [
        ("整体效能", 50), ("预算编制", 3), ("预算执行", 4), ("信息公开", 4),
        ("绩效管理", 15), ("采购管理", 10), ("资产管理", 10), ("运行成本", 4),
    ]  # fmt: skip
    assert len(fw.leaves()) == 26
    assert fw.by_id["2.5.2"].weight == Decimal("1.5")
    assert fw.by_id["2.5.2"].placeholder
    assert "待" in fw.by_id["2.5.2"].name  # a marked placeholder, not an official-looking name
    assert [leaf.id for leaf in fw.leaves() if leaf.rule] == ["1.1.3", "2.5.7"]


@pytest.mark.skipif(not SEED_TEXT.exists(), reason="the shared seed is beside the repository in CI")
def test_explanations_are_copied_from_the_seed(fw: framework.Framework) -> None:
    """Every name and 指标解释 occurs in the published form (ignoring the PDF's line breaks)."""
    published = "".join(SEED_TEXT.read_text("utf-8").split())
    for leaf in fw.leaves():
        if leaf.placeholder:
            continue
        assert "".join(leaf.name.split()) in published, leaf.id
        assert "".join(leaf.explanation.split()) in published, leaf.id


def test_grades_and_line(fw: framework.Framework) -> None:
    cases = {
        "100": "优",
        "90": "优",
        "89.99": "良",
        "80": "良",
        "79.99": "中",
        "60": "中",
        "59.99": "差",
        "0": "差",
    }
    for total, grade in cases.items():
        assert fw.grade(Decimal(total)) == grade, total
    assert fw.grade_line("优").startswith("☑优 90分≤得分≤100分；□良")
    assert fw.grade_line("差").endswith("☑差 得分＜60分")


def test_unknown_framework() -> None:
    with pytest.raises(UnknownFrameworkError, match="未知的指标体系"):
        framework.load("no-such-framework")


MINIMAL = """
id = "t"
title = "测试表"
years = [2022, 2022]
[[bands]]
grade = "优"
min = "90"
[[bands]]
grade = "差"
min = "0"
[[indicators]]
id = "1"
name = "甲"
weight = "100"
[[indicators]]
id = "1.1"
name = "乙"
weight = "100"
[[indicators]]
id = "1.1.1"
name = "丙"
weight = "60"
[[indicators]]
id = "1.1.2"
name = "丁"
weight = "40"
"""


def test_minimal_framework_loads() -> None:
    fw = framework.parse(MINIMAL.encode())
    assert [leaf.id for leaf in fw.leaves()] == ["1.1.1", "1.1.2"]


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (
            ('weight = "40"', 'weight = "30"'),
            "broken.toml:18: indicators[1] (id='1.1'): 下级指标分值合计为 90，与本级分值 100 不一致",
        ),
        (
            ('name = "甲"\nweight = "100"', 'name = "甲"\nweight = "90"'),
            "broken.toml:14: indicators[0] (id='1'): 下级指标分值合计为 100，与本级分值 90 不一致",
        ),
        (('id = "1.1.2"', 'id = "1.1.1"'), "broken.toml:24: indicators[3] (id='1.1.1'): id 重复"),
        (
            ('id = "1.1.2"', 'id = "1.1.3"'),
            "broken.toml:24: indicators[3] (id='1.1.3'): 编号应为 1.1.2（同级编号从 1 连续递增）",
        ),
        (
            ('id = "1.1.2"', 'id = "1.2.1"'),
            "broken.toml:24: indicators[3] (id='1.2.1'): 上级指标 1.2 必须写在它之前",
        ),
        (('min = "90"', 'min = "-1"'), "broken.toml:7: bands[0]: “min” 必须是非负数：'-1'"),
        (('min = "0"', 'min = "95"'), "broken.toml:10: bands (优, 差): 等级下限必须从高到低严格递减"),
        (
            ('weight = "60"', "weight = 60.5"),
            "broken.toml:22: indicators[2] (id='1.1.1'): “weight” 必须是数字文本，如 \"1.5\"（避免二进制浮点）",
        ),
        (
            ("years = [2022, 2022]", "years = [2023, 2022]"),
            "broken.toml:4: years: 必须是 [起始年度, 截止年度]，如 [2022, 2022]",
        ),
        (('name = "丙"', 'name = ""'), "broken.toml:21: indicators[2] (id='1.1.1'): “name” 必须是非空文本"),
    ],
)
def test_broken_frameworks_name_file_line_and_entry(edit: tuple[str, str], error: str) -> None:
    """The first problem, with the file, line and entry (every message: tests/test_framework_file.py)."""
    text = MINIMAL.replace(*edit, 1)
    assert text != MINIMAL
    with pytest.raises(FrameworkError) as err:
        framework.parse(text.encode(), source="broken.toml")
    assert str(err.value) == error


def test_total_must_be_100() -> None:
    text = MINIMAL.replace('weight = "100"', 'weight = "90"').replace('weight = "60"', 'weight = "50"')
    with pytest.raises(FrameworkError) as err:
        framework.parse(text.encode(), source="x.toml")
    assert str(err.value) == "x.toml:11: indicators: 一级指标分值合计为 90，应为 100"


def test_not_toml() -> None:
    with pytest.raises(FrameworkError) as err:
        framework.parse(b"id = ", source="x.toml")
    assert str(err.value) == "x.toml: 不是有效的 UTF-8 TOML 文件：Invalid value (at end of document)"


def test_load_from_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL, "utf-8")
    assert framework.load(path).id == "t"
    with pytest.raises(FrameworkError, match=r"missing\.toml: 文件不存在；请检查文件名和路径"):
        framework.load(tmp_path / "missing.toml")


def test_ids_from_files_are_never_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t.toml").write_text(MINIMAL, "utf-8")
    for hostile in (str(tmp_path / "t.toml"), "../t", "t/../t", ""):
        with pytest.raises(UnknownFrameworkError):
            framework.load_by_id(hostile)
    with pytest.raises(UnknownFrameworkError, match="PERFSCORE_FRAMEWORKS"):
        framework.load_by_id("t")
    monkeypatch.setenv(framework.FRAMEWORKS_ENV, str(tmp_path))
    assert framework.load_by_id("t").id == "t"


def test_a_framework_folder_file_must_carry_its_own_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "other.toml").write_text(MINIMAL, "utf-8")  # its id is "t"
    monkeypatch.setenv(framework.FRAMEWORKS_ENV, str(tmp_path))
    with pytest.raises(UnknownFrameworkError):
        framework.load_by_id("other")
