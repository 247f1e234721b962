"""Targets and actuals of the project form: parsing printed 年度指标值, units, completion rate, reference score."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from perfscore.engine.project.rules import (
    QUALITATIVE_BANDS,
    RateUndefined,
    band_of,
    completion_rate,
    overshoot,
    reference,
)
from perfscore.engine.project.targets import (
    OPS,
    Actual,
    Target,
    parse_actual,
    parse_target,
    same_unit,
    split_target,
)
from perfscore.engine.scoring import reference_score

D = Decimal

QUANTITATIVE = [
    # symbols
    ("≥50个", "≥", "50", "个"),
    (">50个", ">", "50", "个"),
    ("≤90万元", "≤", "90", "万元"),
    ("<5起", "<", "5", "起"),
    ("=100%", "=", "100", "%"),
    (">=50", "≥", "50", ""),
    ("=>50", "≥", "50", ""),
    ("<=90万元", "≤", "90", "万元"),
    ("=<90万元", "≤", "90", "万元"),
    ("==100%", "=", "100", "%"),
    ("≧95%", "≥", "95", "%"),
    ("⩾95%", "≥", "95", "%"),
    ("≦90万元", "≤", "90", "万元"),
    ("⩽3次", "≤", "3", "次"),
    # full-width and spaces
    ("≥５０个", "≥", "50", "个"),
    ("＞＝90％", "≥", "90", "%"),
    ("＜＝３．５天", "≤", "3.5", "天"),
    ("＝１００％", "=", "100", "%"),
    ("≥ 50 个", "≥", "50", "个"),
    ("  ≥50个  ", "≥", "50", "个"),
    ("≥\u300050\u3000个", "≥", "50", "个"),
    ("≥50\u00a0个", "≥", "50", "个"),
    ("≥\u200b50个", "≥", "50", "个"),
    ("≥\t50\n个", "≥", "50", "个"),
    # bare figures are 正向
    ("100%", "≥", "100", "%"),
    ("50个", "≥", "50", "个"),
    ("12", "≥", "12", ""),
    ("0.5万元", "≥", "0.5", "万元"),
    ("≥0个", "≥", "0", "个"),
    # units as printed
    ("≥100百分比", "≥", "100", "百分比"),
    ("≥98.5%", "≥", "98.5", "%"),
    ("≥500㎡", "≥", "500", "㎡"),
    ("≥30m³", "≥", "30", "m³"),
    ("≥2万元/年", "≥", "2", "万元/年"),
    ("≥12个月", "≥", "12", "个月"),
    ("≥1234567890", "≥", "1234567890", ""),
    ("≥5一二三四五六七八九十", "≥", "5", "一二三四五六七八九十"),
    # thousands separators
    ("1,000人次", "≥", "1000", "人次"),
    ("≥12,500.5元", "≥", "12500.5", "元"),
    ("≤1,234,567元", "≤", "1234567", "元"),
    ("≥1，000人", "≥", "1000", "人"),
    # words
    ("不低于95%", "≥", "95", "%"),
    ("不少于50个", "≥", "50", "个"),
    ("不小于50个", "≥", "50", "个"),
    ("大于等于50个", "≥", "50", "个"),
    ("至少3次", "≥", "3", "次"),
    ("大于90%", ">", "90", "%"),
    ("高于90%", ">", "90", "%"),
    ("超过1000人", ">", "1000", "人"),
    ("不高于5%", "≤", "5", "%"),
    ("不超过90万元", "≤", "90", "万元"),
    ("不多于2次", "≤", "2", "次"),
    ("不大于2次", "≤", "2", "次"),
    ("小于等于2次", "≤", "2", "次"),
    ("至多2次", "≤", "2", "次"),
    ("小于1%", "<", "1", "%"),
    ("低于1%", "<", "1", "%"),
    ("等于100%", "=", "100", "%"),
    ("不超过 90 万元", "≤", "90", "万元"),
    # 以上 / 以下 / 以内
    ("90%以上", "≥", "90", "%"),
    ("90%及以上", "≥", "90", "%"),
    ("50以上", "≥", "50", ""),
    ("10万元以内", "≤", "10", "万元"),
    ("5%以下", "≤", "5", "%"),
    ("5%及以下", "≤", "5", "%"),
    ("≥90%以上", "≥", "90", "%"),
    (">90%以上", ">", "90", "%"),
    ("≤10万元以内", "≤", "10", "万元"),
    ("<10万元以下", "<", "10", "万元"),
    ("不低于90%以上", "≥", "90", "%"),
    ("90 % 以上", "≥", "90", "%"),
]

QUALITATIVE = [
    "",
    "   ",
    "效果明显",
    "达成预期指标",
    "严格执行相关制度规定",
    "在项目计划完成时间内完成",
    "完成率达到95%以上",
    "3-5个",
    "90%-95%",
    "3~5个",
    "3～5个",
    "≥50个且≤60个",
    "≥-5%",
    "-5%",
    "+5%",
    "1,0000",
    "10,00元",
    "1,000.",
    "50,个",
    "≤90%以上",
    "<90%以上",
    "≥10万元以内",
    "=90%以上",
    "=90%以下",
    "≥",
    "以上",
    "≥≥50",
    "≥=50",
    ".5万元",
    "五十个",
    "约50个",
    "50个左右",
    "≥5一二三四五六七八九十一",
    "90%以上的群众",
    "≥50个不超过",
    "≥50±5个",
    "≥①个",
    "≥50个2",
]


@pytest.mark.parametrize(("text", "op", "value", "unit"), QUANTITATIVE)
def test_quantitative_targets(text: str, op: str, value: str, unit: str) -> None:
    t = parse_target(text)
    assert (t.op, t.value, t.unit) == (op, D(value), unit)
    assert t.text == text.strip()
    assert t.quantitative


def test_there_are_many_printed_variants() -> None:
    assert len(QUANTITATIVE) + len(QUALITATIVE) >= 40
    assert len({t for t, *_ in QUANTITATIVE}) == len(QUANTITATIVE)
    assert len(set(QUALITATIVE)) == len(QUALITATIVE)


@pytest.mark.parametrize("text", QUALITATIVE)
def test_qualitative_targets(text: str) -> None:
    t = parse_target(text)
    assert (t.op, t.value, t.unit) == (None, None, "")
    assert not t.quantitative
    assert t.direction is None
    assert t.text == text.strip()
    assert t.printed() == text.strip()


@pytest.mark.parametrize(("text", "op", "value", "unit"), QUANTITATIVE)
def test_printed_round_trips(text: str, op: str, value: str, unit: str) -> None:
    t = parse_target(text)
    again = parse_target(t.printed())
    assert (again.op, again.value, again.unit) == (t.op, t.value, t.unit)
    assert again.printed() == t.printed()
    assert again.printed() == again.text


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("≥５０个", "≥50个"),
        ("＞＝90％", "≥90%"),
        ("1,000人次", "≥1000人次"),
        ("10万元以内", "≤10万元"),
        ("≥50.0个", "≥50个"),
        ("≥0.50万元", "≥0.5万元"),
        ("=100%", "=100%"),
        ("≥0个", "≥0个"),
        ("不超过 90 万元", "≤90万元"),
        ("效果明显", "效果明显"),
    ],
)
def test_printed_is_canonical(text: str, printed: str) -> None:
    assert parse_target(text).printed() == printed


@pytest.mark.parametrize(
    ("text", "direction"),
    [("≥1", "up"), (">1", "up"), ("≤1", "down"), ("<1", "down"), ("=1", "equal"), ("1", "up"), ("好", None)],
)
def test_direction(text: str, direction: str | None) -> None:
    assert parse_target(text).direction == direction


def test_ops_are_the_canonical_operators() -> None:
    assert OPS == ("≥", ">", "≤", "<", "=")
    assert {parse_target(f"{op}1").op for op in OPS} == set(OPS)


@pytest.mark.parametrize(
    ("op", "value", "unit"),
    [("≫", D(1), ""), ("≥", None, ""), (None, D(1), ""), (None, None, "个")],
)
def test_an_inconsistent_target_is_refused(op: str | None, value: Decimal | None, unit: str) -> None:
    with pytest.raises(ValueError):
        Target("x", op, value, unit)


@pytest.mark.parametrize(
    ("op", "value", "unit", "expected"),
    [
        ("≥", D(50), "个", ("≥", D(50), "个")),
        ("≤", "90", "万元", ("≤", D(90), "万元")),
        ("不超过", "90", "万元", ("≤", D(90), "万元")),
        ("正向", D("95.5"), "%", ("≥", D("95.5"), "%")),
        ("反向指标", "3", "次", ("≤", D(3), "次")),
        ("正向", "≥50", "个", ("≥", D(50), "个")),
        ("正向", ">50", "个", (">", D(50), "个")),
        ("反向", "50个以内", "个", ("≤", D(50), "个")),
        (None, "≤90万元", None, ("≤", D(90), "万元")),
        (None, "90", "万元", ("≥", D(90), "万元")),
        (" ≥ ", " 50 ", " 个 ", ("≥", D(50), "个")),
        ("", D(100), "％", ("≥", D(100), "%")),
        ("正向", "50个", "个", ("≥", D(50), "个")),
        (None, "90%", "％", ("≥", D(90), "%")),
        ("反向", "≥50", "个", (None, None, "")),
        ("正向", "50个", "人", (None, None, "")),
        ("=", "90%以上", None, (None, None, "")),
        (None, "50以上", "个", ("≥", D(50), "个")),
        ("反向", "10以内", "万元", ("≤", D(10), "万元")),
        ("≥", "50", "个2", (None, None, "")),
        ("≥", "50", "-", (None, None, "")),
        ("定性", "效果明显", None, (None, None, "")),
        ("说不清", "50", "个", (None, None, "")),
        ("≥", "效果明显", None, (None, None, "")),
        ("≥", D(-5), "个", (None, None, "")),
        ("≥", None, None, (None, None, "")),
    ],
)
def test_split_target(
    op: str | None,
    value: Decimal | str | None,
    unit: str | None,
    expected: tuple[str | None, Decimal | None, str],
) -> None:
    t = split_target(op, value, unit)
    assert (t.op, t.value, t.unit) == expected


def test_split_target_keeps_the_texts() -> None:
    assert split_target("≥", D(50), "个").text == "≥ 50 个"
    assert split_target(None, "≤90万元", None).text == "≤90万元"
    assert split_target("正向", "50个", "人").text == "正向 50个 人"
    assert split_target("定性", "效果明显", None).text == "效果明显"
    assert split_target("正向", D("95.50"), "%").printed() == "≥95.5%"


@pytest.mark.parametrize(
    ("raw", "text", "value", "unit"),
    [
        (D(50), "50", D(50), ""),
        (D("89.970"), "89.97", D("89.97"), ""),
        ("50", "50", D(50), ""),
        ("50个", "50个", D(50), "个"),
        ("89.97万元", "89.97万元", D("89.97"), "万元"),
        ("100%", "100%", D(100), "%"),
        ("１００％", "１００％", D(100), "%"),
        (" 50 个 ", "50 个", D(50), "个"),
        ("1,000人次", "1,000人次", D(1000), "人次"),
        ("0", "0", D(0), ""),
        ("-3.5%", "-3.5%", D("-3.5"), "%"),
        ("500㎡", "500㎡", D(500), "㎡"),
        ("达成预期指标", "达成预期指标", None, ""),
        ("效果明显", "效果明显", None, ""),
        ("≥50个", "≥50个", None, ""),
        ("3-5个", "3-5个", None, ""),
        ("约50个", "约50个", None, ""),
        ("50个以上", "50个以上", None, ""),
        ("1,0000", "1,0000", None, ""),
        ("", "", None, ""),
        ("   ", "", None, ""),
        (None, "", None, ""),
        (D("NaN"), "NaN", None, ""),
    ],
)
def test_parse_actual(raw: str | Decimal | None, text: str, value: Decimal | None, unit: str) -> None:
    assert parse_actual(raw) == Actual(text, value, unit)


def test_parse_actual_refuses_other_types() -> None:
    with pytest.raises(TypeError):
        parse_actual(50)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("target_unit", "actual_unit", "same"),
    [
        ("个", "", True),
        ("", "", True),
        ("%", "", True),
        ("个", "个", True),
        ("%", "％", True),
        ("％", "%", True),
        ("%", "百分比", True),
        ("百分比", "%", True),
        ("百分比", "％", True),
        ("万元", "万 元", True),
        ("万元", "万元 ", True),
        ("㎡", "m²", True),
        ("个", "人", False),
        ("万元", "元", False),
        ("%", "个", False),
        ("", "个", False),
        ("%", "百分点", False),
    ],
)
def test_same_unit(target_unit: str, actual_unit: str, same: bool) -> None:
    assert same_unit(target_unit, actual_unit) is same


@pytest.mark.parametrize(
    ("op", "target", "actual", "rate"),
    [
        ("≥", "50", "0", "0"),
        ("≥", "50", "25", "0.5"),
        ("≥", "50", "49", "0.98"),
        ("≥", "50", "50", "1"),
        ("≥", "50", "60", "1"),
        (">", "50", "50", "1"),
        (">", "90", "45", "0.5"),
        ("≤", "90", "90", "1"),
        ("≤", "90", "60", "1"),
        ("≤", "90", "100", "0.9"),
        ("<", "90", "180", "0.5"),
        ("≤", "0", "5", "0"),
        ("=", "100", "100", "1"),
        ("=", "100", "98", "0.98"),
        ("=", "100", "125", "0.8"),
        ("=", "0", "0", "1"),
        ("=", "0", "5", "0"),
        ("=", "5", "0", "0"),
    ],
)
def test_completion_rate(op: str, target: str, actual: str, rate: str) -> None:
    assert completion_rate(op, D(target), D(actual)) == D(rate)


def test_a_repeating_rate_has_full_precision() -> None:
    assert completion_rate("≥", D(3), D(2)) == D(2) / D(3)
    assert completion_rate("=", D(3), D(2)) == D(2) / D(3)


@pytest.mark.parametrize(
    ("op", "target", "actual", "message"),
    [
        ("≤", "90", "0", "反向指标的实际完成值为 0"),
        ("<", "90", "0", "反向指标的实际完成值为 0"),
        ("≤", "0", "0", "反向指标的实际完成值为 0"),
        ("≥", "0", "5", "正向指标的指标值为 0"),
        (">", "0", "0", "正向指标的指标值为 0"),
        ("≥", "-5", "5", "负数"),
        ("≥", "5", "-5", "负数"),
        ("=", "-5", "-5", "负数"),
        ("≤", "5", "-1", "负数"),
    ],
)
def test_rate_undefined(op: str, target: str, actual: str, message: str) -> None:
    with pytest.raises(RateUndefined, match=message):
        completion_rate(op, D(target), D(actual))
    with pytest.raises(RateUndefined, match=message):
        reference(op, D(target), D(actual), D(10))


def test_rate_undefined_is_a_value_error() -> None:
    assert issubclass(RateUndefined, ValueError)


@pytest.mark.parametrize("op", ["≫", "", "正向", ">="])
def test_an_unknown_operator_is_a_caller_error(op: str) -> None:
    with pytest.raises(ValueError, match="未知的指标符号") as info:
        completion_rate(op, D(1), D(1))
    assert not isinstance(info.value, RateUndefined)
    with pytest.raises(ValueError, match="未知的指标符号"):
        overshoot(op, D(1), D(1), D("0.2"))


@pytest.mark.parametrize(
    ("op", "target", "actual", "weight", "score"),
    [
        ("≥", "50", "49", "8", "7.84"),
        ("≤", "90", "100", "8", "7.20"),
        ("=", "100", "98", "10", "9.80"),
        ("≥", "50", "0", "8", "0.00"),
        ("≥", "50", "50", "8", "8.00"),
        ("≥", "50", "75", "8", "8.00"),
        ("≤", "90", "45", "8", "8.00"),
        ("=", "0", "0", "5", "5.00"),
        ("=", "100", "0", "5", "0.00"),
        ("≥", "3", "2", "10", "6.67"),  # rate 2/3
        ("≥", "3", "1", "10", "3.33"),  # rate 1/3
        ("≥", "8", "1", "0.1", "0.01"),  # 0.0125 → 0.01
        ("≥", "8", "3", "0.1", "0.04"),  # 0.0375 → 0.04 (half up)
        ("≥", "40", "1", "1", "0.03"),  # 0.025 → 0.03 (half up, not to even)
        ("≤", "1", "8", "1", "0.13"),  # 0.125 → 0.13
        ("=", "8", "1", "1", "0.13"),  # 0.125 → 0.13
        ("≥", "24", "5", "3", "0.63"),  # 3 × 5/24 = 0.625 exactly, a repeating rate
        ("≤", "5", "24", "3", "0.63"),
        ("=", "24", "5", "3", "0.63"),
        ("≥", "1400", "201", "7", "1.01"),  # 7 × 201/1400 = 1.005 exactly
    ],
)
def test_reference(op: str, target: str, actual: str, weight: str, score: str) -> None:
    result = reference(op, D(target), D(actual), D(weight))
    assert result == D(score)
    assert str(result) == score  # two decimals, as the form prints a score


def test_a_half_cent_is_not_lost_on_a_repeating_rate() -> None:
    # The Decimal rate 5/24 = 0.2083…33 times 3 gives 0.6249…99; the exact product is 0.625.
    assert reference_score(D(3), completion_rate("≥", D(24), D(5))) == D("0.62")
    assert reference("≥", D(24), D(5), D(3)) == D("0.63")


@pytest.mark.parametrize("op", OPS)
def test_reference_follows_the_scoring_rule(op: str) -> None:
    """Wherever the rate is an exact decimal, reference is scoring.reference_score on it."""
    figures = [D(n) for n in ("1", "2", "4", "5", "8", "10", "12.5", "20", "40", "50", "80", "100")]
    weights = [D(w) for w in ("0.1", "1", "3", "7", "8", "10", "15", "20")]
    for target in figures:
        for actual in [D(0), *figures]:
            if op in ("≤", "<") and actual == 0:
                continue
            rate = completion_rate(op, target, actual)
            assert 0 <= rate <= 1
            for weight in weights:
                assert reference(op, target, actual, weight) == reference_score(weight, rate)


def test_reference_is_exact_half_up_of_the_exact_rate() -> None:
    for target in range(1, 61):
        for actual in range(61):
            for weight in (1, 3, 7, 9):
                exact = min(Fraction(actual, target), Fraction(1)) * weight
                cents = exact * 100
                expected = int(cents) + (1 if cents - int(cents) >= Fraction(1, 2) else 0)
                assert reference("≥", D(target), D(actual), D(weight)) == D(expected).scaleb(-2)


def test_qualitative_bands() -> None:
    assert [(b.name, b.low, b.high) for b in QUALITATIVE_BANDS] == [
        ("达成", D("0.8"), D(1)),
        ("部分达成", D("0.6"), D("0.8")),
        ("未达成", D(0), D("0.6")),
    ]


@pytest.mark.parametrize(
    ("score", "weight", "band"),
    [
        ("10", "10", "达成"),
        ("8", "10", "达成"),
        ("7.99", "10", "部分达成"),
        ("6", "10", "部分达成"),
        ("5.99", "10", "未达成"),
        ("0", "10", "未达成"),
        ("4", "5", "达成"),
        ("3.99", "5", "部分达成"),
        ("3", "5", "部分达成"),
        ("2.99", "5", "未达成"),
        ("2.4", "3", "达成"),
        ("2.39", "3", "部分达成"),
        ("1.8", "3", "部分达成"),
        ("1.79", "3", "未达成"),
        ("10.01", "10", None),
        ("-0.01", "10", None),
        ("0", "0", None),
        ("1", "-5", None),
    ],
)
def test_band_of(score: str, weight: str, band: str | None) -> None:
    assert band_of(D(score), D(weight)) == band


@pytest.mark.parametrize(
    ("op", "target", "actual", "far"),
    [
        ("≥", "50", "60", False),  # exactly 20 % above
        ("≥", "50", "60.01", True),
        ("≥", "50", "50", False),
        (">", "50", "60", False),
        (">", "50", "61", True),
        ("≥", "0", "100", False),  # no basis to compare with
        ("≤", "100", "80", False),  # exactly 20 % below the cap
        ("≤", "100", "79.99", True),
        ("≤", "100", "120", False),
        ("<", "100", "79", True),
        ("<", "100", "0", True),
        ("=", "100", "1000", False),
        ("=", "100", "0", False),
    ],
)
def test_overshoot(op: str, target: str, actual: str, far: bool) -> None:
    assert overshoot(op, D(target), D(actual), D("0.2")) is far


def test_overshoot_threshold() -> None:
    assert overshoot("≥", D(50), D(51), D(0))
    assert not overshoot("≥", D(50), D(100), D(1))
    assert overshoot("≥", D(50), D("100.01"), D(1))
    with pytest.raises(ValueError, match="超额阈值"):
        overshoot("≥", D(50), D(60), D("-0.1"))
