"""Rebuilding a printed table from a page's glyphs and ruling lines: its cells, each with its text.

Pure Python over :mod:`perfscore.published.page` (no pdfminer).

Collinear rule segments are merged; the x positions of vertical rules and the y positions of
horizontal rules cut the page into a grid of elementary rectangles, and neighbouring rectangles not
separated by a rule are joined. Each joined region that is a rectangle closed by rules on all sides is
one cell, so a merged cell spanning rows or columns comes out whole. Each glyph belongs to the cell
holding its centre; a cell's glyphs fall into printed lines, and :mod:`perfscore.published.wrapping`
turns them into the text as typed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from perfscore.published.page import Box, Glyph, Page, PageLayout
from perfscore.published.wrapping import cell_text, join_line

#: Rule ends and positions closer than this (points) are the same.
TOL = 1.0
#: Regions narrower or lower than this (points) are the gap of a double border, not cells.
MIN_CELL = 3.0


@dataclass(frozen=True)
class _Segment:
    """Rule segments on one line: ``at`` is the y of horizontal (the x of vertical) segments, each
    span (start, end) along the line, merged and sorted."""

    at: float
    spans: tuple[tuple[float, float], ...]

    def covers(self, start: float, end: float) -> bool:
        return any(a <= start + TOL and b >= end - TOL for a, b in self.spans)


def layout(page: Page) -> PageLayout:
    """The page's cells (text as typed; empty cells kept) and its text outside cells."""
    rows = _merge((r.top, r.x0, r.x1) for r in page.rules if r.horizontal)
    cols = _merge((r.x0, r.top, r.bottom) for r in page.rules if not r.horizontal)
    regions = _cells(rows, cols)
    inside: list[list[Glyph]] = [[] for _ in regions]
    outside: list[Glyph] = []
    for g in page.glyphs:
        cx, cy = (g.x0 + g.x1) / 2, (g.top + g.bottom) / 2
        for i, (x0, top, x1, bottom) in enumerate(regions):
            if x0 <= cx < x1 and top <= cy < bottom:
                inside[i].append(g)
                break
        else:
            outside.append(g)
    cells = [
        Box(page.number, x0, x1, top, bottom, cell_text(_lines(glyphs), x1 - x0))
        for (x0, top, x1, bottom), glyphs in zip(regions, inside, strict=True)
    ]
    cells.sort(key=lambda b: (round(b.top, 1), b.x0))
    loose = [
        Box(page.number, line[0].x0, max(g.x1 for g in line), min(g.top for g in line),
            max(g.bottom for g in line), join_line(line))
        for line in _lines(outside)
    ]  # fmt: skip
    loose.sort(key=lambda b: (round(b.top, 1), b.x0))
    return PageLayout(page.number, page.width, page.height, tuple(cells), tuple(loose))


# ------------------------------------------------------------------------------------------ rules


def _merge(segments: Iterable[tuple[float, float, float]]) -> list[_Segment]:
    """Segments ``(at, start, end)`` grouped by position (within :data:`TOL`) and joined where they
    overlap or touch; sorted by position."""
    ordered = sorted(segments)
    groups: list[list[tuple[float, float, float]]] = []
    for seg in ordered:
        if groups and seg[0] - groups[-1][-1][0] <= TOL:
            groups[-1].append(seg)
        else:
            groups.append([seg])
    out = []
    for group in groups:
        at = sum(s[0] for s in group) / len(group)
        spans: list[tuple[float, float]] = []
        for _, start, end in sorted(group, key=lambda s: s[1]):
            if spans and start <= spans[-1][1] + TOL:
                spans[-1] = (spans[-1][0], max(spans[-1][1], end))
            else:
                spans.append((start, end))
        out.append(_Segment(at, tuple(spans)))
    return out


def _cells(rows: Sequence[_Segment], cols: Sequence[_Segment]) -> list[tuple[float, float, float, float]]:
    """Each cell as (x0, top, x1, bottom): the rectangles closed by rules, merged cells whole."""
    nx, ny = len(cols) - 1, len(rows) - 1
    if nx < 1 or ny < 1:
        return []
    xs = [c.at for c in cols]
    ys = [r.at for r in rows]
    parent = list(range(nx * ny))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for j in range(ny):
        for i in range(nx):
            here = j * nx + i
            if i + 1 < nx and not cols[i + 1].covers(ys[j], ys[j + 1]):
                union(here, here + 1)
            if j + 1 < ny and not rows[j + 1].covers(xs[i], xs[i + 1]):
                union(here, here + nx)
    members: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for j in range(ny):
        for i in range(nx):
            members[find(j * nx + i)].append((i, j))
    out = []
    for parts in members.values():
        i0, i1 = min(p[0] for p in parts), max(p[0] for p in parts)
        j0, j1 = min(p[1] for p in parts), max(p[1] for p in parts)
        if (i1 - i0 + 1) * (j1 - j0 + 1) != len(parts):
            continue  # not a rectangle: the space around a table, or a broken border
        x0, x1, top, bottom = xs[i0], xs[i1 + 1], ys[j0], ys[j1 + 1]
        closed = (
            cols[i0].covers(top, bottom)
            and cols[i1 + 1].covers(top, bottom)
            and rows[j0].covers(x0, x1)
            and rows[j1 + 1].covers(x0, x1)
        )
        if closed and x1 - x0 >= MIN_CELL and bottom - top >= MIN_CELL:
            out.append((x0, top, x1, bottom))
    return out


# ------------------------------------------------------------------------------------------- text


def _lines(glyphs: Iterable[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped into printed lines (top to bottom), each line left to right."""
    lines: list[list[Glyph]] = []
    bounds: list[tuple[float, float]] = []
    for g in sorted(glyphs, key=lambda g: (g.top + g.bottom) / 2):
        mid = (g.top + g.bottom) / 2
        if bounds and bounds[-1][0] < mid < bounds[-1][1]:
            lines[-1].append(g)
        else:
            lines.append([g])
            bounds.append((g.top, g.bottom))
    for line in lines:
        line.sort(key=lambda g: g.x0)
    return lines
