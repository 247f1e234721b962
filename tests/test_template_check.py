"""Checking report templates: every problem with its cell, in Chinese; templates that follow the framework."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfscore.engine import layout as L
from perfscore.engine.framework import Framework
from perfscore.errors import ReportTemplateError
from perfscore.report.context import build_context
from perfscore.report.context_names import CONTEXT
from perfscore.report.render import render
from perfscore.report.template import load_template, template_name
from perfscore.report.template_check import TemplateProblem, check_template, sample_result, sample_submission
from perfscore.report.workbook import default_template, render_report, write_report
from perfscore.resources import templates_dir
from tests.conftest import evaluate, load_fw
from tests.test_report import build, pages, pdftotext, squash, tiny_template
from tests.test_report_context import BUDGET_RENAMES, HEADER_RENAME, other_framework

SHIPPED = ("report.xlsx", "report-simple.xlsx")
CONTEXT_NAMES = "、".join(c.name for c in CONTEXT)
ROW_KEYS = (
    "id、l1_id、l1_name、l1_weight、l1_score、l2_id、l2_name、l2_weight、l2_score、name、weight、explanation、"
    "score、full_mark、reason、measure、placeholder、sheet、cell"
)
HEADER_KEYS = "单位数、年度整体绩效目标、整体绩效目标完成情况、未能完成原因"


@pytest.fixture(scope="module")
def other_fw(tmp_path_factory: pytest.TempPathFactory) -> Framework:
    return other_framework(tmp_path_factory.mktemp("other-framework"))


# ------------------------------------------------------------------------------------ shipped templates


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_templates_are_clean_with_the_shipped_framework(name: str) -> None:
    assert check_template(templates_dir() / name) == []


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_templates_are_clean_with_another_framework(name: str, other_fw: Framework) -> None:
    assert check_template(templates_dir() / name, other_fw) == []


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_templates_name_no_field(name: str) -> None:
    """The templates follow the framework: no header or budget field is named in any cell."""
    fw = load_fw()
    ws = load_workbook(templates_dir() / name)["自评表"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    fields = [h.key for h in fw.header] + list(fw.budget_fields)
    assert [(f, t) for t in texts for f in fields if f in t] == []
    assert not any("header[" in t or "budget[" in t for t in texts)
    note = "模板说明：运行 perfscore template docs"
    assert any(t.startswith(f"← {note}") for t in texts)
    if name == "report.xlsx":
        assert ws["K1"].value == "← 模板说明：运行 perfscore template docs；K、L 列是循环标记列，不打印"
        assert "batch(4" in ws["K5"].value and ws["K4"].value == "{% for f in header_fields %}"


def test_the_sample_of_the_shipped_framework_is_the_seed(other_fw: Framework) -> None:
    seed = sample_result(load_fw())
    assert str(seed.total) == "90.77" and seed.form.department.value == "广州市增城区工商业联合会"
    other = sample_result(other_fw)
    assert other.framework is other_fw and other.errors == 0 and other.grade == "优"
    sub = sample_submission(other_fw)
    assert set(sub.header) == {h.key for h in other_fw.header} and set(sub.budget) == set(
        other_fw.budget_fields
    )
    assert set(sub.indicators) == {leaf.id for leaf in other_fw.leaves()}


def test_the_report_of_another_framework_uses_its_fields(other_fw: Framework) -> None:
    sheet = render_report(sample_result(other_fw))
    flat = [v for row in sheet.matrix() for v in row if v is not None]
    assert all(name in flat for name in BUDGET_RENAMES.values())
    assert HEADER_RENAME[1] in flat and HEADER_RENAME[0] not in flat
    assert not any(old in flat for old in BUDGET_RENAMES)


@pytest.mark.libreoffice
def test_the_pdf_of_another_framework_shows_its_fields(tmp_path: Path, other_fw: Framework) -> None:
    form = tmp_path / "other.xlsx"
    build(form, sample_submission(other_fw), other_fw)
    write_report(form, tmp_path / "out.xlsx", pdf=tmp_path / "other.pdf", framework=other_fw)
    text = squash(pdftotext(tmp_path / "other.pdf"))
    for name in [*BUDGET_RENAMES.values(), HEADER_RENAME[1], "示例单位", "年度部门预算情况（万元）"]:
        assert name in text, name
    assert "总预算" not in text and "单位数" not in text.replace("下属单位数", "")
    assert pages(tmp_path / "other.pdf")[0] == 3  # measured: the short sample texts, then the table
    ws = load_workbook(tmp_path / "out.xlsx")[L.REPORT]
    assert ws["A1"].value == "2022年度示例单位部门整体支出绩效自评表"


def test_a_template_naming_fields_fails_for_another_framework(tmp_path: Path, other_fw: Framework) -> None:
    tpl = tiny_template(
        tmp_path / "named.xlsx", {"A1": '{{ header["单位数"] }}', "B1": '{{ budget["专项资金"] }}'}
    )
    assert check_template(tpl) == []
    budget = "、".join(BUDGET_RENAMES.values())
    header = HEADER_KEYS.replace("单位数", "下属单位数", 1)
    assert check_template(tpl, other_fw) == [
        TemplateProblem(str(tpl), "自评表!A1", f"没有名称 “单位数”；最接近的：下属单位数（可用：{header}）"),
        TemplateProblem(
            str(tpl), "自评表!B1", f"没有名称 “专项资金”；最接近的：专项经费、本级资金（可用：{budget}）"
        ),
    ]
    with pytest.raises(ReportTemplateError) as info:
        render(load_template(tpl), build_context(sample_result(other_fw)))
    assert str(info.value) == (
        f"{tpl}: 报表模板单元格 自评表!A1：没有名称 “单位数”；最接近的：下属单位数（可用：{header}）"
    )


# ------------------------------------------------------------------------------------ broken templates

ROWS = {"K1": "{% for row in rows %}", "L1": "{% endfor %}"}


@pytest.mark.parametrize(
    ("cells", "cell", "message"),
    [
        ({"A1": "{{ titel }}"}, "自评表!A1", f"没有名称 “titel”；最接近的：title（可用：{CONTEXT_NAMES}）"),
        ({"A1": "{{ nme }}"}, "自评表!A1", f"没有名称 “nme”（可用：{CONTEXT_NAMES}）"),
        ({**ROWS, "E1": "{{ row.nme }}"}, "自评表!E1", f"没有名称 “nme”；最接近的：name（可用：{ROW_KEYS}）"),
        (
            {**ROWS, "E1": "{{ rw.name }}"},
            "自评表!E1",
            f"没有名称 “rw”；最接近的：row（可用：{CONTEXT_NAMES}、row、loop）",
        ),
        (
            {"K1": "{% for row in rws %}", "L1": "{% endfor %}", "A1": "{{ row.name }}"},
            "自评表!K1",
            f"没有名称 “rws”；最接近的：rows（可用：{CONTEXT_NAMES}）",
        ),
        (
            {"A1": '{{ header["单位"] }}'},
            "自评表!A1",
            f"没有名称 “单位”；最接近的：单位数（可用：{HEADER_KEYS}）",
        ),
        ({"A1": "{{ rows[99].name }}"}, "自评表!A1", "没有第 99 项（列表共 26 项，从 0 数起）"),
        (
            {"A1": "{{ rows.name }}"},
            "自评表!A1",
            "没有名称 “name”：它前面的值是列表，请用 {% for %} 逐项取用",
        ),
        ({"A1": "{{ department.name }}"}, "自评表!A1", "没有名称 “name”：它前面的值是文本，其中没有名称"),
        ({"B2": "{{ title "}, "自评表!B2", "模板语法错误：第 1 行，缺少 “}}”（单元格在此之前就结束了）"),
        ({"B2": "{{ title }"}, "自评表!B2", "模板语法错误：第 1 行，此处不能有 “}”"),
        ({"B2": "x {{ a b }}"}, "自评表!B2", "模板语法错误：第 1 行，此处应为 “}}”，却是 “b”"),
        (
            {"B2": "{{ a b }}"},
            "自评表!B2",
            "模板语法错误：第 1 行，表达式后面多出了内容（两个值之间缺少运算符或 |？）",
        ),
        (
            {"B2": "第一行\n{% if total %}有"},
            "自评表!B2",
            "模板语法错误：第 2 行，“{% if %}” 没有结束：同一单元格中缺少 “{% endif %}”",
        ),
        (
            {"B2": "{% foo %}"},
            "自评表!B2",
            "模板语法错误：第 1 行，不认识的标签 “{% foo %}”（常用的有 if、for、set）",
        ),
        ({"B2": '{{ "abc }}'}, "自评表!B2", '模板语法错误：第 1 行，引号 " 没有配对'),
        (
            {"B2": "{{ total | nmber }}"},
            "自评表!B2",
            "没有过滤器 “nmber”；最接近的：number（perfscore 的过滤器：fmt、number、group、paragraphs，以及 Jinja 自带的过滤器）",
        ),
        (
            {"K2": "{% for line in budget_fields | bach(4) %}", "L2": "{% endfor %}"},
            "自评表!K2",
            "没有过滤器 “bach”；最接近的：batch（perfscore 的过滤器：fmt、number、group、paragraphs，以及 Jinja 自带的过滤器）",
        ),
        (
            {"K2": "{% for x in rows[ %}", "L2": "{% endfor %}"},
            "自评表!K2",
            "循环语法错误：表达式没有写完（单元格在表达式中间结束）",
        ),
        (
            {"A1": "{{ department + 1 }}"},
            "自评表!A1",
            "无法计算：文本与整数不能做 “+” 运算（连接文本请用 ~）",
        ),
        ({"A1": "{{ year + '年' }}"}, "自评表!A1", "无法计算：整数与文本不能做 “+” 运算（连接文本请用 ~）"),
        ({"A1": "{{ total / 0 }}"}, "自评表!A1", "无法计算：除数为零"),
        (
            {"A1": "{{ total | fmt('2') }}"},
            "自评表!A1",
            "fmt 的小数位数应为 0 到 20 的整数，例如 fmt(2)；这里是 “2”",
        ),
        ({"K1": "{% for x in total %}", "L1": "{% endfor %}"}, "自评表!K1", "循环的对象不是列表（是数字）"),
        (
            {"A1": "x {{ department.__class__.__mro__ }}"},
            "自评表!A1",
            "安全限制：不允许访问 “__class__”（报表模板在沙箱中运行，不能使用以下划线开头的属性或程序内部的属性）",
        ),
        (
            {"A1": '{% include "x.xlsx" %}'},
            "自评表!A1",
            "报表模板不能引用其他模板（include、import、extends）；请把内容直接写在单元格中",
        ),
        ({"A2": "{% for row in rows %}"}, "自评表!A2", "{% for %} 没有对应的 {% endfor %}"),
        ({"A2": "{% endfor %}"}, "自评表!2", "{% endfor %} 前面没有 {% for %}"),
        ({"A2": "=SUM(1,2)"}, "自评表!A2", "报表模板中不能有公式（报表只写入值）；请改为 {{ … }} 占位符"),
    ],
)
def test_each_problem_in_chinese_with_its_cell(
    tmp_path: Path, cells: dict[str, str], cell: str, message: str
) -> None:
    tpl = tiny_template(tmp_path / "bad.xlsx", cells)
    problems = check_template(tpl)
    assert problems == [TemplateProblem(str(tpl), cell, message)]
    assert str(problems[0]) == f"{tpl}: 单元格 {cell}：{message}"
    # a report stops at the same problem, with the same message
    with pytest.raises(ReportTemplateError) as info:
        render(load_template(tpl), build_context(evaluate()))
    assert str(info.value) == f"{tpl}: 报表模板单元格 {cell}：{message}"
    assert not re.search(r"[A-Za-z]+(Error|Exception)\b|Undefined|jinja2", str(info.value))


def test_every_problem_of_a_template_is_listed(tmp_path: Path) -> None:
    """Two, then many problems in one template: all of them, in sheet order, each once."""
    tpl = tiny_template(
        tmp_path / "two.xlsx",
        {"A1": "{{ title }", "A2": "{{ department + 1 }}"},
    )
    assert [(p.cell, p.message) for p in check_template(tpl)] == [
        ("自评表!A1", "模板语法错误：第 1 行，此处不能有 “}”"),
        ("自评表!A2", "无法计算：文本与整数不能做 “+” 运算（连接文本请用 ~）"),
    ]
    many = tiny_template(
        tmp_path / "many.xlsx",
        {
            "A1": "{{ nme }}",  # unknown name at top level
            "B1": "{{ title ",  # syntax
            "A2": "{{ row.nme }}", "B2": "{{ row.score + 'x' }}", "C2": "{{ row.name }}",  # in a block of 26 rows
            "K2": "{% for row in rows %}", "L2": "{% endfor %}",
            "A3": "{{ line.name }}",  # a loop over an unknown list
            "K3": "{% for line in budget_feilds %}", "L3": "{% endfor %}",
            "A4": "{{ line }}",  # the block that prints only for a failing form is checked too
            "K4": "{% for line in check_lines %}", "L4": "{% endfor %}",
            "A5": "{{ year + 1 }}",  # fine
            "A6": "{{ department + 1 }}",  # type
        },
    )  # fmt: skip
    problems = check_template(many)
    assert [p.cell for p in problems] == [
        "自评表!B1",
        "自评表!A1",
        "自评表!A2",
        "自评表!B2",
        "自评表!K3",
        "自评表!A6",
    ]
    messages = {p.cell: p.message for p in problems}
    assert messages["自评表!A2"].startswith("没有名称 “nme”；最接近的：name（可用：id、")
    assert messages["自评表!B2"] == "无法计算：数字与文本不能做 “+” 运算（连接文本请用 ~）"
    assert messages["自评表!K3"].startswith("没有名称 “budget_feilds”；最接近的：budget_fields（可用：")
    # the report stops at the first (compiling comes first)
    with pytest.raises(ReportTemplateError, match=re.escape("报表模板单元格 自评表!B1：模板语法错误")):
        load_template(many)


def test_a_file_that_is_no_template(tmp_path: Path) -> None:
    bad = tmp_path / "not.xlsx"
    bad.write_text("a,b\n1,2\n", "utf-8")
    [problem] = check_template(bad)
    assert problem.file == str(bad) and problem.cell == "" and str(problem).startswith(f"{bad}: ")


def test_a_shipped_template_is_named_without_its_folder() -> None:
    assert template_name(default_template()) == "report.xlsx（内置模板）"
    assert template_name(templates_dir() / "report-simple.xlsx") == "report-simple.xlsx（内置模板）"
    ctx = build_context(evaluate())
    del ctx["budget_fields"]
    with pytest.raises(ReportTemplateError) as info:
        render(load_template(default_template()), ctx)
    message = str(info.value)
    assert message.startswith("report.xlsx（内置模板）: 报表模板单元格 自评表!K5：没有名称 “budget_fields”")
    assert str(templates_dir()) not in message and "site-packages" not in message


def test_a_users_template_is_named_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    tiny_template(tmp_path / "mine.xlsx", {"A1": "{{ nme }}"})
    [problem] = check_template(Path("mine.xlsx"))
    assert problem.file == "mine.xlsx" and str(problem).startswith(
        "mine.xlsx: 单元格 自评表!A1：没有名称 “nme”"
    )


# ------------------------------------------------------------------------------------ old templates


def test_old_style_number_templates_still_render(tmp_path: Path) -> None:
    """A template written for the untyped context (``| number`` everywhere, fields named) renders the
    same values as the typed one."""
    old = tiny_template(
        tmp_path / "old.xlsx",
        {
            "A1": "{{ year }}年度", "B1": '{{ header["单位数"] }}', "C1": '{{ budget["总预算"] }}',
            "D1": "{{ total | number }}", "E1": "{{ total_weight | number }}", "F1": "总分 {{ total }}",
            "A2": "{{ row.l1_weight | number | group(row.l1_id) }}", "B2": "{{ row.score | number }}",
            "C2": "{{ row.weight | number }}", "K2": "{% for row in rows %}", "L2": "{% endfor %}",
        },
    )  # fmt: skip
    new = tiny_template(
        tmp_path / "new.xlsx",
        {
            "A1": "{{ year }}年度", "B1": "{{ header_fields[0].value }}", "C1": "{{ budget_fields[0].value }}",
            "D1": "{{ total }}", "E1": "{{ total_weight }}", "F1": "总分 {{ total }}",
            "A2": "{{ row.l1_weight | group(row.l1_id) }}", "B2": "{{ row.score }}",
            "C2": "{{ row.weight }}", "K2": "{% for row in rows %}", "L2": "{% endfor %}",
        },
    )  # fmt: skip
    assert check_template(old) == []
    ctx = build_context(evaluate())
    a, b = render(load_template(old), ctx), render(load_template(new), ctx)
    assert a.matrix() == b.matrix() and a.merges == b.merges
    assert a.matrix()[0] == ["2022年度", 1, Decimal("536.58"), Decimal("90.77"), Decimal("100"), "总分 90.77"]
    # a number typed as text becomes a number with | number, and stays the text typed without it
    typed = build_context(evaluate({("履职效能", "H3"): "12.5"}))
    assert render(load_template(old), typed).matrix()[1][1] == Decimal("12.5")
    assert render(load_template(new), typed).matrix()[1][1] == "12.5"
