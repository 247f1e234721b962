"""The plain grid: what every front end turns a workbook into before the pipeline sees it.

openpyxl (CLI) and xlwings (Excel) both produce a :class:`Grid` of converted cell values, so the
pipeline never touches a spreadsheet library. Numbers are Decimal from here on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from perfscore.engine.decimals import from_float

EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "Err:502",
        "Err:504",
    }
)


@dataclass(frozen=True)
class ErrorValue:
    """A formula error shown in a cell (``#DIV/0!``)."""

    code: str

    def __str__(self) -> str:
        return self.code


CellValue = None | str | Decimal | bool | dt.datetime | ErrorValue


def convert(raw: object, *, is_error: bool = False) -> CellValue:
    """Turn a value from openpyxl or xlwings into a CellValue (floats become exact Decimals)."""
    if raw is None or isinstance(raw, (bool, Decimal, ErrorValue)):
        return raw
    if isinstance(raw, (int, float)):
        return from_float(raw)
    if isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, (dt.date, dt.time)):
        return dt.datetime.fromisoformat(raw.isoformat()) if isinstance(raw, dt.date) else None
    if isinstance(raw, str):
        if is_error or raw in EXCEL_ERRORS:
            return ErrorValue(raw)
        return raw
    return str(raw)


def ref(row: int, col: int) -> str:
    """1-based (row, col) → ``"H5"``."""
    return f"{get_column_letter(col)}{row}"


def parse_ref(cell: str) -> tuple[int, int]:
    """``"H5"`` → (5, 8)."""
    letters, row = coordinate_from_string(cell)
    return row, column_index_from_string(letters)


@dataclass
class Sheet:
    name: str
    rows: list[list[CellValue]] = field(default_factory=list)
    hidden: bool = False

    def at(self, row: int, col: int) -> CellValue:
        if 1 <= row <= len(self.rows):
            line = self.rows[row - 1]
            if 1 <= col <= len(line):
                return line[col - 1]
        return None

    def get(self, cell: str) -> CellValue:
        return self.at(*parse_ref(cell))

    @property
    def max_row(self) -> int:
        return len(self.rows)


@dataclass
class Grid:
    """All sheets of a workbook, in workbook order, as converted values."""

    sheets: dict[str, Sheet] = field(default_factory=dict)
    source: str = ""

    def add(self, sheet: Sheet) -> None:
        self.sheets[sheet.name] = sheet
