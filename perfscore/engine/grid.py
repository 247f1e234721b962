"""The plain grid: what every front end turns a workbook into before the pipeline sees it.

openpyxl (CLI) and xlwings (Excel) both produce a :class:`Grid` of converted cell values, so the
pipeline never touches a spreadsheet library. Numbers are Decimal from here on. The A1 address
helpers (:func:`ref`, :func:`parse_ref`, :func:`parse_range`, :func:`quote_sheet`) are written here
once, for the engine, the builder and the Excel bridge alike.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from perfscore.engine import xml_text
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
#: Excel's error values as COM passes them: HRESULT 0x800A0000 + the XlCVError code.
COM_ERROR_BASE = -2146828288
COM_ERRORS = {
    2000: "#NULL!",
    2007: "#DIV/0!",
    2015: "#VALUE!",
    2023: "#REF!",
    2029: "#NAME?",
    2036: "#NUM!",
    2042: "#N/A",
    2043: "#GETTING_DATA",
    2045: "#SPILL!",
    2046: "#CONNECT!",
    2047: "#BLOCKED!",
    2048: "#UNKNOWN!",
    2049: "#FIELD!",
    2050: "#CALC!",
}


@dataclass(frozen=True)
class ErrorValue:
    """A formula error shown in a cell (``#DIV/0!``)."""

    code: str

    def __str__(self) -> str:
        return self.code


CellValue = None | str | Decimal | bool | dt.datetime | ErrorValue


@dataclass(frozen=True)
class Formula:
    """A formula perfscore itself generated (never text a user typed), with what it shows when
    computed (``value``; None when unknown), so that viewers that do not recalculate see it too."""

    text: str
    value: CellValue = None


@dataclass(frozen=True)
class Link:
    """A link to a cell of the workbook showing ``text``. Writers that can make a cell hyperlink
    (openpyxl) do so, with no formula at all; the Excel bridge writes :meth:`formula` so that a whole
    block stays one write. Sheet names and text come from files, so they only ever reach a formula
    through :func:`quote_sheet` and :func:`string_literal`."""

    text: str
    sheet: str
    cell: str

    @property
    def location(self) -> str:
        return f"{quote_sheet(self.sheet)}!{self.cell}"

    def formula(self) -> Formula:
        target = string_literal("#" + self.location)
        return Formula(f"=HYPERLINK({target},{string_literal(self.text)})", self.text)


#: What perfscore writes into a cell: plain ``str`` always as text, only :class:`Formula` as a formula.
PlanValue = None | str | Decimal | int | dt.datetime | Formula | Link


def convert(raw: object, *, is_error: bool = False, escaped: bool = False) -> CellValue:
    """Turn a value from openpyxl or xlwings into a CellValue (floats become exact Decimals).

    ``escaped``: a text is as the xlsx file stores it (``_xHHHH_`` escapes, see
    :mod:`perfscore.engine.xml_text`) and becomes the text the cell shows (``a_x000B_b`` → ``a\vb``,
    ``_x005F_x000B_`` → ``_x000B_``). Texts from Excel itself (xlwings) are never escaped.
    """
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
        return xml_text.decode(raw) if escaped else raw
    return str(raw)


#: Excel's last column (XFD) and row.
MAX_COL, MAX_ROW = 16384, 1048576
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9]\d{0,6})$")


@cache
def column_letter(col: int) -> str:
    """1-based column number → letters (1 → ``A``, 27 → ``AA``)."""
    if not 1 <= col <= MAX_COL:
        raise ValueError(f"column {col} is outside 1..{MAX_COL}")
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Column letters → 1-based number (``A`` → 1, ``aa`` → 27)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


@cache
def ref(row: int, col: int) -> str:
    """1-based (row, col) → ``"H5"``."""
    return f"{column_letter(col)}{row}"


def parse_ref(cell: str) -> tuple[int, int]:
    """``"H5"`` (or ``"$H$5"``) → (5, 8); ValueError for anything else."""
    m = _CELL.match(cell)
    if m is None:
        raise ValueError(f"not a cell address: {cell!r}")
    row, col = int(m.group(2)), column_index(m.group(1))
    if col > MAX_COL or row > MAX_ROW:
        raise ValueError(f"cell address outside the sheet: {cell!r}")
    return row, col


def parse_range(area: str) -> tuple[int, int, int, int]:
    """``"A1"`` or ``"$B$2:$D$9"`` (a sheet prefix is ignored) → (top, left, bottom, right)."""
    first, _, last = area.rpartition("!")[2].partition(":")
    top, left = parse_ref(first)
    bottom, right = parse_ref(last) if last else (top, left)
    return top, left, bottom, right


def string_literal(text: str) -> str:
    """``text`` as a formula's string literal, inner double quotes doubled (``a"b`` → ``"a""b"``)."""
    return '"' + text.replace('"', '""') + '"'


def quote_sheet(name: str) -> str:
    """A sheet name as formulas and links write it: ``'履职效能'`` (inner quotes doubled)."""
    return "'" + name.replace("'", "''") + "'"


@dataclass
class Sheet:
    name: str
    rows: list[list[CellValue]] = field(default_factory=list)
    #: Formula text (``=SUM(…)``) of the cells that hold a formula, by (row, col); ``rows`` has their values.
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)

    def at(self, row: int, col: int) -> CellValue:
        if 1 <= row <= len(self.rows):
            line = self.rows[row - 1]
            if 1 <= col <= len(line):
                return line[col - 1]
        return None

    def get(self, cell: str) -> CellValue:
        return self.at(*parse_ref(cell))

    def formula(self, cell: str) -> str | None:
        """The formula in ``cell`` (``=…``), or None when it holds a value or nothing."""
        return self.formulas.get(parse_ref(cell))

    @property
    def max_row(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Macros:
    """What a workbook's package holds for its macros, as a file front end reads it from the zip.

    ``xlwings_reference`` is None when there is no VBA project or it could not be read; a code name
    is ``""`` where the file has none (LibreOffice drops them all when it saves an ``.xlsm``).
    """

    vba_project: bool
    xlwings_reference: bool | None
    workbook_code_name: str
    sheet_code_names: dict[str, str] = field(default_factory=dict)


@dataclass
class Grid:
    """All sheets of a workbook, in workbook order, as converted values."""

    sheets: dict[str, Sheet] = field(default_factory=dict)
    source: str = ""
    #: The package's macros, read by the file readers for a udf-mode form; None where not read (the
    #: Excel bridge: the add-in that runs it is the proof that they work).
    macros: Macros | None = None

    def add(self, sheet: Sheet) -> None:
        self.sheets[sheet.name] = sheet
