"""One writer per file: ``calc`` and ``report`` on the same workbook at once must not lose each
other's results (the last to save would otherwise win silently).

:func:`locked` holds an operating-system lock on a small file beside each file it protects,
``.~perfscore-lock-NAME``, from reading the workbook to replacing it. The lock is the kernel's
(``flock`` on Linux and macOS, ``msvcrt.locking`` on Windows), so a killed process releases it; the
file itself is reused by the next run and removed by the holder when it is done. A second writer
waits up to :data:`WAIT_SECONDS`, then gives up with a message naming the process that holds the
lock. Locks are re-entrant within a process (the writer's own atomic replace takes it again).

A symbolic link is followed: the lock, like the write, belongs to the file the link points to.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from perfscore.errors import WriteError

LOCK_PREFIX = ".~perfscore-lock-"
#: How long a second writer waits for the first to finish before it gives up.
WAIT_SECONDS = 20.0
_POLL = 0.1
#: Windows locks a byte range; the owner text before it stays readable by the waiting process.
_WINDOWS_LOCK_OFFSET = 1 << 20

_held: dict[Path, int] = {}


def real_path(path: Path) -> Path:
    """The file a path names, symbolic links followed (the path itself when it does not exist yet)."""
    return Path(os.path.realpath(path))


def followed(path: Path) -> Path:
    """A symbolic link's target, any other path as given (so messages show what the user typed)."""
    return real_path(path) if path.is_symlink() else path


@contextmanager
def locked(*paths: Path) -> Iterator[None]:
    """Hold the write lock of every file in ``paths`` (in a fixed order, so two writers never wait
    for each other) until the block ends."""
    keys = sorted({real_path(Path(p)) for p in paths})
    with ExitStack() as stack:
        for key in keys:
            stack.enter_context(_lock_one(key))
        yield


@contextmanager
def _lock_one(key: Path) -> Iterator[None]:
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    lock_path = key.parent / f"{LOCK_PREFIX}{key.name}"
    fd = _acquire(lock_path, key)
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        _release(fd, lock_path)


def _acquire(lock_path: Path, key: Path) -> int:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:  # a read-only folder: the write itself will say so
            return -1
        if _try_lock(fd):
            if _still_there(fd, lock_path):
                hide(lock_path)
                _write_owner(fd)
                return fd
            os.close(fd)  # the previous holder removed it meanwhile: lock the new one
            continue
        owner = _read_owner(fd)
        os.close(fd)
        if time.monotonic() >= deadline:
            raise WriteError(
                f"另一个 perfscore 进程正在写入此文件（{owner or '进程信息未知'}），"
                f"等待 {WAIT_SECONDS:g} 秒后仍未完成；请等它完成后再试；本次未写入任何内容",
                path=str(key),
            )
        time.sleep(_POLL)


def _release(fd: int, lock_path: Path) -> None:
    if fd < 0:
        return
    if sys.platform == "win32":  # an open file cannot be removed on Windows: unlock and close first
        os.close(fd)
        lock_path.unlink(missing_ok=True)
        return
    try:
        lock_path.unlink(missing_ok=True)
    finally:
        os.close(fd)  # closing releases the flock


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _still_there(fd: int, lock_path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(lock_path))
    except OSError:
        return False


def _write_owner(fd: int) -> None:
    started = dt.datetime.now().strftime("%H:%M:%S")
    command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:120]
    text = f"PID {os.getpid()}，{socket.gethostname()}，{command}，开始于 {started}"
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    os.write(fd, text.encode("utf-8"))


def _read_owner(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        raw = os.read(fd, 400)
    except OSError:
        return ""
    text = raw.decode("utf-8", "replace")
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()


def hide(path: Path) -> None:
    """On Windows, mark perfscore's own working files hidden (dot files are hidden elsewhere)."""
    if sys.platform == "win32":
        import ctypes

        file_attribute_hidden = 0x2
        ctypes.windll.kernel32.SetFileAttributesW(str(path), file_attribute_hidden)
