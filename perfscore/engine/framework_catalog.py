"""Which frameworks a form can name: the shipped ones and those in ``$PERFSCORE_FRAMEWORKS``.

:func:`catalog` lists them in the order :func:`perfscore.engine.framework.load_by_id` looks them up
(shipped first, then each configured folder in turn), and says of a configured file why a form could
not use it: it does not load, its file name is not ``<id>.toml``, or an earlier one has its id.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from perfscore.engine import framework as frameworks
from perfscore.errors import FrameworkError

SHIPPED = "内置"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    years: tuple[int, int] | None
    origin: str  # SHIPPED or the environment variable's name
    file: str  # the path of a configured file; "" for a shipped one
    problem: str = ""  # why a form naming this id cannot use this file ("" if it can)


def configured_folders() -> list[Path]:
    return [Path(f) for f in os.environ.get(frameworks.FRAMEWORKS_ENV, "").split(os.pathsep) if f]


def catalog() -> list[Entry]:
    entries: list[Entry] = []
    taken: dict[str, str] = {}  # id -> where the lookup finds it
    for fid in frameworks.shipped_ids():
        fw = frameworks.load_any_by_id(fid)
        entries.append(Entry(fw.id, fw.title, fw.years, SHIPPED, ""))
        taken[fw.id] = f"内置的 {fw.id}"
    for folder in configured_folders():
        if not folder.is_dir():
            entries.append(Entry("", "", None, frameworks.FRAMEWORKS_ENV, str(folder), "文件夹不存在"))
            continue
        for path in sorted(folder.glob("*.toml")):
            entries.append(_configured(path, taken))
    return entries


def _configured(path: Path, taken: dict[str, str]) -> Entry:
    origin = frameworks.FRAMEWORKS_ENV
    try:
        fw = frameworks.load_any(path)
    except FrameworkError as err:
        return Entry(path.stem, "", None, origin, str(path), f"无法使用：{err.message}")
    if fw.id != path.stem:
        problem = f"文件名应为 {fw.id}.toml（表单按编号查找“<编号>.toml”）"
    elif fw.id in taken:
        problem = f"编号与{taken[fw.id]}相同，按编号查找时用的是后者"
    else:
        problem = ""
        taken[fw.id] = str(path)
    return Entry(fw.id, fw.title, fw.years, origin, str(path), problem)


def is_shipped(fw: frameworks.AnyFramework) -> bool:
    """Whether ``fw`` is a framework shipped with perfscore (not a copy of one elsewhere)."""
    return fw.id in frameworks.shipped_ids() and fw is frameworks.load_any_by_id(fw.id)


def source_text(fw: frameworks.AnyFramework) -> str:
    """The text of the file ``fw`` was read from (a shipped one from inside the package)."""
    if is_shipped(fw):
        return (resources.files("perfscore") / "frameworks" / f"{fw.id}.toml").read_text("utf-8")
    return Path(fw.source).read_text("utf-8")
