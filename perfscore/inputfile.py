"""Refuse, before opening it, an input path that is not a regular file.

Opening a named pipe (FIFO) blocks until something writes to it, and reading ``/dev/zero`` or
``/dev/urandom`` never ends, so every file perfscore reads (a workbook, a JSON submission, a report
template, a framework file) is first checked with ``stat`` — never ``open`` — by
:func:`require_regular_file`. A symbolic link is followed: a link to a regular file is fine, a link to
a pipe or a device is refused like the pipe or device itself, a link to nothing is named as such.

Plain Python (``os``, ``stat``) and :mod:`perfscore.errors` only, so the engine may use it too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from perfscore.errors import PerfscoreError, UnusableInputError

#: The message for a path where nothing exists (shared with the other "file missing" messages).
MISSING = "文件不存在；请检查文件名和路径"


def require_regular_file(
    path: Path | str, what: str, error: Callable[[str], PerfscoreError] | None = None
) -> os.stat_result:
    """Return ``os.stat(path)`` if ``path`` is (a link to) a regular file; raise otherwise.

    ``what`` names the kind of file expected, in Chinese (``"Excel 工作簿"``, ``"JSON 数据文件"``,
    ``"报表模板"``, ``"指标体系文件"``); it appears in the message. ``error`` turns the one-line
    Chinese message into the exception to raise (default: :class:`UnusableInputError` naming
    ``path``), e.g. ``lambda m: InputDataError(m, path=str(p))``.
    """
    raise_ = error or (lambda message: UnusableInputError(message, path=str(path)))
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if _is_link(path):
            raise raise_(
                f"这是一个失效的符号链接（指向的文件不存在），不是{_word(what)}；请给出实际文件的路径"
            ) from None
        raise raise_(MISSING) from None
    except OSError as exc:
        raise raise_(f"无法读取文件（{exc.strerror or type(exc).__name__}）；请检查文件名和权限") from None
    if stat.S_ISREG(st.st_mode):
        return st
    raise raise_(f"{_kind(st.st_mode)}，不是{_word(what)}；请给出{_word(what)}的文件路径")


def _word(what: str) -> str:
    """``what`` set off by a space when it begins with a Latin letter (``不是 Excel 工作簿``)."""
    return f" {what}" if what[:1].isascii() else what


def _is_link(path: Path | str) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "这是一个文件夹"
    if stat.S_ISFIFO(mode):
        return "这是一个命名管道（FIFO），读取它会一直等待"
    if stat.S_ISCHR(mode):
        return "这是一个字符设备（如 /dev/zero），读取它不会结束"
    if stat.S_ISBLK(mode):
        return "这是一个块设备（磁盘或分区）"
    if stat.S_ISSOCK(mode):
        return "这是一个套接字（socket）"
    return "这不是一个普通文件"
