"""The report context: typed values, one description (CONTEXT) checked against the code and the guide."""

from __future__ import annotations

import datetime as dt
import importlib.util
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from perfscore.engine import layout as L
from perfscore.engine.framework import Framework, load
from perfscore.report.context import build_context
from perfscore.report.context_names import CONTEXT, RECORDS, ContextName, context_table
from perfscore.report.expressions import compile_cell
from perfscore.report.render import render
from perfscore.report.template import load_template
from perfscore.report.template_check import sample_result
from perfscore.resources import templates_dir
from tests.conftest import evaluate, load_fw
from tests.test_report import tiny_template

REPO = Path(__file__).resolve().parent.parent
BUDGET_RENAMES = {
    "总预算": "预算总额",
    "基本支出": "人员及公用经费",
    "项目支出": "项目经费",
    "专项资金": "专项经费",
    "其他事业发展支出": "其他事业经费",
    "区本级资金": "本级资金",
    "对下转移支付": "转移支付",
}
HEADER_RENAME = ("单位数", "下属单位数")


def other_framework_text() -> str:
    """The shipped framework with another id, other budget field names (identities too) and another
    name for the 单位数 header field."""
    text = (REPO / "perfscore" / "frameworks" / "gz-dept-overall-2022.toml").read_text("utf-8")
    text = text.replace('id = "gz-dept-overall-2022"', 'id = "test-other-fields"')
    lines = []
    for line in text.splitlines(keepends=True):
        for old, new in BUDGET_RENAMES.items():
            # the field lists, the identities' sides and their labels; not the indicators' texts
            line = (
                line.replace(old, new) if line.startswith("label =") else line.replace(f'"{old}"', f'"{new}"')
            )
        lines.append(line)
    old, new = HEADER_RENAME
    return "".join(lines).replace(f'key = "{old}"', f'key = "{new}"')


def other_framework(folder: Path) -> Framework:
    path = folder / "test-other-fields.toml"
    path.write_text(other_framework_text(), "utf-8")
    return load(path)


# ------------------------------------------------------------------------------------ types


def _split(type_text: str) -> list[str]:
    """The alternatives of a union, split at the top-level ``|``."""
    parts, depth, cur = [], 0, ""
    for ch in type_text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "|" and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return [*parts, cur.strip()]


def mismatches(value: Any, type_text: str, where: str) -> list[str]:
    """Where ``value`` is not of the documented ``type_text`` (recursively), as readable lines."""
    for alt in _split(type_text):
        if not _problems(value, alt, where):
            return []
    return [f"{where}: {value!r} is not {type_text}"] + [
        p for alt in _split(type_text) for p in _problems(value, alt, where)
    ]


def _problems(value: Any, t: str, where: str) -> list[str]:
    simple = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: type(v) is int,
        "bool": lambda v: type(v) is bool,
        "Decimal": lambda v: isinstance(v, Decimal),
        "None": lambda v: v is None,
    }
    if t in simple:
        return [] if simple[t](value) else [f"{where}: {value!r} is not {t}"]
    if t.startswith("list[") and t.endswith("]"):
        if not isinstance(value, list):
            return [f"{where}: not a list"]
        inner = t[5:-1]
        out: list[str] = []
        for n, item in enumerate(value):
            out += (
                record_mismatches(item, RECORDS[inner], f"{where}[{n}]")
                if inner in RECORDS
                else mismatches(item, inner, f"{where}[{n}]")
            )
        return out
    if t.startswith("dict[str, ") and t.endswith("]"):
        if not isinstance(value, dict):
            return [f"{where}: not a dict"]
        return [p for k, v in value.items() for p in mismatches(v, t[10:-1], f"{where}[{k!r}]")]
    raise AssertionError(f"unknown type {t!r} in the description")


def record_mismatches(value: Any, fields: tuple[ContextName, ...], where: str) -> list[str]:
    """Every key documented and present, every value of its documented type."""
    if not isinstance(value, dict):
        return [f"{where}: not a dict"]
    documented = [f.name for f in fields]
    out = []
    if set(value) != set(documented):
        out.append(
            f"{where}: undocumented {set(value) - set(documented)}, missing {set(documented) - set(value)}"
        )
    for f in fields:
        if f.name in value:
            out += mismatches(value[f.name], f.type, f"{where}.{f.name}")
    return out


def test_the_description_is_consistent() -> None:
    names = [c.name for c in CONTEXT]
    assert len(names) == len(set(names))
    for c in CONTEXT:
        mismatches(None, c.type, c.name)  # every type parses
        if c.type.startswith("list[") and c.type[5:-1] in RECORDS:
            assert c.items == RECORDS[c.type[5:-1]], c.name
        else:
            assert c.items == (), c.name
        assert c.description
    for fields in RECORDS.values():
        assert len({f.name for f in fields}) == len(fields)


def test_the_seed_context_is_as_documented() -> None:
    assert record_mismatches(build_context(evaluate()), CONTEXT, "context") == []


def test_a_second_framework_context_is_as_documented(tmp_path: Path) -> None:
    fw = other_framework(tmp_path)
    ctx = build_context(sample_result(fw))
    assert record_mismatches(ctx, CONTEXT, "context") == []
    assert [f["name"] for f in ctx["budget_fields"]] == list(BUDGET_RENAMES.values())
    assert ctx["header"]["下属单位数"] == 1 and "单位数" not in ctx["header"]
    assert ctx["year"] == 2022 and ctx["department"] == "示例单位"
    assert ctx["total"] == Decimal(100) and ctx["grade"] == "优" and ctx["check_lines"] == []


def cover(key: str) -> tuple[str, str]:
    return (L.COVER, L.cover_layout(load_fw())[key])


ODD = {
    cover("year"): None,
    cover("department"): None,
    cover("header:单位数"): "一个",
    cover("header:未能完成原因"): None,
    cover("budget:总预算"): "五百",
    cover("budget:基本支出"): None,
    cover("budget:项目支出"): dt.datetime(2022, 1, 1),
    ("履职效能", "H3"): "十二",
}


def test_odd_values_are_typed_as_documented() -> None:
    """Text where a number belongs stays that text; empty is None; the year is None unless whole."""
    ctx = build_context(evaluate(ODD))
    assert record_mismatches(ctx, CONTEXT, "context") == []
    assert (ctx["year"], ctx["department"], ctx["title"]) == (None, "", "部门整体支出绩效自评表")
    assert ctx["header"]["单位数"] == "一个" and ctx["header"]["未能完成原因"] == ""
    assert (ctx["budget"]["总预算"], ctx["budget"]["基本支出"], ctx["budget"]["项目支出"]) == (
        "五百",
        None,
        "2022-01-01",
    )
    row = ctx["rows"][0]
    assert (row["score"], row["l1_score"], ctx["total"], ctx["grade"]) == ("十二", None, None, None)


@pytest.mark.parametrize(
    ("typed", "year", "units"),
    [
        (Decimal("2022"), 2022, 1),
        ("2022", 2022, 1),
        (" 2022 ", 2022, 1),
        ("二〇二二", None, 1),
        (Decimal("2022.5"), None, 1),
        (True, None, 1),
    ],
)
def test_the_year_is_an_int_or_none(typed: Any, year: int | None, units: int) -> None:
    ctx = build_context(evaluate({cover("year"): typed}))
    assert ctx["year"] == year and type(ctx["year"]) is type(year)
    assert ctx["header"]["单位数"] == units


def test_integer_header_fields() -> None:
    assert build_context(evaluate({cover("header:单位数"): Decimal("2.5")}))["header"]["单位数"] == Decimal(
        "2.5"
    )
    assert build_context(evaluate({cover("header:单位数"): Decimal("3.0")}))["header"]["单位数"] == 3
    assert build_context(evaluate({cover("header:单位数"): None}))["header"]["单位数"] is None


# ------------------------------------------------------------------------------------ the guide


def guide_table(text: str) -> str:
    begin = "<!-- context-table: generated from perfscore/report/context_names.py (CONTEXT) by scripts/make_report_template.py; do not edit -->\n"
    end = "<!-- context-table: end -->"
    assert text.count(begin) == 1 and text.count(end) == 1
    return text.split(begin, 1)[1].split(end, 1)[0]


def test_the_guide_table_is_the_generated_one() -> None:
    guide = (templates_dir() / "README.md").read_text("utf-8")
    assert guide_table(guide) == context_table()
    # and the script that writes it leaves the guide as it is
    spec = importlib.util.spec_from_file_location(
        "make_report_template", REPO / "scripts" / "make_report_template.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.with_context_table(guide) == guide


def test_the_guide_documents_every_name_once() -> None:
    table = context_table()
    for c in CONTEXT:
        assert table.count(f"| `{c.name}` |") >= 1, c.name
    for record, fields in RECORDS.items():
        assert f"（`{record}`）" in table
        for f in fields:
            assert f"| `{f.name}` |" in table


def _shown(value: Any) -> str:
    return str(compile_cell("{{ v }}x")({"v": value}))[:-1]


def _matches(example: str, value: Any) -> bool:
    shown = _shown(value)
    for cut in ("……", "…"):
        if example.endswith(cut):
            return shown.startswith(example[: -len(cut)])
    return shown == example


def test_the_examples_are_what_the_seed_prints() -> None:
    ctx = build_context(evaluate())
    checked = 0
    for c in CONTEXT:
        if c.example and "→" not in c.example:
            assert _matches(c.example, ctx[c.name]), (c.name, ctx[c.name])
            checked += 1
    firsts = {
        "row": next(r for r in ctx["rows"] if r["id"] == "1.1.1"),
        "group": ctx["groups"][0],
        "header_field": next(f for f in ctx["header_fields"] if f["key"] == "年度整体绩效目标"),
        "budget_field": ctx["budget_fields"][0],
        "band": ctx["bands"][0],
    }
    for record, fields in RECORDS.items():
        for f in fields:
            if f.example:
                assert _matches(f.example, firsts[record][f.name]), (record, f.name)
                checked += 1
    assert checked >= 40


# ------------------------------------------------------------------------------------ printing


def test_numbers_print_as_the_form_prints_them() -> None:
    ctx = build_context(evaluate())
    cell = compile_cell(
        "{{ total }}|{{ groups[0].score }}|{{ groups[0].weight }}|{{ rows[0].weight }}|{{ header['单位数'] }}|{{ budget['专项资金'] }}|{{ year }}"
    )
    assert cell(ctx) == "90.77|41.8|50|20|1|0|2022"
    assert (
        compile_cell("{{ groups[0].score | fmt }}/{{ groups[0].score | fmt(2) }}/{{ total | fmt(0) }}")(ctx)
        == "41.8/41.80/91"
    )
    assert compile_cell("[{{ none_value }}][{{ none_value | fmt }}]")({"none_value": None}) == "[][]"
    assert compile_cell("{{ '五百' | fmt }}")({}) == "五百"
    assert compile_cell("{{ year + 1 }}")(ctx) == 2023
    assert compile_cell("{{ year + 1 }}年")(ctx) == "2023年"
    assert compile_cell("{{ total * 0.5 }}")(ctx) == Decimal("45.385")  # exact: the 0.5 became a Decimal
    assert compile_cell("{{ total_weight - total }}")(ctx) == Decimal("9.23")


def test_a_number_cell_is_numeric_and_prints_as_before(tmp_path: Path) -> None:
    tpl = tiny_template(
        tmp_path / "t.xlsx",
        {"A1": "{{ groups[0].score }}", "B1": "{{ year }}", "C1": "{{ total_weight - total }}", "D1": "{{ grade }}",
         "E1": "{{ total | fmt }}", "A2": "{{ groups[0].score | fmt(2) }}", "B2": "{{ year + 1 }}"},
    )  # fmt: skip
    m = render(load_template(tpl), build_context(evaluate())).matrix()
    assert m[0] == [Decimal("41.8"), 2022, Decimal("9.23"), "优", "90.77"]
    assert str(m[0][0]) == "41.8"  # not 41.80
    assert m[1][:2] == ["41.80", 2023]
    blank = tiny_template(
        tmp_path / "blank.xlsx", {"A1": "{{ year }}", "B1": "{{ grade }}", "C1": "[{{ total }}]"}
    )
    assert render(load_template(blank), build_context(evaluate(ODD))).matrix() == [[None, None, "[]"]]
