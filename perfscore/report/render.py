"""Rendering a report template with a context: :func:`render` → :class:`~perfscore.report.page.RenderedSheet`.

The pieces (see ``templates/README.md`` for the template syntax):

* :mod:`perfscore.report.template` loads and compiles the template (:func:`load_template`);
* this module evaluates its cells with the context, repeating each row block once per item, into
  *logical* rows (a row with a ``paragraphs`` cell becomes one row per paragraph), and places the
  template's merges on them;
* :mod:`perfscore.report.paging` lays those rows out on pages (heights, breaks, group merges);
* :func:`perfscore.report.sheet.apply` writes the result with openpyxl.

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
from perfscore.report.expressions import Grouped, Paragraphs
from perfscore.report.page import PDF_METRICS, ColumnMetrics, Merge, RenderedSheet, Value
from perfscore.report.paging import LogicalRow, Run, layout
from perfscore.report.template import Segment, Template


def render(
    template: Template, context: dict[str, Any], metrics: ColumnMetrics = PDF_METRICS
) -> RenderedSheet:
    """Evaluate the template's cells with ``context``, each row block once per item, and lay them out
    for a workbook whose column widths print as ``metrics`` says."""
    rows: list[LogicalRow] = []
    merges: list[Merge] = []  # in logical rows
    runs: list[Run] = []  # cells beside a paragraphs cell, run down its rows
    run = 0
    for seg in template.segments:
        if seg.loop is None:
            _add(template, seg, _render_rows(template, seg, context, 0), rows, merges, runs)
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
            rendered = _render_rows(template, seg, {**context, var: item, "loop": loop}, run)
            _add(template, seg, rendered, rows, merges, runs)
    return layout(template, rows, merges, runs, metrics)


def _add(
    template: Template,
    seg: Segment,
    rendered: list[LogicalRow],
    rows: list[LogicalRow],
    merges: list[Merge],
    runs: list[Run],
) -> None:
    """Append one rendering of ``seg``'s rows: a row with a ``paragraphs`` cell becomes one row per
    paragraph; the template's merges are placed on the rows they cover."""
    span: dict[int, tuple[int, int]] = {}  # template row -> (first, last) logical row
    split: dict[int, int] = {}  # template row -> its paragraphs column
    for row in rendered:
        first = len(rows)
        if row.paragraphs is None:
            rows.append(row)
        else:
            col, items = row.paragraphs
            split[row.trow] = col
            for k, text in enumerate(items or ("",)):
                values: dict[int, Value] = dict(row.values) if k == 0 else {}
                values[col] = text or None
                rows.append(LogicalRow(row.trow, values, {}, row.run))
        span[row.trow] = (first, len(rows) - 1)
    taken: set[tuple[int, int]] = set()  # (template row, col) placed by a merge
    for r1, c1, r2, c2 in template.merges:
        if not seg.first <= r1 <= seg.last:
            continue
        taken.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
        (a, _), (_, b) = span[r1], span[r2]
        here = split.get(r1) if r1 == r2 else None
        if here is not None and c1 <= here <= c2:  # the paragraphs cell: merged across in every row
            merges.extend((r, c1, r, c2) for r in range(a, b + 1))
        elif here is not None and b > a:  # beside the paragraphs: runs down them
            runs.append((c1, c2, a, b))
        elif any(r in split and c1 <= split[r] <= c2 for r in range(r1, r2 + 1)):
            where = f"{template.ws.title}!{column_letter(c1)}{r1}"
            raise ReportTemplateError(template.path, where, "paragraphs 所在的单元格不能与其他行合并")
        else:
            merges.append((a, c1, b, c2))
    for trow, col in split.items():
        a, b = span[trow]
        runs.extend(
            (c, c, a, b)
            for c in range(1, template.n_cols + 1)
            if c != col and (trow, c) not in taken and b > a
        )


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
        paragraphs: tuple[int, tuple[str, ...]] | None = None
        for c in range(1, template.n_cols + 1):
            prog = template.programs.get((r, c))
            if prog is None:
                static = template.statics.get((r, c))
                if static is not None:
                    values[c] = static
                continue
            raw = _evaluate(template, f"{where}{column_letter(c)}{r}", lambda p=prog: p(ctx))  # type: ignore[misc]
            if isinstance(raw, Paragraphs):
                if paragraphs is not None:
                    where = f"{template.ws.title}!{column_letter(c)}{r}"
                    raise ReportTemplateError(template.path, where, "一行中只能有一个单元格使用 paragraphs")
                paragraphs = (c, tuple(ILLEGAL_CHARACTERS_RE.sub("", x) for x in raw.items))
                continue
            if isinstance(raw, Grouped):
                groups[c] = raw.key
                raw = raw.value
            values[c] = _cell_value(raw)
        if paragraphs is not None:
            groups = {}  # the row's other cells run down beside the paragraphs
        out.append(LogicalRow(r, values, groups, run, paragraphs))
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
