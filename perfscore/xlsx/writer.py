"""Writing into a workbook with openpyxl: apply a :class:`~perfscore.engine.plan.WritePlan`, atomically.

Writing loads the workbook with its formulas and VBA, changes only the cells a plan names, and saves
through :func:`perfscore.xlsx.atomic.replace_atomically`, so a failed save leaves the original
untouched. openpyxl keeps cell values, formulas, styles, data validation, conditional formats,
comments, defined names, protection and print settings, and with ``keep_vba`` the VBA project and
form buttons. It drops pictures (without Pillow), embedded objects, custom XML and more: the package
is counted before and after (:mod:`perfscore.xlsx.inventory`), and an in-place write that would lose
any of it is refused before the original is touched; a write to another file names what it lacks.
The form controls Excel saves beside each button, which openpyxl leaves orphaned, are put back
(:mod:`perfscore.xlsx.controls`) and checked before the new file replaces anything.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink

from perfscore.engine import layout as L
from perfscore.engine import xml_text
from perfscore.engine.framework import Framework, ProjectFramework
from perfscore.engine.grid import Formula, Link, PlanValue, quote_sheet
from perfscore.engine.pipeline import AnyResult
from perfscore.engine.plan import calc_plan
from perfscore.engine.write_plan import Finishing, WritePlan
from perfscore.errors import WriteError
from perfscore.xlsx import controls
from perfscore.xlsx.atomic import check_writable, replace_atomically
from perfscore.xlsx.inventory import describe, inventory, missing
from perfscore.xlsx.lock import locked
from perfscore.xlsx.package import finish
from perfscore.xlsx.reader import evaluate_file, opened, stored_texts
from perfscore.xlsx.sniff import sniff

DATE_FORMAT = "yyyy-mm-dd hh:mm"
LINK_COLOUR = "0563C1"  # Excel's hyperlink blue
MACRO_SUFFIXES = (".xlsm", ".xltm")
#: Inventory kinds whose parts a sheet's ``<controls>`` names (see :mod:`perfscore.xlsx.controls`).
CONTROL_KINDS = ("表单控件", "ActiveX 控件")


@contextmanager
def editing(
    path: Path, out: Path | None = None, finishing: Finishing | None = None
) -> Iterator[tuple[Workbook, list[str]]]:
    """Open the workbook at ``path`` to change it; on leaving, save it atomically (in place or to ``out``).

    Yields the workbook and what openpyxl says it cannot keep. If it cannot keep part of the file
    (e.g. an Excel extension it does not support), an in-place write is refused (:class:`WriteError`,
    nothing changed); writing to another file ``out`` goes ahead and the caller shows the losses.
    """
    path = Path(path)
    target = Path(out) if out is not None else path
    sniff(path)
    check_writable(target)
    in_place = _same_file(path, target)
    keep = Keeping(inventory(path), in_place, source=path)
    keep_vba = path.suffix.lower() in MACRO_SUFFIXES
    warned: list[str] = []
    with opened(path, warned, keep_vba=keep_vba, data_only=False, rich_text=True) as wb:
        keep.losses.extend(w for w in warned if not _repaired(wb, w))
        if keep.losses and in_place:
            raise WriteError(
                f"此文件含有 openpyxl 无法保留的内容（{'；'.join(keep.losses)[:200]}），为免丢失未写入；"
                "请用 -o 另存为新文件，或在 Excel 中用“计算”按钮；原文件未被改动",
                path=str(target),
            )
        _refuse_unrepresentable(wb, target)
        if _holds_escapes(path):
            _keep_stored_texts(wb, stored_texts(path))
        yield wb, keep.losses
        if finishing is not None:  # indicator rows: tall enough for their text, free to grow
            for sheet, heights in finishing.row_heights.items():
                for row, points in heights.items():
                    if sheet in wb.sheetnames:
                        wb[sheet].row_dimensions[row].height = points
        save_atomic(wb, target, finishing, keep)


@dataclass
class Keeping:
    """What the original package holds (:func:`perfscore.xlsx.inventory.inventory`) and what the new
    file failed to keep: an in-place write that would lose anything is refused. With ``source`` (the
    original file), the form controls openpyxl drops are put back first (:meth:`restore`)."""

    before: Counter[str]
    in_place: bool
    losses: list[str] = field(default_factory=list)
    source: Path | None = None

    def _with_controls(self) -> Path | None:
        """The original file, if it holds form (or ActiveX) controls to put back and check."""
        return self.source if self.source is not None and any(self.before[k] for k in CONTROL_KINDS) else None

    def restore(self, written: Path) -> None:
        """Put back into ``written`` the form controls of the original that openpyxl dropped
        (:func:`perfscore.xlsx.controls.restore`)."""
        if (source := self._with_controls()) is not None:
            controls.restore(source, written)

    def check(self, written: Path, target: Path) -> None:
        if (source := self._with_controls()) is not None:  # a write never breaks controls that were whole
            broken = controls.check(written)
            if broken and not controls.check(source):
                raise WriteError(
                    f"写入后表单控件（按钮）不一致（{'；'.join(broken)[:200]}），为免损坏未写入；"
                    "请在 Excel 中用“计算”按钮（加载项）；原文件未被改动",
                    path=str(target),
                )
        lost = missing(self.before, inventory(written))
        if lost and self.in_place:
            raise WriteError(
                f"此文件含有 perfscore 写入时无法保留的内容（{describe(lost)}），为免丢失未写入；"
                "请在 Excel 中用“计算”按钮（加载项），或先把这些内容移到其他文件再运行；"
                "用 -o 另存时新文件将不含这些内容；原文件未被改动",
                path=str(target),
            )
        if lost:
            self.losses.append(describe(lost))


def _holds_escapes(path: Path) -> bool:
    """Whether any text part holds ``_x`` (a possible ``_xHHHH_`` escape): only then can openpyxl's
    load have changed a text, and only then is the extra pass of :func:`_keep_stored_texts` needed."""
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.filename == "xl/sharedStrings.xml" or info.filename.startswith("xl/worksheets/sheet"):
                with zf.open(info) as fh:
                    tail = b""
                    while chunk := fh.read(1 << 20):
                        if b"_x" in tail + chunk:
                            return True
                        tail = chunk[-1:]
    return False


def _keep_stored_texts(wb: Workbook, stored: dict[str, dict[tuple[int, int], str]]) -> None:
    """openpyxl deletes every ``x005F_`` from the texts it loads, and would save a typed ``_x000B_``
    back as a vertical tab: every plain text cell gets back the text the file stored (which holds only
    characters XML allows, so it is set as it is, without openpyxl's 32,767-character cut)."""
    for ws in wb.worksheets:
        texts = stored.get(ws.title, {})
        for pos, cell in ws._cells.items():
            raw = texts.get(pos)
            if raw is not None and isinstance(cell.value, str) and cell.value != raw:
                cell._value = raw


def _refuse_unrepresentable(wb: Workbook, target: Path) -> None:
    """A number no spreadsheet can hold (``1e309`` read as infinity) would be saved as an empty cell:
    refuse rather than blank what the clerk's file held."""
    bad = [
        f"{quote_sheet(ws.title)}!{cell.coordinate}"
        for ws in wb.worksheets
        for cell in ws._cells.values()
        if isinstance(cell.value, float) and not math.isfinite(cell.value)
    ]
    if bad:
        more = f" 等 {len(bad)} 处" if len(bad) > 3 else ""
        raise WriteError(
            f"{'、'.join(bad[:3])}{more} 的数值超出 Excel 可表示的范围（如 1e309），保存时无法原样保留，"
            "为免丢失未写入；请改为正确的数字后再试；原文件未被改动",
            path=str(target),
        )


def apply_plan(path: Path, plan: WritePlan, out: Path | None = None) -> list[str]:
    """Write ``plan`` into the workbook at ``path`` (in place, or into ``out``), atomically.

    Returns what openpyxl could not keep (only possible with ``out``; see :func:`editing`).
    """
    with editing(path, out, plan.finishing) as (wb, losses):
        for sheet, row, points in plan.heights:
            if sheet in wb.sheetnames:
                wb[sheet].row_dimensions[row].height = points
        for sheet, first, columns in plan.clear_from:
            if sheet in wb.sheetnames:
                ws = wb[sheet]
                for row in ws.iter_rows(min_row=first, max_row=max(ws.max_row, first), max_col=columns):
                    for cell in row:
                        if cell.value is not None:
                            cell.value = None
                        if cell.hyperlink is not None:
                            cell.hyperlink = None
        for block in plan.blocks:
            ws = wb[block.sheet] if block.sheet in wb.sheetnames else _new_sheet(wb, block.sheet)
            for dr, line in enumerate(block.values):
                for dc, value in enumerate(line):
                    _put(ws.cell(row=block.top + dr, column=block.left + dc), value)
    return losses


def calculate_file(
    path: Path,
    out: Path | None = None,
    *,
    now: dt.datetime | None = None,
    framework: Framework | ProjectFramework | None = None,
) -> tuple[AnyResult, list[str]]:
    """Read and evaluate the form at ``path`` (with ``framework``, else the one it names), then write the
    calc plan into it (or into ``out``).

    Both files are locked from the read to the write (:func:`perfscore.xlsx.lock.locked`): a second
    ``calc`` or ``report`` on the same file waits, and then reads what this one wrote."""
    with locked(path, out or path):
        result = evaluate_file(path, framework)
        return result, apply_plan(path, calc_plan(result, now or dt.datetime.now()), out)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


_PRINT_AREA = re.compile(r"^Print area cannot be set to Defined name: (.*)\.$")
_WHOLE_COLS = re.compile(r"^\$?([A-Z]{1,3}):\$?([A-Z]{1,3})$")
_WHOLE_ROWS = re.compile(r"^\$?(\d+):\$?(\d+)$")


def _repaired(wb: Workbook, warning: str) -> bool:
    """Restore a print area of whole columns/rows (``'校验结果'!$A:$E``) that openpyxl 3.1 cannot parse.

    The equivalent cell range (``A1:E1048576``) is set instead, which Excel shows as ``$A:$E`` again.
    """
    m = _PRINT_AREA.match(warning)
    if not m:
        return False
    ranges: dict[str, list[str]] = {}
    for part in m.group(1).split(","):
        sheet, sep, area = part.rpartition("!")
        sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
        if not sep or sheet not in wb.sheetnames:
            return False
        cols, rows = _WHOLE_COLS.match(area), _WHOLE_ROWS.match(area)
        if cols:
            ranges.setdefault(sheet, []).append(f"{cols[1]}1:{cols[2]}1048576")
        elif rows:
            ranges.setdefault(sheet, []).append(f"A{rows[1]}:XFD{rows[2]}")
        else:
            return False
    for sheet, areas in ranges.items():
        wb[sheet].print_area = areas
    return True


def _new_sheet(wb: Workbook, name: str) -> Any:
    """A perfscore sheet the user deleted (e.g. 校验结果) is recreated before the hidden meta sheet."""
    index = wb.sheetnames.index(L.META) if L.META in wb.sheetnames else len(wb.sheetnames)
    return wb.create_sheet(name, index)


def _put(cell: Any, value: PlanValue) -> None:
    if isinstance(value, Link):  # a cell hyperlink: no formula, so no file text inside one
        cell.value = xml_text.encode(value.text)
        cell.data_type = "s"
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=value.location, display=value.text)
        font = copy(cell.font)
        font.color, font.underline = LINK_COLOUR, "single"
        cell.font = font
    elif isinstance(value, Formula):
        cell.value = value.text
    elif isinstance(value, str):
        cell.value = xml_text.encode(value)  # openpyxl stores text verbatim
        cell.data_type = "s"  # never a formula, even if it starts with "="
    elif isinstance(value, Decimal):
        cell.value = int(value) if value == value.to_integral_value() else float(value)
    elif isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:  # int or None
        cell.value = value


def save_atomic(
    wb: Workbook, target: Path, finishing: Finishing | None = None, keep: Keeping | None = None
) -> None:
    """Save ``wb`` to ``target`` all or nothing (see :func:`perfscore.xlsx.atomic.replace_atomically`),
    finished as ``finishing`` says (cached formula results, rows that grow with their text), and
    checked against what the original held (``keep``) before it replaces anything."""

    def write(tmp: Path) -> None:
        wb.save(tmp)
        if keep is not None:
            keep.restore(tmp)
        if finishing is not None:
            finish(tmp, finishing.results, finishing.auto_rows)
        if keep is not None:
            keep.check(tmp, target)

    replace_atomically(Path(target), write)
