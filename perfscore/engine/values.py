"""Reading one typed cell as a number: the read boundary's single rule set.

A score, a budget figure or a rate may arrive as a number, as text that is a number after Unicode
NFKC normalisation (``９．３``, `` 9.3 ``, ``9.3分``), as a formula error, or as junk. The caller turns
the outcome into a finding at the cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from perfscore.engine.decimals import fmt, normalise_text, parse_decimal
from perfscore.engine.grid import CellValue, ErrorValue


class Kind(Enum):
    NUMBER = "number"
    TEXT_NUMBER = "text-number"  # a number typed as text: readable, but the form's formulas skip it
    EMPTY = "empty"
    ERROR = "error"  # a formula error value
    PERCENT = "percent"  # text like "93%": a rate, not a score
    NOT_NUMBER = "not-number"
    COMMA = "comma"  # "1,0" or "12,5": a decimal comma or a thousands separator, never guessed


@dataclass(frozen=True)
class Reading:
    kind: Kind
    value: Decimal | None = None

    @property
    def usable(self) -> bool:
        return self.kind is Kind.NUMBER or self.kind is Kind.TEXT_NUMBER


_UNITS = ("分", "万元", "元")


def read_number(value: CellValue) -> Reading:
    if value is None:
        return Reading(Kind.EMPTY)
    if isinstance(value, ErrorValue):
        return Reading(Kind.ERROR)
    if isinstance(value, (bool, dt.datetime)):
        return Reading(Kind.NOT_NUMBER)
    if isinstance(value, Decimal):  # a file may hold 1e309 (read as infinity): no spreadsheet number
        return Reading(Kind.NUMBER, value) if value.is_finite() else Reading(Kind.NOT_NUMBER)
    text = normalise_text(value)
    if not text:
        return Reading(Kind.EMPTY)
    if "," in text:  # NFKC made "，" a ","
        return Reading(Kind.COMMA)
    if text.endswith("%"):
        number = parse_decimal(text[:-1])
        return Reading(Kind.PERCENT, None if number is None else number / 100)
    for unit in _UNITS:
        if text.endswith(unit):
            text = text[: -len(unit)].strip()
            break
    number = parse_decimal(text)
    if number is None:
        return Reading(Kind.NOT_NUMBER)
    return Reading(Kind.TEXT_NUMBER, number)


def as_text(value: CellValue) -> str:
    """A cell as trimmed text ('' when empty); numbers in their plain form."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return fmt(value)
    return str(value).strip()
