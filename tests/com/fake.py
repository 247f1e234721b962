"""A fake Excel COM object model under xlwings' REAL Windows code, counting every COM operation.

Nobody here has Excel or pywin32. This module imports ``xlwings/_xlwindows.py`` (the code xlwings runs
on Windows) with the pywin32 modules it imports replaced by small stubs, and gives it a fake Excel
object model (``Application``, ``Workbooks``, ``Workbook``, ``Sheets``, ``Worksheet``, ``Range``) instead
of the objects pywin32 would return. ``xlwings.Book`` is then built on top exactly as
``xw.Book.caller()`` builds it on Windows (``xlwings.main.Book(impl=_xlwindows.Book(xl=…))``), so the
bridge runs through all of xlwings' own code down to the COM objects.

**What is counted.** One COM operation is one ``IDispatch::Invoke`` — a cross-process round trip to
Excel: a property get (``Range.Value``), a property put (``Range.Value = …``) or a method call
(``Worksheet.Range("A1")``, ``Range.ClearContents()``, a collection's default member
``Worksheets(1)``). Enumerating a collection (``for ws in wb.Worksheets``) is counted as its ``_NewEnum``
call plus one ``IEnumVARIANT::Next`` per item and one for the end (round trips too). NOT counted:
what pywin32's late binding may add per object (``GetIDsOfNames``, ``GetTypeInfo``; it depends on the
makepy cache), reference counting, and Win32 API calls that are not COM (``MessageBox``,
``GetWindowThreadProcessId``). These are counts against xlwings' code with a fake COM layer, not
measurements in Excel.

**What is stubbed** (the narrowest that lets ``_xlwindows`` import and run on Linux):
the modules ``pywintypes``, ``pythoncom``, ``win32api``, ``win32con``, ``win32gui``, ``win32process``,
``win32timezone``, ``win32com`` and ``win32com.client``, only while ``_xlwindows`` is imported (its
globals keep them; ``sys.modules`` is restored afterwards); and, for the import only, ``ctypes.windll``,
``ctypes.oledll`` (absent on Linux) and ``ctypes.PyDLL`` (``_xlwindows`` looks up
``PyCom_PyObjectFromIUnknown`` in pythoncom's DLL at import time). The fake ``win32api.MessageBox``
records the message box of ``app.alert`` (xlwings' Windows ``alert`` calls it; it is not COM).

**What the fake Excel does with values**, as Excel and pywin32 do: numbers come back as floats, empty
cells as None, a single cell as a scalar and a block as a tuple of row tuples; error cells as the
integer error codes pywin32 gives (``-2146826281`` = ``#DIV/0!``); dates of date-formatted cells as
timezone-aware datetimes. A written string is parsed as if typed — ``=…`` (and ``+``/``-``/``@`` followed
by a non-number) becomes a formula, ``12`` or ``50%`` a number, ``TRUE`` a boolean, ``2022-1-5`` a date —
unless it starts with an apostrophe, which only marks text. ``Range.Formula`` gives each cell's formula,
or its constant as text ("" when empty). The fake is stricter than Excel where a silent Excel
behaviour would hide a bug: a written block must have the range's shape, ``None`` inside a block is
refused (xlwings writes ``""`` for empty), as are ``Decimal`` (pywin32 would send a currency) and a
naive datetime (pywin32 needs a timezone; xlwings sets UTC), and ``ClearContents`` on part of a merged
area fails as in Excel. Deleting a sheet while ``DisplayAlerts`` is on records the confirmation Excel
would show (``excel.dialogs``).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import datetime as dt
import functools
import importlib
import re
import sys
import types
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

# ------------------------------------------------------------------------------- pywin32 stubs


class com_error(Exception):
    """pywintypes.com_error: args are (hresult, text, excepinfo, argerror), as xlwings unpacks them."""

    def __init__(self, hresult: int, text: str = "", excepinfo: Any = None, argerror: Any = None) -> None:
        super().__init__(hresult, text, excepinfo, argerror)
        self.hresult, self.strerror, self.excepinfo, self.argerror = hresult, text, excepinfo, argerror


class ComTime(dt.datetime):
    """pywintypes.TimeType: pywin32 returns COM dates as aware datetimes of this class."""


DISP_E_UNKNOWNNAME = -2147352570
DISP_E_TYPEMISMATCH = -2147352571
DISP_E_EXCEPTION = -2147352567  # an error raised by Excel itself (with excepinfo)


def excel_error(text: str) -> com_error:
    return com_error(
        DISP_E_EXCEPTION, "Exception occurred.", (0, "Microsoft Excel", text, None, 0, -2146827284), None
    )


class CDispatch:
    """win32com.client.CDispatch: every fake Excel object is one, so xlwings wraps it for retries."""


class _CoClassBaseClass:
    pass


class _DispatchBaseClass:
    pass


#: hwnd → the fake Excel whose Application has that window handle (for MessageBox).
_WINDOWS: dict[int, Excel] = {}


def _message_box(hwnd: int, text: str, title: str, style: int) -> int:
    _WINDOWS[hwnd].alerts.append(text)
    _WINDOWS[hwnd].alert_titles.append(title)
    return 1  # IDOK


def _no_windows(*_: Any, **__: Any) -> Any:
    raise com_error(-2147221021, "no Excel on this machine (fake COM)")


class _Anything:
    """ctypes.windll / oledll / PyDLL(...) for the import of _xlwindows: any attribute, any call."""

    restype: Any = None

    def __init__(self, *_: Any, **__: Any) -> None:
        pass

    def __getattr__(self, name: str) -> _Anything:
        return _Anything()

    def __call__(self, *_: Any, **__: Any) -> int:
        return 0


def _stub_modules() -> dict[str, types.ModuleType]:
    def module(name: str, **attrs: Any) -> types.ModuleType:
        mod = types.ModuleType(name)
        mod.__dict__.update(attrs)
        return mod

    pywintypes = module(
        "pywintypes",
        com_error=com_error,
        error=type("error", (Exception,), {}),
        TimeType=ComTime,
        datetime=ComTime,
        IID=lambda text: text,
    )
    pythoncom = module(
        "pythoncom",
        __file__="pythoncom.dll",
        CoInitialize=lambda: None,
        com_error=com_error,
        ole_error=com_error,
        new=_no_windows,
    )
    client = module(
        "win32com.client",
        CDispatch=CDispatch,
        CoClassBaseClass=_CoClassBaseClass,
        DispatchBaseClass=_DispatchBaseClass,
        Dispatch=_no_windows,
        DispatchEx=_no_windows,
    )
    win32con = module(
        "win32con",
        MB_OK=0,
        MB_OKCANCEL=1,
        MB_YESNOCANCEL=3,
        MB_YESNO=4,
        MB_ICONWARNING=0x30,
        MB_ICONINFORMATION=0x40,
    )
    return {
        "pywintypes": pywintypes,
        "pythoncom": pythoncom,
        "win32api": module(
            "win32api",
            MessageBox=_message_box,
            OpenProcess=_no_windows,
            TerminateProcess=_no_windows,
            CloseHandle=_no_windows,
        ),
        "win32con": win32con,
        "win32gui": module("win32gui", FindWindowEx=_no_windows),
        "win32process": module("win32process", GetWindowThreadProcessId=lambda hwnd: (1, 40000 + hwnd)),
        "win32timezone": module(
            "win32timezone",
            TimeZoneInfo=type("TimeZoneInfo", (), {"utc": staticmethod(lambda: dt.timezone.utc)}),
        ),
        "win32com": module("win32com", client=client),
        "win32com.client": client,
    }


@functools.cache
def xlwindows() -> types.ModuleType:
    """``xlwings._xlwindows``, imported once with the stubs (``sys.modules`` and ctypes restored)."""
    stubs = _stub_modules()
    names = [*stubs, "xlwings._xlwindows"]
    saved = {name: sys.modules.get(name) for name in names}
    missing = object()
    saved_ctypes = {name: getattr(ctypes, name, missing) for name in ("windll", "oledll", "PyDLL")}
    import xlwings

    had_attr = hasattr(xlwings, "_xlwindows")
    try:
        sys.modules.update(stubs)
        sys.modules.pop("xlwings._xlwindows", None)
        for name in saved_ctypes:
            setattr(ctypes, name, _Anything() if name != "PyDLL" else _Anything)
        module = importlib.import_module("xlwings._xlwindows")
    finally:
        for name, value in saved_ctypes.items():
            if value is missing:
                delattr(ctypes, name)
            else:
                setattr(ctypes, name, value)
        for name, mod in saved.items():
            if mod is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = mod
        if not had_attr and hasattr(xlwings, "_xlwindows"):
            delattr(xlwings, "_xlwindows")
    atexit.unregister(module.cleanup)  # it would look for EXCEL.exe processes (tasklist)
    return module


# --------------------------------------------------------------------------------- the log


@dataclass(frozen=True)
class Op:
    """One COM operation: kind "get" | "set" | "call", the object's type and the member."""

    kind: str
    type: str
    member: str
    #: Application.ScreenUpdating, Calculation, EnableEvents when it ran.
    state: tuple[bool, int, bool]

    def __str__(self) -> str:
        return f"{self.kind} {self.type}.{self.member}"


XL_CALCULATION_AUTOMATIC, XL_CALCULATION_MANUAL = -4105, -4135


class Excel:
    """One fake Excel instance: its Application, the log of COM operations and the message boxes."""

    _next_hwnd = 1000

    def __init__(self) -> None:
        Excel._next_hwnd += 1
        self.hwnd = Excel._next_hwnd
        _WINDOWS[self.hwnd] = self
        self.ops: list[Op] = []
        self.alerts: list[str] = []
        self.alert_titles: list[str] = []
        self.dialogs: list[str] = []  # confirmations Excel would have shown (DisplayAlerts on)
        self.opened: list[Workbook] = []  # books opened through Workbooks.Open
        self.application = Application(self)

    def record(self, kind: str, type_: str, member: str) -> None:
        app = self.application
        self.ops.append(Op(kind, type_, member, (app.screen_updating, app.calculation, app.enable_events)))

    def counts(self) -> dict[str, int]:
        """Operations by kind, and their total."""
        by_kind = Counter(op.kind for op in self.ops)
        return {"get": by_kind["get"], "set": by_kind["set"], "call": by_kind["call"], "total": len(self.ops)}

    def members(self) -> Counter[str]:
        return Counter(str(op) for op in self.ops)

    def reset(self) -> None:
        self.ops.clear()

    # setup, not COM: what the test starts with
    def load(self, path: Path) -> Workbook:
        return self.application.workbooks.load(Path(path))

    def xlwings_book(self, book: Workbook) -> Any:
        """``xlwings.Book`` over the fake workbook, exactly as ``xw.Book.caller()`` makes it on Windows."""
        import xlwings

        impl = xlwindows()
        return xlwings.Book(impl=impl.Book(xl=impl.COMRetryObjectWrapper(book)))


def unwrap(value: Any) -> Any:
    """What pywin32 passes to Excel for an argument: the object inside xlwings' retry wrapper."""
    while type(value).__name__ == "COMRetryObjectWrapper":
        value = object.__getattribute__(value, "_inner")
    return value


# --------------------------------------------------------------------------- the object model


class ComObject(CDispatch):
    """An Excel object: ``get_X``/``set_X``/``call_X`` define member X; every use is logged.

    A member that does not exist raises a com_error (DISP_E_UNKNOWNNAME), never AttributeError:
    xlwings retries AttributeError forever, taking it for a busy Excel (so an AttributeError inside
    the fake becomes a RuntimeError too)."""

    _excel: Excel
    com_type = "Object"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        cls = type(self)
        getter = getattr(cls, "get_" + name, None)
        if getter is not None:
            self._excel.record("get", self.com_type, name)
            with _no_attribute_error():
                return getter(self)
        method = getattr(cls, "call_" + name, None)
        if method is not None:
            return types.MethodType(_invoked(method, name), self)
        raise com_error(DISP_E_UNKNOWNNAME, f"Unknown name: {self.com_type}.{name}")

    def __setattr__(self, name: str, value: Any) -> None:
        if not name[:1].isupper():  # Python state of the fake, not a COM property
            object.__setattr__(self, name, value)
            return
        setter = getattr(type(self), "set_" + name, None)
        if setter is None:
            raise com_error(DISP_E_UNKNOWNNAME, f"Unknown or read-only property: {self.com_type}.{name}")
        self._excel.record("set", self.com_type, name)
        with _no_attribute_error():
            setter(self, unwrap(value))


@contextlib.contextmanager
def _no_attribute_error() -> Iterator[None]:
    try:
        yield
    except AttributeError as exc:
        raise RuntimeError(f"a bug in the fake Excel: {exc!r}") from exc


def _invoked(method: Callable[..., Any], name: str) -> Callable[..., Any]:
    def call(self: ComObject, *args: Any, **kwargs: Any) -> Any:
        self._excel.record("call", self.com_type, name)
        with _no_attribute_error():
            return method(self, *(unwrap(a) for a in args), **{k: unwrap(v) for k, v in kwargs.items()})

    return call


def _enumerate(obj: ComObject, items: list[Any]) -> Iterator[Any]:
    obj._excel.record("call", obj.com_type, "_NewEnum")
    for item in items:
        obj._excel.record("call", "IEnumVARIANT", "Next")
        yield item
    obj._excel.record("call", "IEnumVARIANT", "Next")


class Application(ComObject):
    com_type = "Application"

    def __init__(self, excel: Excel) -> None:
        self._excel = excel
        self.workbooks = Workbooks(excel, self)
        self.screen_updating = True
        self.calculation = XL_CALCULATION_AUTOMATIC
        self.enable_events = True
        self.display_alerts = True

    def get_Workbooks(self) -> Workbooks:
        return self.workbooks

    def get_Hwnd(self) -> int:
        return self._excel.hwnd

    def get_Version(self) -> str:
        return "16.0"

    def get_ScreenUpdating(self) -> bool:
        return self.screen_updating

    def set_ScreenUpdating(self, value: bool) -> None:
        self.screen_updating = bool(value)

    def get_Calculation(self) -> int:
        return self.calculation

    def set_Calculation(self, value: int) -> None:
        assert value in (XL_CALCULATION_AUTOMATIC, XL_CALCULATION_MANUAL, 2), value
        self.calculation = value

    def get_EnableEvents(self) -> bool:
        return self.enable_events

    def set_EnableEvents(self, value: bool) -> None:
        self.enable_events = bool(value)

    def get_DisplayAlerts(self) -> bool:
        return self.display_alerts

    def set_DisplayAlerts(self, value: bool) -> None:
        self.display_alerts = bool(value)


class Workbooks(ComObject):
    com_type = "Workbooks"

    def __init__(self, excel: Excel, app: Application) -> None:
        self._excel, self._app = excel, app
        self.items: list[Workbook] = []

    def load(self, path: Path) -> Workbook:
        book = Workbook(self._excel, self, path.name, path)
        wb_values = openpyxl.load_workbook(path, data_only=True)
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            sheet = Worksheet(book, ws.title)
            sheet.fill_from(ws, wb_values[ws.title])
            book.worksheets.items.append(sheet)
        self.items.append(book)
        return book

    def call_Open(self, filename: str, *_: Any, **__: Any) -> Workbook:
        book = self.load(Path(filename))
        self._excel.opened.append(book)
        return book

    def get_Count(self) -> int:
        return len(self.items)

    def __call__(self, key: int | str) -> Workbook:
        self._excel.record("call", self.com_type, "Item")
        if isinstance(key, int) and not isinstance(key, bool) and 1 <= key <= len(self.items):
            return self.items[key - 1]
        for book in self.items:
            if book.name.lower() == str(key).lower():
                return book
        raise com_error(-2147352565, "Invalid index.")

    def __iter__(self) -> Iterator[Workbook]:
        return _enumerate(self, list(self.items))


class Workbook(ComObject):
    com_type = "Workbook"

    def __init__(self, excel: Excel, books: Workbooks, name: str, path: Path | None) -> None:
        self._excel, self._books, self.name, self.path = excel, books, name, path
        self.worksheets = Sheets(self)
        self.closed = False

    def get_Worksheets(self) -> Sheets:
        return self.worksheets

    def get_Sheets(self) -> Sheets:
        return self.worksheets

    def get_Application(self) -> Application:
        return self._books._app

    def get_Name(self) -> str:
        return self.name

    def get_FullName(self) -> str:
        return str(self.path) if self.path else self.name

    def call_Close(self, SaveChanges: Any = None, *_: Any, **__: Any) -> None:
        assert not SaveChanges, "perfscore never saves the temporary report workbook"
        self.closed = True
        self._books.items.remove(self)

    def sheet(self, name: str) -> Worksheet:
        """Setup/inspection (not COM): the sheet called ``name``."""
        return next(s for s in self.worksheets.items if s.name == name)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.worksheets.items]


class Sheets(ComObject):
    com_type = "Sheets"

    def __init__(self, book: Workbook) -> None:
        self._excel, self._book = book._excel, book
        self.items: list[Worksheet] = []

    def get_Count(self) -> int:
        return len(self.items)

    def get_Parent(self) -> Workbook:
        return self._book

    def __call__(self, key: int | str) -> Worksheet:
        self._excel.record("call", self.com_type, "Item")
        if isinstance(key, int) and not isinstance(key, bool):
            if not 1 <= key <= len(self.items):
                raise com_error(-2147352565, "Invalid index.")
            return self.items[key - 1]
        for sheet in self.items:
            if sheet.name.lower() == str(key).lower():
                return sheet
        raise com_error(-2147352565, "Invalid index.")

    def __iter__(self) -> Iterator[Worksheet]:
        return _enumerate(self, list(self.items))

    def call_Add(
        self, Before: Any = None, After: Any = None, Count: Any = None, Type: Any = None
    ) -> Worksheet:
        n = 1
        while any(s.name.lower() == f"sheet{n}" for s in self.items):
            n += 1
        sheet = Worksheet(self._book, f"Sheet{n}")
        if Before is not None:
            self.items.insert(self.items.index(Before), sheet)
        elif After is not None:
            self.items.insert(self.items.index(After) + 1, sheet)
        else:
            self.items.insert(0, sheet)  # Excel adds before the active sheet; the first, here
        return sheet


# --- cells --------------------------------------------------------------------------------------

#: The COM error codes pywin32 returns for error cells (what xlwings' err_to_str maps back).
ERROR_CODES = {
    "#DIV/0!": -2146826281,
    "#N/A": -2146826246,
    "#NAME?": -2146826259,
    "#NULL!": -2146826288,
    "#NUM!": -2146826252,
    "#REF!": -2146826265,
    "#VALUE!": -2146826273,
}


class XlError(str):
    """An error value held in a cell (``#DIV/0!``)."""


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_ADDRESS = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")
_ROWS = re.compile(r"^\$?(\d+):\$?(\d+)$")
MAX_ROW, MAX_COL = 1048576, 16384


def col_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def parse_address(address: str) -> tuple[int, int, int, int]:
    """``A1``, ``$B$2:$D$9``, ``3:5`` → (top, left, bottom, right)."""
    text = address.upper().replace(" ", "")
    m = _ADDRESS.match(text)
    if m:
        top, left = int(m.group(2)), col_index(m.group(1))
        if m.group(3):
            return top, left, int(m.group(4)), col_index(m.group(3))
        return top, left, top, left
    m = _ROWS.match(text)
    if m:
        return int(m.group(1)), 1, int(m.group(2)), MAX_COL
    raise com_error(DISP_E_EXCEPTION, f"Method 'Range' of object '_Worksheet' failed: {address!r}")


@dataclass
class Cell:
    """What Excel holds in a cell: its value (float, str, bool, naive datetime, XlError or None),
    its formula (``=…``) if any, and whether text carries the apostrophe prefix."""

    value: Any = None
    formula: str | None = None
    prefixed: bool = False


def typed(text: str) -> Cell:
    """A string written with ``Range.Value = text``: Excel parses it as if a user typed it."""
    if text == "":
        return Cell()
    if text.startswith("'"):
        return Cell(text[1:], prefixed=True)
    if _NUMBER.match(text):
        number = float(text.rstrip("%"))
        return Cell(number / 100 if text.endswith("%") else number)
    if text.startswith("=") or (text[:1] in "+-@" and len(text) > 1):
        return Cell(None, formula=text if text.startswith("=") else "=" + text)
    if text.upper() in ("TRUE", "FALSE"):
        return Cell(text.upper() == "TRUE")
    m = _DATE.match(text)
    if m:
        with contextlib.suppress(ValueError):
            return Cell(dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    return Cell(text)


def written(value: Any) -> Cell:
    """One element written with ``Range.Value``, after pywin32's conversion to a VARIANT."""
    if isinstance(value, str):
        return typed(value)
    if isinstance(value, bool):
        return Cell(value)
    if isinstance(value, (int, float)):
        return Cell(float(value))
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() != dt.timedelta(0):
            raise com_error(
                DISP_E_TYPEMISMATCH, f"a datetime needs UTC as its timezone (as xlwings sends it): {value!r}"
            )
        return Cell(value.replace(tzinfo=None))
    if value is None:
        raise com_error(DISP_E_TYPEMISMATCH, "None in a written block (xlwings writes '' for an empty cell)")
    if isinstance(value, Decimal):
        raise com_error(DISP_E_TYPEMISMATCH, f"Decimal {value} would reach Excel as a currency (VT_CY)")
    raise com_error(DISP_E_TYPEMISMATCH, f"cannot write {type(value).__name__} {value!r}")


def shown(cell: Cell | None) -> Any:
    """A cell's ``Range.Value`` as pywin32 returns it."""
    if cell is None:
        return None
    v = cell.value
    if isinstance(v, XlError):
        return ERROR_CODES.get(v, ERROR_CODES["#VALUE!"])
    if isinstance(v, dt.datetime):
        return ComTime(
            v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, tzinfo=dt.timezone.utc
        )
    return v


def formula_text(cell: Cell | None) -> str:
    """A cell's ``Range.Formula``: the formula, else the constant as text ("" when empty)."""
    if cell is None:
        return ""
    if cell.formula is not None:
        return cell.formula
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return f"{v.month}/{v.day}/{v.year}"
    return str(v)


class Worksheet(ComObject):
    com_type = "Worksheet"

    def __init__(self, book: Workbook, name: str) -> None:
        self._excel, self._book, self.name = book._excel, book, name
        self.cells: dict[tuple[int, int], Cell] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.heights: dict[int, float] = {}
        self.widths: dict[int, float] = {}
        self.visible = True
        self.copied_from: Path | None = None

    def fill_from(self, ws: Any, ws_values: Any) -> None:
        """Setup: the sheet as Excel holds it after opening the xlsx (cached results of formulas)."""
        for row in ws.iter_rows():
            for c in row:
                cached = ws_values.cell(c.row, c.column).value
                if c.data_type == "f":
                    text = c.value if isinstance(c.value, str) else getattr(c.value, "text", str(c.value))
                    self.cells[(c.row, c.column)] = Cell(_held(cached), formula=text)
                elif c.value is not None and c.value != "":
                    held = XlError(c.value) if c.data_type == "e" else _held(c.value)
                    self.cells[(c.row, c.column)] = Cell(held, prefixed=bool(c.quotePrefix))
        self.merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        self.heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height}
        self.visible = ws.sheet_state == "visible"
        self.copied_from = None

    # inspection helpers (not COM)
    def value(self, row: int, col: int) -> Any:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    def formula(self, row: int, col: int) -> str | None:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.formula

    @property
    def formulas(self) -> dict[tuple[int, int], str]:
        return {pos: c.formula for pos, c in self.cells.items() if c.formula is not None}

    def put(self, row: int, col: int, value: Any) -> None:
        """Setup: a value typed into a cell (by the test, standing in for the clerk)."""
        self.cells.pop((row, col), None)
        if value is not None:
            self.cells[(row, col)] = Cell(_held(value))

    # COM members
    def get_Name(self) -> str:
        return self.name

    def set_Name(self, value: str) -> None:
        if len(value) > 31 or any(
            s is not self and s.name.lower() == value.lower() for s in self._book.worksheets.items
        ):
            raise excel_error("That name is already taken or too long.")
        self.name = value

    def get_Parent(self) -> Workbook:
        return self._book

    def get_Index(self) -> int:
        return self._book.worksheets.items.index(self) + 1

    def get_Visible(self) -> int:
        return -1 if self.visible else 0

    def get_UsedRange(self) -> Range:
        if not self.cells:
            return Range(self, 1, 1, 1, 1)
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return Range(self, min(rows), min(cols), max(rows), max(cols))

    def call_Range(self, cell1: Any, cell2: Any = None) -> Range:
        first = _area(self, cell1)
        if cell2 is None:
            return Range(self, *first)
        last = _area(self, cell2)
        return Range(
            self,
            min(first[0], last[0]),
            min(first[1], last[1]),
            max(first[2], last[2]),
            max(first[3], last[3]),
        )

    def call_Cells(self, row: int, col: int) -> Range:
        return Range(self, row, col, row, col)

    def call_Activate(self) -> None:
        pass

    def call_Delete(self) -> bool:
        if self._excel.application.display_alerts and any(c.value is not None for c in self.cells.values()):
            self._excel.dialogs.append(f"删除工作表“{self.name}”？（Excel 的确认对话框）")
        self._book.worksheets.items.remove(self)
        return True

    def call_Copy(self, Before: Any = None, After: Any = None) -> None:
        """Worksheet.Copy into an open book: values, formulas, merges, heights and widths travel along."""
        anchor = Before if Before is not None else After
        assert isinstance(anchor, Worksheet), "the copy goes into an open workbook, before or after a sheet"
        target = anchor._book
        clone = Worksheet(target, self.name)
        n = 2
        while any(s.name.lower() == clone.name.lower() for s in target.worksheets.items):
            clone.name = f"{self.name} ({n})"
            n += 1
        clone.cells = {pos: Cell(c.value, c.formula, c.prefixed) for pos, c in self.cells.items()}
        clone.merges, clone.heights, clone.widths = list(self.merges), dict(self.heights), dict(self.widths)
        clone.copied_from = self._book.path
        items = target.worksheets.items
        items.insert(items.index(anchor) + (0 if Before is not None else 1), clone)


def _held(value: Any) -> Any:
    """A value read from an xlsx as Excel holds it: numbers as floats."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value in ERROR_CODES:
        return XlError(value)
    return value


def _area(sheet: Worksheet, arg: Any) -> tuple[int, int, int, int]:
    if isinstance(arg, Range):
        assert arg._sheet is sheet, "a range of another sheet"
        return arg.top, arg.left, arg.bottom, arg.right
    if isinstance(arg, str):
        return parse_address(arg)
    raise com_error(DISP_E_TYPEMISMATCH, f"Range({arg!r})")


class _Lines(ComObject):
    """``Range.Rows`` / ``Range.Columns`` (only their Count is used)."""

    com_type = "Range"

    def __init__(self, excel: Excel, count: int) -> None:
        self._excel, self.count = excel, count

    def get_Count(self) -> int:
        return self.count


class Range(ComObject):
    com_type = "Range"

    def __init__(self, sheet: Worksheet, top: int, left: int, bottom: int, right: int) -> None:
        assert 1 <= top <= bottom <= MAX_ROW and 1 <= left <= right <= MAX_COL, (top, left, bottom, right)
        self._excel, self._sheet = sheet._excel, sheet
        self.top, self.left, self.bottom, self.right = top, left, bottom, right

    def positions(self) -> Iterator[tuple[int, int]]:
        for r in range(self.top, self.bottom + 1):
            for c in range(self.left, self.right + 1):
                yield r, c

    def _grid(self, one: Callable[[Cell | None], Any]) -> Any:
        cells = self._sheet.cells
        if self.top == self.bottom and self.left == self.right:
            return one(cells.get((self.top, self.left)))
        return tuple(
            tuple(one(cells.get((r, c))) for c in range(self.left, self.right + 1))
            for r in range(self.top, self.bottom + 1)
        )

    def get_Value(self) -> Any:
        return self._grid(shown)

    def get_Value2(self) -> Any:
        return self._grid(shown)

    def get_Formula(self) -> Any:
        return self._grid(formula_text)

    def set_Value(self, data: Any) -> None:
        self._write(data)

    def set_Formula(self, data: Any) -> None:
        self._write(data)

    def _write(self, data: Any) -> None:
        height, width = self.bottom - self.top + 1, self.right - self.left + 1
        if isinstance(data, (list, tuple)):
            rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in data]
            if height == 1 and len(rows) == width and all(len(r) == 1 for r in rows) and width > 1:
                rows = [[r[0] for r in rows]]  # a flat list is one row
            if len(rows) != height or any(len(r) != width for r in rows):
                raise AssertionError(
                    f"a {len(rows)}-row block written into {self.address()} ({height}×{width})"
                )
        else:
            rows = [[data] * width for _ in range(height)]
        cells = [[written(v) for v in line] for line in rows]  # all converted before anything changes
        for dr, line in enumerate(cells):
            for dc, cell in enumerate(line):
                pos = (self.top + dr, self.left + dc)
                if cell.value is None and cell.formula is None:
                    self._sheet.cells.pop(pos, None)
                else:
                    self._sheet.cells[pos] = cell

    def address(self) -> str:
        first = f"${col_letter(self.left)}${self.top}"
        if (self.top, self.left) == (self.bottom, self.right):
            return first
        return f"{first}:${col_letter(self.right)}${self.bottom}"

    def get_Address(self) -> str:
        return self.address()

    def get_Row(self) -> int:
        return self.top

    def get_Column(self) -> int:
        return self.left

    def get_Rows(self) -> _Lines:
        return _Lines(self._excel, self.bottom - self.top + 1)

    def get_Columns(self) -> _Lines:
        return _Lines(self._excel, self.right - self.left + 1)

    def get_Count(self) -> int:
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)

    def get_Worksheet(self) -> Worksheet:
        return self._sheet

    def get_RowHeight(self) -> float:
        return self._sheet.heights.get(self.top, 15.0)

    def set_RowHeight(self, points: float) -> None:
        assert 0 < points <= 409, points
        for r in range(self.top, self.bottom + 1):
            self._sheet.heights[r] = float(points)

    def set_ColumnWidth(self, width: float) -> None:
        for c in range(self.left, self.right + 1):
            self._sheet.widths[c] = float(width)

    def call_ClearContents(self) -> None:
        for top, left, bottom, right in self._sheet.merges:
            inside = self.top <= top and bottom <= self.bottom and self.left <= left and right <= self.right
            apart = bottom < self.top or top > self.bottom or right < self.left or left > self.right
            if not inside and not apart:
                raise excel_error("Cannot change part of a merged cell.")
        for pos in list(self._sheet.cells):
            if self.top <= pos[0] <= self.bottom and self.left <= pos[1] <= self.right:
                del self._sheet.cells[pos]

    def __call__(self, row: int, col: int = 1) -> Range:
        """The default member, Item(row, col): a cell relative to the range's top-left."""
        self._excel.record("call", self.com_type, "Item")
        return Range(
            self._sheet, self.top + row - 1, self.left + col - 1, self.top + row - 1, self.left + col - 1
        )

    def call_Resize(self, rows: int | None = None, cols: int | None = None) -> Range:
        height = rows if rows is not None else self.bottom - self.top + 1
        width = cols if cols is not None else self.right - self.left + 1
        return Range(self._sheet, self.top, self.left, self.top + height - 1, self.left + width - 1)
