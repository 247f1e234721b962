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

The project-form functions (``PS_TARGET_SCORE`` … ``PS_GROUP_WEIGHT``) each give exactly what the
native formula of the same cell gives (:mod:`perfscore.engine.project.formulas`). Their arguments are
annotated :data:`Cell`, still the ``Any`` converter but with xlwings' ``err_to_str`` option: by default
xlwings passes an error cell (``#DIV/0!``) as ``None``, i.e. as a blank, and those formulas treat an
error differently from a blank. Excel's newer error values (``#SPILL!``, ``#CALC!`` …) arrive as the
COM error integer whatever the option; both forms are read as errors here. Where the native formula
would show an Excel error (an error it does not test with ISNUMBER, or text in arithmetic), these give
an error text such as ``#得分无效: …`` instead. A date-formatted cell (a ``datetime`` from xlwings) is
its Excel serial number, as ISNUMBER sees it. How a cell reads as those formulas read it is in
:mod:`perfscore.udf_cells`.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Annotated, Any

import xlwings as xw

from perfscore.engine import framework as frameworks
from perfscore.engine.checks import score_findings, shortfall_findings
from perfscore.engine.decimals import fmt, round_half_up
from perfscore.engine.form import Located
from perfscore.engine.framework import DEFAULT_FRAMEWORK, AnyFramework
from perfscore.engine.grid import ErrorValue, convert
from perfscore.engine.project.rules import QUALITATIVE_BANDS, RateUndefined, band_of, reference
from perfscore.engine.project.targets import OPS
from perfscore.engine.scoring import ratio_rate, reference_score, valid_rate
from perfscore.engine.values import Kind, Reading, read_number
from perfscore.engine.write_plan import status_text
from perfscore.errors import PerfscoreError
from perfscore.udf_cells import (
    EXACT_DIGITS,
    SCORE_AT,
    WEIGHT_AT,
    Invalid,
    any_used,
    arith,
    as_number,
    block_cells,
    cells_of,
    department_rows,
    error_value,
    exact_sum,
    excel_round,
    excel_value,
    filled,
    flag,
    funds_pair,
    is_number,
    shown,
)

#: The functions Excel sees, in the order the README documents them.
UDF_NAMES = (
    "PS_RATE_SCORE",
    "PS_RATIO_SCORE",
    "PS_SUBTOTAL",
    "PS_TOTAL",
    "PS_GRADE",
    "PS_GRADE_LINE",
    "PS_ROW_CHECK",
    "PS_TARGET_SCORE",
    "PS_BAND",
    "PS_ROWS_SUBTOTAL",
    "PS_SUM",
    "PS_SUM_ALL",
    "PS_FUNDS_RATE",
    "PS_FUNDS_SCORE",
    "PS_GROUP_WEIGHT",
)

#: An argument of the project-form functions: ``Any`` (no conversion), error cells as their text.
Cell = Annotated[Any, {"err_to_str": True}]


def _reading(raw: Any) -> Reading:
    return read_number(convert(raw))


def _optional(raw: Any, what: str) -> Decimal | None:
    """A usable non-negative number, None for a blank, else :class:`Invalid`."""
    return None if _reading(raw).kind is Kind.EMPTY else _number(raw, what)


def _number(raw: Any, what: str) -> Decimal:
    """A usable non-negative number, else :class:`Invalid` (a blank included)."""
    r = _reading(raw)
    if r.kind is Kind.EMPTY:
        raise Invalid(f"#{what}无效: 为空")
    if not r.usable or r.value is None:
        raise Invalid(f"#{what}无效: “{shown(raw)}”不是数字")
    if r.value < 0:
        raise Invalid(f"#{what}无效: {fmt(r.value)} 小于 0")
    return r.value


def _out(value: Decimal) -> float:
    """What Excel receives: the float of the exact rounded Decimal (90.77, not 90.77000000000001)."""
    return float(value)


def _fw(framework: Any) -> AnyFramework:
    """The named framework, department or project (parsed once per process, re-read when its file
    changes), else the default."""
    ref = str(framework).strip() if framework not in (None, "") else DEFAULT_FRAMEWORK
    return frameworks.load_any_by_id(ref)


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
            return f"#比率无效: “{shown(rate)}”应为 0% 至 100% 之间的比率（如 93%）"
        return _out(reference_score(w, rv))
    except Invalid as exc:
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
    except Invalid as exc:
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
            return f"#得分无效: 第 {n + 1} 个得分“{shown(raw)}”不是数字"
        if r.kind is Kind.TEXT_NUMBER:  # as the engine and the native formulas: text is not counted
            return f"#得分无效: 第 {n + 1} 个得分“{shown(raw)}”是文本，请改为数字"
        if r.value < 0:
            return f"#得分无效: 第 {n + 1} 个得分 {fmt(r.value)} 小于 0"
        if weights is not None:
            try:
                w = _number(weights[n], "分值")
            except Invalid as exc:
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
    values = list(cells_of(scores))
    result = _scores(values, None if weights is None else list(cells_of(weights)))
    return result if isinstance(result, str) else _out(round_half_up(result))


@xw.func
def PS_TOTAL(*ranges: Any) -> Any:
    """Total over pairs of ranges (scores, weights), e.g. one pair per sheet, exact then rounded half-up.

    ``=PS_TOTAL('履职效能'!H3:H5, '履职效能'!F3:F5, '管理效率'!H3:H25, '管理效率'!F3:F25)`` → 90.77
    for the seed form; a score above its weight is an error text, as in :func:`PS_SUBTOTAL`.
    """
    if not ranges or len(ranges) % 2:
        return "#参数无效: 应成对给出得分区域和分值区域，如 PS_TOTAL(H3:H5, F3:F5, …)"
    values = [cell for rng in ranges[0::2] for cell in cells_of(rng)]
    weights = [cell for rng in ranges[1::2] for cell in cells_of(rng)]
    result = _scores(values, weights)
    return result if isinstance(result, str) else _out(round_half_up(result))


def _total(total: Any) -> Decimal | None:
    r = _reading(total)
    if r.kind is Kind.EMPTY:
        return None
    if not r.usable or r.value is None:
        raise Invalid(f"#总分无效: “{shown(total)}”不是数字")
    return r.value


@xw.func
def PS_GRADE(total: Any, framework: Any = None) -> Any:
    """Grade (优/良/中/差) of a total by the framework's bands (default the seed's 2022 system).

    ``=PS_GRADE(90.77)`` → 优; a blank total gives "".
    """
    try:
        fw = _fw(framework)
        value = _total(total)
    except Invalid as exc:
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
    except Invalid as exc:
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


# ------------------------------------------------------------------------------ project form
#
# Each function below is one computed cell of the project form (项目支出绩效自评表) and gives what the
# native formula of that cell gives: see perfscore.engine.project.formulas, Native.


@xw.func
def PS_TARGET_SCORE(weight: Cell, op: Cell, value: Cell, actual: Cell) -> Any:
    """参考得分 of a department row: 分值 × completion rate (capped at 100%), rounded half-up to 2 decimals.

    ``=PS_TARGET_SCORE(8, "≥", 50, 49)`` → 7.84 (正向: 49 ÷ 50); ``"≤"``/``"<"``: 指标值 ÷ 实际完成值;
    ``"="``: the full 分值 when equal, else min ÷ max. "" unless 分值, 指标值 and 实际完成值 are numbers
    (a number typed as text is not) and ≥ 0, and 指标性质 is one of ≥ > ≤ < =; "" for a 正向 指标值 of 0
    or a 反向 实际完成值 of 0. An error value in 指标性质 gives an error text (native: that error).
    """
    w, v, a = (excel_value(x) for x in (weight, value, actual))
    if not (is_number(w) and is_number(v) and is_number(a)):
        return ""
    w, v, a = as_number(w), as_number(v), as_number(a)
    if min(w, v, a) < 0:
        return ""
    sign = excel_value(op)
    if isinstance(sign, ErrorValue):
        return str(error_value("指标性质", sign))
    if not isinstance(sign, str) or sign not in OPS:
        return ""
    try:
        with localcontext() as ctx:
            ctx.prec = EXACT_DIGITS
            return _out(reference(sign, v, a, w))
    except RateUndefined:
        return ""


@xw.func
def PS_BAND(op: Cell, weight: Cell, score: Cell) -> Any:
    """定性档次 of a qualitative row (指标性质 blank): 得分 ≥ 80% of 分值 达成, ≥ 60% 部分达成, else 未达成.

    ``=PS_BAND("", 10, 8)`` → 达成; ``=PS_BAND("", 10, 7.99)`` → 部分达成. "" when 指标性质 is filled, when
    分值 or 得分 is not a number, 分值 ≤ 0 or 得分 outside 0..分值. As the native formula, 得分 × 10 and
    分值 × 8 (× 6) are compared rounded to 6 decimals. An error value in 指标性质 gives an error text.
    """
    sign = excel_value(op)
    if isinstance(sign, ErrorValue):
        return str(error_value("指标性质", sign))
    w, s = excel_value(weight), excel_value(score)
    if sign is not None or not (is_number(w) and is_number(s)):
        return ""
    w, s = as_number(w), as_number(s)
    if band_of(s, w) is None:
        return ""
    tenth = excel_round(Fraction(s) * 10, 6)
    return next(
        b.name for b in QUALITATIVE_BANDS if tenth >= excel_round(Fraction(w) * 10 * Fraction(b.low), 6)
    )


@xw.func
def PS_ROWS_SUBTOTAL(block: Cell) -> Any:
    """小计 of a category: the sum of its rows' 得分, rounded half-up to 2 decimals.

    ``=PS_ROWS_SUBTOTAL(B3:I7)`` (the 8 input columns 三级指标 … 偏差原因分析): a row is in use when any of its
    cells is filled; "" until every row in use has 分值 and 得分 as numbers with 0 ≤ 得分 ≤ 分值; rows not in
    use add nothing (0 when none is in use). An error value anywhere in the block gives an error text.
    """
    try:
        rows = department_rows(block)
    except Invalid as exc:
        return str(exc)
    scores: list[Decimal] = []
    for row in rows:
        if not any(filled(value) for value in row):
            continue
        w, s = row[WEIGHT_AT], row[SCORE_AT]
        if not (is_number(w) and is_number(s) and 0 <= as_number(s) <= as_number(w)):
            return ""
        scores.append(as_number(s))
    return _out(excel_round(exact_sum(scores)))


@xw.func
def PS_SUM(numbers: Cell) -> Any:
    """Excel's ROUND(SUM(range), 2), exact: the numbers of the range (text and blanks skipped).

    ``=PS_SUM(G3:G7)`` → 分值 小计, e.g. 30 for 10、12、8 and a blank. An error value gives an error text.
    """
    try:
        values = block_cells(numbers, "区域")
    except Invalid as exc:
        return str(exc)
    return _out(excel_round(exact_sum(as_number(v) for v in values if is_number(v))))


@xw.func
def PS_SUM_ALL(*figures: Cell) -> Any:
    """The sum of single cells, rounded half-up to 2 decimals; "" unless every one is a number.

    ``=PS_SUM_ALL(H8, H14, H20)`` → 合计 of the 小计 (a blank 小计 gives "", as does text such as "50").
    """
    if not figures:
        return "#参数无效: 应给出至少一个单元格，如 PS_SUM_ALL(H8, H14)"
    if any(isinstance(f, (list, tuple)) for f in figures):
        return "#参数无效: 每个参数应为单个单元格"
    values = [excel_value(f) for f in figures]
    if not all(is_number(v) for v in values):
        return ""
    return _out(excel_round(exact_sum(as_number(v) for v in values)))


@xw.func
def PS_FUNDS_RATE(actual: Cell, budget: Cell) -> Any:
    """执行率 of the project funds: 执行数 ÷ 预算数, rounded half-up to 4 decimals (not capped).

    ``=PS_FUNDS_RATE(89.974, 90)`` → 0.9997. "" unless both are numbers, 预算数 > 0 and 执行数 ≥ 0.
    """
    funds = funds_pair(actual, budget)
    if funds is None:
        return ""
    a, b = funds
    return _out(excel_round(Fraction(a) / Fraction(b), 4))


@xw.func
def PS_FUNDS_SCORE(weight: Cell, actual: Cell, budget: Cell) -> Any:
    """得分 of the project funds: 分值 × min(执行数 ÷ 预算数, 1), rounded half-up to 2 decimals, exactly.

    ``=PS_FUNDS_SCORE(10, 89.974, 90)`` → 10 (9.99711…). "" unless 执行数 and 预算数 are numbers, 预算数 > 0
    and 执行数 ≥ 0. As the native formula, 分值 is not checked: a blank is 0 and "10" typed as text is 10;
    other text or an error value gives an error text (native: #VALUE! or that error).
    """
    funds = funds_pair(actual, budget)
    if funds is None:
        return ""
    a, b = funds
    try:
        w = arith(weight, "分值")
    except Invalid as exc:
        return str(exc)
    return _out(excel_round(Fraction(w) * min(Fraction(a) / Fraction(b), Fraction(1))))


@xw.func
def PS_GROUP_WEIGHT(weight: Cell, own_block: Cell, moves: Cell, *others: Cell) -> Any:
    """分值 of a 一级 on the summary: its own weight plus the weights moved to it by unused 一级.

    ``=PS_GROUP_WEIGHT(30, '产出指标'!B3:I40, 0, 10, '满意度指标'!B3:I20)`` → 40 while no row of 满意度指标
    is in use (its 10 moves here), else 30. With moves = 1 the 一级's own weight is 0 while none of its own
    rows is in use (it has moved elsewhere). Pairs (weight, block) follow the first three arguments.
    """
    if len(others) % 2:
        return (
            "#参数无效: moves 之后应成对给出分值和指标行区域，如 PS_GROUP_WEIGHT(30, B3:I40, 0, 10, B3:I20)"
        )
    try:
        if flag(moves) and not any_used(own_block, "指标行区域"):
            parts = [Decimal(0)]
        else:
            parts = [arith(weight, "分值")]
        for n in range(0, len(others), 2):
            if not any_used(others[n + 1], f"第 {n + 5} 个参数（指标行区域）"):
                parts.append(arith(others[n], f"第 {n + 4} 个参数（分值）"))
    except Invalid as exc:
        return str(exc)
    return _out(exact_sum(parts))
