"""The UDFs as plain functions (xlwings' decorator is a no-op off Windows), with Excel-style inputs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfscore import udfs
from perfscore.engine.formulas import Udf
from tests.conftest import evaluate, load_fw


def test_rate_score_gives_the_seed_figures_exactly() -> None:
    assert udfs.PS_RATE_SCORE(10.0, 0.93) == float(Decimal("9.3"))
    assert udfs.PS_RATE_SCORE(1.0, 0.97) == float(Decimal("0.97"))
    assert udfs.PS_RATE_SCORE(10.0, "93%") == 9.3  # rate typed as text
    assert udfs.PS_RATE_SCORE(3.0, 0.335) == 1.01  # 1.005 rounds half-up, not to even / binary
    assert udfs.PS_RATE_SCORE(10.0, None) == ""  # nothing to suggest yet


@pytest.mark.parametrize(
    ("weight", "rate", "start"),
    [
        (10.0, 1.2, "#比率无效"),
        (10.0, "abc", "#比率无效"),
        ("x", 0.5, "#分值无效"),
        (None, 0.5, "#分值无效"),
        (-1.0, 0.5, "#分值无效"),
    ],
)
def test_rate_score_invalid_input_is_an_error_text(weight: object, rate: object, start: str) -> None:
    out = udfs.PS_RATE_SCORE(weight, rate)
    assert isinstance(out, str) and out.startswith(start)


def test_ratio_score_both_directions() -> None:
    assert udfs.PS_RATIO_SCORE(8.0, 45.0, 50.0, "正向") == 7.2
    assert udfs.PS_RATIO_SCORE(8.0, 60.0, 50.0, "正向") == 8.0  # capped at the weight
    assert udfs.PS_RATIO_SCORE(8.0, 100.0, 90.0, "反向") == 7.2
    assert udfs.PS_RATIO_SCORE(8.0, 80.0, 90.0, "反向") == 8.0
    assert udfs.PS_RATIO_SCORE(8.0, None, 90.0, "反向") == ""
    assert udfs.PS_RATIO_SCORE(8.0, 1.0, 0.0, "正向") == "#参数无效: 正向指标的目标值不能为 0"
    assert str(udfs.PS_RATIO_SCORE(8.0, 1.0, 2.0, "≥")).startswith("#参数无效: 方向应为")


def test_subtotal_and_total_give_the_seed_figures() -> None:
    r = evaluate()
    leaves = [r.leaves[leaf.id] for leaf in r.framework.leaves()]
    first = [float(x.reading.value or 0) for x in leaves if x.indicator.id.startswith("1.")]
    weights1 = [[float(x.indicator.weight)] for x in leaves if x.indicator.id.startswith("1.")]
    second = [[float(x.reading.value or 0)] for x in leaves if x.indicator.id.startswith("2.")]
    assert udfs.PS_SUBTOTAL([[v] for v in first], weights1) == 41.8
    assert udfs.PS_SUBTOTAL(second) == 48.97
    weights2 = [[float(x.indicator.weight)] for x in leaves if x.indicator.id.startswith("2.")]
    total = udfs.PS_TOTAL([[v] for v in first], weights1, second, weights2)
    assert total == 90.77 == float(r.total or 0)
    assert udfs.PS_TOTAL(9.3, 10.0, 0.97, 1.0) == 10.27  # single cells arrive as scalars


def test_subtotal_blank_and_invalid() -> None:
    assert udfs.PS_SUBTOTAL([[12.5], [None]], [[20.0], [20.0]]) == ""
    assert udfs.PS_SUBTOTAL([[21.0], [1.0]], [[20.0], [20.0]]) == "#得分无效: 第 1 个得分 21 大于分值 20"
    assert udfs.PS_SUBTOTAL([[1.0], ["abc"]]) == "#得分无效: 第 2 个得分“abc”不是数字"
    assert udfs.PS_SUBTOTAL([[1.0], ["#DIV/0!"]]) == "#得分无效: 第 2 个得分“#DIV/0!”不是数字"
    assert udfs.PS_SUBTOTAL([[-1.0]]) == "#得分无效: 第 1 个得分 -1 小于 0"
    assert udfs.PS_SUBTOTAL([[1.0], [2.0]], [[2.0]]).startswith("#区域无效")
    assert udfs.PS_TOTAL([[1.0], ["93%"]], [[1.0], [1.0]]) == "#得分无效: 第 2 个得分“93%”不是数字"
    assert udfs.PS_TOTAL([[1.0]], [[2.0]], [[3.5]], [[3.0]]) == "#得分无效: 第 2 个得分 3.5 大于分值 3"
    assert udfs.PS_TOTAL([[1.0]], [[2.0]], [[3.0]]).startswith("#参数无效: 应成对给出")


def test_grade_and_grade_line() -> None:
    fw = load_fw()
    assert udfs.PS_GRADE(90.77) == "优"
    assert udfs.PS_GRADE(90.0) == "优"  # lower bounds inclusive
    assert udfs.PS_GRADE(89.99) == "良"
    assert udfs.PS_GRADE(59.99) == "差"
    assert udfs.PS_GRADE(None) == ""
    assert udfs.PS_GRADE(95.0, "gz-dept-overall-2022") == "优"
    assert udfs.PS_GRADE(101.0) == "#总分无效: 101 大于满分 100"
    assert udfs.PS_GRADE("#得分无效: x") == "#总分无效: “#得分无效: x”不是数字"
    assert str(udfs.PS_GRADE(95.0, "no-such")).startswith("#指标体系无效: 未知的指标体系")
    assert udfs.PS_GRADE_LINE(90.77) == fw.grade_line("优")
    assert udfs.PS_GRADE_LINE(90.77).startswith("☑优 90分≤得分≤100分；□良")
    assert udfs.PS_GRADE_LINE(None) == fw.grade_line(None)
    assert udfs.PS_GRADE_LINE("x").startswith("#总分无效")


def test_row_check_uses_the_engines_wording() -> None:
    assert udfs.PS_ROW_CHECK(9.3, 10.0, "年度平均执行率低于100%", "加强预算执行", "部门预算资金支出率") == ""
    assert udfs.PS_ROW_CHECK(10.0, 10.0, "\\", "\\") == ""
    assert udfs.PS_ROW_CHECK(9.3, 10.0, "\\", None, "部门预算资金支出率") == (
        "✖ “部门预算资金支出率”得分 9.3 低于分值 10，请填写未达标原因\n"
        "✖ “部门预算资金支出率”得分 9.3 低于分值 10，请填写改进措施"
    )
    assert udfs.PS_ROW_CHECK(None, 10.0, None, None) == "✖ “本行”的得分为空；请填写 0 至 10 之间的分数"
    assert udfs.PS_ROW_CHECK(11.0, 10.0, None, None, "X") == "✖ “X”的得分 11 大于分值 10"
    assert (
        udfs.PS_ROW_CHECK("9.3", 10.0, "a", "b", "X")
        == "✖ “X”的得分是文本“9.3”，表内的小计和总分公式不会计入它；请删除后重新输入数字 9.3"
    )
    assert udfs.PS_ROW_CHECK(1.0, "x", None, None).startswith("#分值无效")


def test_udf_dialect_names_only_defined_udfs() -> None:
    d = Udf()
    written = [
        d.suggestion("F5", "K5"),
        d.subtotal(["H3:H5"], ["F3:F5"], 3),
        d.subtotal(["a", "b"], ["c", "d"], 2),
    ]
    written += [d.grade("C14", load_fw()), d.grade_line("B15", "C14", load_fw())]
    for formula in written:
        name = formula[1 : formula.index("(")]
        assert name in udfs.UDF_NAMES
