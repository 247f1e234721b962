"""Page layout of a rendered report: row heights, physical rows, merges and manual page breaks.

Layout is computed, not left to the spreadsheet application, so Excel, WPS and LibreOffice print the
same pages: the print scale is the largest at which the widest the columns may print
(:class:`~perfscore.report.page.ColumnMetrics`) fits the page width, row heights are estimated from
the text wrapped in the narrowest they may print (:func:`needed_height`), a row taller than Excel
allows becomes several merged rows, manual page breaks are inserted where a page is full, and a group
cell (or a cell beside paragraphs) that spans a break is split there and its value repeated.

:func:`layout` takes the *logical* rows :func:`perfscore.report.render.render` produced (one per
template row and loop repetition) and returns the :class:`~perfscore.report.sheet.RenderedSheet`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from typing import Any

from perfscore.engine.text import text_width
from perfscore.report.page import (
    ColumnMetrics,
    Merge,
    PageSpec,
    RenderedSheet,
    Value,
    col_points,
    paper_points,
)
from perfscore.report.template import Template

_MAX_ROW_HEIGHT = 409.0  # Excel's limit, in points

#: Cells merged down over several logical rows and split at page breaks, each piece showing the value:
#: (first col, last col, first logical row, last logical row).
Run = tuple[int, int, int, int]


@dataclass
class LogicalRow:
    """One rendered template row (0-based position in the list = logical row)."""

    trow: int  # the template row it comes from
    values: dict[int, Value]
    groups: dict[int, Any]  # col -> group key
    run: int  # id of the loop run (consecutive repetitions of one block), 0 outside loops
    paragraphs: tuple[int, tuple[str, ...]] | None = None  # (col, items) of a ``paragraphs`` cell


def needed_height(text: str, size: float, width_pt: float) -> float:
    """Points a wrapped text needs in a cell ``width_pt`` wide (line height 1.45 em, as Noto CJK)."""
    avail = max(width_pt - 6.0, size)
    lines = 0
    for para in str(text).replace("\r\n", "\n").split("\n"):
        lines += max(1, math.ceil(text_width(para, size) * 1.04 / avail))
    return lines * size * 1.45 + 5.0


def layout(
    t: Template, rows: list[LogicalRow], merges: list[Merge], runs: list[Run], metrics: ColumnMetrics
) -> RenderedSheet:
    """Lay the logical rows out on pages; ``merges`` and ``runs`` are in logical rows (0-based)."""
    colpt = {c: col_points(w, metrics.narrow_px) for c, w in t.widths.items()}
    page = replace(t.page, scale=fit_scale(t, metrics.wide_px))
    span_of, covered = _merge_spans(merges)
    runs = runs + _group_runs(rows, t.n_cols)
    in_run = {(r, c) for c1, c2, a, b in runs for r in range(a, b + 1) for c in range(c1, c2 + 1)}
    heights = _row_heights(t, rows, colpt, span_of, in_run)
    _fit_group_runs(t, rows, runs, colpt, heights)
    phys = _Physical.of(heights)
    fixed = [(phys.first[r1], c1, phys.last(r2), c2) for r1, c1, r2, c2 in merges]
    fixed += _tall_row_merges(phys, t.n_cols, covered | in_run)
    titles = _print_titles(t, rows, phys)
    breaks = _page_breaks(page, phys.heights, fixed, titles)
    values: dict[tuple[int, int], Value] = {
        (phys.first[i], c): v
        for i, row in enumerate(rows)
        for c, v in row.values.items()
        if v is not None and (i, c) not in in_run
    }
    group_merges = _split_group_runs(rows, runs, phys, breaks, values)
    return RenderedSheet(
        template=t.path,
        n_rows=len(phys.heights),
        n_cols=t.n_cols,
        values=values,
        source_rows={p: row.trow for i, row in enumerate(rows) for p in phys.rows(i)},
        merges=fixed + group_merges,
        row_heights={p + 1: h for p, h in enumerate(phys.heights)},
        col_widths=dict(t.widths),
        row_breaks=breaks,
        print_title_rows=titles,
        page=page,
    )


def fit_scale(t: Template, digit_px: int) -> int:
    """The largest print scale (at most the template's own) at which all columns fit the page width
    when a digit of the default font prints ``digit_px`` pixels wide."""
    pw, _ = paper_points(t.page.paper_size, t.page.landscape)
    printable = pw - (t.page.margins[0] + t.page.margins[1]) * 72
    total = sum(col_points(t.widths[c], digit_px) for c in range(1, t.n_cols + 1))
    return max(10, min(t.page.scale, math.floor(printable / total * 100))) if total else t.page.scale


def _merge_spans(merges: list[Merge]) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """(top-left cell → (rows, cols) of its merge) and every cell a merge covers."""
    span_of: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in merges:
        span_of[(r1, c1)] = (r2 - r1 + 1, c2 - c1 + 1)
        covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    return span_of, covered


def _group_runs(rows: list[LogicalRow], n_cols: int) -> list[Run]:
    """Group cells to merge: the same key, template row and loop run in consecutive rows."""
    n = len(rows)
    runs: list[Run] = []
    for c in range(1, n_cols + 1):
        start = None
        for i in range(n + 1):
            key = rows[i].groups.get(c) if i < n else None
            same = (
                start is not None
                and i < n
                and c in rows[i].groups
                and rows[i].run == rows[start].run
                and rows[i].trow == rows[start].trow
                and key == rows[start].groups[c]
            )
            if same:
                continue
            if start is not None and i - 1 > start:
                runs.append((c, c, start, i - 1))
            start = i if i < n and c in rows[i].groups else None
    return runs


def _row_heights(
    t: Template,
    rows: list[LogicalRow],
    colpt: dict[int, float],
    span_of: dict[tuple[int, int], tuple[int, int]],
    in_run: set[tuple[int, int]],
) -> list[float]:
    """Height of each logical row: the template's, or what its texts need (group cells aside)."""
    heights: list[float] = []
    for i, row in enumerate(rows):
        h = t.heights.get(row.trow, 15.0)
        for c, v in row.values.items():
            if v is None or (i, c) in in_run:
                continue
            size, wrap = t.fonts.get((row.trow, c), (11.0, False))
            rs, cs = span_of.get((i, c), (1, 1))
            width = sum(colpt.get(c + k, 0.0) for k in range(cs))
            need = needed_height(str(v), size, width) if wrap else size * 1.45 + 5.0
            h = max(h, need / rs)
        heights.append(h)
    return heights


def _fit_group_runs(
    t: Template, rows: list[LogicalRow], runs: list[Run], colpt: dict[int, float], heights: list[float]
) -> None:
    """A merged run must fit its rows: the last row of a run grows by what is missing."""
    for c, c2, a, b in runs:
        v = rows[a].values.get(c)
        if v is not None:
            size, wrap = t.fonts.get((rows[a].trow, c), (11.0, False))
            width = sum(colpt.get(k, 0.0) for k in range(c, c2 + 1))
            need = needed_height(str(v), size, width) if wrap else size * 1.45 + 5.0
            have = sum(heights[a : b + 1])
            if need > have:
                heights[b] += need - have


@dataclass
class _Physical:
    """Worksheet rows: a logical row taller than Excel's limit becomes several merged rows."""

    first: list[int]  # logical row -> its first physical row (1-based); one extra entry at the end
    heights: list[float]  # of the physical rows, in order

    @classmethod
    def of(cls, heights: list[float]) -> _Physical:
        first: list[int] = []
        phys: list[float] = []
        for h in heights:
            k = max(1, math.ceil(h / (_MAX_ROW_HEIGHT - 9)))
            first.append(len(phys) + 1)
            phys += [round(h / k, 1)] * k
        first.append(len(phys) + 1)
        return cls(first, phys)

    def last(self, i: int) -> int:
        return self.first[i + 1] - 1

    def rows(self, i: int) -> range:
        return range(self.first[i], self.last(i) + 1)


def _tall_row_merges(phys: _Physical, n_cols: int, taken: set[tuple[int, int]]) -> list[Merge]:
    """Merge the physical rows of a split logical row, in each column no other merge takes."""
    out: list[Merge] = []
    for i in range(len(phys.first) - 1):
        if phys.last(i) > phys.first[i]:
            out += [(phys.first[i], c, phys.last(i), c) for c in range(1, n_cols + 1) if (i, c) not in taken]
    return out


def _print_titles(t: Template, rows: list[LogicalRow], phys: _Physical) -> tuple[int, int] | None:
    """The template's print title rows, in physical rows."""
    trow_first: dict[int, int] = {}
    for i, row in enumerate(rows):
        trow_first.setdefault(row.trow, i)
    if t.title_rows and t.title_rows[0] in trow_first and t.title_rows[1] in trow_first:
        return (phys.first[trow_first[t.title_rows[0]]], phys.last(trow_first[t.title_rows[1]]))
    return None


def _split_group_runs(
    rows: list[LogicalRow],
    runs: list[Run],
    phys: _Physical,
    breaks: list[int],
    values: dict[tuple[int, int], Value],
) -> list[Merge]:
    """Merge each run, cut at the page breaks; every piece shows the value (added to ``values``)."""
    merges: list[Merge] = []
    starts = {b + 1 for b in breaks}
    for c, c2, a, b in runs:
        p1, p2 = phys.first[a], phys.last(b)
        cuts = [p1] + [s for s in sorted(starts) if p1 < s <= p2] + [p2 + 1]
        v = rows[a].values.get(c)
        for lo, hi in itertools.pairwise(cuts):
            if v is not None:
                values[(lo, c)] = v
            if hi - 1 > lo or c2 > c:
                merges.append((lo, c, hi - 1, c2))
    return merges


def _page_breaks(
    page: PageSpec, heights: list[float], merges: list[Merge], titles: tuple[int, int] | None
) -> list[int]:
    """Rows after which a page ends, so no page overflows; never inside a (non-group) merge."""
    _, ph = paper_points(page.paper_size, page.landscape)
    m = page.margins
    capacity = (ph - (m[2] + m[3]) * 72) * 100 / page.scale * 0.99  # room for rounding row heights
    title_h = sum(heights[r - 1] for r in range(titles[0], titles[1] + 1)) if titles else 0.0
    blocked: set[int] = set()  # a break before row r is not allowed
    for r1, _, r2, _ in merges:
        blocked.update(range(r1 + 1, r2 + 1))
    if titles:
        blocked.add(titles[1] + 1)  # keep the table header with its first row
    breaks: list[int] = []
    start, used = 1, 0.0
    r = 1
    while r <= len(heights):
        used += heights[r - 1]
        if used > capacity and r > start:
            b = r
            while b > start + 1 and b in blocked:
                b -= 1
            if b in blocked or b <= start:
                b = r  # nothing better: break anyway
            breaks.append(b - 1)
            start = b
            repeat = title_h if titles and b > titles[1] else 0.0
            used = repeat + sum(heights[start - 1 : r])
        r += 1
    return breaks
