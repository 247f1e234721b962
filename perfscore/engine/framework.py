"""Framework lookup: an indicator system by shipped id, by id from a configured folder, or by path.

The model (:class:`Framework`, :class:`Indicator`, …) is in :mod:`perfscore.engine.framework_model`
and reading and checking a file in :mod:`perfscore.engine.framework_file`; both are re-exported here,
where the rest of perfscore finds them. Each file is parsed once per process and again only when it
changes. A file given by path may not reuse a shipped framework's id with other content.
"""

from __future__ import annotations

import os
from importlib.abc import Traversable
from pathlib import Path

from perfscore.engine.framework_file import _shipped_folder, parse, shipped_ids
from perfscore.engine.framework_model import (
    DEFAULT_FRAMEWORK,
    HEADER_KINDS,
    ID_PATTERN,
    RULE_KINDS,
    Band,
    Framework,
    HeaderField,
    Identity,
    Indicator,
    usable_id,
)
from perfscore.engine.project.model import ProjectFramework
from perfscore.engine.quoting import quote
from perfscore.errors import FrameworkError, UnknownFrameworkError
from perfscore.inputfile import require_regular_file

__all__ = [
    "DEFAULT_FRAMEWORK",
    "FRAMEWORKS_ENV",
    "HEADER_KINDS",
    "ID_PATTERN",
    "RULE_KINDS",
    "AnyFramework",
    "Band",
    "Framework",
    "HeaderField",
    "Identity",
    "Indicator",
    "ProjectFramework",
    "_load_file",
    "_shipped_folder",
    "load",
    "load_any",
    "load_any_by_id",
    "load_by_id",
    "parse",
    "shipped_ids",
]


AnyFramework = Framework | ProjectFramework


def load(ref: str | Path) -> Framework:
    """:func:`load_any` for a department-overall framework (a project one is refused)."""
    return _department(load_any(ref))


def load_by_id(fid: str) -> Framework:
    """:func:`load_any_by_id` for a department-overall framework (a project one is refused)."""
    return _department(load_any_by_id(fid))


def _department(fw: AnyFramework) -> Framework:
    if isinstance(fw, ProjectFramework):
        raise FrameworkError(
            f"“{quote(fw.id)}” 是项目支出指标体系，此处需要部门整体支出指标体系", path=fw.source or None
        )
    return fw


def load_any(ref: str | Path) -> AnyFramework:
    """Load a framework by shipped id (``gz-dept-overall-2022``) or from a ``.toml`` path.

    A file given by path must not carry a shipped framework's id unless it is that framework (see
    :func:`perfscore.engine.framework_file.framework_problems`).
    """
    path = Path(ref)
    if path.suffix == ".toml" or path.exists():
        require_regular_file(path, "指标体系文件", lambda m: FrameworkError(m, path=str(path)))
        return _load_file(path, str(path))
    return load_any_by_id(str(ref))


#: Folders (separated by os.pathsep) of extra framework files, looked up by id: ``<dir>/<id>.toml``.
FRAMEWORKS_ENV = "PERFSCORE_FRAMEWORKS"


def load_any_by_id(fid: str) -> AnyFramework:
    """Load a framework by id only — never a path, since the id may come from a file.

    Shipped frameworks first, then ``<dir>/<id>.toml`` in the folders of ``$PERFSCORE_FRAMEWORKS``
    (for a district's own indicator system). Each file is parsed and validated once per process and
    again only when it changes (see :func:`_load_file`).
    """
    if usable_id(fid):
        shipped = _shipped_folder() / f"{fid}.toml"
        if shipped.is_file():
            return _load_file(shipped, f"{fid}.toml", guard_shipped_ids=False)
        for folder in filter(None, os.environ.get(FRAMEWORKS_ENV, "").split(os.pathsep)):
            path = Path(folder) / f"{fid}.toml"
            if path.is_file():
                fw = _load_file(path, str(path), guard_shipped_ids=False)
                if fw.id == fid:
                    return fw
    known = "、".join(shipped_ids())
    file = f"以 {fid}.toml 为名" if usable_id(fid) else ""
    raise UnknownFrameworkError(
        f"未知的指标体系 “{quote(fid)}”（内置的有：{known}）；请把它的文件{file}放在环境变量 {FRAMEWORKS_ENV} "
        "指定的文件夹中；若它是新版 perfscore 内置的，请升级 perfscore"
    )


#: Parsed frameworks by (source, file, guard_shipped_ids), with the (mtime, size) they were read at:
#: an edited file is re-read.
_LOADED: dict[tuple[str, str, bool], tuple[tuple[int, int], AnyFramework]] = {}


def _load_file(file: Traversable, source: str, *, guard_shipped_ids: bool = True) -> AnyFramework:
    """Parse ``file`` once; later calls return the same :class:`Framework` until the file changes.

    ``guard_shipped_ids`` (off for a shipped file, and for one looked up by id, whose id is checked):
    a file with a shipped framework's id must be that shipped file.
    """
    stamp = _stamp(file)
    key = (source, str(file), guard_shipped_ids)
    hit = _LOADED.get(key)
    if hit is not None and stamp is not None and hit[0] == stamp:
        return hit[1]
    fw = parse(file.read_bytes(), source=source, guard_shipped_ids=guard_shipped_ids)
    if stamp is not None:
        _LOADED[key] = (stamp, fw)
    return fw


def _stamp(file: Traversable) -> tuple[int, int] | None:
    """(modification time in ns, size) of a file on disk; None for one inside an archive."""
    try:
        st = os.stat(str(file))
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)
