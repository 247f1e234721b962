"""The add-in's Excel functions (UDFs): thin ``@xw.func`` wrappers over the engine.

Excel (through xlwings) passes floats, ``None`` for blanks, strings, and lists (of lists) for ranges.
Each function converts its inputs once at the read boundary (:func:`perfscore.engine.grid.convert`,
:func:`perfscore.engine.values.read_number`: exact Decimals), computes with the engine's own functions and
returns a float of the exact rounded Decimal (``float(Decimal("90.77"))``), text, or ``""`` where the
engine has no value (a score not yet typed), as the native formulas do. An invalid input gives an
error *text* such as ``#得分无效: …`` — never a wrong number.

On Linux and macOS ``xw.func`` is a no-op decorator, so these are plain functions (tested directly).
On Windows it is xlwings' ``xlfunc``: every argument is annotated ``Any`` because xlwings turns
argument annotations into converters, and ``Any`` is its pass-through converter. The VBA wrapper
module is generated from this module at build time (:mod:`perfscore.builder.vba`).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import xlwings as xw

from perfscore.engine import framework as frameworks
from perfscore.engine.checks import score_findings, shortfall_findings
from perfscore.engine.decimals import fmt, round_half_up
from perfscore.engine.form import Located
from perfscore.engine.framework import DEFAULT_FRAMEWORK, Framework
from perfscore.engine.grid import ErrorValue, convert
from perfscore.engine.plan import status_text
from perfscore.engine.scoring import ratio_rate, reference_score, valid_rate
from perfscore.engine.values import Kind, Reading, read_number
from perfscore.errors import PerfscoreError

#: The functions Excel sees, in the order the README documents them.
UDF_NAMES = (
    "PS_RATE_SCORE",
    "PS_RATIO_SCORE",
    "PS_SUBTOTAL",
    "PS_TOTAL",
    "PS_GRADE",
    "PS_GRADE_LINE",
    "PS_ROW_CHECK",
)


class _Invalid(Exception):
    """An input the function cannot use; its text becomes the cell's value."""


def _cells(value: Any) -> Iterator[Any]:
    """The cells of an argument: a scalar, a 1-D list (one row/column) or a 2-D list (a block)."""
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _cells(item)
    else:
        yield value


def _reading(raw: Any) -> Reading:
    return read_number(convert(raw))


def _optional(raw: Any, what: str) -> Decimal | None:
    """A usable non-negative number, None for a blank, else :class:`_Invalid`."""
    return None if _reading(raw).kind is Kind.EMPTY else _number(raw, what)


def _number(raw: Any, what: str) -> Decimal:
    """A usable non-negative number, else :class:`_Invalid` (a blank included)."""
    r = _reading(raw)
    if r.kind is Kind.EMPTY:
        raise _Invalid(f"#{what}无效: 为空")
    if not r.usable or r.value is None:
        raise _Invalid(f"#{what}无效: “{_shown(raw)}”不是数字")
    if r.value < 0:
        raise _Invalid(f"#{what}无效: {fmt(r.value)} 小于 0")
    return r.value


def _shown(raw: Any) -> str:
    value = convert(raw)
    if value is None:
        return "空"
    if isinstance(value, Decimal):
        return fmt(value)
    return str(value)


def _out(value: Decimal) -> float:
    """What Excel receives: the float of the exact rounded Decimal (90.77, not 90.77000000000001)."""
    return float(value)


def _fw(framework: Any) -> Framework:
    """The named framework (parsed once per process, re-read when its file changes), else the default."""
    ref = str(framework).strip() if framework not in (None, "") else DEFAULT_FRAMEWORK
    return frameworks.load_by_id(ref)


@xw.func
def PS_RATE_SCORE(weight: Any, rate: Any) -> Any:
    """Reference score from a rate: weight × min(rate, 100%), rounded half-up to 2 decimals.

    ``=PS_RATE_SCORE(10, 93%)`` → 9.3. A blank rate gives "" (nothing to suggest yet).
    """
    try:
        w = _number(weight, "分值")
        r = _reading(rate)
        if r.kind is Kind.EMPTY:
            return ""
        rv = valid_rate(r)
        if rv is None:
            return f"#比率无效: “{_shown(rate)}”应为 0% 至 100% 之间的比率（如 93%）"
        return _out(reference_score(w, rv))
    except _Invalid as exc:
        return str(exc)


@xw.func
def PS_RATIO_SCORE(weight: Any, actual: Any, target: Any, direction: Any) -> Any:
    """Reference score of a quantitative indicator: 正向 min(actual/target, 1) × weight;
    反向 min(target/actual, 1) × weight; rounded half-up to 2 decimals.

    ``=PS_RATIO_SCORE(8, 45, 50, "正向")`` → 7.2. A blank actual gives "".
    """
    try:
        w = _number(weight, "分值")
        a = _optional(actual, "实际值")
        t = _number(target, "目标值")
        if a is None:
            return ""
        rate = ratio_rate(a, t, str(direction or "").strip())
        return _out(reference_score(w, rate))
    except _Invalid as exc:
        return str(exc)
    except ValueError as exc:
        return f"#参数无效: {exc}"


def _scores(values: list[Any], weights: list[Any] | None) -> Decimal | str:
    """Exact sum of the scores (weights, when given, cap each one); "" if any is blank."""
    if weights is not None and len(weights) != len(values):
        return f"#区域无效: 得分 {len(values)} 格，分值 {len(weights)} 格，应一一对应"
    total = Decimal(0)
    blank = False
    for n, raw in enumerate(values):
        r = _reading(raw)
        if r.kind is Kind.EMPTY:
            blank = True
            continue
        if isinstance(convert(raw), ErrorValue) or not r.usable or r.value is None:
            return f"#得分无效: 第 {n + 1} 个得分“{_shown(raw)}”不是数字"
        if r.kind is Kind.TEXT_NUMBER:  # as the engine and the native formulas: text is not counted
            return f"#得分无效: 第 {n + 1} 个得分“{_shown(raw)}”是文本，请改为数字"
        if r.value < 0:
            return f"#得分无效: 第 {n + 1} 个得分 {fmt(r.value)} 小于 0"
        if weights is not None:
            try:
                w = _number(weights[n], "分值")
            except _Invalid as exc:
                return f"{exc}（第 {n + 1} 行）"
            if r.value > w:
                return f"#得分无效: 第 {n + 1} 个得分 {fmt(r.value)} 大于分值 {fmt(w)}"
        total += r.value
    return "" if blank else total


@xw.func
def PS_SUBTOTAL(scores: Any, weights: Any = None) -> Any:
    """Sub-total of a range of scores, exact then rounded half-up to 2 decimals.

    ``=PS_SUBTOTAL(H3:H5, F3:F5)``: with the weights, a score above its weight is an error text.
    "" while any score is blank (as the engine: no sub-total until every score is there).
    """
    values = list(_cells(scores))
    result = _scores(values, None if weights is None else list(_cells(weights)))
    return result if isinstance(result, str) else _out(round_half_up(result))


@xw.func
def PS_TOTAL(*ranges: Any) -> Any:
    """Total over pairs of ranges (scores, weights), e.g. one pair per sheet, exact then rounded half-up.

    ``=PS_TOTAL('履职效能'!H3:H5, '履职效能'!F3:F5, '管理效率'!H3:H25, '管理效率'!F3:F25)`` → 90.77
    for the seed form; a score above its weight is an error text, as in :func:`PS_SUBTOTAL`.
    """
    if not ranges or len(ranges) % 2:
        return "#参数无效: 应成对给出得分区域和分值区域，如 PS_TOTAL(H3:H5, F3:F5, …)"
    values = [cell for rng in ranges[0::2] for cell in _cells(rng)]
    weights = [cell for rng in ranges[1::2] for cell in _cells(rng)]
    result = _scores(values, weights)
    return result if isinstance(result, str) else _out(round_half_up(result))


def _total(total: Any) -> Decimal | None:
    r = _reading(total)
    if r.kind is Kind.EMPTY:
        return None
    if not r.usable or r.value is None:
        raise _Invalid(f"#总分无效: “{_shown(total)}”不是数字")
    return r.value


@xw.func
def PS_GRADE(total: Any, framework: Any = None) -> Any:
    """Grade (优/良/中/差) of a total by the framework's bands (default the seed's 2022 system).

    ``=PS_GRADE(90.77)`` → 优; a blank total gives "".
    """
    try:
        fw = _fw(framework)
        value = _total(total)
    except _Invalid as exc:
        return str(exc)
    except PerfscoreError as exc:
        return f"#指标体系无效: {exc.message}"
    if value is None:
        return ""
    if value > fw.total_weight:
        return f"#总分无效: {fmt(value)} 大于满分 {fmt(fw.total_weight)}"
    return fw.grade(value)


@xw.func
def PS_GRADE_LINE(total: Any, framework: Any = None) -> Any:
    """The grade line as printed, e.g. ``☑优 90分≤得分≤100分；□良 …``; all □ while the total is blank."""
    grade = PS_GRADE(total, framework)
    if isinstance(grade, str) and grade.startswith("#"):
        return grade
    return _fw(framework).grade_line(grade or None)  # PS_GRADE loaded it: no error left here


@xw.func
def PS_ROW_CHECK(score: Any, weight: Any, reason: Any, measure: Any, indicator: Any = None) -> Any:
    """Check one indicator row: "" when fine, else the findings' messages (worst first).

    ``=PS_ROW_CHECK(H5, F5, I5, J5, E5)``: a score outside 0..分值, a blank score, or a score below
    the weight without 未达标原因 / 改进措施 is reported with the engine's own wording.
    """
    try:
        w = _number(weight, "分值")
    except _Invalid as exc:
        return str(exc)
    label = str(convert(indicator) or "").strip() or "本行"
    value = convert(score)
    r = read_number(value)
    found = list(score_findings(r, Located(value, "", ""), w, label))
    if r.kind is Kind.NUMBER and r.value is not None and 0 <= r.value <= w:
        found += shortfall_findings(
            r.value, w, label, Located(convert(reason), "", ""), Located(convert(measure), "", "")
        )
    return status_text(found) if found else ""
