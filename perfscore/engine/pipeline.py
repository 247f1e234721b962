"""The one pipeline every front end calls: grid → parse → score → roll up → grade → check."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from perfscore.engine import framework as frameworks
from perfscore.engine import integrity, macros  # noqa: F401 - their rules join the checks
from perfscore.engine.checks import Context, validate
from perfscore.engine.computed import shown_values
from perfscore.engine.findings import Finding, Tallied
from perfscore.engine.form import Form, Meta, parse, read_meta
from perfscore.engine.framework import Framework, ProjectFramework
from perfscore.engine.grid import CellValue, Grid, parse_ref
from perfscore.engine.project import pipeline as project
from perfscore.engine.project.pipeline import ProjectResult
from perfscore.engine.quoting import quote
from perfscore.engine.scoring import Leaf, Node, by_id, leaves, roll_up, total_of
from perfscore.errors import UnusableInputError


@dataclass(frozen=True)
class Result(Tallied):
    framework: Framework
    form: Form
    leaves: dict[str, Leaf]
    groups: tuple[Node, ...]
    total: Decimal | None
    grade: str | None
    findings: tuple[Finding, ...]
    grid: Grid  # the workbook as read: its cached values and formulas

    def shown_values(self) -> dict[tuple[str, str], CellValue]:
        """What each formula cell of the form shows when computed (see :mod:`perfscore.engine.computed`)."""
        return shown_values(self.framework, self.form, self.leaves, self.groups, self.total, self.grade)

    @property
    def grade_line(self) -> str:
        return self.framework.grade_line(self.grade)

    def node(self, iid: str) -> Node:
        """The rolled-up node of indicator ``iid`` (KeyError if there is none)."""
        return by_id(self.groups)[iid]


#: The result of either kind of form: a department-overall form or a project form.
AnyResult = Result | ProjectResult


def evaluate(grid: Grid, fw: Framework | ProjectFramework | None = None) -> AnyResult:
    """Run the whole pipeline on a workbook's grid. Raises only for unusable input (exit 2).

    The framework is the one the workbook names, looked up by id only; a framework given by the caller
    (``--framework FILE``) must have the id the workbook records. A project form goes through
    :func:`perfscore.engine.project.pipeline.evaluate`.
    """
    meta = read_meta(grid)
    if fw is None:
        fw = frameworks.load_any_by_id(meta.framework)
    elif fw.id != meta.framework:
        raise UnusableInputError(
            f"此表单由指标体系 “{quote(meta.framework)}” 生成，而指定的指标体系是 “{quote(fw.id)}”"
            f"（{quote(fw.source)}）；请指定生成该表单所用的指标体系",
            path=grid.source or None,
        )
    if isinstance(fw, ProjectFramework):
        return project.evaluate(grid, fw, meta)
    return evaluate_department(grid, fw, meta)


def evaluate_department(grid: Grid, fw: Framework, meta: Meta) -> Result:
    """The department-overall form's pipeline (``fw`` is the one ``meta`` names)."""
    form = parse(grid, fw, meta)
    scored = leaves(form, fw)
    groups = roll_up(fw, scored)
    total = total_of(groups)
    grade = fw.grade(total) if total is not None else None
    findings = validate(Context(fw, form, scored, grid, groups, total, grade))
    order = {s: n for n, s in enumerate(form.sheets)}
    findings.sort(key=lambda f: (order.get(f.sheet, -1), _cell_key(f.cell)))
    return Result(fw, form, scored, groups, total, grade, tuple(findings), grid)


def _cell_key(cell: str) -> tuple[int, int]:
    if not cell:
        return (0, 0)
    row, col = parse_ref(cell)
    return (row, col)
