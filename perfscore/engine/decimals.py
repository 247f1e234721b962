"""Exact decimal arithmetic: conversion at the read boundary, Excel-style rounding, display.

Every number in perfscore is a :class:`~decimal.Decimal`. Floats coming from a spreadsheet are
converted once, through their shortest ``repr`` (what Excel and openpyxl store for 9.3 is the double
whose shortest representation is ``9.3``), and never computed with.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def from_float(value: float | int) -> Decimal:
    """Convert a spreadsheet number to Decimal without binary noise (9.3 → Decimal('9.3'))."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(value))


def parse_decimal(text: str) -> Decimal | None:
    """Parse a plain decimal literal (``"9.3"``, ``"-1"``, ``".5"``); None if it is not one."""
    s = text.strip()
    if not _NUMBER.match(s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        return None


def normalise_text(text: str) -> str:
    """NFKC-normalise and trim: full-width digits and points become ASCII (``９．３`` → ``9.3``)."""
    return unicodedata.normalize("NFKC", text).strip()


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    """Round like Excel's ROUND (half away from zero for these non-negative scores)."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


def decimals_of(value: Decimal) -> int:
    """Number of significant decimal places (9.30 → 1, 0.975 → 3, 12 → 0)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def fmt(value: Decimal | None) -> str:
    """Format as the published form prints numbers: no trailing zeros, no exponent (41.80 → 41.8)."""
    if value is None:
        return ""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def to_json_number(value: Decimal | None) -> str | None:
    """Decimals travel in JSON as strings (exact); None stays null."""
    return None if value is None else fmt(value)
