"""perfscore — budget performance self-evaluation (绩效自评) forms: framework, engine, workbook, report.

The front door for library users (the CLI, the Excel bridge and the scripts use it too)::

    import perfscore

    fw = perfscore.load_framework()                        # the shipped 2022 system, or an id / .toml
    perfscore.build_workbook("form.xlsx", fw)              # a blank form (mode="udf": .xlsm with add-in)
    result = perfscore.evaluate_file("form.xlsx")          # read + validate + score, read-only
    result.total, result.grade, result.findings            # Decimal("90.77"), "优", (Finding, …)
    result, losses = perfscore.calculate_file("form.xlsx")  # … and write the results into the file
    perfscore.write_report("form.xlsx", pdf=Path("自评表.pdf"))
    done = perfscore.digitise_file("自评表.pdf")          # a published PDF back: done.data, done.findings

Importing this package loads only the pure engine; openpyxl, XlsxWriter and Jinja are imported when a
function that needs them is called (the 计算 button's ``import perfscore.bridge`` stays light).

The wings: :mod:`perfscore.engine` (pure Python), :mod:`perfscore.xlsx` (openpyxl),
:mod:`perfscore.builder` (XlsxWriter, the VBA build), :mod:`perfscore.report` (Jinja, LibreOffice),
:mod:`perfscore.batch` (the bureau's batch check), :mod:`perfscore.published` (pdfminer.six: published
forms read back);
the doors: :mod:`perfscore.cli`, :mod:`perfscore.bridge`, :mod:`perfscore.udfs`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from perfscore.engine.findings import Finding, Severity
from perfscore.engine.framework import DEFAULT_FRAMEWORK, AnyFramework, Framework, ProjectFramework, load_any
from perfscore.engine.pipeline import AnyResult, Result, evaluate
from perfscore.engine.project.pipeline import ProjectResult
from perfscore.engine.project.submission import ProjectSubmission
from perfscore.engine.submission import Submission
from perfscore.errors import PerfscoreError
from perfscore.version import __version__

if TYPE_CHECKING:
    from perfscore.published.digitise import Digitised

__all__ = [
    "DEFAULT_FRAMEWORK",
    "AnyResult",
    "Finding",
    "Framework",
    "PerfscoreError",
    "ProjectFramework",
    "ProjectResult",
    "ProjectSubmission",
    "Result",
    "Severity",
    "Submission",
    "__version__",
    "build_workbook",
    "calculate_file",
    "digitise_file",
    "evaluate",
    "evaluate_file",
    "load_framework",
    "print_report",
    "write_report",
]


def load_framework(ref: str | Path = DEFAULT_FRAMEWORK) -> AnyFramework:
    """A framework by shipped id or from a ``.toml`` file (parsed once per process, re-read when edited):
    a department-overall one (:class:`Framework`) or a project one (:class:`ProjectFramework`)."""
    return load_any(ref)


def evaluate_file(path: str | Path, framework: AnyFramework | None = None) -> AnyResult:
    """Read a form workbook and validate and score it; the file is not changed.

    The framework is the one the workbook names (shipped, or in ``$PERFSCORE_FRAMEWORKS``), looked up
    by id only; a framework given (e.g. ``load_framework("my.toml")``) must have the id the workbook records.
    Raises :class:`PerfscoreError` for an unusable file; problems in the form are ``result.findings``.
    """
    from perfscore.xlsx.reader import evaluate_file as read_and_evaluate

    return read_and_evaluate(Path(path), framework)


def calculate_file(
    path: str | Path,
    out: str | Path | None = None,
    *,
    now: dt.datetime | None = None,
    framework: AnyFramework | None = None,
) -> tuple[AnyResult, list[str]]:
    """:func:`evaluate_file`, then write the results into the workbook (in place, or into ``out``).

    Returns the result and what could not be kept in ``out`` (see :func:`perfscore.xlsx.editing`).
    """
    from perfscore.xlsx.writer import calculate_file as calculate

    return calculate(Path(path), None if out is None else Path(out), now=now, framework=framework)


def build_workbook(
    out: str | Path,
    framework: AnyFramework | str | Path = DEFAULT_FRAMEWORK,
    *,
    mode: str = "native",
    submission: Submission | ProjectSubmission | None = None,
    rows: int | None = None,
) -> None:
    """Write a blank (or, with ``submission``, filled) form for ``framework`` to ``out`` atomically.

    ``mode="native"`` writes an ``.xlsx`` with plain Excel formulas; ``mode="udf"`` a complete ``.xlsm``
    with the add-in's VBA project, buttons and ``xlwings.conf`` sheet. A project form gets ``rows``
    blank rows per 二级 category (default 5; more where the submission has more).
    """
    from perfscore.builder.workbook import build_workbook as build

    fw = framework if isinstance(framework, (Framework, ProjectFramework)) else load_framework(framework)
    build(Path(out), fw, mode=mode, submission=submission, rows=rows)


def write_report(
    path: str | Path,
    out: str | Path | None = None,
    pdf: str | Path | None = None,
    template: str | Path | None = None,
    losses: list[str] | None = None,
    *,
    framework: AnyFramework | None = None,
) -> AnyResult:
    """(Re)generate the print-ready 自评表 sheet of a form (in place, or into ``out``); ``pdf``: print it too.

    ``losses``, if given, receives what ``out`` could not keep of the original; an in-place write that
    would lose anything (a pasted picture, an embedded object) is refused with nothing changed.
    """
    from perfscore.report.workbook import write_report as write

    def opt(p: str | Path | None) -> Path | None:
        return None if p is None else Path(p)

    return write(Path(path), opt(out), opt(pdf), opt(template), losses, framework=framework)


def print_report(
    path: str | Path,
    pdf: str | Path,
    template: str | Path | None = None,
    *,
    framework: AnyFramework | None = None,
) -> AnyResult:
    """Print the 自评表 of a form as a PDF only (LibreOffice and the Noto CJK fonts); the form is not changed."""
    from perfscore.report.workbook import print_report as print_pdf

    return print_pdf(Path(path), Path(pdf), None if template is None else Path(template), framework=framework)


def digitise_file(path: str | Path, framework: AnyFramework | None = None) -> Digitised:
    """Read a published 自评表 (its PDF, or text extracted from one) back into submission JSON, with
    findings for what could not be read and for printed figures that do not add up; see
    :mod:`perfscore.published`."""
    from perfscore.published.digitise import digitise

    return digitise(Path(path), framework)
