"""The openpyxl front end: read a workbook into a :class:`~perfscore.grid.Grid`, apply a write plan.

Reading refuses unusable input up front, with a one-line Chinese reason (:class:`UnusableInputError`,
exit code 2): a missing or empty file, a file that is not an xlsx (CSV or text renamed, a truncated
download, an .ods), an old .xls or a password-protected workbook (both OLE compound files), a corrupt
package, and a file too large to be a form. Writing loads the workbook with its formulas and VBA,
changes only the cells a :class:`~perfscore.plan.WritePlan` names, and saves atomically (temporary
file in the target directory + ``os.replace``), so a failed save leaves the original untouched.

openpyxl keeps cell values, formulas, styles, data validation, conditional formats, comments,
defined names, protection and print settings, and with ``keep_vba`` the VBA project and form buttons.
It drops charts and images it did not create (perfscore's templates contain none).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from perfscore.engine import layout as L
from perfscore.engine.grid import CellValue, Grid, Sheet, convert
from perfscore.engine.plan import Formula, PlanValue, WritePlan
from perfscore.errors import UnusableInputError, WriteError

#: Refuse files larger than this before opening them (a filled form is well under 1 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Refuse packages whose parts unpack to more than this (a "zip bomb" or a huge data dump).
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
#: Refuse a sheet with more rows holding values than this (a form has a few dozen per sheet).
MAX_ROWS = 20_000
#: Columns read per sheet; perfscore's layout uses fewer than 20, anything right of this is ignored.
MAX_COLS = 64

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
DATE_FORMAT = "yyyy-mm-dd hh:mm"
MACRO_SUFFIXES = (".xlsm", ".xltm")


def _unusable(path: Path, message: str) -> UnusableInputError:
    return UnusableInputError(message, path=str(path))


# ------------------------------------------------------------------------------------- sniffing


def sniff(path: Path) -> None:
    """Raise :class:`UnusableInputError` unless ``path`` looks like an xlsx package worth opening."""
    if not path.exists():
        raise _unusable(path, "文件不存在；请检查文件名和路径")
    if path.is_dir():
        raise _unusable(path, "这是一个文件夹，不是 Excel 文件；请给出 .xlsx 文件的路径")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise _unusable(path, f"无法读取文件（{exc.strerror or exc}）；请检查文件权限") from None
    if size == 0:
        raise _unusable(path, "文件为空（0 字节），可能下载或复制不完整；请重新获取该文件")
    if size > MAX_FILE_BYTES:
        raise _unusable(
            path,
            f"文件过大（{size / 1024 / 1024:.0f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB），"
            "不像是自评表；请确认文件是否正确，删除无关的数据后再试",
        )
    if head == OLE_MAGIC:
        if _is_encrypted_ooxml(path):
            raise _unusable(
                path,
                "工作簿设置了打开密码（已加密），无法读取；请在 Excel 中取消密码（文件→信息→保护工作簿）后另存再试",
            )
        raise _unusable(path, "这是旧版 Excel 97-2003（.xls）文件；请在 Excel 或 WPS 中另存为 .xlsx 后再试")
    if not zipfile.is_zipfile(path):
        raise _unusable(path, _not_zip_reason(path, head))
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            unpacked = sum(i.file_size for i in zf.infolist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _unusable(path, f"文件已损坏，无法解压（{exc}）；请重新获取该文件") from None
    if b"opendocument" in mimetype:
        raise _unusable(
            path, "这是 OpenDocument 表格（.ods），不是 .xlsx；请用“另存为 Excel 2007-365 (.xlsx)”后再试"
        )
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        kind = "Word 文档" if "word/document.xml" in names else "其他压缩文件"
        raise _unusable(path, f"不是 Excel 工作簿（是{kind}）；请给出用 perfscore 模板填写的 .xlsx 文件")
    if unpacked > MAX_UNPACKED_BYTES:
        raise _unusable(
            path,
            f"工作簿解压后过大（{unpacked / 1024 / 1024:.0f} MB），不像是自评表；请删除无关的数据后再试",
        )


def _not_zip_reason(path: Path, head: bytes) -> str:
    with path.open("rb") as fh:
        sample = fh.read(4096)
    if head.startswith(b"PK"):
        return "文件不完整或已损坏（压缩包结构被截断），可能下载或复制未完成；请重新获取该文件"
    text = sample.lstrip(b"\xef\xbb\xbf")
    if b"\x00" not in text:
        try:
            text.decode("utf-8")
            is_text = True
        except UnicodeDecodeError:
            try:
                text.decode("gb18030")
                is_text = True
            except UnicodeDecodeError:
                is_text = False
        if is_text:
            lower = text[:200].lower()
            if lower.startswith((b"<html", b"<!doctype html")) or b"<table" in lower:
                kind = "网页（HTML）"
            elif b"," in text or b"\t" in text:
                kind = "CSV/文本表格"
            else:
                kind = "纯文本"
            return f"不是 .xlsx 工作簿，而是{kind}（只是扩展名为 {path.suffix or '空'}）；请用 perfscore 模板填写，或在 Excel 中另存为 .xlsx"
    return "不是 .xlsx 工作簿（文件内容不是 Excel 格式，或已损坏）；请在 Excel 中另存为 .xlsx 后再试"


def _is_encrypted_ooxml(path: Path) -> bool:
    """An OLE file holding an ``EncryptionInfo`` stream is a password-protected xlsx/xlsm."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return bool(ole.exists("EncryptionInfo"))
    except OSError:
        return False


# -------------------------------------------------------------------------------------- reading


def read_grid(path: Path) -> Grid:
    """Read every sheet's values (formula results as cached) into a Grid, in workbook order."""
    path = Path(path)
    sniff(path)
    grid = Grid(source=str(path))
    with _opened(path, read_only=True, data_only=True) as wb:
        for ws in wb.worksheets:
            grid.add(_read_sheet(path, ws))
    return grid


@contextmanager
def _opened(path: Path, warned: list[str] | None = None, **kw: Any) -> Iterator[Any]:
    """Load with openpyxl; its warnings (features it cannot keep) go to ``warned``, not stderr."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            wb = load_workbook(path, **kw)
    except UnusableInputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on damaged packages
        raise _unusable(path, _corrupt(exc)) from None
    if warned is not None:
        warned.extend(str(w.message) for w in caught)
    try:
        yield wb
    except (UnusableInputError, WriteError):
        raise
    except Exception as exc:  # damage found while streaming a sheet (bad XML, CRC error, …)
        raise _unusable(path, _corrupt(exc)) from None
    finally:
        if kw.get("read_only"):
            wb.close()


def _corrupt(exc: BaseException) -> str:
    detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
    return f"工作簿已损坏，无法读取（{type(exc).__name__}: {detail}）；请在 Excel 中打开并另存为 .xlsx 后再试"


def _read_sheet(path: Path, ws: Any) -> Sheet:
    sheet = Sheet(ws.title, hidden=ws.sheet_state != "visible")
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
            raise _unusable(
                path,
                f"工作表“{ws.title}”有超过 {MAX_ROWS} 行数据，不像是自评表；请删除无关的数据后再试",
            )
        while len(rows) < r - 1:
            rows.append([])
        rows.append(values)
    return sheet


# -------------------------------------------------------------------------------------- writing


@contextmanager
def editing(path: Path, out: Path | None = None) -> Iterator[tuple[Workbook, list[str]]]:
    """Open the workbook at ``path`` to change it; on leaving, save it atomically (in place or to ``out``).

    Yields the workbook and what openpyxl says it cannot keep. If it cannot keep part of the file
    (e.g. an Excel extension it does not support), an in-place write is refused (:class:`WriteError`,
    nothing changed); writing to another file ``out`` goes ahead and the caller shows the losses.
    """
    path = Path(path)
    target = Path(out) if out is not None else path
    sniff(path)
    _check_writable(target)
    keep_vba = path.suffix.lower() in MACRO_SUFFIXES
    warned: list[str] = []
    with _opened(path, warned, keep_vba=keep_vba, data_only=False, rich_text=True) as wb:
        losses = [w for w in warned if not _repaired(wb, w)]
        if losses and _same_file(path, target):
            raise WriteError(
                f"此文件含有 openpyxl 无法保留的内容（{'；'.join(losses)[:200]}），为免丢失未写入；"
                "请用 -o 另存为新文件，或在 Excel 中用“计算”按钮；原文件未被改动",
                path=str(target),
            )
        yield wb, losses
        save_atomic(wb, target)


def apply_plan(path: Path, plan: WritePlan, out: Path | None = None) -> list[str]:
    """Write ``plan`` into the workbook at ``path`` (in place, or into ``out``), atomically.

    Returns what openpyxl could not keep (only possible with ``out``; see :func:`editing`).
    """
    with editing(path, out) as (wb, losses):
        for sheet, first, columns in plan.clear_from:
            if sheet in wb.sheetnames:
                ws = wb[sheet]
                for row in ws.iter_rows(min_row=first, max_row=max(ws.max_row, first), max_col=columns):
                    for cell in row:
                        if cell.value is not None:
                            cell.value = None
        for block in plan.blocks:
            ws = wb[block.sheet] if block.sheet in wb.sheetnames else _new_sheet(wb, block.sheet)
            for dr, line in enumerate(block.values):
                for dc, value in enumerate(line):
                    _put(ws.cell(row=block.top + dr, column=block.left + dc), value)
    return losses


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
    if isinstance(value, Formula):
        cell.value = value.text
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, even if it starts with "="
    elif isinstance(value, Decimal):
        cell.value = int(value) if value == value.to_integral_value() else float(value)
    elif isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:  # int or None
        cell.value = value


def _check_writable(target: Path) -> None:
    where = target.parent if str(target.parent) else Path(".")
    if not where.is_dir():
        raise WriteError(f"目标文件夹 {where} 不存在；请先创建该文件夹；原文件未被改动", path=str(target))
    if target.exists():
        mode = target.stat().st_mode
        if (
            target.is_dir()
            or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
            or not os.access(target, os.W_OK)
        ):
            raise WriteError(_LOCKED, path=str(target))


_LOCKED = "无法写入：文件只读或被占用（如在 Excel 中打开），请关闭后重试；原文件未被改动"


def save_atomic(wb: Workbook, target: Path) -> None:
    """Save ``wb`` to ``target`` via a temporary file in the same folder and ``os.replace``."""
    _replace_atomically(Path(target), wb.save)


def write_text_atomic(text: str, target: Path) -> None:
    """Write a text file (``perfscore export -o``) atomically, UTF-8."""
    _replace_atomically(Path(target), lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))


def _replace_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """``write`` a temporary file beside ``target``, then ``os.replace`` it: all or nothing.

    The new file keeps the permissions of the file it replaces (or the umask's for a new one); on any
    failure the temporary file is removed and ``target`` is left as it was.
    """
    _check_writable(target)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".~perfscore-", suffix=target.suffix, dir=folder)
    except OSError:
        raise WriteError(
            f"无法在文件夹 {folder} 中写入（没有写权限或磁盘已满）；原文件未被改动", path=str(target)
        ) from None
    tmp = Path(tmp_name)
    try:
        os.close(fd)
        write(tmp)
        if target.exists():
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, PermissionError):
            raise WriteError(_LOCKED, path=str(target)) from None
        raise WriteError(f"保存失败（{exc.strerror or exc}）；原文件未被改动", path=str(target)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
