"""Framework files checked as a whole: every problem, with its line and entry, in file order.

Each message the checks can give has a broken file here (one edit of :data:`BASE`) with its exact
text, entry and line; then several problems in one file, what is not reported twice, the shipped
framework, the rule against a changed copy of a shipped framework keeping its id, and a fuzz test.
"""

from __future__ import annotations

import ast
import random
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

from perfscore.engine import framework
from perfscore.engine.framework_file import FrameworkProblem, check_file, framework_problems, parse
from perfscore.engine.toml_lines import TomlLines
from perfscore.errors import FrameworkError, UnknownFrameworkError

SHIPPED_ID = "gz-dept-overall-2022"
SHIPPED = (resources.files("perfscore") / "frameworks" / f"{SHIPPED_ID}.toml").read_text("utf-8")
CLASH = (
    f"与内置指标体系 “{SHIPPED_ID}” 同名但内容不同；改动过的指标体系必须换一个 id（如 gz-dept-overall-2023-zc），"
    "否则用它生成的表单会被当作内置体系核算"
)

#: A small valid framework with every table a framework file may have (where they begin: below it).
BASE = """\
id = "t"
version = "1"
title = "测试表"
region = "某区"
years = [2022, 2022]
sheet_level = 1

[[header]]
key = "单位数"
kind = "integer"

[[header]]
key = "年度目标"
kind = "text"

[budget]
unit = "万元"
fields = ["总预算", "基本支出", "项目支出"]

[[budget.identities]]
left = ["总预算"]
right = ["基本支出", "项目支出"]
label = "总预算 = 基本支出 + 项目支出"

[[bands]]
grade = "优"
min = "90"
label = "90分及以上"

[[bands]]
grade = "差"
min = "0"
label = "90分以下"

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
explanation = "丙的解释"
rule = "rate"
rule_input = "执行率"

[[indicators]]
id = "1.1.2"
name = "丁"
weight = "40"
placeholder = true
"""
#  1 id   5 years   8 [[header]] 0   12 [[header]] 1   16 [budget]   20 [[budget.identities]] 0
# 25 [[bands]] 0   30 [[bands]] 1   35 [[indicators]] 0 (1)   40 … 1 (1.1)   45 … 2 (1.1.1)   53 … 3 (1.1.2)

Edit = tuple[str, str]


def edited(text: str, *edits: Edit) -> str:
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def found(text: str, source: str = "t.toml") -> list[tuple[int | None, str, str]]:
    return [(p.line, p.entry, p.message) for p in framework_problems(text.encode(), source)]


def section(start: str, end: str | None = None) -> str:
    """The text of BASE from ``start`` up to ``end`` (or to its end)."""
    begin = BASE.index(start)
    return BASE[begin : BASE.index(end, begin) if end else len(BASE)]


IND = "indicators[2] (id='1.1.1')"
LAST = "indicators[3] (id='1.1.2')"
NUMBER_TEXT = '必须是数字文本，如 "1.5"（避免二进制浮点）'
TOP_KEYS = "kind、id、version、title、region、years、sheet_level、header、budget、bands、indicators"
INDICATOR_KEYS = "id、name、weight、explanation、rule、rule_input、placeholder"

#: One broken file per message: (edits of BASE, line, entry, message) — the only problem found.
CASES: list[tuple[tuple[Edit, ...], int | None, str, str]] = [
    # the top level
    ((('id = "t"', 'id = ""'),), 1, "id", "“id” 必须是非空文本"),
    ((('id = "t"\n', ""),), None, "id", "“id” 必须是非空文本"),
    (
        (('id = "t"', 'id = "某区/2023"'),),
        1,
        "id",
        "编号 “某区/2023” 不可用：只能由字母、数字和“-”“_”“.”组成（不超过 100 个字符），"
        "因为表单按编号查找文件“<编号>.toml”；如 zc-2023",
    ),
    (
        (('id = "t"', 'id = "a..b"'),),
        1,
        "id",
        "编号 “a..b” 不可用：只能由字母、数字和“-”“_”“.”组成（不超过 100 个字符），因为表单按编号查找文件“<编号>.toml”；如 zc-2023",
    ),
    ((('version = "1"', "version = 1.5"),), 2, "version", '“version” 必须是文本或整数，如 "1"'),
    (
        (('id = "t"', 'kind = "item"\nid = "t"'),),
        1,
        "kind",
        "kind 只能是 department / project（部门整体支出 / 项目支出）",
    ),
    ((('title = "测试表"', 'title = " "'),), 3, "title", "“title” 必须是非空文本"),
    ((('region = "某区"', "region = 5"),), 4, "region", "“region” 必须是非空文本"),
    (
        (("years = [2022, 2022]", "years = [2023, 2022]"),),
        5,
        "years",
        "必须是 [起始年度, 截止年度]，如 [2022, 2022]",
    ),
    (
        (("years = [2022, 2022]", "years = [2022]"),),
        5,
        "years",
        "必须是 [起始年度, 截止年度]，如 [2022, 2022]",
    ),
    ((("sheet_level = 1", "sheet_level = 3"),), 6, "sheet_level", "只能是 1（每个一级指标一个工作表）或 2"),
    (
        (("sheet_level = 1", "sheet_level = true"),),
        6,
        "sheet_level",
        "只能是 1（每个一级指标一个工作表）或 2",
    ),
    (
        (("sheet_level = 1", "sheet_level = 1.0"),),
        6,
        "sheet_level",
        "只能是 1（每个一级指标一个工作表）或 2",
    ),
    (
        (("sheet_level = 1", "sheet_level = 2"), (section('[[indicators]]\nid = "1.1.1"'), "")),
        6,
        "sheet_level",
        "工作表层级下没有可评分的指标",
    ),
    ((('region = "某区"', 'regoin = "某区"'),), 4, "", "未知的键 “regoin”；是否应为 “region”？"),
    ((('title = "测试表"', 'titel = "测试表"'),), 3, "", "未知的键 “titel”；是否应为 “title”？"),
    ((("sheet_level = 1", "sheet_level = 1\nfoo = 1"),), 7, "", f"未知的键 “foo”；此处可用的键：{TOP_KEYS}"),
    # [[header]]
    (
        (
            ('[[header]]\nkey = "单位数"', '[header]\nkey = "单位数"'),
            ('[[header]]\nkey = "年度目标"\nkind = "text"\n', "\n\n\n\n"),
        ),
        8,
        "header",
        "必须是表数组，即一个或多个 [[header]] 段",
    ),
    (
        ((section("[[header]]", "[budget]"), 'header = ["单位数", {key = "年度目标"}]\n' + "\n" * 7),),
        8,
        "header[0]",
        "必须是表，即一个 [[header]] 段",
    ),
    ((('kind = "integer"', 'kind = "int"'),), 10, "header[0]", "kind 只能是 text / integer"),
    ((('key = "单位数"', 'key = ""'),), 9, "header[0]", "“key” 必须是非空文本"),
    (
        (('key = "年度目标"', 'key = "单位数"'),),
        13,
        "header[1]",
        "表头字段 “单位数” 重复（与 header[0] 相同）",
    ),
    ((('kind = "text"', 'kinds = "text"'),), 14, "header[1]", "未知的键 “kinds”；是否应为 “kind”？"),
    ((('kind = "text"', 'type = "text"'),), 14, "header[1]", "未知的键 “type”；此处可用的键：key、kind"),
    # [budget]
    (
        (("sheet_level = 1\n", "sheet_level = 1\nbudget = 5\n"), (section("[budget]", "[[bands]]"), "")),
        7,
        "budget",
        "必须是表，即 [budget] 段",
    ),
    ((('unit = "万元"', "unit = 5"),), 17, "budget", "“unit” 必须是非空文本"),
    ((('unit = "万元"', 'units = "万元"'),), 17, "budget", "未知的键 “units”；是否应为 “unit”？"),
    (
        (('fields = ["总预算", "基本支出", "项目支出"]', 'fields = ["总预算", "基本支出", "总预算"]'),),
        18,
        "budget.fields",
        "预算字段必须是互不重复的文本",
    ),
    (
        (('fields = ["总预算", "基本支出", "项目支出"]', 'fields = "总预算"'),),
        18,
        "budget.fields",
        "预算字段必须是互不重复的文本",
    ),
    # [[budget.identities]]
    (
        (("[[budget.identities]]", "[budget.identities]"),),
        20,
        "budget.identities",
        "必须是表数组，即一个或多个 [[budget.identities]] 段",
    ),
    (
        ((section("[[budget.identities]]", "\n[[bands]]"), "identities = [1]\n\n\n"),),
        20,
        "budget.identities[0]",
        "必须是表，即一个 [[budget.identities]] 段",
    ),
    (
        (('left = ["总预算"]', 'left = "总预算"'),),
        21,
        "budget.identities[0]",
        '“left” 必须是预算字段名称的数组，如 ["总预算"]',
    ),
    (
        (('right = ["基本支出", "项目支出"]', 'right = ["基本支出", "其他"]'),),
        22,
        "budget.identities[0]",
        "“其他” 不是预算字段",
    ),
    ((('left = ["总预算"]', "left = []"),), 21, "budget.identities[0]", "left 与 right 都不能为空"),
    (
        (('label = "总预算 = 基本支出 + 项目支出"', "label = 5"),),
        23,
        "budget.identities[0]",
        "“label” 必须是非空文本",
    ),
    (
        (('label = "总预算 = 基本支出 + 项目支出"', 'lable = "x"'),),
        23,
        "budget.identities[0]",
        "未知的键 “lable”；是否应为 “label”？",
    ),
    # [[bands]]
    (((section("[[bands]]", "[[indicators]]"), ""),), None, "bands", "至少需要一个评价等级"),
    (
        (
            ('[[bands]]\ngrade = "优"', '[bands]\ngrade = "优"'),
            ('[[bands]]\ngrade = "差"\nmin = "0"\nlabel = "90分以下"', "\n\n\n"),
        ),
        25,
        "bands",
        "必须是表数组，即一个或多个 [[bands]] 段",
    ),
    ((('grade = "优"', "grade = 1"),), 26, "bands[0]", "“grade” 必须是非空文本"),
    ((('min = "90"', "min = 90.0"),), 27, "bands[0]", f"“min” {NUMBER_TEXT}"),
    ((('min = "90"', 'min = "九十"'),), 27, "bands[0]", "“min” 不是数字：'九十'"),
    ((('min = "0"', 'min = "-1"'),), 32, "bands[1]", "“min” 必须是非负数：'-1'"),
    ((('min = "0"', 'min = "NaN"'),), 32, "bands[1]", "“min” 必须是非负数：'NaN'"),
    ((('label = "90分以下"', "label = false"),), 33, "bands[1]", "“label” 必须是非空文本"),
    ((('min = "90"', 'min = "0"'),), 32, "bands (优, 差)", "等级下限必须从高到低严格递减"),
    ((('min = "0"', 'min = "10"'),), 32, "bands (差)", "最低等级的下限必须为 0"),
    ((('grade = "差"', 'grade = "优"'),), 31, "bands", "等级名称重复"),
    (
        (('label = "90分及以上"', 'label = "90分及以上"\nmax = "100"'),),
        29,
        "bands[0]",
        "未知的键 “max”；此处可用的键：grade、min、label",
    ),
    # [[indicators]]
    (((section("[[indicators]]"), ""),), None, "indicators", "没有指标"),
    (
        (("sheet_level = 1\n", "sheet_level = 1\nindicators = 5\n"), (section("[[indicators]]"), "")),
        7,
        "indicators",
        "必须是表数组，即一个或多个 [[indicators]] 段",
    ),
    (
        (("sheet_level = 1\n", "sheet_level = 1\nindicators = [1]\n"), (section("[[indicators]]"), "")),
        7,
        "indicators[0]",
        "必须是表，即一个 [[indicators]] 段",
    ),
    ((('id = "1.1.1"', 'id = "1.1.a"'),), 46, "indicators[2] (id='1.1.a')", 'id 必须是点分编号，如 "2.5.2"'),
    ((('id = "1.1.1"', "id = 3"),), 46, "indicators[2] (id=3)", 'id 必须是点分编号，如 "2.5.2"'),
    ((('id = "1.1.2"', 'id = "1.1.1"'),), 54, "indicators[3] (id='1.1.1')", "id 重复"),
    (
        (('id = "1.1.2"', 'id = "1.1.3"'),),
        54,
        "indicators[3] (id='1.1.3')",
        "编号应为 1.1.2（同级编号从 1 连续递增）",
    ),
    ((('id = "1.1.2"', 'id = "1.2.1"'),), 54, "indicators[3] (id='1.2.1')", "上级指标 1.2 必须写在它之前"),
    ((('rule = "rate"', 'rule = "ratio"'),), 50, IND, "rule 只能是 rate"),
    (
        (('rule_input = "执行率"', "rule_input = 5"),),
        51,
        IND,
        "有 rule 的指标必须给出 rule_input（参考数据的名称）",
    ),
    ((('rule_input = "执行率"\n', ""),), 50, IND, "有 rule 的指标必须给出 rule_input（参考数据的名称）"),
    ((('name = "丙"', 'name = ""'),), 47, IND, "“name” 必须是非空文本"),
    ((('weight = "60"', "weight = 60.5"),), 48, IND, f"“weight” {NUMBER_TEXT}"),
    ((('weight = "60"', 'weight = "六十"'),), 48, IND, "“weight” 不是数字：'六十'"),
    ((('weight = "60"', 'weight = "-60"'),), 48, IND, "“weight” 必须是非负数：'-60'"),
    ((('explanation = "丙的解释"', 'explanation = ["丙"]'),), 49, IND, "“explanation” 必须是文本"),
    ((("placeholder = true", "rule_input = 5"),), 57, LAST, "“rule_input” 必须是文本"),
    ((("placeholder = true", 'placeholder = "yes"'),), 57, LAST, "“placeholder” 必须是 true 或 false"),
    (
        (('weight = "40"', 'weight = "30"'),),
        43,
        "indicators[1] (id='1.1')",
        "下级指标分值合计为 90，与本级分值 100 不一致",
    ),
    (
        (('name = "乙"', 'name = "乙"\nrule = "rate"\nrule_input = "x"'),),
        43,
        "indicators[1] (id='1.1')",
        "只有末级指标可以有 rule",
    ),
    (
        (('id = "1.1.2"', 'id = "1.2"'), ('name = "乙"\nweight = "100"', 'name = "乙"\nweight = "60"')),
        35,
        "indicators",
        "所有末级指标必须在同一层级（如都为三级指标）",
    ),
    (
        (
            ('name = "甲"\nweight = "100"', 'name = "甲"\nweight = "90"'),
            ('name = "乙"\nweight = "100"', 'name = "乙"\nweight = "90"'),
            ('weight = "60"', 'weight = "50"'),
        ),
        35,
        "indicators",
        "一级指标分值合计为 90，应为 100",
    ),
    ((('weight = "40"', 'wieght = "40"'),), 56, LAST, "未知的键 “wieght”；是否应为 “weight”？"),
    ((('id = "1.1.1"', 'idd = "1.1.1"'),), 46, "indicators[2] (id=None)", "未知的键 “idd”；是否应为 “id”？"),
    ((("placeholder = true", 'note = "x"'),), 57, LAST, f"未知的键 “note”；此处可用的键：{INDICATOR_KEYS}"),
]


def test_the_base_file_is_valid() -> None:
    assert found(BASE) == []
    fw = parse(BASE.encode(), source="t.toml")
    assert [(h.key, h.kind) for h in fw.header] == [("单位数", "integer"), ("年度目标", "text")]
    assert fw.identities[0].label == "总预算 = 基本支出 + 项目支出"
    assert [leaf.id for leaf in fw.leaves()] == ["1.1.1", "1.1.2"]
    assert fw.by_id["1.1.2"].placeholder and fw.by_id["1.1.1"].rule_input == "执行率"


@pytest.mark.parametrize(("edits", "line", "entry", "message"), CASES)
def test_each_problem_with_its_line_and_entry(
    edits: tuple[Edit, ...], line: int | None, entry: str, message: str
) -> None:
    text = edited(BASE, *edits)
    assert found(text) == [(line, entry, message)]
    with pytest.raises(FrameworkError) as err:
        parse(text.encode(), source="t.toml")
    place = "t.toml" if line is None else f"t.toml:{line}"
    assert str(err.value) == ": ".join(p for p in (place, entry, message) if p)
    assert (err.value.path, err.value.entry) == (place, entry or None)


#: The messages tested elsewhere in this file (reading the file, the shipped-id rule).
OTHER_MESSAGES = [
    "不是有效的 UTF-8 TOML 文件：Illegal character",
    "不是可用的 TOML 文件：数组或表嵌套过深",
    "这是一个文件夹，不是指标体系文件；请给出指标体系文件的文件路径",
    "无法读取文件（Permission denied）；请检查文件名和权限",
    CLASH,
]


def message_texts(path: Path) -> set[str]:
    """The fixed parts of the Chinese texts in ``path``'s code (not its docstrings or comments)."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
        and ast.get_docstring(node)
        and isinstance(node.body[0], ast.Expr)
    }
    texts = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    }
    return {text for text in texts if re.search("[\u4e00-\u9fff]", text)}


def test_every_message_has_a_case() -> None:
    """Each message text the checks can give (its fixed parts) is in CASES or tested below."""
    folder = Path(framework.__file__).parent
    texts = (message_texts(folder / "framework_file.py") | message_texts(folder / "framework_checks.py")) - {
        "万元"  # (a default)
    }
    covered = "\n".join([*(message for *_, message in CASES), *OTHER_MESSAGES])
    assert len(texts) > 40
    assert sorted(text for text in texts if text not in covered) == []


def test_a_toml_syntax_error_is_one_problem_with_its_line() -> None:
    text = edited(BASE, ('weight = "60"', 'weight = "60'))
    message = "不是有效的 UTF-8 TOML 文件：Illegal character '\\n' (at line 48, column 13)"
    assert found(text) == [(48, "", message)]
    with pytest.raises(FrameworkError) as err:
        parse(text.encode(), source="t.toml")
    assert str(err.value) == f"t.toml:48: {message}"
    assert found(edited(BASE, ('name = "丁"', 'name = "丁"\nname = "戊"'))) == [
        (56, "", "不是有效的 UTF-8 TOML 文件：Cannot overwrite a value (at line 56, column 11)")
    ]


def test_bytes_that_are_not_utf8_or_not_usable_toml() -> None:
    data = edited(BASE, ('name = "丙"', 'name = "@"')).encode().replace(b"@", b"\xff")
    assert found_bytes(data) == [
        (
            47,
            "",
            "不是有效的 UTF-8 TOML 文件："
            "'utf-8' codec can't decode byte 0xff in position 671: invalid start byte",
        )
    ]
    digits = "9" * 5000
    assert found_bytes(f"id = {digits}\n".encode()) == [
        (
            None,
            "",
            "不是有效的 UTF-8 TOML 文件：Exceeds the limit (4300 digits) for integer string conversion: "
            "value has 5000 digits; use sys.set_int_max_str_digits() to increase the limit",
        )
    ]
    deep = "a = " + "[" * 5000 + "]" * 5000
    assert found_bytes(deep.encode()) == [(None, "", "不是可用的 TOML 文件：数组或表嵌套过深")]


def found_bytes(data: bytes) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.entry, p.message) for p in framework_problems(data, "t.toml")]


def test_several_problems_all_in_file_order() -> None:
    text = edited(
        BASE,
        ('id = "t"\n', ""),  # a missing key has no line: reported first
        ('kind = "text"', 'kind = "txt"'),
        ('label = "总预算 = 基本支出 + 项目支出"', 'lable = "x"'),
        ('min = "90"', 'min = "-90"'),
        ('weight = "60"', "weight = 60"),  # an integer is a number too: not a problem
        ('rule = "rate"', 'rule = "rates"'),
        ('weight = "40"', 'weight = "4O"'),
        ('name = "甲"', 'name = "甲"\nexplain = "x"'),
    )
    problems = framework_problems(text.encode(), "t.toml")
    assert [str(p) for p in problems] == [
        "t.toml: id: “id” 必须是非空文本",
        "t.toml:13: header[1]: kind 只能是 text / integer",
        "t.toml:22: budget.identities[0]: 未知的键 “lable”；是否应为 “label”？",
        "t.toml:26: bands[0]: “min” 必须是非负数：'-90'",
        "t.toml:37: indicators[0] (id='1'): 未知的键 “explain”；是否应为 “explanation”？",
        f"t.toml:50: {IND}: rule 只能是 rate",
        f"t.toml:56: {LAST}: “weight” 不是数字：'4O'",
    ]
    with pytest.raises(FrameworkError) as err:
        parse(text.encode(), source="t.toml")
    assert str(err.value) == str(problems[0])


def test_a_problem_is_not_reported_again_through_what_follows_from_it() -> None:
    # an invalid child weight: no sum check of its parent (nor of the grandparent, nor the total)
    assert found(edited(BASE, ('weight = "40"', 'weight = "4O"'))) == [(56, LAST, "“weight” 不是数字：'4O'")]
    # an invalid root weight: no total
    root = edited(BASE, ('name = "甲"\nweight = "100"', 'name = "甲"\nweight = 100.0'))
    assert found(root) == [(38, "indicators[0] (id='1')", f"“weight” {NUMBER_TEXT}")]
    # a parent whose children do not add up: not again for its own parent, nor the total
    assert found(edited(BASE, ('name = "乙"\nweight = "100"', 'name = "乙"\nweight = "90"'))) == [
        (43, "indicators[1] (id='1.1')", "下级指标分值合计为 100，与本级分值 90 不一致")
    ]
    # an invalid id: its siblings' numbers may skip it, and its parent's sum is not checked
    three = edited(
        BASE,
        ('id = "1.1.1"', 'id = "1.1.x"'),
        (
            "placeholder = true",
            "placeholder = true\n" + ('\n[[indicators]]\nid = "1.1.3"\nname = "戊"\nweight = "1"\n'),
        ),
    )
    assert found(three) == [(46, "indicators[2] (id='1.1.x')", 'id 必须是点分编号，如 "2.5.2"')]
    # a misspelt key: the unknown key only, not the key missing
    assert found(edited(BASE, ('title = "测试表"', 'Title = "测试表"'))) == [
        (3, "", "未知的键 “Title”；是否应为 “title”？")
    ]
    # an indicator whose parent is missing: its own children are not reported again
    orphans = edited(BASE, ('id = "1.1.1"', 'id = "1.2.1"'), ('id = "1.1.2"', 'id = "1.2.1.1"'))
    assert found(orphans) == [(46, "indicators[2] (id='1.2.1')", "上级指标 1.2 必须写在它之前")]
    # budget fields that are invalid: the identities are not checked against them
    fields = edited(BASE, ('fields = ["总预算", "基本支出", "项目支出"]', "fields = 7"))
    assert found(fields) == [(18, "budget.fields", "预算字段必须是互不重复的文本")]


def test_unknown_keys_are_quoted_and_suggested() -> None:
    text = edited(BASE, ('kind = "text"', '"ki\\nd" = "text"'), ('id = "1.1.2"', 'id = "1.1.2"\nNAME = "x"'))
    assert found(text) == [
        (14, "header[1]", "未知的键 “ki\\nd”；是否应为 “kind”？"),
        (55, LAST, "未知的键 “NAME”；是否应为 “name”？"),
    ]


def test_inline_tables_and_arrays_are_located_where_they_can_be() -> None:
    text = edited(
        BASE,
        (
            section("[[header]]", "[budget]"),
            'header = [\n  {key = "单位数"},\n  {key = "x", kind = "y"},\n]\n\n',
        ),
    )
    assert found(text) == [(10, "header[1]", "kind 只能是 text / integer")]
    budget = 'budget = { unit = "万元", fields = ["总预算"], identities = [{ left = ["x"], right = ["总预算"] }] }\n'
    text = edited(
        BASE, ("sheet_level = 1\n", "sheet_level = 1\n" + budget), (section("[budget]", "[[bands]]"), "")
    )
    assert found(text) == [(7, "budget.identities[0]", "“x” 不是预算字段")]


def test_the_line_of_an_indicator_in_the_shipped_framework() -> None:
    text = edited(
        SHIPPED,
        (f'id = "{SHIPPED_ID}"', 'id = "mine"'),
        ('weight = "10"\nexplanation = "反映部门预算', 'weight = 10.0\nexplanation = "反映部门预算'),
    )
    problems = framework_problems(text.encode(), "x.toml")
    assert [str(p) for p in problems] == [f"x.toml:93: indicators[4] (id='1.1.3'): “weight” {NUMBER_TEXT}"]


def test_the_shipped_framework_has_no_problems() -> None:
    assert framework_problems(SHIPPED.encode(), f"{SHIPPED_ID}.toml") == []
    with resources.as_file(resources.files("perfscore") / "frameworks" / f"{SHIPPED_ID}.toml") as path:
        assert check_file(path) == []
        assert framework.load(path).id == SHIPPED_ID


def test_a_changed_copy_of_a_shipped_framework_must_have_its_own_id(tmp_path: Path) -> None:
    changed = edited(SHIPPED, ('name = "资产盘点情况"', 'name = "资产清查情况"'))
    path = tmp_path / "mine.toml"
    path.write_text(changed, "utf-8")
    assert found(changed, str(path)) == [(3, "id", CLASH)]
    assert [str(p) for p in check_file(path)] == [f"{path}:3: id: {CLASH}"]
    with pytest.raises(FrameworkError) as err:
        framework.load(path)
    assert str(err.value) == f"{path}:3: id: {CLASH}"
    # comments and layout are not content; a new id makes it a framework of its own
    same = "# 本区使用\n\n" + SHIPPED.replace('weight = "10"', 'weight   =   "10"  # 分值')
    assert found(same) == []
    renamed = changed.replace(f'id = "{SHIPPED_ID}"', 'id = "gz-dept-overall-2023-zc"')
    path.write_text(renamed, "utf-8")
    assert framework.load(path).by_id["2.6.3"].name == "资产清查情况"
    # without the guard (a shipped file, or one looked up by id) it is the framework it says
    assert parse(changed.encode(), guard_shipped_ids=False).id == SHIPPED_ID


def test_a_changed_copy_in_the_frameworks_folder_is_never_found_by_its_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = edited(SHIPPED, ('name = "资产盘点情况"', 'name = "资产清查情况"'))
    (tmp_path / f"{SHIPPED_ID}.toml").write_text(changed, "utf-8")
    shutil.copy(tmp_path / f"{SHIPPED_ID}.toml", tmp_path / "other.toml")
    monkeypatch.setenv(framework.FRAMEWORKS_ENV, str(tmp_path))
    assert framework.load_by_id(SHIPPED_ID).source == f"{SHIPPED_ID}.toml"  # the shipped one
    with pytest.raises(UnknownFrameworkError):
        framework.load_by_id("other")  # its id is not "other"


def test_check_file_names_a_file_it_cannot_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "missing.toml"
    assert check_file(missing) == [FrameworkProblem(str(missing), None, "", "文件不存在；请检查文件名和路径")]
    assert [str(p) for p in check_file(tmp_path)] == [
        f"{tmp_path}: 这是一个文件夹，不是指标体系文件；请给出指标体系文件的文件路径"
    ]
    path = tmp_path / "t.toml"
    path.write_text(BASE, "utf-8")
    assert check_file(path) == []

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert [str(p) for p in check_file(path)] == [
        f"{path}: 无法读取文件（Permission denied）；请检查文件名和权限"
    ]


def test_a_problem_as_text() -> None:
    assert str(FrameworkProblem("a.toml", 3, "id", "m")) == "a.toml:3: id: m"
    assert str(FrameworkProblem("a.toml", None, "id", "m")) == "a.toml: id: m"
    assert str(FrameworkProblem("a.toml", 3, "", "m")) == "a.toml:3: m"
    assert FrameworkProblem("a.toml", 3, "", "m").place == "a.toml:3"


# ---------------------------------------------------------------------------------- line numbers


TRICKY = '''\
# [[indicators]] in a comment
id = "x"  # weight = 1
"title" = """
[[indicators]]
weight = "1"
"""
years = [
  2022,  # ]
  2022,
]
budget.unit = '万元'
header = [
  {key = "a", kind = "text"},
  {key = "b", kind = "x"},
]
[ budget . "identities" ]
left = ["a"]
[[indicators]]
id = "1"
explanation = \'\'\'
weight = 5
\'\'\'
weight = "2"
[[indicators]]
sub = { a = 1, b = [1, 2] }
weight = 3
[[x.y]]
[[x.y]]
z = 1
'''


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("id",), 2),
        (("title",), 3),
        (("years",), 7),
        (("years", 1), 9),
        (("budget",), 11),
        (("budget", "unit"), 11),
        (("header",), 12),
        (("header", 1), 14),
        (("header", 1, "kind"), 14),
        (("budget", "identities"), 16),
        (("budget", "identities", "left"), 17),
        (("indicators",), 18),
        (("indicators", 0, "explanation"), 20),
        (("indicators", 0, "weight"), 23),
        (("indicators", 0, "name"), 18),  # missing: the line of its table
        (("indicators", 1), 24),
        (("indicators", 1, "sub", "b", 1), 25),
        (("indicators", 1, "weight"), 26),
        (("x", "y", 0), 27),
        (("x", "y", 1, "z"), 29),
        (("region",), None),
    ],
)
def test_toml_lines(path: tuple[str | int, ...], line: int | None) -> None:
    assert not framework_problems(TRICKY.encode(), "t.toml")[0].message.startswith("不是")  # (valid TOML)
    assert TomlLines(TRICKY).line(path) == line
    assert TomlLines(TRICKY.replace("\n", "\r\n")).line(path) == line


def test_toml_lines_never_raise() -> None:
    for text in ("[[a", "a = [1,", 'a = """', "a = {b = ", "= 1", "[a]\nb = 1\n]]", "a = 1 2"):
        lines = TomlLines(text)
        assert lines.line(("a",)) in (None, 1)


# -------------------------------------------------------------------------------------- fuzzing

VALUES = ['5', '"5"', '"-1"', "true", "1.5", "[]", "[1, 2]", '["a", "a"]', "{}", "{ a = 1 }", '""',
          "1979-05-27", '"1e999999"', "[[1]]", '"NaN"', "[2023, 2022]", '"rate"', '"9.9.9"', '"1.1"']  # fmt: skip
TABLES = ["[[indicators]]", "[budget]", "[[bands]]", "[[header]]", "[[budget.identities]]", "[header]", "[x]"]
KEYS = ["wieght", "foo", "nmae", "bands", "header", "indicators", "budget", "id", "weight"]


def mutated(rng: random.Random, lines: list[str]) -> str:
    """The shipped file with 1 to 4 random edits: a line deleted, duplicated, moved, cut short or
    added, a value of another type, a number changed."""
    lines = list(lines)
    for _ in range(rng.randint(1, 4)):
        i, kind = rng.randrange(len(lines)), rng.randrange(8)
        key = re.match(r"^(\S+) = ", lines[i])
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines.insert(i, lines[i])
        elif kind == 2 and key:
            lines[i] = f"{key.group(1)} = {rng.choice(VALUES)}"
        elif kind == 3:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 4:
            lines.insert(i, f"{rng.choice(KEYS)} = {rng.choice(VALUES)}")
        elif kind == 5:
            lines.insert(i, rng.choice(TABLES))
        elif kind == 6:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        elif key:
            lines[i] = lines[i].rstrip('"') + rng.choice(["0", ".5", "x", " ", '1"', '"'])
    return "\n".join(lines)


def test_fuzz_problems_never_raise() -> None:
    rng = random.Random(20220)
    lines = SHIPPED.split("\n")
    seen: set[str] = set()
    for _ in range(300):
        text = mutated(rng, lines)
        for guard in (True, False):
            problems = framework_problems(text.encode(), "f.toml", guard_shipped_ids=guard)
            assert all(p.line is None or 1 <= p.line <= text.count("\n") + 1 for p in problems)
            try:
                parse(text.encode(), source="f.toml", guard_shipped_ids=guard)
            except FrameworkError as err:
                assert problems and str(err) == str(problems[0])
            else:
                assert not problems
            seen.update(p.message[:6] for p in problems)
    assert len(seen) > 20  # the mutations reach many different checks
