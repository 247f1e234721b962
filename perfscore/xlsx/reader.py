"""Reading a workbook into the engine's :class:`~perfscore.engine.grid.Grid` with openpyxl.

:func:`read_grid` sniffs the file first (:mod:`perfscore.xlsx.sniff`), then reads every sheet's
values (formula results as cached) in workbook order; :func:`evaluate_file` is the one
"read a file → evaluate it" composition every front end uses.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from perfscore.engine.framework import Framework, ProjectFramework
from perfscore.engine.grid import CellValue, Grid, Sheet, convert
from perfscore.engine.pipeline import AnyResult, evaluate
from perfscore.errors import UnusableInputError, WriteError
from perfscore.xlsx.macros import read_macros
from perfscore.xlsx.sniff import sniff, unusable

#: Refuse a sheet with more rows holding values than this (a form has a few dozen per sheet).
MAX_ROWS = 20_000
#: Columns read per sheet; perfscore's layout uses fewer than 20, anything right of this is ignored.
MAX_COLS = 64


def evaluate_file(path: Path, fw: Framework | ProjectFramework | None = None) -> AnyResult:
    """Read the workbook at ``path`` and run the pipeline on it (the framework it names, unless ``fw``)."""
    return evaluate(read_grid(Path(path)), fw)


def read_grid(path: Path) -> Grid:
    """Read every sheet's values (formula results as cached) and formulas into a Grid, in workbook order.

    openpyxl gives either the cached results or the formulas of a workbook, so it is read twice; the
    integrity checks need both (a typed-over total, a stale displayed total). A sheet's ``<dimension>``
    element is not trusted (some writers emit ``ref="A1"`` or a stale range): every row is read. A
    udf-mode form's macros are read from the package too (:mod:`perfscore.xlsx.macros`).
    """
    path = Path(path)
    sniff(path)
    grid = Grid(source=str(path))
    with opened(path, read_only=True, data_only=True) as wb:
        for ws in wb.worksheets:
            ws.reset_dimensions()
            grid.add(_read_sheet(path, ws))
    with opened(path, read_only=True, data_only=False) as wb:
        for ws in wb.worksheets:
            ws.reset_dimensions()
            if ws.title in grid.sheets:
                grid.sheets[ws.title].formulas = _read_formulas(ws)
    read_macros(path, grid)
    return grid


def _read_formulas(ws: Any) -> dict[tuple[int, int], str]:
    """The formula text of every formula cell (``=…``; an array formula by its text)."""
    found: dict[tuple[int, int], str] = {}
    for row in ws.iter_rows(max_col=MAX_COLS):
        for cell in row:
            if getattr(cell, "data_type", None) == "f":
                value = cell.value
                text = value if isinstance(value, str) else getattr(value, "text", None)
                if text:
                    found[(cell.row, cell.column)] = text if text.startswith("=") else "=" + text
    return found


@contextmanager
def opened(path: Path, warned: list[str] | None = None, **kw: Any) -> Iterator[Any]:
    """Load with openpyxl; its warnings (features it cannot keep) go to ``warned``, not stderr."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            wb = _load(path, **kw)
    except UnusableInputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on damaged packages
        raise unusable(path, _corrupt(exc)) from None
    if warned is not None:
        warned.extend(str(w.message) for w in caught)
    try:
        yield wb
    except (UnusableInputError, WriteError):
        raise
    except Exception as exc:  # damage found while streaming a sheet (bad XML, CRC error, …)
        raise unusable(path, _corrupt(exc)) from None
    finally:
        if kw.get("read_only"):
            wb.close()


def _load(path: Path, **kw: Any) -> Any:
    """openpyxl's ``load_workbook``; read-only, with the shared strings as the file stores them."""
    if not kw.get("read_only") or kw.get("rich_text"):
        return load_workbook(path, **kw)
    reader = _StoredStrings(path, **kw)
    reader.read()
    return reader.wb


class _StoredStrings(ExcelReader):  # type: ignore[misc]
    """openpyxl's package reader, keeping each shared string as stored, ``_xHHHH_`` escapes and all.

    openpyxl deletes every ``x005F_`` from a shared string, after which a typed ``_x000B_`` (stored
    ``_x005F_x000B_``) and a vertical tab (stored ``_x000B_``) read the same, and a typed ``x005F_``
    vanishes. Inline strings and formula results already come as stored; :func:`_read_sheet` decodes
    them all alike (:func:`perfscore.engine.grid.convert` with ``escaped``).
    """

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is None:
            return
        tag = f"{{{SHEET_MAIN_NS}}}si"
        strings: list[str] = []
        with self.archive.open(part.PartName[1:]) as src:
            for _, node in iterparse(src):
                if node.tag == tag:
                    strings.append(Text.from_tree(node).content)
                    node.clear()
        self.shared_strings = strings


def stored_texts(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """The text of every plain text cell as the file stores it (``_xHHHH_`` escapes kept), by sheet
    and (row, column): what an edit must save back unchanged (see :class:`_StoredStrings`)."""
    found: dict[str, dict[tuple[int, int], str]] = {}
    with opened(path, read_only=True, data_only=False) as wb:
        for ws in wb.worksheets:
            ws.reset_dimensions()
            texts = found.setdefault(ws.title, {})
            for row in ws.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "s" and isinstance(cell.value, str):
                        texts[(cell.row, cell.column)] = cell.value
    return found


def _corrupt(exc: BaseException) -> str:
    detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
    return f"工作簿已损坏，无法读取（{type(exc).__name__}: {detail}）；请在 Excel 中打开并另存为 .xlsx 后再试"


def _read_sheet(path: Path, ws: Any) -> Sheet:
    sheet = Sheet(ws.title)
    rows = sheet.rows
    filled = 0
    for r, row in enumerate(ws.iter_rows(max_col=MAX_COLS), 1):
        values: list[CellValue] = []
        for cell in row:
            raw = getattr(cell, "value", None)
            values.append(None if raw is None else convert(raw, is_error=cell.data_type == "e", escaped=True))
        while values and values[-1] is None:
            values.pop()
        if not values:
            continue
        filled += 1
        if filled > MAX_ROWS:
            raise unusable(
                path,
                f"工作表“{ws.title}”有超过 {MAX_ROWS} 行数据，不像是自评表；请删除无关的数据后再试",
            )
        while len(rows) < r - 1:
            rows.append([])
        rows.append(values)
    return sheet
