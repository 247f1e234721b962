"""What ``perfscore batch`` is given, as a list of inputs: files, folders, patterns and zip archives.

Folders are searched recursively for ``.xlsx``/``.xlsm`` forms (and ``.zip`` archives of them);
patterns (``*``, ``?``, ``[…]``, ``**``) are expanded here, since Windows shells do not; a zip
archive, as forms arrive by e-mail or from an OA system, is read in place — each form in it is an
input of its own, copied to a temporary file only while it is checked (:func:`opened`). Every input
becomes a row of the summary: what cannot be read at all (a missing file, a pattern matching nothing,
an Excel lock file ``~$x.xlsx``, a member with an unsafe path) carries its reason instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from perfscore.xlsx.limits import zip_directory
from perfscore.xlsx.sniff import MAX_FILE_BYTES

#: The kinds of file a folder scan picks up (a form, or an archive of forms).
FORM_SUFFIXES = (".xlsx", ".xlsm")
ARCHIVE_SUFFIX = ".zip"
#: What a zip member may be to become an input (others — a cover letter, a PDF — are not forms).
MEMBER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv")
#: Forms in one archive: a province's whole intake is a few thousand.
MAX_MEMBERS = 10_000
#: Its central directory (read whole by zipfile before anything else): 10,000 long names fit.
MAX_DIRECTORY_BYTES = 8 * 1024 * 1024
_PATTERN_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Input:
    """One row of the batch: a file on disk, or a member of a zip archive."""

    shown: str  # as the summary shows it: the path, or "收件.zip/某局.xlsx"
    path: Path | None = None  # the file on disk (the archive, for a member)
    member: str = ""  # the member's name in the archive ("" for a file)
    problem: str = ""  # why it cannot be read at all ("" if it can be tried)

    @property
    def link(self) -> str | None:
        """What the summary links to: the file itself (a member has no file of its own)."""
        return str(self.path) if self.path is not None and not self.member and not self.problem else None


def expand(args: Sequence[str], *, skip: Path | None = None) -> list[Input]:
    """The inputs named by ``args``, in order, each once; ``skip``: a file never to take (the summary)."""
    seen: set[str] = set()
    found: list[Input] = []
    skipped = _real(skip) if skip is not None else None
    for arg in args:
        for item in _expand_one(arg):
            key = item.shown if item.path is None else f"{_real(item.path)}\0{item.member}"
            if key in seen or (item.path is not None and not item.member and _real(item.path) == skipped):
                continue
            seen.add(key)
            found.append(item)
    return found


def _real(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())


def _expand_one(arg: str) -> Iterator[Input]:
    path = Path(arg)
    if path.is_dir():
        yield from _folder(path)
    elif path.exists() or path.is_symlink():
        yield from _file(path)
    elif _PATTERN_CHARS & set(arg):
        matches = sorted(glob.glob(arg, recursive=True))
        if not matches:
            yield Input(arg, problem="没有与此模式匹配的文件；请检查文件夹和文件名")
        for match in matches:
            found = Path(match)
            yield from (_folder(found) if found.is_dir() else _file(found))
    else:
        yield Input(arg, problem="文件不存在；请检查文件名和路径")


def _folder(folder: Path) -> Iterator[Input]:
    """The forms and archives under ``folder``, in path order; perfscore's own temporary files skipped."""
    files = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in names:
            if name.startswith(".~perfscore-"):
                continue
            if name.lower().endswith((*FORM_SUFFIXES, ARCHIVE_SUFFIX)):
                files.append(Path(root) / name)
    for path in sorted(files):
        yield from _file(path)


def _file(path: Path) -> Iterator[Input]:
    name = path.name
    if name.startswith("~$"):
        yield Input(str(path), path, problem=_lock_reason(name))
    elif name.lower().endswith(ARCHIVE_SUFFIX):
        yield from _archive(path)
    else:
        yield Input(str(path), path)


def _lock_reason(name: str) -> str:
    return f"这是 Excel/WPS 打开 {name[2:]} 时生成的锁定文件，不是表单（关闭该表单后会自动消失）"


# ------------------------------------------------------------------------------------ zip archives


def _archive(path: Path) -> Iterator[Input]:
    """The forms in a zip archive, each an input; a damaged archive or an unsafe member is a row."""
    shown = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            entries, directory = zip_directory(fh, size) or (0, 0)
            if entries > MAX_MEMBERS:
                yield Input(
                    shown,
                    path,
                    problem=f"压缩包中有 {entries} 个文件，超过 {MAX_MEMBERS} 个；请分成几个压缩包",
                )
                return
            if directory > MAX_DIRECTORY_BYTES:
                mb = directory / 1048576
                yield Input(
                    shown,
                    path,
                    problem=f"压缩包的文件目录过大（{mb:.1f} MB），不像是收件压缩包；请分成几个压缩包",
                )
                return
            with zipfile.ZipFile(fh) as zf:
                members = [m for m in zf.infolist() if not m.is_dir()]
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "文件已损坏或不是 zip 压缩包"
        yield Input(shown, path, problem=f"无法读取压缩包（{reason}）")
        return
    taken = [m for m in members if _member_name(m).lower().endswith(MEMBER_SUFFIXES)]
    if not taken:
        yield Input(shown, path, problem="压缩包中没有表单（.xlsx/.xlsm）")
    for member in taken:
        name = _member_name(member)
        where = f"{shown}/{name}"
        if not _safe(name):
            yield Input(
                where, path, member.filename, problem="压缩包中的文件路径不安全（绝对路径或含 ..），未读取"
            )
        elif PurePosixPath(name).name.startswith("~$"):
            yield Input(where, path, member.filename, problem=_lock_reason(PurePosixPath(name).name))
        elif member.file_size > MAX_FILE_BYTES:
            yield Input(
                where,
                path,
                member.filename,
                problem=f"文件过大（解压后 {member.file_size / 1048576:.0f} MB，上限 {MAX_FILE_BYTES // 1048576} MB）",
            )
        else:
            yield Input(where, path, member.filename)


def _member_name(member: zipfile.ZipInfo) -> str:
    """The member's name as its sender saw it: a zip made on Chinese Windows stores GBK, unflagged."""
    name = member.filename
    if not member.flag_bits & 0x800:
        try:
            return name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return name
    return name


def _safe(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return bool(parts) and not name.startswith(("/", "\\")) and ".." not in parts and ":" not in parts[0]


@contextmanager
def opened(item: Input) -> Iterator[Path]:
    """The input as a file to read: the file itself, or a member copied to a private temporary folder
    (removed afterwards; nothing is written anywhere else, whatever the member's name says)."""
    assert item.path is not None and not item.problem
    if not item.member:
        yield item.path
        return
    suffix = PurePosixPath(item.member).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="perfscore-batch-") as folder:
        target = Path(folder) / f"form{suffix}"
        with zipfile.ZipFile(item.path) as zf, zf.open(item.member) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 16)
        yield target
