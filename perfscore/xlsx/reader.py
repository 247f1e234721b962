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

from perfscore.engine.framework import Framework
from perfscore.engine.grid import CellValue, Grid, Sheet, convert
from perfscore.engine.pipeline import Result, evaluate
from perfscore.errors import UnusableInputError, WriteError
from perfscore.xlsx.sniff import sniff, unusable

#: Refuse a sheet with more rows holding values than this (a form has a few dozen per sheet).
MAX_ROWS = 20_000
#: Columns read per sheet; perfscore's layout uses fewer than 20, anything right of this is ignored.
MAX_COLS = 64


def evaluate_file(path: Path, fw: Framework | None = None) -> Result:
    """Read the workbook at ``path`` and run the pipeline on it (the framework it names, unless ``fw``)."""
    return evaluate(read_grid(Path(path)), fw)


def read_grid(path: Path) -> Grid:
    """Read every sheet's values (formula results as cached) and formulas into a Grid, in workbook order.

    openpyxl gives either the cached results or the formulas of a workbook, so it is read twice; the
    integrity checks need both (a typed-over total, a stale displayed total).
    """
    path = Path(path)
    sniff(path)
    grid = Grid(source=str(path))
    with opened(path, read_only=True, data_only=True) as wb:
        for ws in wb.worksheets:
            grid.add(_read_sheet(path, ws))
    with opened(path, read_only=True, data_only=False) as wb:
        for ws in wb.worksheets:
            if ws.title in grid.sheets:
                grid.sheets[ws.title].formulas = _read_formulas(ws)
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
            wb = load_workbook(path, **kw)
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
            values.append(None if raw is None else convert(raw, is_error=cell.data_type == "e"))
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
