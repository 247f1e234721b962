"""Rendering a report template with a context: :func:`render` → :class:`~perfscore.report.page.RenderedSheet`.

The pieces (see ``templates/README.md`` for the template syntax):

* :mod:`perfscore.report.template` loads and compiles the template (:func:`load_template`);
* this module evaluates its cells with the context, repeating each row block once per item, into
  *logical* rows (a row with a ``paragraphs`` cell becomes one row per paragraph), and places the
  template's merges on them;
* :mod:`perfscore.report.paging` lays those rows out on pages (heights, breaks, group merges);
* :func:`perfscore.report.sheet.apply` writes the result with openpyxl.

Values from the context are data: they are placed in cells as they are and never rendered again.
A cell that fails raises the first problem (in Chinese, naming the cell), or, when the template is
being checked, is added to the problems and left blank (:class:`~perfscore.report.template.Problems`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from perfscore.engine.decimals import fmt
from perfscore.engine.grid import column_letter
from perfscore.report.expressions import (
    Grouped,
    Paragraphs,
    TemplateValueError,
    fail_if_undefined,
    finalize,
)
from perfscore.report.messages import describe, kind_of
from perfscore.report.page import PDF_METRICS, ColumnMetrics, Merge, RenderedSheet, Value
from perfscore.report.paging import LogicalRow, Run, layout
from perfscore.report.template import Problems, Segment, Template


def render(
    template: Template,
    context: dict[str, Any],
    metrics: ColumnMetrics = PDF_METRICS,
    problems: Problems | None = None,
) -> RenderedSheet:
    """Evaluate the template's cells with ``context``, each row block once per item, and lay them out
    for a workbook whose column widths print as ``metrics`` says.

    A cell that fails is a :class:`~perfscore.errors.ReportTemplateError`; with a collecting
    ``problems`` (:mod:`perfscore.report.template_check`) it is added there and the cell left blank.
    """
    problems = problems if problems is not None else Problems(template.path)
    rows: list[LogicalRow] = []
    merges: list[Merge] = []  # in logical rows
    runs: list[Run] = []  # cells beside a paragraphs cell, run down its rows
    run = 0
    for seg in template.segments:
        if seg.loop is None:
            rendered = _render_rows(template, seg, context, 0, problems)
            _add(template, seg, rendered, rows, merges, runs, problems)
            continue
        var = seg.loop[0]
        seq = _loop_items(seg, context, problems)
        run += 1
        for n, item in enumerate(seq):
            loop = {
                "index": n + 1,
                "index0": n,
                "first": n == 0,
                "last": n == len(seq) - 1,
                "length": len(seq),
            }
            rendered = _render_rows(template, seg, {**context, var: item, "loop": loop}, run, problems)
            _add(template, seg, rendered, rows, merges, runs, problems)
    return layout(template, rows, merges, runs, metrics)


def _add(
    template: Template,
    seg: Segment,
    rendered: list[LogicalRow],
    rows: list[LogicalRow],
    merges: list[Merge],
    runs: list[Run],
    problems: Problems,
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
            problems.add(where, "paragraphs 所在的单元格不能与其他行合并")
        else:
            merges.append((a, c1, b, c2))
    for trow, col in split.items():
        a, b = span[trow]
        runs.extend(
            (c, c, a, b)
            for c in range(1, template.n_cols + 1)
            if c != col and (trow, c) not in taken and b > a
        )


def _loop_items(seg: Segment, context: dict[str, Any], problems: Problems) -> list[Any]:
    """The items of a row block (filtered by its ``if``); none when its expression fails."""
    assert seg.loop is not None
    var, iterable, cond = seg.loop
    ok, seq = _evaluate(problems, seg.marker, lambda: _items(iterable(**context)), context)
    if not ok:
        return []
    if cond is None:
        return list(seq)
    kept = []
    for x in seq:
        scope = {**context, var: x}
        ok, keep = _evaluate(problems, seg.marker, lambda scope=scope: bool(cond(**scope)), scope)  # type: ignore[misc]
        if ok and keep:
            kept.append(x)
    return kept


def _items(value: Any) -> list[Any]:
    """What a row block repeats over, as a list: a list, or what iterates like one (``batch``)."""
    fail_if_undefined(value)
    if isinstance(value, (str, dict)) or not isinstance(value, Iterable):
        raise TemplateValueError(f"循环的对象不是列表（是{kind_of(value)}）")
    return list(value)


def _evaluate(
    problems: Problems, ref: str, thunk: Callable[[], Any], scope: dict[str, Any]
) -> tuple[bool, Any]:
    """(True, value) of a cell's program; (False, None) when it fails (the problem is added).
    ``scope``: the names the cell could use (named in the message of an unknown one)."""
    try:
        value = thunk()
        fail_if_undefined(value)
        if isinstance(value, Grouped):
            fail_if_undefined(value.value)
        return True, value
    except Exception as exc:  # any error of an expression, e.g. 1/0 in the template
        problems.add(ref, describe(exc, scope))
        return False, None


def _render_rows(
    template: Template, seg: Segment, ctx: dict[str, Any], run: int, problems: Problems
) -> list[LogicalRow]:
    out = []
    sheet = template.ws.title + "!"
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
            ref = f"{sheet}{column_letter(c)}{r}"
            ok, raw = _evaluate(problems, ref, lambda p=prog: p(ctx), ctx)  # type: ignore[misc]
            if not ok:
                continue
            if isinstance(raw, Paragraphs):
                if paragraphs is not None:
                    problems.add(ref, "一行中只能有一个单元格使用 paragraphs")
                    continue
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
    """What a cell holds: a number as a number (a Decimal as the form prints it: 41.80 → 41.8), text
    as text (``None`` and ``""`` blank)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, Decimal) and raw.is_finite():
        return Decimal(fmt(raw))
    if isinstance(raw, int) or (isinstance(raw, float) and math.isfinite(raw)):
        return raw
    text = ILLEGAL_CHARACTERS_RE.sub("", str(finalize(raw)))
    return text if text != "" else None
