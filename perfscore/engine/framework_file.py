"""Framework files: reading and checking the TOML text of an indicator system.

:func:`framework_problems` reports every problem of a file in one pass — each with the file, line,
entry (``indicators[7] (id='1.1.3')``) and a Chinese message — in file order, and goes on after the
first one; what only follows from a problem already reported is not reported again (no "下级指标分值
合计" for a parent one of whose children has an invalid weight). Unknown keys are problems too, with
the key probably meant. :func:`check_file` does the same for a file on disk; :func:`parse` builds the
:class:`~perfscore.engine.framework_model.Framework`, or raises :class:`~perfscore.errors.FrameworkError`
with the first problem.

A file that is not a shipped one may not carry a shipped framework's id with other content: a form
made with it would be scored as the shipped system (see :func:`framework_problems`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

from perfscore.engine.framework_checks import Checker
from perfscore.engine.framework_model import Framework
from perfscore.engine.project.model import PROJECT_KIND, ProjectFramework
from perfscore.engine.project.schema import ProjectChecker
from perfscore.engine.toml_lines import TomlLines
from perfscore.errors import FrameworkError
from perfscore.inputfile import require_regular_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True)
class FrameworkProblem:
    """One problem of a framework file: ``{source}:{line}: {entry}: {message}``."""

    source: str
    line: int | None
    entry: str
    message: str

    @property
    def place(self) -> str:
        """``source:line`` (or what of it is known)."""
        return ":".join(p for p in (self.source, "" if self.line is None else str(self.line)) if p)

    def __str__(self) -> str:
        return ": ".join(p for p in (self.place, self.entry, self.message) if p)


def framework_problems(data: bytes, source: str, *, guard_shipped_ids: bool = True) -> list[FrameworkProblem]:
    """Every problem of the framework file ``data`` (read from ``source``), in file order; [] if none.

    With ``guard_shipped_ids`` (as for a file given by path) a file with a shipped framework's id must
    hold the same document as the shipped file (comments and layout aside).
    """
    return _check(data, source, guard_shipped_ids)[1]


def check_file(path: Path) -> list[FrameworkProblem]:
    """:func:`framework_problems` of the file at ``path``; a file that cannot be read is one problem."""
    try:
        require_regular_file(path, "指标体系文件", lambda m: FrameworkError(m, path=str(path)))
        data = path.read_bytes()
    except FrameworkError as err:
        return [FrameworkProblem(str(path), None, "", err.message)]
    except OSError as exc:
        message = f"无法读取文件（{exc.strerror or type(exc).__name__}）；请检查文件名和权限"
        return [FrameworkProblem(str(path), None, "", message)]
    return framework_problems(data, str(path))


def parse(
    data: bytes, *, source: str = "<framework>", guard_shipped_ids: bool = True
) -> Framework | ProjectFramework:
    """The framework in ``data`` (of either kind); raises :class:`FrameworkError` with the first problem."""
    fw, problems = _check(data, source, guard_shipped_ids)
    if fw is None:
        first = problems[0]
        raise FrameworkError(first.message, path=first.place, entry=first.entry or None)
    return fw


def _check(
    data: bytes, source: str, guard: bool
) -> tuple[Framework | ProjectFramework | None, list[FrameworkProblem]]:
    try:
        text = data.decode("utf-8")
        doc = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [FrameworkProblem(source, line, "", f"不是有效的 UTF-8 TOML 文件：{exc}")]
    except tomllib.TOMLDecodeError as exc:
        at = _AT_LINE.search(str(exc))
        line_no: int | None = getattr(exc, "lineno", None) or (int(at.group(1)) if at else None)
        return None, [FrameworkProblem(source, line_no, "", f"不是有效的 UTF-8 TOML 文件：{exc}")]
    except ValueError as exc:  # (tomllib: an integer of more than 4300 digits)
        return None, [FrameworkProblem(source, None, "", f"不是有效的 UTF-8 TOML 文件：{exc}")]
    except RecursionError:
        return None, [FrameworkProblem(source, None, "", "不是可用的 TOML 文件：数组或表嵌套过深")]
    fw: Framework | ProjectFramework | None
    if doc.get("kind") == PROJECT_KIND:
        project = ProjectChecker(doc, source)
        builder: Checker = project
        fw = project.build_project()
    else:
        builder = Checker(doc, source)
        fw = builder.build()
    fid = doc.get("id")
    if guard and isinstance(fid, str) and fid in shipped_ids() and not _same(_shipped_document(fid), doc):
        builder.problem(
            ("id",),
            "id",
            f"与内置指标体系 “{fid}” 同名但内容不同；改动过的指标体系必须换一个 id（如 gz-dept-overall-2023-zc），"
            "否则用它生成的表单会被当作内置体系核算",
        )
    if not builder.found:
        return fw, []
    lines = TomlLines(text)
    problems = [FrameworkProblem(source, lines.line(w), e, m) for w, e, m in builder.found]
    problems.sort(key=lambda p: -1 if p.line is None else p.line)  # (a missing key first)
    return None, problems


# ------------------------------------------------------------------------------ shipped frameworks


@cache
def _shipped_folder() -> Traversable:
    return resources.files("perfscore") / "frameworks"


def shipped_ids() -> list[str]:
    return sorted(p.name[:-5] for p in _shipped_folder().iterdir() if p.name.endswith(".toml"))


@cache
def _shipped_document(fid: str) -> dict[str, Any]:
    """The parsed shipped framework file with id ``fid`` (one of :func:`shipped_ids`)."""
    doc: dict[str, Any] = tomllib.loads((_shipped_folder() / f"{fid}.toml").read_text("utf-8"))
    return doc


def _same(a: object, b: object) -> bool:
    try:
        return a == b
    except RecursionError:
        return False
