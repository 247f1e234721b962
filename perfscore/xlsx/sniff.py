"""Sniffing: refuse, before openpyxl opens it, any file that cannot be a perfscore form.

A missing or empty file, a path that is not a regular file (a folder, a named pipe, a device: opening
one would block or never end), a file that is not an xlsx (CSV or text renamed, a truncated download,
an .ods), an old .xls or a password-protected workbook (both OLE compound files), a corrupt package, a
file too large to be a form and a package that unpacks to more than a form could hold (a "zip bomb",
millions of cells or strings, entity expansion: the limits of :mod:`perfscore.xlsx.limits`) each get a
one-line Chinese reason (:class:`UnusableInputError`, exit 2).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from perfscore.errors import UnusableInputError
from perfscore.inputfile import require_regular_file
from perfscore.xlsx.limits import MAX_UNPACKED_BYTES, check_directory, check_package

#: Refuse files larger than this before opening them (a filled form is well under 1 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def unusable(path: Path, message: str) -> UnusableInputError:
    return UnusableInputError(message, path=str(path))


def sniff(path: Path) -> None:
    """Raise :class:`UnusableInputError` unless ``path`` looks like an xlsx package worth opening."""
    size = require_regular_file(path, "Excel 工作簿").st_size
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise unusable(path, f"无法读取文件（{exc.strerror or exc}）；请检查文件权限") from None
    if size == 0:
        raise unusable(path, "文件为空（0 字节），可能下载或复制不完整；请重新获取该文件")
    if size > MAX_FILE_BYTES:
        raise unusable(
            path,
            f"文件过大（{size / 1024 / 1024:.0f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB），"
            "不像是自评表；请确认文件是否正确，删除无关的数据后再试",
        )
    if head == OLE_MAGIC:
        if _is_encrypted_ooxml(path):
            raise unusable(
                path,
                "工作簿设置了打开密码（已加密），无法读取；请在 Excel 中取消密码（文件→信息→保护工作簿）后另存再试",
            )
        raise unusable(path, "这是旧版 Excel 97-2003（.xls）文件；请在 Excel 或 WPS 中另存为 .xlsx 后再试")
    if not zipfile.is_zipfile(path):
        raise unusable(path, _not_zip_reason(path, head))
    with path.open("rb") as fh:
        too_big = check_directory(fh, size)
    if too_big:
        raise unusable(path, too_big)
    try:
        with zipfile.ZipFile(path) as zf:
            _check_zip(path, zf)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise unusable(path, f"文件已损坏，无法解压（{exc}）；请重新获取该文件") from None


def _check_zip(path: Path, zf: zipfile.ZipFile) -> None:
    names = set(zf.namelist())
    unpacked = sum(i.file_size for i in zf.infolist())
    mimetype = b""
    if "mimetype" in names:
        with zf.open("mimetype") as fh:
            mimetype = fh.read(100)
    if b"opendocument" in mimetype:
        raise unusable(
            path, "这是 OpenDocument 表格（.ods），不是 .xlsx；请用“另存为 Excel 2007-365 (.xlsx)”后再试"
        )
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        kind = "Word 文档" if "word/document.xml" in names else "其他压缩文件"
        raise unusable(path, f"不是 Excel 工作簿（是{kind}）；请给出用 perfscore 模板填写的 .xlsx 文件")
    if unpacked > MAX_UNPACKED_BYTES:
        raise unusable(
            path,
            f"工作簿解压后过大（{unpacked / 1024 / 1024:.0f} MB，上限 {MAX_UNPACKED_BYTES // 1024 // 1024} MB），"
            "不像是自评表；请删除无关的数据后再试",
        )
    check_package(zf, path)


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
