"""Completion rules of the project-expenditure form: completion rate, reference score, bands, overshoot.

A quantitative 三级 indicator's target (read by :func:`perfscore.engine.project.targets.parse_target`)
and its actual give a completion rate and the reference score (参考得分) the form suggests; a qualitative
indicator's typed score falls in a band; an actual far beyond its target asks for the reason. It is pure:
no spreadsheet, no I/O.

Completion rate and reference score
-----------------------------------

正向 (``≥ >``): actual ÷ target; 反向 (``≤ <``): target ÷ actual; 等于 (``=``): 1 when equal, else
min ÷ max. The rate is capped at 100 %. A rate that cannot be computed (a 反向 actual of 0, a 正向 target
of 0, a negative figure) raises :class:`RateUndefined`, a finding for the caller rather than a division
error. The reference score is weight × rate rounded half-up to 0.01, the rule of
:func:`perfscore.engine.scoring.reference_score`, computed on the exact rate so that a repeating rate
(5/24 of a weight of 3 is exactly 0.625) never loses its half cent.

Qualitative bands and overshoot
-------------------------------

A qualitative indicator's score is graded by its share of the weight (:data:`QUALITATIVE_BANDS`,
:func:`band_of`): ≥ 80 % 达成, ≥ 60 % 部分达成, else 未达成. An actual beyond its target by more than a
threshold (:func:`overshoot`: ≥ > above target × (1 + threshold), ≤ < below target × (1 − threshold), =
never) suggests a target set too low, which 10号 asks to analyse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from perfscore.engine.project.targets import DOWN_OPS, OPS, UP_OPS
from perfscore.engine.scoring import ratio_rate, reference_score


class RateUndefined(ValueError):
    """The completion rate cannot be computed from these figures (a finding, not a crash)."""


def _check(op: str, target: Decimal, actual: Decimal) -> None:
    if op not in OPS:
        raise ValueError(f"未知的指标符号“{op}”，应为 ≥、>、≤、< 或 =")
    if target < 0 or actual < 0:
        raise RateUndefined("指标值或实际完成值为负数，无法计算完成率和参考得分")
    if op in UP_OPS and target == 0:
        raise RateUndefined("正向指标的指标值为 0，无法按“完成值 ÷ 指标值”计算参考得分")
    if op in DOWN_OPS and actual == 0:
        raise RateUndefined("反向指标的实际完成值为 0，无法按“指标值 ÷ 完成值”计算参考得分")


def _exact_rate(op: str, target: Decimal, actual: Decimal) -> Fraction:
    """The capped completion rate as an exact fraction (figures already checked)."""
    t, a = Fraction(target), Fraction(actual)
    if op in UP_OPS:
        rate = a / t
    elif op in DOWN_OPS:
        rate = t / a
    elif t == a:
        rate = Fraction(1)
    else:
        rate = min(t, a) / max(t, a)
    return min(rate, Fraction(1))


def completion_rate(op: str, target: Decimal, actual: Decimal) -> Decimal:
    """完成率, capped at 1: 正向 actual ÷ target, 反向 target ÷ actual, 等于 min ÷ max (1 when equal).

    Raises :class:`RateUndefined` for a 正向 target of 0, a 反向 actual of 0 or a negative figure,
    and ValueError for an unknown operator. A repeating rate is rounded to the decimal context (28 digits).
    """
    _check(op, target, actual)
    if op in UP_OPS:
        return ratio_rate(actual, target, "正向")
    if op in DOWN_OPS:
        return ratio_rate(actual, target, "反向")
    if target == actual:
        return Decimal(1)
    return min(target, actual) / max(target, actual)


def _half_up_cents(value: Fraction) -> Decimal:
    """Round a non-negative exact value half-up to 0.01."""
    return Decimal(math.floor(value * 100 + Fraction(1, 2))).scaleb(-2)


def reference(op: str, target: Decimal, actual: Decimal, weight: Decimal) -> Decimal:
    """参考得分: weight × completion rate, rounded half-up to 0.01 (reference("≥", 50, 49, 8) = 7.84).

    The same rule as :func:`~perfscore.engine.scoring.reference_score`, used as is when the rate is an
    exact decimal; a repeating rate (5/24) is multiplied exactly so that a score lying exactly on a half
    cent (3 × 5/24 = 0.625) rounds up as it should.
    """
    rate = completion_rate(op, target, actual)
    exact = _exact_rate(op, target, actual)
    if Fraction(rate) == exact:
        return reference_score(weight, rate)
    return _half_up_cents(Fraction(weight) * exact)


@dataclass(frozen=True)
class QualitativeBand:
    """A grade of a qualitative indicator's score, as fractions of its weight: ``low ≤ score/weight``."""

    name: str
    low: Decimal
    high: Decimal


QUALITATIVE_BANDS = (
    QualitativeBand("达成", Decimal("0.8"), Decimal(1)),
    QualitativeBand("部分达成", Decimal("0.6"), Decimal("0.8")),
    QualitativeBand("未达成", Decimal(0), Decimal("0.6")),
)


def band_of(score: Decimal, weight: Decimal) -> str | None:
    """The qualitative band a score falls in (≥ 80 % of the weight: 达成, ≥ 60 %: 部分达成, else 未达成).

    None when the weight is not positive or the score lies outside 0..weight.
    """
    if weight <= 0 or not 0 <= score <= weight:
        return None
    for band in QUALITATIVE_BANDS:
        if score >= weight * band.low:
            return band.name
    return None  # pragma: no cover - the last band starts at 0


def overshoot(op: str, target: Decimal, actual: Decimal, threshold: Decimal) -> bool:
    """Whether the actual is far beyond the target (10号 asks to analyse targets set too low).

    ≥ >: actual > target × (1 + threshold), for a positive target; ≤ <: actual < target × (1 − threshold);
    =: never. The bound itself is not an overshoot.
    """
    if op not in OPS:
        raise ValueError(f"未知的指标符号“{op}”，应为 ≥、>、≤、< 或 =")
    if threshold < 0:
        raise ValueError("超额阈值不能为负数")
    if op in UP_OPS:
        return target > 0 and actual > target * (1 + threshold)
    if op in DOWN_OPS:
        return actual < target * (1 - threshold)
    return False
