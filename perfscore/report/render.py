"""Rendering a report template with a context: :func:`render` → :class:`~perfscore.report.sheet.RenderedSheet`.

The pieces (see ``templates/README.md`` for the template syntax):

* :mod:`perfscore.report.template` loads and compiles the template (:func:`load_template`);
* this module evaluates its cells with the context, repeating each row block once per item, into
  *logical* rows, and collects the template's merges for every repetition;
* :mod:`perfscore.report.paging` lays those rows out on pages (heights, breaks, group merges);
* :func:`perfscore.report.sheet.apply` writes the result with openpyxl (the Excel add-in writes the
  same data through xlwings).

Values from the context are data: they are placed in cells as they are and never rendered again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from jinja2 import TemplateError, Undefined
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from perfscore.engine.grid import column_letter
from perfscore.errors import ReportTemplateError
from perfscore.report.expressions import Grouped
from perfscore.report.page import Merge, RenderedSheet, Value
from perfscore.report.paging import LogicalRow, layout
from perfscore.report.template import Segment, Template


def render(template: Template, context: dict[str, Any]) -> RenderedSheet:
    """Evaluate the template's cells with ``context``, each row block once per item, and lay them out."""
    rows: list[LogicalRow] = []
    merges: list[Merge] = []  # in logical rows
    run = 0
    for seg in template.segments:
        if seg.loop is None:
            base = len(rows)
            rows.extend(_render_rows(template, seg, context, 0))
            merges += _seg_merges(template, seg, base)
            continue
        var = seg.loop[0]
        seq = _loop_items(template, seg, context)
        run += 1
        for n, item in enumerate(seq):
            loop = {
                "index": n + 1,
                "index0": n,
                "first": n == 0,
                "last": n == len(seq) - 1,
                "length": len(seq),
            }
            base = len(rows)
            rows.extend(_render_rows(template, seg, {**context, var: item, "loop": loop}, run))
            merges += _seg_merges(template, seg, base)
    return layout(template, rows, merges)


def _loop_items(template: Template, seg: Segment, context: dict[str, Any]) -> list[Any]:
    assert seg.loop is not None
    var, iterable, cond = seg.loop
    items = _evaluate(template, seg.marker, lambda: iterable(**context))
    if isinstance(items, Undefined) or not isinstance(items, Iterable) or isinstance(items, (str, dict)):
        raise ReportTemplateError(template.path, seg.marker, "循环的对象不是列表")
    seq = list(items)
    if cond is None:
        return seq
    kept = []
    for x in seq:
        scope = {**context, var: x}
        if _evaluate(template, seg.marker, lambda scope=scope: cond(**scope)):  # type: ignore[misc]
            kept.append(x)
    return kept


def _evaluate(template: Template, ref: str, thunk: Callable[[], Any]) -> Any:
    try:
        value = thunk()
        if isinstance(value, Undefined):
            str(value)
        if isinstance(value, Grouped) and isinstance(value.value, Undefined):
            str(value.value)
        return value
    except TemplateError as exc:
        raise ReportTemplateError(template.path, ref, f"{type(exc).__name__}: {exc}") from None
    except Exception as exc:  # an expression such as 1/0 in the template
        raise ReportTemplateError(template.path, ref, f"{type(exc).__name__}: {exc}") from None


def _render_rows(template: Template, seg: Segment, ctx: dict[str, Any], run: int) -> list[LogicalRow]:
    out = []
    where = template.ws.title + "!"
    for r in range(seg.first, seg.last + 1):
        values: dict[int, Value] = {}
        groups: dict[int, Any] = {}
        for c in range(1, template.n_cols + 1):
            prog = template.programs.get((r, c))
            if prog is None:
                static = template.statics.get((r, c))
                if static is not None:
                    values[c] = static
                continue
            raw = _evaluate(template, f"{where}{column_letter(c)}{r}", lambda p=prog: p(ctx))  # type: ignore[misc]
            if isinstance(raw, Grouped):
                groups[c] = raw.key
                raw = raw.value
            values[c] = _cell_value(raw)
        out.append(LogicalRow(r, values, groups, run))
    return out


def _cell_value(raw: Any) -> Value:
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, (Decimal, int, float)):
        return raw
    text = ILLEGAL_CHARACTERS_RE.sub("", str(raw))
    return text if text != "" else None


def _seg_merges(template: Template, seg: Segment, base: int) -> list[Merge]:
    return [
        (base + r1 - seg.first, c1, base + r2 - seg.first, c2)
        for r1, c1, r2, c2 in template.merges
        if seg.first <= r1 <= seg.last
    ]
