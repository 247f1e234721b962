"""What Excel's native formulas see of a cell, for the add-in's functions (:mod:`perfscore.udfs`).

xlwings passes a cell as a float, ``None``, a string, a ``datetime``, a COM error integer or (with
``err_to_str``) an error's text, and a range as lists. The project form's functions must give exactly
what the native formula of their cell gives, so they read cells as those formulas do: ISNUMBER (a date
is its serial number, text never a number), ``LEN(…)>0`` for a cell in use, text coerced in arithmetic
(``"10"*1``), ROUND half away from zero, exactly at any magnitude. An input a function cannot use is
:class:`Invalid`; its message becomes the cell's text (``#分值无效: …``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from perfscore.engine.decimals import fmt
from perfscore.engine.grid import COM_ERROR_BASE, COM_ERRORS, CellValue, ErrorValue, convert
from perfscore.engine.project import layout as PL


class Invalid(Exception):
    """An input the function cannot use; its text becomes the cell's value."""


def cells_of(value: Any) -> Iterator[Any]:
    """The cells of an argument: a scalar, a 1-D list (one row/column) or a 2-D list (a block)."""
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from cells_of(item)
    else:
        yield value


def shown(raw: Any) -> str:
    value = convert(raw)
    if value is None:
        return "空"
    if isinstance(value, Decimal):
        return fmt(value)
    return str(value)


#: Day 0 of Excel's serial dates as COM converts them (serial 1 = 1899-12-31 there, 1900-01-01 shown).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
#: Digits enough for any exact sum or product of spreadsheet numbers (doubles: 1e-324 .. 1.8e308).
EXACT_DIGITS = 2000
#: Text Excel turns into a number in arithmetic (``"10"*1`` → 10, ``" 50% "`` → 0.5); VALUE() accepts more
#: (dates, thousands separators, currency), which these functions report as an error text instead.
ARITH_TEXT = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(%?)\s*$", re.ASCII)
#: The input columns B..I of a department row, as the error texts name them.
ROW_COLUMNS = tuple(PL.COLUMNS[c - 1] for c in PL.INPUT_COLUMNS)
WEIGHT_AT, SCORE_AT = PL.INPUT_COLUMNS.index(PL.C_WEIGHT), PL.INPUT_COLUMNS.index(PL.C_SCORE)


def excel_value(raw: Any) -> CellValue:
    """One cell as the native formulas see it: a COM error integer is an error, a date its serial
    number, ``""`` a blank (None); otherwise :func:`convert`."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw - COM_ERROR_BASE in COM_ERRORS:
        return convert(COM_ERRORS[raw - COM_ERROR_BASE], is_error=True)
    value = convert(raw)
    if isinstance(value, dt.datetime):
        return serial(value)
    return None if value == "" else value


def serial(when: dt.datetime) -> Decimal:
    delta = when.replace(tzinfo=None) - EXCEL_EPOCH
    micro = delta.seconds * 1_000_000 + delta.microseconds
    return (Decimal(delta.days) + Decimal(micro) / Decimal(86_400_000_000)) if micro else Decimal(delta.days)


def is_number(value: CellValue) -> bool:
    """Excel's ISNUMBER: a number (a date included), never text, a logical, a blank or an error."""
    return isinstance(value, Decimal) and value.is_finite()


def as_number(value: CellValue) -> Decimal:
    assert isinstance(value, Decimal)  # after is_number
    return value


def filled(value: CellValue) -> bool:
    """``LEN(cell)>0``: anything but a blank (a 0, a space or FALSE included)."""
    return value is not None


def excel_round(value: Decimal | Fraction, places: int = 2) -> Decimal:
    """Excel's ROUND(value, places): half away from zero, exact at any magnitude (no context rounding)."""
    scaled = Fraction(value) * 10**places
    n = math.floor(abs(scaled) + Fraction(1, 2))
    return Decimal(f"{'-' if scaled < 0 and n else ''}{n}E-{places}")


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    """The exact sum (Decimal's 28-digit context would round a sum of far-apart figures)."""
    with localcontext() as ctx:
        ctx.prec = EXACT_DIGITS
        return sum(values, Decimal(0))


def error_value(what: str, value: ErrorValue) -> Invalid:
    return Invalid(f"#{what}无效: 单元格是错误值 {value}")


def arith(raw: Any, what: str) -> Decimal:
    """A cell in arithmetic (``weight*…``, ``…+weight``): a blank is 0, TRUE 1, a number typed as text its
    number; other text (native: #VALUE!) or an error value is :class:`Invalid`."""
    value = excel_value(raw)
    if value is None or isinstance(value, bool):
        return Decimal(int(bool(value)))
    if is_number(value):
        return as_number(value)
    if isinstance(value, ErrorValue):
        raise error_value(what, value)
    m = ARITH_TEXT.match(value) if isinstance(value, str) else None
    if m is not None and math.isfinite(float(Decimal(m.group(1)))):  # Excel: a number beyond 1e308 is #VALUE!
        with localcontext() as ctx:
            ctx.prec = EXACT_DIGITS
            return Decimal(m.group(1)) / (100 if m.group(2) else 1)
    raise Invalid(f"#{what}无效: “{shown(raw)}”不是数字")


def block_cells(block: Any, what: str) -> list[CellValue]:
    """Every cell of a range, read; an error value anywhere is :class:`Invalid` (native: LEN(…) fails)."""
    values = [excel_value(raw) for raw in cells_of(block)]
    for n, value in enumerate(values):
        if isinstance(value, ErrorValue):
            raise Invalid(f"#{what}无效: 第 {n + 1} 格是错误值 {value}")
    return values


def department_rows(block: Any) -> list[list[CellValue]]:
    """The department rows of a B:I block: a list of rows of 8 cells (one row may come flat)."""
    shape = "#区域无效: 应为三级指标至偏差原因分析（B:I）共 8 列的指标行区域"
    if not isinstance(block, (list, tuple)) or not block:
        raise Invalid(shape)
    nested = [isinstance(row, (list, tuple)) for row in block]
    if all(nested):
        raws = [list(row) for row in block]
    elif not any(nested):
        raws = [list(block)]
    else:
        raise Invalid(shape)
    if any(len(row) != len(PL.INPUT_COLUMNS) for row in raws):
        raise Invalid(shape)
    rows = [[excel_value(raw) for raw in row] for row in raws]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, ErrorValue):
                raise Invalid(f"#指标行无效: 第 {r + 1} 行“{ROW_COLUMNS[c]}”是错误值 {value}")
    return rows


def any_used(block: Any, what: str) -> bool:
    """Whether any row of a block is in use, i.e. any of its cells is filled (``LEN(B&…&I)>0``)."""
    return any(filled(value) for value in block_cells(block, what))


def funds_pair(actual: Any, budget: Any) -> tuple[Decimal, Decimal] | None:
    """(actual, budget) when both are numbers, budget > 0 and actual ≥ 0 (else the cell shows "")."""
    a, b = excel_value(actual), excel_value(budget)
    if not (is_number(a) and is_number(b)):
        return None
    a, b = as_number(a), as_number(b)
    return (a, b) if b > 0 and a >= 0 else None


def flag(raw: Any) -> bool:
    """A yes/no argument as IF reads it: a number ≠ 0 or TRUE (a blank is no)."""
    value = excel_value(raw)
    if value is None or isinstance(value, bool):
        return bool(value)
    if is_number(value):
        return as_number(value) != 0
    if isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
        return value.strip().upper() == "TRUE"
    raise Invalid(f"#参数无效: moves 应为 1 或 0，不是“{shown(raw)}”")
