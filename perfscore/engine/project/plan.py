"""What the project form's write plan adds when a writer saves (:func:`perfscore.engine.plan.calc_plan`
makes the plan itself, the same for both kinds of form): the cached results of its formulas and the
heights its department rows and long text fields need.
"""

from __future__ import annotations

from perfscore.engine import layout as L
from perfscore.engine.grid import parse_ref
from perfscore.engine.project import layout as PL
from perfscore.engine.project.pipeline import ProjectResult
from perfscore.engine.text import height_for, lines_needed, whole_pixels
from perfscore.engine.values import as_text
from perfscore.engine.write_plan import Finishing, formula_results

_TEXT_COLUMNS = (PL.C_NAME, PL.C_REASON)


def finishing(result: ProjectResult) -> Finishing:
    """The cached results of the form's formulas and the heights its department rows need."""
    heights: dict[str, dict[int, float]] = {}
    for row in result.form.rows:
        need = max(height_for(lines_needed(as_text(row.value(c)), PL.WIDTHS[c - 1])) for c in _TEXT_COLUMNS)
        heights.setdefault(row.sheet, {})[row.row] = whole_pixels(max(L.INDICATOR_ROW_PT, need))
    return Finishing(
        formula_results(result.grid, result.shown_values()),
        {s: tuple(r) for s, r in heights.items()},
        heights,
    )


def text_field_heights(result: ProjectResult) -> tuple[tuple[str, int, float], ...]:
    """The heights 基本情况's long text fields (merged across the sheet) need for what they hold."""
    if not result.form.cover_present:
        return ()
    cov = result.form.layout.cover
    width = sum(PL.COVER_WIDTHS[1 : cov.width]) + 11 * max(0, cov.width - len(PL.COVER_WIDTHS))
    form = result.form
    fields = [*form.goals.values(), *form.footer.values()]
    if form.funds_reason is not None:
        fields.append(form.funds_reason)
    return tuple(
        (
            L.COVER,
            parse_ref(at.cell)[0],
            height_for(lines_needed(as_text(at.value), width), minimum=L.TEXT_FIELD_PT),
        )
        for at in fields
    )
