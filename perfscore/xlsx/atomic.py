"""All-or-nothing file writes, shared by every writer perfscore has (workbooks, JSON, PDF, VBA project).

:func:`replace_atomically` writes a temporary file beside the target and ``os.replace``-s it, so the
target is either the old file or the complete new one, never half written. Plain Python only: the
builder, the openpyxl writer and the report's PDF export all use it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from perfscore.errors import WriteError
from perfscore.xlsx.lock import followed, hide, locked

#: perfscore's temporary files start with this (``.~perfscore-tmp-NAME`` beside NAME).
TEMP_PREFIX = ".~perfscore-tmp-"

LOCKED = "无法写入：文件只读或被占用（如在 Excel 中打开），请关闭后重试；原文件未被改动"


def check_writable(target: Path) -> None:
    target = followed(target)
    where = target.parent if str(target.parent) else Path(".")
    if not where.is_dir():
        if where.exists():
            raise WriteError(
                f"{where} 是一个文件，不是文件夹；请换一个输出路径；原文件未被改动", path=str(target)
            )
        raise WriteError(f"目标文件夹 {where} 不存在；请先创建该文件夹；原文件未被改动", path=str(target))
    if target.exists():
        mode = target.stat().st_mode
        if (
            target.is_dir()
            or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
            or not os.access(target, os.W_OK)
        ):
            raise WriteError(LOCKED, path=str(target))


def write_text(text: str, target: Path) -> None:
    """Write a text file (``perfscore export -o``) atomically, UTF-8."""
    replace_atomically(Path(target), lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))


def replace_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """``write`` a temporary file beside ``target``, then ``os.replace`` it: all or nothing.

    The new file keeps the permissions of the file it replaces (or the umask's for a new one); on any
    failure the temporary file is removed and ``target`` is left as it was. A symbolic link is
    followed: the file it points to is replaced and the link stays. The temporary file has a fixed
    name per target (``.~perfscore-tmp-NAME``), written under the target's lock
    (:func:`perfscore.xlsx.lock.locked`), so one left behind by a killed run is reused, not piled up.
    """
    target = followed(Path(target))
    check_writable(target)
    folder = target.parent
    tmp = folder / f"{TEMP_PREFIX}{target.name}"
    with locked(target):
        try:
            tmp.unlink(missing_ok=True)
            tmp.touch()
            hide(tmp)
        except OSError:
            raise WriteError(
                f"无法在文件夹 {folder} 中写入（没有写权限或磁盘已满）；原文件未被改动", path=str(target)
            ) from None
        try:
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
                raise WriteError(LOCKED, path=str(target)) from None
            raise WriteError(f"保存失败（{exc.strerror or exc}）；原文件未被改动", path=str(target)) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
