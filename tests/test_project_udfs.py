"""The project form's UDFs (项目支出绩效自评表): each gives exactly what the native formula of its cell gives.

Called as xlwings calls them: numbers as floats, blanks as None, text as str, ranges as lists (a block
as rows of 8 cells, one row possibly flat), error cells as their text (``err_to_str``) or as the COM
error integer. The native formulas are in :mod:`perfscore.engine.project.formulas`; the oracles below
transcribe them (ISNUMBER, LEN, SUMPRODUCT, ROUND) independently of :mod:`perfscore.udfs`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfscore import udfs
from perfscore.builder import vba
from perfscore.engine.framework import ProjectFramework, load_any_by_id
from perfscore.engine.project.formulas import Udf

PROJECT_FW = "mof-project-2020"
DIV0 = "#DIV/0!"  # an error cell as xlwings passes it with err_to_str
COM_DIV0 = -2146826281  # the same error as a COM integer
COM_SPILL = -2146826243  # #SPILL! (2045): passed as an integer whatever err_to_str says
E: list[Any] = [None] * 8  # an empty department row (B..I)


def project_fw() -> ProjectFramework:
    fw = load_any_by_id(PROJECT_FW)
    assert isinstance(fw, ProjectFramework)
    return fw


def row(
    name: Any = None,
    op: Any = None,
    value: Any = None,
    unit: Any = None,
    actual: Any = None,
    weight: Any = None,
    score: Any = None,
    reason: Any = None,
) -> list[Any]:
    """One department row's input cells B..I: 三级指标, 指标性质, 指标值, 度量单位, 实际完成值, 分值, 得分, 偏差原因分析."""
    return [name, op, value, unit, actual, weight, score, reason]


def is_error_text(out: object) -> bool:
    return isinstance(out, str) and out.startswith("#") and "无效" in out


# ------------------------------------------------------------------------------ PS_TARGET_SCORE


@pytest.mark.parametrize(
    ("args", "want"),
    [
        ((8.0, "≥", 50.0, 49.0), 7.84),
        ((8.0, ">", 50.0, 49.0), 7.84),
        ((3.0, "≥", 24.0, 5.0), 0.63),  # 3 × 5/24 = 0.625 exactly: half-up, never lost to 0.6249…
        ((8.0, "≥", 50.0, 60.0), 8.0),  # capped at the weight
        ((8.0, "≥", 50.0, 0.0), 0.0),
        ((10.0, "≤", 90.0, 100.0), 9.0),  # 反向: 指标值 ÷ 实际完成值
        ((10.0, "<", 90.0, 80.0), 10.0),
        ((10.0, "≤", 0.0, 5.0), 0.0),
        ((6.0, "=", 100.0, 100.0), 6.0),
        ((6.0, "=", 100.0, 90.0), 5.4),  # min ÷ max
        ((6.0, "=", 90.0, 100.0), 5.4),
        ((6.0, "=", 0.0, 0.0), 6.0),  # equal: the full weight
        ((6.0, "=", 0.0, 5.0), 0.0),
        ((0.0, "≥", 50.0, 49.0), 0.0),
        ((1.0, "≥", 3.0, 2.0), 0.67),  # 2/3 repeating
        ((2.5, "≥", 8.0, 1.0), 0.31),  # 0.3125 → 0.31
        ((0.1, "≥", 40.0, 1.0), 0.0),  # 0.0025 → 0.00
        ((0.2, "≥", 40.0, 1.0), 0.01),  # 0.005 exactly → 0.01 (binary float would give 0.0)
    ],
)
def test_target_score_values(args: tuple[Any, ...], want: float) -> None:
    assert udfs.PS_TARGET_SCORE(*args) == want


@pytest.mark.parametrize(
    "args",
    [
        (8.0, "≥", 0.0, 49.0),  # 正向 指标值 0: no rate
        (8.0, "≤", 50.0, 0.0),  # 反向 实际完成值 0
        (8.0, "<", 0.0, 0.0),
        (None, "≥", 50.0, 49.0),  # blanks
        (8.0, "≥", None, 49.0),
        (8.0, "≥", 50.0, None),
        ("8", "≥", 50.0, 49.0),  # numbers typed as text: ISNUMBER is false
        (8.0, "≥", "50", 49.0),
        (8.0, "≥", 50.0, "49"),
        (8.0, "≥", 50.0, "达成预期"),
        (True, "≥", 50.0, 49.0),  # a logical is not a number
        (-8.0, "≥", 50.0, 49.0),  # negatives
        (8.0, "≥", -50.0, 49.0),
        (8.0, "≥", 50.0, -1.0),
        (8.0, None, 50.0, 49.0),  # qualitative: no operator
        (8.0, "", 50.0, 49.0),
        (8.0, "≥ ", 50.0, 49.0),  # exact match only, as op="≥"
        (8.0, ">=", 50.0, 49.0),
        (8.0, "＞", 50.0, 49.0),
        (8.0, "正向", 50.0, 49.0),
        (8.0, 1.0, 50.0, 49.0),
        (DIV0, "≥", 50.0, 49.0),  # an error among the figures: ISNUMBER is false
        (8.0, "≥", COM_DIV0, 49.0),
        (8.0, "≥", 50.0, COM_SPILL),
        (8.0, DIV0, -1.0, 49.0),  # the operator is not looked at when a figure is negative
        (8.0, DIV0, "50", 49.0),
    ],
)
def test_target_score_blank(args: tuple[Any, ...]) -> None:
    assert udfs.PS_TARGET_SCORE(*args) == ""


def test_target_score_operator_error_is_an_error_text() -> None:
    # native: op="≥" on an error value shows that error
    assert udfs.PS_TARGET_SCORE(8.0, DIV0, 50.0, 49.0) == "#指标性质无效: 单元格是错误值 #DIV/0!"
    assert udfs.PS_TARGET_SCORE(8.0, COM_DIV0, 50.0, 49.0) == "#指标性质无效: 单元格是错误值 #DIV/0!"
    assert udfs.PS_TARGET_SCORE(8.0, COM_SPILL, 50.0, 49.0) == "#指标性质无效: 单元格是错误值 #SPILL!"


def test_target_score_dates_are_serial_numbers() -> None:
    # a 时效 indicator: 完成时间 ≤ 2024-06-30, done 2024-07-30 → 45473 / 45503 of the weight
    due, done = dt.datetime(2024, 6, 30), dt.datetime(2024, 7, 30)
    assert udfs.PS_TARGET_SCORE(100.0, "≤", due, done) == 99.93  # 100 × 45473 / 45503 = 99.934…
    assert udfs.PS_TARGET_SCORE(5.0, "≥", 45473.0, due) == 5.0


def test_target_score_huge_figures_do_not_overflow_the_decimal_context() -> None:
    assert udfs.PS_TARGET_SCORE(1e300, "≥", 3.0, 1.0) == float(Fraction(10**300, 3))
    assert udfs.PS_TARGET_SCORE(8.0, "≥", 1e-300, 1e300) == 8.0


# ------------------------------------------------------------------------------ PS_BAND


@pytest.mark.parametrize(
    ("args", "want"),
    [
        (("", 10.0, 8.0), "达成"),
        ((None, 10.0, 8.0), "达成"),
        (("", 10.0, 10.0), "达成"),
        (("", 10.0, 7.99), "部分达成"),
        (("", 10.0, 6.0), "部分达成"),
        (("", 10.0, 5.99), "未达成"),
        (("", 10.0, 0.0), "未达成"),
        (("", 3.0, 2.4), "达成"),  # 2.4 × 10 = 24 = 3 × 8 (24.000000000000004 in binary)
        (("", 3.0, 1.8), "部分达成"),
        (("", 0.3, 0.24), "达成"),
        # native compares ROUND(得分×10, 6) with ROUND(分值×8, 6)
        (("", 10.0, 7.99999995), "达成"),
        (("", 10.0, 7.9999999), "部分达成"),
    ],
)
def test_band_values(args: tuple[Any, ...], want: str) -> None:
    assert udfs.PS_BAND(*args) == want


@pytest.mark.parametrize(
    "args",
    [
        ("≥", 10.0, 8.0),  # a quantitative row has no band
        (" ", 10.0, 8.0),
        (0.0, 10.0, 8.0),
        (False, 10.0, 8.0),
        ("", None, 8.0),
        ("", 10.0, None),
        ("", "10", 8.0),  # text-numbers
        ("", 10.0, "8"),
        ("", 10.0, "达成"),
        ("", 0.0, 0.0),  # weight must be > 0
        ("", -10.0, 0.0),
        ("", 10.0, -0.01),  # score outside 0..weight
        ("", 10.0, 10.01),
        ("", 10.0, DIV0),  # an error in weight or score: ISNUMBER is false
        ("", COM_DIV0, 8.0),
    ],
)
def test_band_blank(args: tuple[Any, ...]) -> None:
    assert udfs.PS_BAND(*args) == ""


def test_band_operator_error_is_an_error_text() -> None:
    # native: AND(op="", …) shows the error of op, whatever the other cells hold
    assert udfs.PS_BAND(DIV0, 10.0, 8.0) == "#指标性质无效: 单元格是错误值 #DIV/0!"
    assert udfs.PS_BAND(COM_DIV0, None, None) == "#指标性质无效: 单元格是错误值 #DIV/0!"


# ------------------------------------------------------------------------------ PS_ROWS_SUBTOTAL


def test_rows_subtotal_skips_unused_rows() -> None:
    block = [
        row("培训人次", "≥", 50.0, "人次", 49.0, 10.0, 9.8, "略低于目标"),
        E,
        row("覆盖率", "≥", 90.0, "%", 95.0, 10.0, 10.0),
        E,
    ]
    assert udfs.PS_ROWS_SUBTOTAL(block) == 19.8
    assert udfs.PS_ROWS_SUBTOTAL([E, E, E]) == 0.0  # nothing in use
    assert udfs.PS_ROWS_SUBTOTAL([row(weight=5.0, score=0.0)]) == 0.0
    assert udfs.PS_ROWS_SUBTOTAL([row(weight=5.0, score=1.005), row(weight=5.0, score=2.0)]) == 3.01
    assert udfs.PS_ROWS_SUBTOTAL([row(weight=5.0, score=1.004), row(weight=5.0, score=2.0)]) == 3.0
    assert udfs.PS_ROWS_SUBTOTAL([row(weight=5.0, score=5.0)] * 3) == 15.0


def test_rows_subtotal_one_row_may_come_flat() -> None:
    assert udfs.PS_ROWS_SUBTOTAL(row("X", None, None, None, None, 8.0, 6.4)) == 6.4
    assert udfs.PS_ROWS_SUBTOTAL([row("X", None, None, None, None, 8.0, 6.4)]) == 6.4
    assert udfs.PS_ROWS_SUBTOTAL(E) == 0.0


@pytest.mark.parametrize(
    "bad",
    [
        row("培训人次", "≥", 50.0, "人次", 49.0, 10.0),  # score missing
        row("培训人次", weight=10.0, score="9.8"),  # score typed as text
        row("培训人次", weight="10", score=9.8),  # weight typed as text
        row(weight=None, score=9.8),  # no weight
        row(weight=10.0, score=10.5),  # above the weight
        row(weight=10.0, score=-1.0),  # negative
        row(weight=10.0, score=True),
        row(reason="还没有填分"),  # in use by its reason alone
        row(name=" "),  # a space is something
        row(unit=0.0),  # so is a 0
        row(op=False),  # and FALSE
    ],
)
def test_rows_subtotal_blank_until_every_row_in_use_counts(bad: list[Any]) -> None:
    good = row("覆盖率", "≥", 90.0, "%", 95.0, 10.0, 10.0)
    assert udfs.PS_ROWS_SUBTOTAL([good, E, bad]) == ""
    assert udfs.PS_ROWS_SUBTOTAL([bad]) == ""


def test_rows_subtotal_errors_and_shapes() -> None:
    good = row("覆盖率", "≥", 90.0, "%", 95.0, 10.0, 10.0)
    assert (
        udfs.PS_ROWS_SUBTOTAL([good, row(reason=DIV0)])
        == "#指标行无效: 第 2 行“偏差原因分析及改进措施”是错误值 #DIV/0!"
    )
    assert udfs.PS_ROWS_SUBTOTAL([row(score=COM_DIV0), good]) == "#指标行无效: 第 1 行“得分”是错误值 #DIV/0!"
    shape = "#区域无效: 应为三级指标至偏差原因分析（B:I）共 8 列的指标行区域"
    assert udfs.PS_ROWS_SUBTOTAL([[1.0, 2.0], [3.0, 4.0]]) == shape
    assert udfs.PS_ROWS_SUBTOTAL(5.0) == shape
    assert udfs.PS_ROWS_SUBTOTAL([good, 5.0]) == shape


# ------------------------------------------------------------------------------ PS_SUM, PS_SUM_ALL


def test_sum() -> None:
    assert udfs.PS_SUM([[10.0], [12.0], [None], [8.0]]) == 30.0
    assert udfs.PS_SUM([[10.0], ["12"], ["分值"], [True], [8.0]]) == 18.0  # SUM skips text and logicals
    assert udfs.PS_SUM([[None], [None]]) == 0.0
    assert udfs.PS_SUM([[0.1], [0.2]]) == 0.3  # not 0.30000000000000004
    assert udfs.PS_SUM([[1.005], [0.0]]) == 1.01
    assert udfs.PS_SUM([[-1.005], [0.0]]) == -1.01  # ROUND: half away from zero
    assert udfs.PS_SUM([[5.0], [-2.0]]) == 3.0
    assert udfs.PS_SUM(7.5) == 7.5  # a single cell arrives as a scalar
    assert udfs.PS_SUM([1.0, 2.0, 3.0]) == 6.0  # one row or column arrives flat
    assert udfs.PS_SUM([[1e300], [1e-300]]) == 1e300
    assert udfs.PS_SUM([[1.0], [DIV0]]) == "#区域无效: 第 2 格是错误值 #DIV/0!"
    assert udfs.PS_SUM([[1.0], [COM_DIV0]]) == "#区域无效: 第 2 格是错误值 #DIV/0!"


def test_sum_all() -> None:
    assert udfs.PS_SUM_ALL(19.8, 30.0, 8.5) == 58.3
    assert udfs.PS_SUM_ALL(1.005, 2.0) == 3.01
    assert udfs.PS_SUM_ALL(0.0, 0.0) == 0.0
    assert udfs.PS_SUM_ALL(-1.0, 2.0) == 1.0
    assert udfs.PS_SUM_ALL(12.5) == 12.5
    assert udfs.PS_SUM_ALL(19.8, None, 8.5) == ""  # a blank 小计
    assert udfs.PS_SUM_ALL(19.8, "", 8.5) == ""
    assert udfs.PS_SUM_ALL(19.8, "50", 8.5) == ""  # text-number: ISNUMBER is false
    assert udfs.PS_SUM_ALL(19.8, "#指标行无效: x") == ""
    assert udfs.PS_SUM_ALL(19.8, DIV0) == ""  # ISNUMBER of an error is false, no error
    assert udfs.PS_SUM_ALL(19.8, COM_SPILL) == ""
    assert udfs.PS_SUM_ALL(True, 1.0) == ""
    assert udfs.PS_SUM_ALL().startswith("#参数无效")
    assert udfs.PS_SUM_ALL([[1.0], [2.0]], 3.0) == "#参数无效: 每个参数应为单个单元格"


# ------------------------------------------------------------------------------ funds


def test_funds_rate() -> None:
    assert udfs.PS_FUNDS_RATE(89.974, 90.0) == 0.9997
    assert udfs.PS_FUNDS_RATE(90.0, 90.0) == 1.0
    assert udfs.PS_FUNDS_RATE(100.0, 90.0) == 1.1111  # not capped
    assert udfs.PS_FUNDS_RATE(0.0, 90.0) == 0.0
    assert udfs.PS_FUNDS_RATE(1.0, 20000.0) == 0.0001  # 0.00005 exactly: half-up
    assert udfs.PS_FUNDS_RATE(2.0, 3.0) == 0.6667
    for actual, budget in [
        (89.974, 0.0),
        (89.974, -90.0),
        (-1.0, 90.0),
        (None, 90.0),
        (89.974, None),
        ("89.974", 90.0),
        (89.974, "90"),
        ("未执行", 90.0),
        (DIV0, 90.0),
        (89.974, COM_DIV0),
        (True, 90.0),
    ]:
        assert udfs.PS_FUNDS_RATE(actual, budget) == "", (actual, budget)


def test_funds_score() -> None:
    assert udfs.PS_FUNDS_SCORE(10.0, 89.974, 90.0) == 10.0  # 9.99711…
    assert udfs.PS_FUNDS_SCORE(10.0, 45.0, 90.0) == 5.0
    assert udfs.PS_FUNDS_SCORE(10.0, 100.0, 90.0) == 10.0  # capped
    assert udfs.PS_FUNDS_SCORE(10.0, 0.0, 90.0) == 0.0
    assert udfs.PS_FUNDS_SCORE(3.0, 5.0, 24.0) == 0.63  # 0.625 exactly (5/24 repeats)
    assert udfs.PS_FUNDS_SCORE(10.0, 89.955, 90.0) == 10.0  # 9.995 exactly → 10
    assert udfs.PS_FUNDS_SCORE(10.0, 2.0, 3.0) == 6.67
    assert udfs.PS_FUNDS_SCORE(-3.0, 5.0, 24.0) == -0.63  # ROUND: half away from zero
    for actual, budget in [(89.974, 0.0), (-1.0, 90.0), (None, 90.0), ("89.974", 90.0), (89.974, DIV0)]:
        assert udfs.PS_FUNDS_SCORE(10.0, actual, budget) == "", (actual, budget)
        assert udfs.PS_FUNDS_SCORE("abc", actual, budget) == ""  # the weight is not looked at


def test_funds_score_weight_as_in_arithmetic() -> None:
    # native: ROUND(分值*MIN(…),2) with 分值 unchecked — a blank is 0, text that is a number is that number
    assert udfs.PS_FUNDS_SCORE(None, 45.0, 90.0) == 0.0
    assert udfs.PS_FUNDS_SCORE("10", 45.0, 90.0) == 5.0
    assert udfs.PS_FUNDS_SCORE(" 10 ", 45.0, 90.0) == 5.0
    assert udfs.PS_FUNDS_SCORE("1e1", 45.0, 90.0) == 5.0
    assert udfs.PS_FUNDS_SCORE("1000%", 45.0, 90.0) == 5.0
    assert udfs.PS_FUNDS_SCORE(True, 45.0, 90.0) == 0.5
    # native #VALUE! or the error itself
    assert udfs.PS_FUNDS_SCORE("十分", 45.0, 90.0) == "#分值无效: “十分”不是数字"
    assert udfs.PS_FUNDS_SCORE("１０", 45.0, 90.0) == "#分值无效: “１０”不是数字"
    assert udfs.PS_FUNDS_SCORE("1e999999999", 45.0, 90.0) == "#分值无效: “1e999999999”不是数字"
    assert udfs.PS_FUNDS_SCORE(DIV0, 45.0, 90.0) == "#分值无效: 单元格是错误值 #DIV/0!"
    assert udfs.PS_FUNDS_SCORE(COM_DIV0, 45.0, 90.0) == "#分值无效: 单元格是错误值 #DIV/0!"


# ------------------------------------------------------------------------------ PS_GROUP_WEIGHT


def test_group_weight() -> None:
    used = [row("产出数量", weight=10.0, score=9.0), E]
    empty = [E, E, E]
    assert udfs.PS_GROUP_WEIGHT(30.0, used, 0.0, 10.0, empty) == 40.0  # 满意度 unused: its 10 moves here
    assert udfs.PS_GROUP_WEIGHT(30.0, used, 0.0, 10.0, used) == 30.0
    assert udfs.PS_GROUP_WEIGHT(30.0, empty, 0.0, 10.0, empty) == 40.0  # own rows do not matter
    assert udfs.PS_GROUP_WEIGHT(10.0, empty, 1.0) == 0.0  # moved away
    assert udfs.PS_GROUP_WEIGHT(10.0, used, 1.0) == 10.0
    assert udfs.PS_GROUP_WEIGHT(10.0, empty, True) == 0.0
    assert udfs.PS_GROUP_WEIGHT(10.0, empty, 0.0) == 10.0
    assert udfs.PS_GROUP_WEIGHT(10.0, empty, None) == 10.0
    assert udfs.PS_GROUP_WEIGHT(30.0, used, 0.0, 10.0, empty, 5.5, E, 7.0, used) == 45.5
    assert udfs.PS_GROUP_WEIGHT(30.0, used, 0.0, 10.0, [row(unit=0.0)]) == 30.0  # a 0 is in use
    assert udfs.PS_GROUP_WEIGHT(30.0, used, 0.0, 10.0, [row(reason=" ")]) == 30.0
    assert udfs.PS_GROUP_WEIGHT(30.0, used, 0.0, 10.0, None) == 40.0  # a single empty cell
    assert udfs.PS_GROUP_WEIGHT(0.1, used, 0.0, 0.2, empty) == 0.3  # exact, not 0.30000000000000004


def test_group_weight_weights_as_in_arithmetic() -> None:
    used, empty = [row("X")], [E]
    assert udfs.PS_GROUP_WEIGHT("30", used, 0.0, "10", empty) == 40.0
    assert udfs.PS_GROUP_WEIGHT(None, used, 0.0, 10.0, empty) == 10.0
    assert udfs.PS_GROUP_WEIGHT("abc", empty, 1.0, 10.0, empty) == 10.0  # not evaluated: moved away
    assert udfs.PS_GROUP_WEIGHT(30.0, used, 0.0, "abc", used) == 30.0  # not evaluated: in use
    assert udfs.PS_GROUP_WEIGHT(30.0, used, 0.0, "abc", empty) == "#第 4 个参数（分值）无效: “abc”不是数字"
    assert udfs.PS_GROUP_WEIGHT(DIV0, used, 0.0) == "#分值无效: 单元格是错误值 #DIV/0!"


def test_group_weight_errors() -> None:
    used, empty = [row("X")], [E]
    assert udfs.PS_GROUP_WEIGHT(30.0, used, 0.0, 10.0).startswith("#参数无效: moves 之后应成对给出")
    assert udfs.PS_GROUP_WEIGHT(30.0, used, "是").startswith("#参数无效: moves 应为 1 或 0")
    assert udfs.PS_GROUP_WEIGHT(30.0, used, "TRUE", 10.0, empty) == 40.0
    # an error in a block the native formula looks at shows that error; the own block only with moves
    assert udfs.PS_GROUP_WEIGHT(30.0, [row(reason=DIV0)], 0.0, 10.0, empty) == 40.0
    assert udfs.PS_GROUP_WEIGHT(30.0, [row(reason=DIV0)], 1.0) == "#指标行区域无效: 第 8 格是错误值 #DIV/0!"
    assert (
        udfs.PS_GROUP_WEIGHT(30.0, used, 0.0, 10.0, [E, row(name=COM_DIV0)])
        == "#第 5 个参数（指标行区域）无效: 第 9 格是错误值 #DIV/0!"
    )


# ------------------------------------------------------------------------------ grades


def test_grade_with_a_project_framework() -> None:
    fw = project_fw()
    assert udfs.PS_GRADE(95.0, PROJECT_FW) == "优"
    assert udfs.PS_GRADE(90.0, PROJECT_FW) == "优"
    assert udfs.PS_GRADE(89.99, PROJECT_FW) == "良"
    assert udfs.PS_GRADE(60.0, PROJECT_FW) == "中"
    assert udfs.PS_GRADE(0.0, PROJECT_FW) == "差"
    assert udfs.PS_GRADE(None, PROJECT_FW) == ""
    assert udfs.PS_GRADE(100.5, PROJECT_FW) == "#总分无效: 100.5 大于满分 100"
    assert udfs.PS_GRADE_LINE(95.0, PROJECT_FW) == fw.grade_line("优")
    assert udfs.PS_GRADE_LINE(95.0, PROJECT_FW).startswith("☑优 90分≤得分≤100分；□良")
    assert udfs.PS_GRADE_LINE(None, PROJECT_FW) == fw.grade_line(None)
    assert udfs.PS_GRADE(95.0) == "优"  # the department default still works


# ------------------------------------------------------------------------------ wiring


SAMPLE_PROJECT_FORMULAS = [
    Udf().reference(5),
    Udf().band(5),
    Udf().category_score(3, 7),
    Udf().sum_weights(3, 7),
    Udf().all_or_blank(["H8", "H14", "H20"]),
    Udf().funds_rate("D9", "C9"),
    Udf().funds_score("E9", "D9", "C9"),
    Udf().group_weight("30", ("'产出指标'!", 3, 40), False, [("10", ("'满意度指标'!", 3, 20))]),
    Udf().group_weight("10", ("'满意度指标'!", 3, 20), True, []),
    Udf().grade("C30", project_fw()),
    Udf().grade_line("C31", "C30", project_fw()),
]


@pytest.mark.parametrize("formula", SAMPLE_PROJECT_FORMULAS)
def test_project_udf_dialect_calls_defined_udfs_with_a_valid_arity(formula: str) -> None:
    m = re.match(r"^=(PS_[A-Z_]+)\((.*)\)$", formula)
    assert m, formula
    name, args = m.group(1), re.findall(r"'[^']*'![^,]+|\"[^\"]*\"|[^,]+", m.group(2))
    assert name in udfs.UDF_NAMES
    params = vba.udf_signatures()[name]
    fixed = [p for p in params if not p.startswith("*")]
    required = [p for p in fixed if p not in ("weights", "framework", "indicator")]
    if any(p.startswith("*") for p in params):
        assert len(args) >= len(fixed)
        if name == "PS_GROUP_WEIGHT":
            assert (len(args) - len(fixed)) % 2 == 0
    else:
        assert len(required) <= len(args) <= len(params)


def test_project_udfs_ask_xlwings_for_error_cells_as_text() -> None:
    """Without err_to_str xlwings passes #DIV/0! as None, indistinguishable from a blank."""
    import xlwings

    with vba._windows_stubs():
        from xlwings import udfs as xlwings_udfs

        module = vba._udfs_with(xlwings, xlwings_udfs.xlfunc)
    for name in udfs.UDF_NAMES[udfs.UDF_NAMES.index("PS_TARGET_SCORE") :]:
        args = getattr(module, name).__xlfunc__["args"]
        assert args, name
        for arg in args:
            assert arg["options"] == {"convert": Any, "err_to_str": True}, (name, arg["name"])


def test_vba_wrappers_of_the_varargs_functions() -> None:
    code = vba.udf_wrapper_source()
    assert "Function PS_GROUP_WEIGHT(weight, own_block, moves, ParamArray others())" in code
    assert "argsArray = Array(weight, own_block, moves)" in code
    assert "Function PS_SUM_ALL(ParamArray figures())" in code
    assert "Function PS_TARGET_SCORE(weight, op, value, actual)" in code


# ------------------------------------------------------------------------------ against the native formulas

ERROR = object()  # the native formula shows an Excel error


def _n(x: object) -> bool:
    """ISNUMBER (the inputs below hold numbers as floats only)."""
    return isinstance(x, float)


def _f(x: object) -> Fraction:
    assert isinstance(x, float)
    return Fraction(Decimal(repr(x)))


def _round(x: Fraction, places: int = 2) -> float:
    scaled = x * 10**places
    n = math.floor(abs(scaled) + Fraction(1, 2))
    return float(Fraction(-n if scaled < 0 else n, 10**places))


def _err(x: object) -> bool:
    return isinstance(x, str) and x.startswith("#") and x.endswith(("!", "A", "?"))


def native_reference(w: object, op: object, v: object, a: object) -> object:
    """=IF(AND(ISNUMBER(w),ISNUMBER(v),ISNUMBER(a)),IF(AND(w>=0,v>=0,a>=0),pick,""),"")"""
    if not (_n(w) and _n(v) and _n(a)):
        return ""
    W, V, A = _f(w), _f(v), _f(a)
    if not (W >= 0 and V >= 0 and A >= 0):
        return ""
    if _err(op):
        return ERROR
    if op in ("≥", ">"):
        return _round(W * min(A / V, Fraction(1))) if V > 0 else ""
    if op in ("≤", "<"):
        return _round(W * min(V / A, Fraction(1))) if A > 0 else ""
    if op == "=":
        return _round(W) if A == V else _round(W * min(A, V) / max(A, V))
    return ""


def native_band(op: object, w: object, s: object) -> object:
    if _err(op):
        return ERROR
    if not (op in (None, "") and _n(w) and _n(s)):
        return ""
    W, S = _f(w), _f(s)
    if not (W > 0 and S >= 0 and S <= W):
        return ""
    tenth = _round(S * 10, 6)
    if tenth >= _round(W * 8, 6):
        return "达成"
    return "部分达成" if tenth >= _round(W * 6, 6) else "未达成"


def native_rows_subtotal(block: list[list[object]]) -> object:
    if any(_err(c) for r in block for c in r):
        return ERROR
    used = [any(c not in (None, "") for c in r) for r in block]
    counts = sum(
        1
        for r, u in zip(block, used, strict=True)
        if u and _n(r[6]) and _n(r[5]) and _f(r[6]) >= 0 and _f(r[6]) <= _f(r[5])
    )
    if sum(used) != counts:
        return ""
    return _round(sum((_f(r[6]) for r in block if _n(r[6])), Fraction(0)))


numbers = st.decimals(min_value=-2, max_value=120, places=3, allow_nan=False).map(float)
cells = st.one_of(
    numbers,
    st.sampled_from([0.0, 0.8, 6.0, 8.0, 10.0, 50.0]),
    st.none(),
    st.sampled_from(["", "50", "8", "abc", " ", True, False, DIV0, "#N/A"]),
)
ops = st.sampled_from(["≥", ">", "≤", "<", "=", "", None, "正向", " ≥", 1.0, DIV0])


def _same(out: object, want: object) -> bool:
    return is_error_text(out) if want is ERROR else out == want


@settings(max_examples=300, deadline=None)
@given(w=cells, op=ops, v=cells, a=cells)
def test_target_score_matches_the_native_formula(w: object, op: object, v: object, a: object) -> None:
    assert _same(udfs.PS_TARGET_SCORE(w, op, v, a), native_reference(w, op, v, a))


@settings(max_examples=300, deadline=None)
@given(op=ops, w=cells, s=cells)
def test_band_matches_the_native_formula(op: object, w: object, s: object) -> None:
    assert _same(udfs.PS_BAND(op, w, s), native_band(op, w, s))


@settings(max_examples=200, deadline=None)
@given(
    block=st.lists(
        st.one_of(
            st.just(E),
            st.tuples(st.sampled_from(["X", None]), cells, cells).map(
                lambda t: row(t[0], weight=t[1], score=t[2])
            ),
            st.tuples(cells, cells).map(lambda t: row(reason=t[0], weight=10.0, score=t[1])),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_rows_subtotal_matches_the_native_formula(block: list[list[object]]) -> None:
    assert _same(udfs.PS_ROWS_SUBTOTAL(block), native_rows_subtotal(block))
