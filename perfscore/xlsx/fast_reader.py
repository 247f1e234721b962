"""Reading a workbook into a Grid fast, for checking many forms in one run (``perfscore batch``).

:func:`read_grid_fast` gives the Grid :func:`~perfscore.xlsx.reader.read_grid` gives — the same
sheets, values, formula texts and refusals — several times faster. ``read_grid`` loads the workbook
with openpyxl twice (cached results, then formulas) and builds an object for every style, merged
cell and sheet setting; this module reads only what a Grid is made of (the content types, the
workbook and its relationships, the number formats of the styles, the shared strings, the sheets'
cells), each part parsed once by :mod:`xml.etree.ElementTree`'s C parser, and turns each cell into
its value and formula text as openpyxl's read-only reader does, with openpyxl's own helpers (number
casting, date serials, shared-formula translation, rich text, addresses).

What this module does not read the way openpyxl does (a file name openpyxl refuses, a chart sheet,
a data-table formula, a sheet over :data:`~perfscore.xlsx.reader.MAX_ROWS` rows, an unusual
package, anything that fails to parse) it leaves to ``read_grid``: the same result at openpyxl's
speed, and the same :class:`~perfscore.errors.UnusableInputError` for a damaged file. What still
differs: damage openpyxl reports in what this module does not interpret (the stylesheet beyond its
number formats, the workbook's defined names and views, a sheet's page setup, merged cells or data
validations) makes ``read_grid`` refuse a file this module reads.

python-calamine 0.9 (Rust) was tried for the values and left out: it exposes no formulas, reads
an error cell as blank and refuses ``#SPILL!``, reads ``5`` as ``5.0`` and an empty text as an
empty cell, trims a shared string's edge spaces without ``xml:space="preserve"`` (``" "`` becomes
``""``), keeps ``_xD83D__xDE00_`` undecoded, and reads a number in the Chinese built-in date format
31 (``yyyy"年"m"月"d"日"``) as a date where openpyxl keeps the number. Telling those cases apart
needs the parse of every sheet below, after which calamine's values only cost time.

:func:`~perfscore.xlsx.sniff.sniff` runs first, so the package has no DTD or entity declaration
(refused by :mod:`perfscore.xlsx.limits`) and stays within the limits before anything is parsed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl.cell.text import Text
from openpyxl.formula.translate import Translator
from openpyxl.packaging.core import DocumentProperties
from openpyxl.packaging.custom import CustomPropertyList
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import SUPPORTED_FORMATS, _find_workbook_part
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.worksheet._reader import _cast_number
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import (
    ARC_CONTENT_TYPES,
    ARC_CORE,
    ARC_CUSTOM,
    ARC_STYLE,
    REL_NS,
    SHARED_STRINGS,
    SHEET_MAIN_NS,
)

from perfscore.engine.framework import Framework, ProjectFramework
from perfscore.engine.grid import CellValue, Grid, Sheet, convert
from perfscore.engine.pipeline import AnyResult, evaluate
from perfscore.xlsx.macros import read_macros
from perfscore.xlsx.reader import MAX_COLS, MAX_ROWS, read_grid
from perfscore.xlsx.sniff import sniff

_M = f"{{{SHEET_MAIN_NS}}}"
_WORKBOOK, _WORKBOOK_PR, _SHEETS, _SHEET = _M + "workbook", _M + "workbookPr", _M + "sheets", _M + "sheet"
_WORKSHEET, _ROW, _V, _F, _IS, _T = _M + "worksheet", _M + "row", _M + "v", _M + "f", _M + "is", _M + "t"
_SI, _STYLESHEET, _NUM_FMTS, _NUM_FMT, _CELL_XFS, _XF = (
    _M + "si",
    _M + "styleSheet",
    _M + "numFmts",
    _M + "numFmt",
    _M + "cellXfs",
    _M + "xf",
)
_DIMENSION, _SHEET_DATA = _M + "dimension", _M + "sheetData"
_REL_ID = f"{{{REL_NS}}}id"


class NotFast(Exception):
    """The workbook holds something this module does not read the way openpyxl does (the reason)."""


def evaluate_file_fast(path: Path, fw: Framework | ProjectFramework | None = None) -> AnyResult:
    """:func:`~perfscore.xlsx.reader.evaluate_file` with :func:`read_grid_fast`: the same result."""
    return evaluate(read_grid_fast(Path(path)), fw)


def read_grid_fast(path: Path) -> Grid:
    """The Grid :func:`~perfscore.xlsx.reader.read_grid` gives for ``path`` (every sheet in workbook
    order, values as cached, formula texts), read without openpyxl's workbook objects; a file
    :func:`sniff` refuses raises the same :class:`~perfscore.errors.UnusableInputError`."""
    path = Path(path)
    sniff(path)
    try:
        return fast_grid(path)
    except Exception:  # NotFast, or damage openpyxl reports in its own words: let it read the file
        pass
    return read_grid(path)


def fast_grid(path: Path) -> Grid:
    """The Grid of a sniffed ``path``; :class:`NotFast` (or the parse error) where openpyxl must read it."""
    if path.suffix.lower() not in SUPPORTED_FORMATS:  # openpyxl refuses the file by its name
        raise NotFast(f"file name suffix {path.suffix!r}")
    grid = Grid(source=str(path))
    with zipfile.ZipFile(path) as zf:
        package = _Package(zf)
        for name, part in package.worksheets():
            grid.add(_read_sheet(name, ET.fromstring(zf.read(part)), package))
    read_macros(path, grid)  # as read_grid does
    return grid


class _Package:
    """What openpyxl's ``ExcelReader`` reads before the sheets: the parts, the shared strings (as
    stored, see :class:`~perfscore.xlsx.reader._StoredStrings`), the date styles and the epoch."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.files = set(zf.namelist())
        manifest = Manifest.from_tree(ET.fromstring(zf.read(ARC_CONTENT_TYPES)))
        strings = manifest.find(SHARED_STRINGS)
        self.strings = _shared_strings(zf.read(strings.PartName[1:])) if strings is not None else []
        self.workbook = _find_workbook_part(manifest).PartName[1:]
        root = ET.fromstring(zf.read(self.workbook))
        if root.tag != _WORKBOOK:
            raise NotFast(f"workbook root {root.tag}")
        self.sheets = _sheets(root)
        props = root.find(_WORKBOOK_PR)
        self.epoch = (
            CALENDAR_MAC_1904 if props is not None and _true(props.get("date1904")) else WINDOWS_EPOCH
        )
        self.dates, self.durations = _date_styles(zf)
        for part, kind in ((ARC_CORE, DocumentProperties), (ARC_CUSTOM, CustomPropertyList)):
            if part in self.files:  # openpyxl reads them, and refuses a file whose properties are damaged
                kind.from_tree(ET.fromstring(zf.read(part)))

    def worksheets(self) -> Iterable[tuple[str, str]]:
        """(name, part) of every worksheet openpyxl lists, in workbook order."""
        rels = get_dependents(self.zf, get_rels_path(self.workbook)).to_dict()
        for name, rid in self.sheets:
            if not rid:
                continue  # openpyxl drops a sheet without a relationship id (with a warning)
            rel = rels[rid]
            if rel.target not in self.files:
                continue
            if "chartsheet" in rel.Type:
                raise NotFast("a chart sheet")
            if get_rels_path(rel.target) in self.files:  # openpyxl reads them (comments, drawings …)
                get_dependents(self.zf, get_rels_path(rel.target))
            yield name, rel.target


def _sheets(root: ET.Element) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    sheets = root.find(_SHEETS)
    for el in sheets if sheets is not None else ():
        name = el.get("name")
        if el.tag != _SHEET or name is None or el.get("sheetId") is None:
            raise NotFast("an unusual sheet entry")
        found.append((name, el.get(_REL_ID)))
    return found


def _true(value: str | None) -> bool:
    """An xsd:boolean attribute as openpyxl reads it (``Bool``: anything but false/f/0/"" is true)."""
    return value is not None and value not in ("false", "f", "0") and bool(value)


def _date_styles(zf: zipfile.ZipFile) -> tuple[set[int], set[int]]:
    """The cell styles (indexes of ``cellXfs``) openpyxl reads as dates, and those of durations."""
    try:
        data = zf.read(ARC_STYLE)
    except KeyError:
        return set(), set()
    root = ET.fromstring(data)
    if root.tag != _STYLESHEET:
        raise NotFast(f"styles root {root.tag}")
    custom: dict[int, str] = {}
    formats = root.find(_NUM_FMTS)
    for el in formats.iter(_NUM_FMT) if formats is not None else ():
        code = el.get("formatCode")
        if code is None:
            raise NotFast("a number format without a code")
        custom[int(el.get("numFmtId", ""))] = code
    dates: set[int] = set()
    durations: set[int] = set()
    xfs = root.find(_CELL_XFS)
    for idx, xf in enumerate(xfs.findall(_XF) if xfs is not None else ()):
        fmt_id = int(xf.get("numFmtId", 0))
        fmt = custom[fmt_id] if fmt_id in custom else builtin_format_code(fmt_id)
        if is_date_format(fmt):
            dates.add(idx)
        if is_timedelta_format(fmt):
            durations.add(idx)
    return dates, durations


def _shared_strings(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    items = root.findall(_SI)
    if sum(1 for _ in root.iter(_SI)) != len(items):
        raise NotFast("shared strings nested or out of place")
    return [_text(si) for si in items]


def _text(node: ET.Element) -> str:
    """``Text.from_tree(node).content`` as openpyxl reads a shared or inline string (rich text runs
    joined, phonetic runs left out), without building its objects for a plain ``<t>``."""
    if not node.attrib:
        if len(node) == 1 and node[0].tag == _T:
            return node[0].text or ""
        if len(node) == 0:
            return ""
    return str(Text.from_tree(node).content)


def _read_sheet(name: str, root: ET.Element, package: _Package) -> Sheet:
    """A sheet as ``read_grid`` reads it: values by openpyxl's row counter (rows out of order or
    repeated are skipped), the first :data:`MAX_COLS` columns, the last cell of a column winning;
    formulas by each cell's own address, shared formulas translated in document order."""
    if root.tag != _WORKSHEET:
        raise NotFast(f"sheet root {root.tag}")
    for el in root:  # openpyxl reads a sheet's size when it opens the workbook (and fails on a bad one)
        if el.tag == _DIMENSION:
            _ = SheetDimension.from_tree(el).boundaries
        if el.tag in (_DIMENSION, _SHEET_DATA):
            break
    sheet = Sheet(name)
    rows, formulas = sheet.rows, sheet.formulas
    shared: dict[str | None, Translator] = {}
    row_number = 0
    expected = 1  # the next row openpyxl's read-only worksheet yields
    filled = 0
    for row_el in root.iter(_ROW):
        r = row_el.get("r")
        row_number = _row_number(r) if r is not None else row_number + 1
        column = 0
        line: dict[int, tuple[CellValue, str | None, int]] = {}  # by column: the last cell wins
        for el in row_el:
            ref = el.get("r")
            if ref:
                cell_row, column = _coordinate(ref)
            else:
                cell_row, column = row_number, column + 1
            if len(el):
                value = _value(el, package)
                f = el.find(_F)
                formula = None if f is None else _formula(f, ref, shared)
            else:  # a cell with a style only (most cells of a form)
                style = el.get("s")
                if style:
                    int(style)  # openpyxl reads it, and refuses the file when it is no number
                value = formula = None
            if column <= MAX_COLS:
                line[column] = (value, formula, cell_row)
        if row_number < expected:
            continue  # openpyxl skips a row numbered before one it has read
        expected = row_number + 1
        width = 0  # of the row's values, trailing blanks left out
        for col in sorted(line):
            value, formula, cell_row = line[col]
            if formula is not None:
                formulas[(cell_row, col)] = formula
            if value is not None:
                width = max(width, col)
        if not width:
            continue
        values: list[CellValue] = [None] * width
        for col, (value, _, _) in line.items():
            if col <= width:
                values[col - 1] = value
        filled += 1
        if filled > MAX_ROWS:
            raise NotFast("too many rows")  # read_grid refuses it in its own words
        while len(rows) < row_number - 1:
            rows.append([])
        rows.append(values)
    return sheet


#: openpyxl's cell address parser (the same few hundred addresses recur in every form).
_coordinate = lru_cache(maxsize=1 << 16)(coordinate_to_tuple)


def _row_number(r: str) -> int:
    try:
        return int(r)
    except ValueError:
        number = float(r)
        if number.is_integer():
            return int(number)
        raise


def _value(el: ET.Element, package: _Package) -> CellValue:
    """The cached value of a cell element, converted as ``read_grid`` converts openpyxl's value."""
    kind = el.get("t", "n")
    style: Any = el.get("s", 0)
    if style:
        style = int(style)
    raw: Any = None if kind == "inlineStr" else (el.findtext(_V) or None)
    if raw is not None:
        if kind == "n":
            raw = _cast_number(raw)
            if style in package.dates:
                try:
                    raw = from_excel(raw, package.epoch, timedelta=style in package.durations)
                except (OverflowError, ValueError):  # openpyxl warns and shows the cell as an error
                    kind, raw = "e", "#VALUE!"
        elif kind == "s":
            raw = package.strings[int(raw)]
        elif kind == "b":
            raw = bool(int(raw))
        elif kind == "d":
            raw = from_ISO8601(raw)
    elif kind == "inlineStr":
        child = el.find(_IS)
        if child is not None:
            raw = _text(child)
    return None if raw is None else convert(raw, is_error=kind == "e", escaped=True)


def _formula(f: ET.Element, ref: str | None, shared: dict[str | None, Translator]) -> str:
    """The formula text ``read_grid`` records for a cell's ``<f>`` (openpyxl's ``parse_formula``:
    ``=`` alone for an empty one; a shared formula translated from the first cell of its group)."""
    kind = f.get("t")
    text = "=" + (f.text or "")
    if kind == "dataTable":
        raise NotFast("a data-table formula")
    if kind == "shared":
        si = f.get("si")
        if si in shared:
            return str(shared[si].translate_formula(ref))
        if text != "=":
            shared[si] = Translator(text, ref)
    return text
