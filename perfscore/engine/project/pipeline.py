"""The project form's pipeline: grid → parse → score → check, into a :class:`ProjectResult`.

A :class:`ProjectResult` answers the questions every front end asks of a department form's
:class:`~perfscore.engine.pipeline.Result` with the same names (``total``, ``grade``, ``groups``,
``findings``, ``shown_values()``, …); ``groups`` puts the budget-execution score (预算执行率) beside the
一级 indicators, each with its categories and the department's rows below.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from perfscore.engine.findings import Finding, Tallied
from perfscore.engine.form import Meta
from perfscore.engine.framework_model import Indicator
from perfscore.engine.grid import CellValue, Grid, parse_ref
from perfscore.engine.project import layout as PL
from perfscore.engine.project.cells import computed_cells
from perfscore.engine.project.checks import Context, validate
from perfscore.engine.project.form import ProjectForm, parse
from perfscore.engine.project.model import ProjectFramework
from perfscore.engine.project.scoring import Scores, score
from perfscore.engine.scoring import Node
from perfscore.engine.values import Kind, as_text

FUNDS_ID = "funds"


@dataclass(frozen=True)
class ProjectResult(Tallied):
    framework: ProjectFramework
    form: ProjectForm
    scores: Scores
    groups: tuple[Node, ...]
    total: Decimal | None
    grade: str | None
    findings: tuple[Finding, ...]
    grid: Grid

    def shown_values(self) -> dict[tuple[str, str], CellValue]:
        """What each computed cell shows when the form's formulas compute it (see :mod:`.scoring`)."""
        lay = self.form.layout
        return {
            (c.sheet, c.cell): self.scores.values[c.key] for c in computed_cells(lay, self.form.meta.formulas)
        }

    @property
    def grade_line(self) -> str:
        return self.framework.grade_line(self.grade)


def meta_value(grid: Grid, key: str) -> str:
    sheet = grid.sheets.get("_perfscore")
    if sheet is None:
        return ""
    for r in range(1, sheet.max_row + 1):
        if as_text(sheet.at(r, 1)) == key:
            return as_text(sheet.at(r, 2))
    return ""


def evaluate(grid: Grid, fw: ProjectFramework, meta: Meta) -> ProjectResult:
    form = parse(grid, fw, meta, meta_value(grid, "rows"))
    sc = score(form, fw)
    findings = validate(Context(fw, form, sc, grid))
    order = {s: n for n, s in enumerate(form.sheets)}
    findings.sort(key=lambda f: (order.get(f.sheet, -1), parse_ref(f.cell) if f.cell else (0, 0)))
    return ProjectResult(fw, form, sc, _groups(fw, form, sc), sc.total, sc.grade, tuple(findings), grid)


def _groups(fw: ProjectFramework, form: ProjectForm, sc: Scores) -> tuple[Node, ...]:
    """The result tree: 预算执行率, then each 一级 › category › department row (rows in use only)."""
    funds = Node(Indicator(FUNDS_ID, fw.funds.name, fw.funds.weight), sc.funds_score)
    out = [funds]
    for g in fw.groups:
        cats = []
        for cat in g.categories:
            rows = []
            for n in range(1, form.layout.slots[cat.id] + 1):
                sr = sc.rows.get(f"{cat.id}.{n}")
                if sr is None or not sr.row.used:
                    continue
                weight = (
                    sr.weight.value
                    if sr.weight.kind is Kind.NUMBER and sr.weight.value is not None
                    else Decimal(0)
                )
                name = as_text(sr.row.value(PL.C_NAME))
                rows.append(Node(Indicator(sr.row.id, name, weight), sr.score.value if sr.counts else None))
            sub = sc.values[f"sub:{cat.id}"]
            cat_weight = sc.values[f"subweight:{cat.id}"]
            assert isinstance(cat_weight, Decimal)
            cats.append(
                Node(
                    Indicator(cat.id, cat.name, cat_weight),
                    sub if isinstance(sub, Decimal) else None,
                    tuple(rows),
                )
            )
        out.append(Node(Indicator(g.id, g.name, sc.group_weights[g.id]), sc.group_scores[g.id], tuple(cats)))
    return tuple(out)
