"""Hostile and careless JSON for `perfscore import`: one Chinese line naming the key (exit 2), and
text that comes back from `export` exactly as it was imported, control characters and all."""

from __future__ import annotations

import copy
import json
import random
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from perfscore.engine import xml_text
from perfscore.engine.submission import MAX_JSON_BYTES, Submission, read_json_file
from perfscore.errors import InputDataError
from tests.conftest import load_fw
from tests.xlsx_helpers import run_cli

SEED = json.loads((resources.files("perfscore") / "data" / "seed-2022.json").read_text("utf-8"))
MARK = "@@raw@@"
TOP = "framework, year, department, header, budget, indicators"
NUMBER = "请填写数字或文本（空白用 null）"
TEXT = "请填写文本（空白用 null）"
OBJECT = "请填写 JSON 对象 {…}"
ID = '请填写文本形式的三级指标编号，如 "1.1.3"'
RANGE = "数字超出 Excel 能保存的范围（绝对值须小于 1E+308 且不小于 1E-307，或为 0）"
DIGITS = "数字的有效位数太多，Excel 无法精确保存（约 15 位有效数字）；请四舍五入后再填写"
LONG = "文本超过 Excel 单元格的上限 32767 个字符；请删减后再导入"
REPEATED = "此键在同一个 JSON 对象中出现了两次；请只保留一个"
NESTED = "JSON 的数组或对象嵌套层数过多，不是自评表数据；请确认文件是否正确"
ESCAPE = "会被 Excel 当作字符转义（_x 加 4 位十六进制数字）读取，无法原样保存；请在 _ 与 x 之间加一个空格"


class Raw:
    """A JSON literal written as it is (``NaN``, ``1e400``): json.dumps cannot produce it."""

    def __init__(self, literal: str) -> None:
        self.literal = literal


def seed() -> dict[str, Any]:
    return copy.deepcopy(SEED)


def with_values(values: dict[tuple[str | int, ...], object]) -> str:
    """The seed as JSON text with the value at each path replaced (a Raw literal verbatim)."""
    doc: Any = seed()
    raw: dict[str, str] = {}
    for n, (path, value) in enumerate(values.items()):
        target = doc
        for step in path[:-1]:
            target = target[step]
        if isinstance(value, Raw):
            raw[json.dumps(f"{MARK}{n}")] = value.literal
            value = f"{MARK}{n}"
        target[path[-1]] = value
    text = json.dumps(doc)  # ASCII: a lone surrogate is written as its \\u escape
    for mark, literal in raw.items():
        text = text.replace(mark, literal)
    return text


def with_value(path: tuple[str | int, ...], value: object) -> str:
    return with_values({path: value})


def refused(tmp_path: Path, text: str) -> str:
    """Import ``text``; it must fail with exit 2 and one line: returns what follows the file name."""
    data = tmp_path / "bad.json"
    data.write_text(text, "utf-8")
    out = tmp_path / "out.xlsx"
    run = run_cli(["import", data, "-o", out])
    assert (run.exit_code, run.stdout) == (2, ""), run.output[:300]
    assert not out.exists()
    prefix = f"perfscore: {data}: "
    assert run.stderr.startswith(prefix) and run.stderr.endswith("\n"), run.stderr[:300]
    assert run.stderr.count("\n") == 1
    return run.stderr[len(prefix) : -1]


# ------------------------------------------------------------------------------ unusable JSON
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000, NESTED),
        ('{"framework": "gz-dept-overall-2022", "year": ' + "[" * 100_000 + "]" * 100_000 + "}", NESTED),
        (with_value(("department",), Raw("[" * 50_000 + "]" * 50_000)), NESTED),
        (
            json.dumps(SEED, ensure_ascii=False).replace('"year": 2022', '"year": 2022, "year": 2023'),
            f"year: {REPEATED}",
        ),
        ('{"framework": "a", "framework": "gz-dept-overall-2022"}', f"framework: {REPEATED}"),
    ],
    ids=["deep-array", "deep-value", "deep-department", "repeated-year", "repeated-framework"],
)
def test_unusable_json(tmp_path: Path, text: str, message: str) -> None:
    assert refused(tmp_path, text) == message


# ------------------------------------------------------------------- every field, wrong type
TYPE_CASES: list[tuple[str, tuple[str | int, ...], object, str]] = [
    ("id-list", ("indicators", 0, "id"), ["1.1.1"], f"indicators[0].id: 不能是数组；{ID}"),
    ("id-number", ("indicators", 0, "id"), Raw("1.1"), f"indicators[0].id: 不能是数字；{ID}"),
    ("id-object", ("indicators", 1, "id"), {"id": "1.1.2"}, f"indicators[1].id: 不能是 JSON 对象；{ID}"),
    ("id-bool", ("indicators", 2, "id"), True, f"indicators[2].id: 不能是 true/false；{ID}"),
    (
        "name-object",
        ("indicators", 0, "name"),
        {"a": 1},
        "indicators[0].name: 不能是 JSON 对象；请填写文本（三级指标名称）",
    ),
    (
        "name-number",
        ("indicators", 0, "name"),
        3,
        "indicators[0].name: 不能是数字；请填写文本（三级指标名称）",
    ),
    ("score-bool", ("indicators", 0, "score"), False, f"indicators[0].score: 不能是 true/false；{NUMBER}"),
    ("score-list", ("indicators", 3, "score"), [3], f"indicators[3].score: 不能是数组；{NUMBER}"),
    (
        "score-object",
        ("indicators", 3, "score"),
        {"v": 3},
        f"indicators[3].score: 不能是 JSON 对象；{NUMBER}",
    ),
    ("rate-list", ("indicators", 2, "rate"), [], f"indicators[2].rate: 不能是数组；{NUMBER}"),
    ("reason-number", ("indicators", 0, "reason"), 5, f"indicators[0].reason: 不能是数字；{TEXT}"),
    ("reason-bool", ("indicators", 0, "reason"), True, f"indicators[0].reason: 不能是 true/false；{TEXT}"),
    ("measure-list", ("indicators", 25, "measure"), ["a"], f"indicators[25].measure: 不能是数组；{TEXT}"),
    ("department-number", ("department",), 5, f"department: 不能是数字；{TEXT}"),
    ("department-object", ("department",), {}, f"department: 不能是 JSON 对象；{TEXT}"),
    ("year-object", ("year",), {"y": 2022}, f"year: 不能是 JSON 对象；{NUMBER}"),
    ("year-bool", ("year",), True, f"year: 不能是 true/false；{NUMBER}"),
    ("header-null", ("header",), None, f"header: 不能是 null；{OBJECT}"),
    ("header-list", ("header",), [], f"header: 不能是数组；{OBJECT}"),
    ("header-count-bool", ("header", "单位数"), True, f"header.单位数: 不能是 true/false；{NUMBER}"),
    ("header-text-number", ("header", "未能完成原因"), 0, f"header.未能完成原因: 不能是数字；{TEXT}"),
    (
        "header-text-list",
        ("header", "年度整体绩效目标"),
        ["1."],
        f"header.年度整体绩效目标: 不能是数组；{TEXT}",
    ),
    ("budget-text", ("budget",), "536.58", f"budget: 不能是文本；{OBJECT}"),
    ("budget-bool", ("budget", "总预算"), True, f"budget.总预算: 不能是 true/false；{NUMBER}"),
    ("budget-list", ("budget", "基本支出"), [441.13], f"budget.基本支出: 不能是数组；{NUMBER}"),
    ("indicators-object", ("indicators",), {}, "indicators: 不能是 JSON 对象；请填写数组 […]"),
    ("indicators-null", ("indicators",), None, "indicators: 不能是 null；请填写数组 […]"),
    ("entry-text", ("indicators", 0), "1.1.1", f"indicators[0]: 不能是文本；{OBJECT}"),
    ("entry-list", ("indicators", 4), ["2.2.1", 2], f"indicators[4]: 不能是数组；{OBJECT}"),
    ("entry-null", ("indicators", 0), None, f"indicators[0]: 不能是 null；{OBJECT}"),
]


@pytest.mark.parametrize(
    ("path", "value", "message"), [case[1:] for case in TYPE_CASES], ids=[case[0] for case in TYPE_CASES]
)
def test_wrong_json_type_names_the_key(
    tmp_path: Path, path: tuple[str | int, ...], value: object, message: str
) -> None:
    assert refused(tmp_path, with_value(path, value)) == message


@pytest.mark.parametrize(
    ("path", "literal", "message"),
    [
        (("indicators", 0, "score"), "NaN", f"indicators[0].score: 不能是 NaN；{NUMBER}"),
        (("indicators", 2, "rate"), "Infinity", f"indicators[2].rate: 不能是 Infinity；{NUMBER}"),
        (("budget", "总预算"), "-Infinity", f"budget.总预算: 不能是 -Infinity；{NUMBER}"),
        (("department",), "NaN", f"department: 不能是 NaN；{TEXT}"),
        (("indicators", 0, "score"), "1e400", f"indicators[0].score: {RANGE}"),
        (("budget", "总预算"), "-1E+308", f"budget.总预算: {RANGE}"),
        (("indicators", 0, "score"), "1e-400", f"indicators[0].score: {RANGE}"),
        (("year",), "1" * 5000, f"year: {RANGE}"),
        (("budget", "项目支出"), '"' + "9" * 5000 + '"', f"budget.项目支出: {RANGE}"),
        (("header", "单位数"), "-" + "1" * 4301, f"header.单位数: {RANGE}"),
        (("indicators", 0, "score"), "12.50000000000000001", f"indicators[0].score: {DIGITS}"),
        (("indicators", 2, "rate"), '"0.93000000000000000001"', f"indicators[2].rate: {DIGITS}"),
        (("budget", "总预算"), "0." + "3" * 400, f"budget.总预算: {DIGITS}"),
        (("budget", "基本支出"), "0.30000000000000004", f"budget.基本支出: {DIGITS}"),
    ],
    ids=[
        "nan",
        "infinity",
        "minus-infinity",
        "nan-as-text",
        "1e400",
        "-1e308",
        "1e-400",
        "5000-digit-year",
        "5000-digit-string",
        "4302-digit-int",
        "too-precise",
        "too-precise-text",
        "400-digit-fraction",
        "17-digit-double",
    ],
)
def test_numbers_a_cell_cannot_hold(
    tmp_path: Path, path: tuple[str | int, ...], literal: str, message: str
) -> None:
    assert refused(tmp_path, with_value(path, Raw(literal))) == message


def test_numbers_at_the_edge_of_what_a_cell_holds_are_kept(tmp_path: Path) -> None:
    text = with_values(
        {
            ("budget", "总预算"): Raw("9.99999999999999E+307"),
            ("budget", "专项资金"): Raw("1E-307"),
            ("budget", "基本支出"): Raw("0.1234567890123456"),  # 16 digits a double holds
            ("budget", "项目支出"): Raw("-0.0"),
            ("header", "单位数"): Raw("123456789012345"),
            ("year",): "2022.0",
        }
    )
    data = tmp_path / "edge.json"
    data.write_text(text, "utf-8")
    assert run_cli(["import", data, "-o", tmp_path / "f.xlsx"]).exit_code == 0
    back = json.loads(run_cli(["export", tmp_path / "f.xlsx"]).stdout)
    assert back["budget"] == {
        **SEED["budget"],
        "总预算": "9" * 15 + "0" * 293,
        "专项资金": "0." + "0" * 306 + "1",
        "基本支出": "0.1234567890123456",
        "项目支出": "0",
    }
    assert (back["header"]["单位数"], back["year"]) == ("123456789012345", 2022)


# ------------------------------------------------------------------ repeated and unknown keys
@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"单位数": 1', '"单位数": 1, "单位数": 2', f"header.单位数: {REPEATED}"),
        ('"总预算": "536.58"', '"总预算": "536.58", "总预算": "1"', f"budget.总预算: {REPEATED}"),
        ('"score": "12.5"', '"score": "12.5", "score": "1"', f"indicators[0].score: {REPEATED}"),
        ('"id": "2.7.2"', '"id": "2.7.2", "id": "2.7.2"', f"indicators[25].id: {REPEATED}"),
        ('"department"', '"indicators": [], "department"', f"indicators: {REPEATED}"),
    ],
    ids=["header", "budget", "indicator-score", "last-indicator-id", "top-level-indicators"],
)
def test_repeated_keys_are_refused_at_any_depth(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = json.dumps(SEED, ensure_ascii=False)
    assert text.count(old) == 1
    assert refused(tmp_path, text.replace(old, new)) == message


def test_repeated_key_inside_a_wrong_value_is_still_an_error(tmp_path: Path) -> None:
    text = with_value(("indicators", 0, "reason"), Raw('{"a": 1, "a": 2}'))
    assert refused(tmp_path, text) == f"indicators[0].reason: 不能是 JSON 对象；{TEXT}"


def test_unknown_missing_and_mismatched_keys(tmp_path: Path) -> None:
    doc = seed()
    doc["departement"] = "x"
    assert refused(tmp_path, json.dumps(doc)) == f"departement: 未知的键（可用：{TOP}）"
    doc = seed()
    doc["indicators"][1]["Score"] = "20"
    assert refused(tmp_path, json.dumps(doc)) == (
        "indicators[1].Score: 未知的键（可用：id, name, score, reason, measure, rate）"
    )
    doc = seed()
    doc["header"]["单位\n数"] = 1
    assert refused(tmp_path, json.dumps(doc)) == (
        "header.单位\\n数: 未知的基本情况字段（可用：单位数、年度整体绩效目标、整体绩效目标完成情况、未能完成原因）"
    )
    doc = seed()
    del doc["indicators"][0]["id"]
    assert (
        refused(tmp_path, json.dumps(doc))
        == 'indicators[0]: 缺少 id（或 name）；请填写三级指标编号，如 "1.1.3"'
    )
    doc = seed()
    doc["indicators"][0]["name"] = "部门预算资金支出率"
    assert refused(tmp_path, json.dumps(doc)) == (
        "indicators[0].name: “部门预算资金支出率”不是指标 1.1.1 的名称“部门整体绩效目标产出指标完成情况”；"
        "请核对 id 与 name（name 可省略）"
    )
    doc = seed()
    doc["indicators"][0]["rate"] = "0.5"
    assert (
        refused(tmp_path, json.dumps(doc))
        == "indicators[0].rate: 指标 1.1.1 没有参考数据（rate）；请删除此键"
    )
    doc = seed()
    doc["indicators"][0]["id"] = "1.1\u202e" + "9" * 100
    assert refused(tmp_path, json.dumps(doc)) == (
        "indicators[0]: id “1.1\\u202e" + "9" * 31 + "…”不是指标体系 gz-dept-overall-2022 的三级指标编号"
    )


def test_framework_key(tmp_path: Path) -> None:
    assert refused(tmp_path, with_value(("framework",), ["gz-dept-overall-2022"])) == (
        "framework: 缺少此键或不是文本（应为指标体系编号，如 gz-dept-overall-2022）"
    )
    doc = seed()
    doc["framework"] = 5
    with pytest.raises(InputDataError) as err:
        Submission.from_json(doc, load_fw(), source="d.json")
    assert str(err.value) == "d.json: framework: 不能是数字；请填写指标体系编号，如 gz-dept-overall-2022"
    doc["framework"] = "gz-dept-overall-2023\n"
    with pytest.raises(InputDataError) as err:
        Submission.from_json(doc, load_fw(), source="d.json")
    assert (
        str(err.value)
        == "d.json: framework: “gz-dept-overall-2023\\n”与所用指标体系 gz-dept-overall-2022 不一致"
    )


def test_null_values_and_a_name_that_matches_are_accepted(tmp_path: Path) -> None:
    doc = seed()
    doc["indicators"][0].update(name="部门整体绩效目标产出指标完成情况", score=None, reason=None)
    doc["indicators"][2].update(rate=None)
    doc.update(year=None, department=None)
    data = tmp_path / "d.json"
    data.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert run_cli(["import", data, "-o", tmp_path / "f.xlsx"]).exit_code == 0
    back = json.loads(run_cli(["export", tmp_path / "f.xlsx"]).stdout)
    assert (back["year"], back["department"]) == (None, None)
    assert (back["indicators"][0]["score"], back["indicators"][0]["reason"]) == (None, None)
    assert back["indicators"][2]["rate"] is None


# --------------------------------------------------------------------------------- text size
def test_text_longer_than_a_cell_is_refused(tmp_path: Path) -> None:
    at_limit = "中" * 32767
    assert refused(tmp_path, with_value(("indicators", 0, "reason"), at_limit + "x")) == (
        f"indicators[0].reason: {LONG}"
    )
    emoji = "😀" * 16384  # 32,768 UTF-16 units, as Excel counts
    assert refused(tmp_path, with_value(("department",), emoji)) == f"department: {LONG}"
    assert refused(tmp_path, with_value(("header", "未能完成原因"), "x" * 7_000_000)) == (
        f"header.未能完成原因: {LONG}"
    )
    # a 100 MB string: refused by the file's size before it is read
    assert refused(tmp_path, with_value(("header", "未能完成原因"), "x" * 100_000_000)) == (
        "文件过大（96 MB，上限 8 MB），不像是自评表的 JSON 数据；请确认文件是否正确"
    )
    assert refused(tmp_path, with_value(("indicators", 0, "score"), "9" * 40_000)) == (
        f"indicators[0].score: {LONG}"
    )


def test_text_at_the_cell_limit_round_trips(tmp_path: Path) -> None:
    doc = seed()
    doc["indicators"][0]["reason"] = "中" * 32767
    doc["indicators"][0]["measure"] = "😀" * 16383 + "x"
    data = tmp_path / "d.json"
    data.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert run_cli(["import", data, "-o", tmp_path / "f.xlsx"]).exit_code == 0
    back = json.loads(run_cli(["export", tmp_path / "f.xlsx"]).stdout)["indicators"][0]
    assert (back["reason"], back["measure"]) == (
        doc["indicators"][0]["reason"],
        doc["indicators"][0]["measure"],
    )


def test_a_file_over_the_size_cap_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as fh:  # sparse: 60 MB of NULs, never read
        fh.truncate(60 * 1024 * 1024)
    message = "文件过大（60 MB，上限 8 MB），不像是自评表的 JSON 数据；请确认文件是否正确"
    with pytest.raises(InputDataError) as err:
        read_json_file(big)
    assert str(err.value) == f"{big}: {message}"
    assert MAX_JSON_BYTES == 8 * 1024 * 1024
    run = run_cli(["import", big, "-o", tmp_path / "out.xlsx"])
    assert (run.exit_code, run.stderr) == (2, f"perfscore: {big}: {message}\n")


# ------------------------------------------------------------------ text no cell can hold exactly
@pytest.mark.parametrize(
    ("path", "text", "message"),
    [
        (
            ("indicators", 0, "reason"),
            "a\x00b",
            "indicators[0].reason: 含有空字符（U+0000），Excel 单元格不能保存；请删除该字符",
        ),
        (
            ("department",),
            "增城\ud800",
            "department: 含有不成对的代理码位 U+D800，不是有效的文本；请检查 JSON 中的 \\u 转义",
        ),
        (
            ("header", "未能完成原因"),
            "\udfff",
            "header.未能完成原因: 含有不成对的代理码位 U+DFFF，不是有效的文本；请检查 JSON 中的 \\u 转义",
        ),
        (
            ("indicators", 0, "measure"),
            "<r>a&b</r>",
            "indicators[0].measure: 文本以 <r> 开头、以 </r> 结尾，生成工作簿时会被当作格式代码，"
            "无法原样保存；请改写开头或结尾",
        ),
        (("indicators", 1, "reason"), "_x0041_x0042_", f"indicators[1].reason: 文本中的“_x0042”{ESCAPE}"),
        (("indicators", 1, "reason"), "见_x005f_x000b_", f"indicators[1].reason: 文本中的“_x000b”{ESCAPE}"),
        (("indicators", 1, "measure"), "a_x0041\x0b", f"indicators[1].measure: 文本中的“_x0041”{ESCAPE}"),
        (("indicators", 3, "score"), "_x0039_x0039_", f"indicators[3].score: 文本中的“_x0039”{ESCAPE}"),
    ],
    ids=["nul", "lone-high", "lone-low", "rich-marker", "adjacent", "adjacent-lower", "before-vt", "score"],
)
def test_text_no_cell_can_hold_exactly(
    tmp_path: Path, path: tuple[str | int, ...], text: str, message: str
) -> None:
    assert refused(tmp_path, with_value(path, text)) == message


# ------------------------------------------------------------------- text fidelity, round trips
#: Texts typed or pasted into a form, each to come back from export exactly as imported.
TEXTS = [
    "a\x0bb",  # a vertical tab pasted from Word
    "_x000B_",  # typed, looks like an escape
    "a\x0bb_x000B_c",
    "_x005F_",
    "x005F_ and _x005F",
    "_x005f_x000B",
    "".join(chr(c) for c in range(1, 32)),  # every C0 control but NUL
    "第一行\r\n第二行\r第三行\n",
    "\t缩进",
    "\ufffe\uffff",
    "😀 _xD83D__xDE00_",
    "\x7f\x85\u2028\u2029\u200b",
    "_x0041",
    "_X000B_",
    "=1+1",
    "<r>",
    "９．３",
    " 9.3 ",
]


def round_trip(tmp_path: Path, doc: dict[str, Any]) -> dict[str, Any]:
    data = tmp_path / "in.json"
    data.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    out = tmp_path / "form.xlsx"
    run = run_cli(["import", data, "-o", out])
    assert run.exit_code == 0, run.output
    exported = run_cli(["export", out])
    assert exported.exit_code == 0, exported.output
    back: dict[str, Any] = json.loads(exported.stdout)
    return back


def test_texts_come_back_from_export_exactly(tmp_path: Path) -> None:
    doc = seed()
    for n, text in enumerate(TEXTS):
        doc["indicators"][n]["reason"] = text
        doc["indicators"][-1 - n]["measure"] = "措施" + text
    doc["department"] = TEXTS[2]
    doc["header"]["未能完成原因"] = "\n".join(TEXTS)
    doc["indicators"][0]["score"] = "\x0b9.3"
    doc["budget"]["总预算"] = "_x0035_36.58"
    back = round_trip(tmp_path, doc)
    assert back["department"] == doc["department"]
    assert back["header"]["未能完成原因"] == doc["header"]["未能完成原因"]
    assert back["budget"]["总预算"] == "_x0035_36.58"
    want = {i["id"]: (i["score"], i["reason"], i["measure"]) for i in doc["indicators"]}
    got = {i["id"]: (i["score"], i["reason"], i["measure"]) for i in back["indicators"]}
    assert got == want


def test_export_import_export_keeps_control_characters(tmp_path: Path) -> None:
    doc = seed()
    doc["indicators"][0]["reason"] = "合同\x0b盖章_x000B_\x01"
    first = round_trip(tmp_path, doc)
    assert first["indicators"][0]["reason"] == "合同\x0b盖章_x000B_\x01"
    (tmp_path / "second").mkdir()
    second = round_trip(tmp_path / "second", first)
    assert second == first


def test_calamine_reads_the_texts_excel_shows(tmp_path: Path) -> None:
    """An independent reader of the built workbook (calamine, in Rust) sees the imported texts."""
    doc = seed()
    texts = [t for t in TEXTS if "\ufffe" not in t and "_xD83D_" not in t]  # calamine keeps these escaped
    for n, text in enumerate(texts):
        doc["indicators"][n]["reason"] = text
    round_trip(tmp_path, doc)
    book = CalamineWorkbook.from_path(str(tmp_path / "form.xlsx"))
    shown = {
        value
        for name in ("履职效能", "管理效率")
        for row in book.get_sheet_by_name(name).to_python()
        for value in row
        if isinstance(value, str)
    }
    assert set(texts) <= shown


# ---------------------------------------------------------------- the escapes themselves (unit)
def test_decode_and_encode() -> None:
    assert xml_text.decode("a_x000B_b_x005F_x000B_c") == "a\x0bb_x000B_c"
    assert xml_text.decode("_x005f_x000b_") == "_x000b_"
    assert xml_text.decode("_xD83D__xDE00_ _xD800_") == "😀 \ufffd"
    assert xml_text.decode("_X000B_ _x00G1_ x005F_") == "_X000B_ _x00G1_ x005F_"
    assert xml_text.encode("a\x0bb_x000B_c\r\ufffe\ud800") == "a_x000B_b_x005F_x000B_c_x000D__xFFFE__xD800_"
    assert xml_text.encode("_x0041_x0042_") == "_x005F_x0041_x005F_x0042_"
    assert xml_text.encode("\t\n x005F_ _x004") == "\t\n x005F_ _x004"
    rng = random.Random(7)
    alphabet = ["_", "x", "X", "0", "4", "1", "B", "F", "5", "\x0b", "\r", "\x00", "\ufffe", "a", "😀"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert xml_text.decode(xml_text.encode(text)) == text


def test_the_model_of_xlsxwriter_escaping_is_xlsxwriters(tmp_path: Path) -> None:
    """cell_text_problem refuses exactly the texts XlsxWriter stores so they read back changed."""
    rng = random.Random(11)
    alphabet = ["_", "x", "0", "4", "1", "B", "F", "5", "f", "\x0b", "\r", "\uffff", "a"]
    texts = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 15))) for _ in range(3000)})
    texts += ["_x0041_x0042_", "_x0041\x0b", "_x000B_", "a\x0bb"]
    path = tmp_path / "model.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for row, text in enumerate(texts):
        sheet.write_string(row, 0, text)
    book.close()
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    root = ElementTree.fromstring(zipfile.ZipFile(path).read("xl/sharedStrings.xml"))
    stored = ["".join(t.text or "" for t in si.iter(f"{ns}t")) for si in root.iter(f"{ns}si")]
    assert len(stored) == len(texts)
    refused_texts = [t for t in texts if xml_text.cell_text_problem(t)]
    changed = [t for t, s in zip(texts, stored, strict=True) if xml_text.decode(s) != t]
    assert refused_texts == changed
    assert "_x0041_x0042_" in changed and "_x000B_" not in changed


def test_encode_is_what_a_verbatim_writer_needs(tmp_path: Path) -> None:
    """openpyxl stores text as given: with encode() every reader (here calamine) shows the text."""
    texts = ["a\x0bb", "_x000B_", "_x005F_x000B_", "\r\n", "x005F_", "".join(chr(c) for c in range(1, 32))]
    book = openpyxl.Workbook()
    for row, text in enumerate(texts, 1):
        book.active.cell(row, 1).value = xml_text.encode(text)
    book.save(tmp_path / "w.xlsx")
    rows = CalamineWorkbook.from_path(str(tmp_path / "w.xlsx")).get_sheet_by_index(0).to_python()
    assert [r[0] for r in rows] == texts
