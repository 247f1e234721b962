"""Finding things among a PDF's rebuilt cells: labels, the cell right of or below a label, the
columns of a table from its header row (repeated on each page), and the rows under it.

All positions are per page; a :class:`Cells` holds every page's cells in reading order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from perfscore.published.page import Box, PageLayout
from perfscore.published.text import compact


def where(box: Box) -> str:
    return f"第 {box.page} 页"


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def same_row(a: Box, b: Box) -> bool:
    """``b``'s vertical centre lies within ``a`` (a label merged down over several rows holds all
    the cells beside it)."""
    return a.page == b.page and a.top - 0.5 <= (b.top + b.bottom) / 2 <= a.bottom + 0.5


class Cells:
    def __init__(self, pages: Sequence[PageLayout]) -> None:
        self.pages = list(pages)
        self.all = [c for p in self.pages for c in p.cells]

    def labelled(self, label: str, *, prefix: bool = False) -> list[Box]:
        """Cells whose text is ``label`` (whitespace ignored; with ``prefix``, a label followed by a
        unit or colon such as ``总预算（万元）`` / ``单位数：``)."""
        want = compact(label)
        out = []
        for c in self.all:
            text = compact(c.text)
            if text == want or (prefix and text.startswith(want) and _is_suffix(text[len(want) :])):
                out.append(c)
        return out

    def right_of(self, label: Box) -> list[Box]:
        """The cells right of ``label`` on its row(s), top to bottom then left to right."""
        found = [c for c in self.pages_of(label) if c.x0 >= label.x1 - 0.5 and same_row(label, c)]
        return sorted(found, key=lambda c: (c.top, c.x0))

    def next_right(self, label: Box) -> Box | None:
        cands = [c for c in self.right_of(label) if _overlap(c.top, c.bottom, label.top, label.bottom) > 0]
        return min(cands, key=lambda c: c.x0) if cands else None

    def below(self, label: Box) -> Box | None:
        """The nearest cell under ``label`` whose horizontal centre lies within it."""
        cands = [
            c
            for c in self.pages_of(label)
            if c.top >= label.bottom - 0.5 and label.x0 - 0.5 <= (c.x0 + c.x1) / 2 <= label.x1 + 0.5
        ]
        return min(cands, key=lambda c: c.top) if cands else None

    def pages_of(self, box: Box) -> tuple[Box, ...]:
        return self.pages[box.page - 1].cells if box.page - 1 < len(self.pages) else ()

    def loose_lines(self) -> Iterator[Box]:
        for p in self.pages:
            yield from p.loose


def _is_suffix(rest: str) -> bool:
    return rest == "" or rest[0] in "（(:：" or rest.startswith("万元")


@dataclass(frozen=True)
class Column:
    x0: float
    x1: float

    def holds(self, box: Box) -> bool:
        return self.x0 - 0.5 <= (box.x0 + box.x1) / 2 <= self.x1 + 0.5


@dataclass(frozen=True)
class TableRow:
    """One row of a table: its key cell (the row's name column) and, per column, the cell that
    overlaps it most in height."""

    key: Box
    cells: dict[str, Box | None]


def header_columns(
    page: PageLayout, names: Callable[[Sequence[Box]], dict[str, Box] | None]
) -> tuple[float, dict[str, Column]] | None:
    """The table's columns on ``page``: ``names`` picks the named header cells from one row's cells
    (or says it is no header row); returns the header's bottom and each name's column."""
    rows: dict[float, list[Box]] = {}
    for c in page.cells:
        rows.setdefault(round(c.top), []).append(c)
    for top in sorted(rows):
        picked = names(sorted(rows[top], key=lambda c: c.x0))
        if picked:
            bottom = max(c.bottom for c in picked.values())
            return bottom, {k: Column(c.x0, c.x1) for k, c in picked.items()}
    return None


def table_rows(
    page: PageLayout, start: float, key: str, columns: dict[str, Column], stop: Callable[[Box], bool]
) -> tuple[list[TableRow], bool]:
    """The rows under ``start`` on ``page``, keyed by the cells of column ``key``; ends at the first
    cell for which ``stop`` holds (returns True then)."""
    below = [c for c in page.cells if c.top >= start - 0.5]
    end = min((c.top for c in below if stop(c)), default=None)
    if end is not None:
        below = [c for c in below if c.top < end - 0.5]
    keys = sorted((c for c in below if columns[key].holds(c)), key=lambda c: c.top)
    rows = []
    for k in keys:
        picked: dict[str, Box | None] = {}
        for name, col in columns.items():
            cands = [c for c in below if col.holds(c) and _overlap(c.top, c.bottom, k.top, k.bottom) > 0.5]
            picked[name] = max(cands, key=lambda c: _overlap(c.top, c.bottom, k.top, k.bottom), default=None)
        rows.append(TableRow(k, picked))
    return rows, end is not None


def rows_under_header(
    pages: Sequence[PageLayout],
    pick: Callable[[Sequence[Box]], dict[str, Box] | None],
    stop: Callable[[Box], bool],
) -> list[TableRow] | None:
    """The rows of a table whose header row (the cells ``pick`` names, ``name`` among them) heads its
    first page and is repeated on the next ones (a page without it continues in the same columns),
    up to the cell ``stop`` recognises; None if no page has the header."""
    rows: list[TableRow] = []
    columns: dict[str, Column] | None = None
    for page in pages:
        found = header_columns(page, pick)
        if found is not None:
            start, columns = found
        elif columns is None:
            continue
        else:
            start = 0.0
        page_rows, ended = table_rows(page, start, "name", columns, stop)
        rows += page_rows
        if ended:
            break
    return rows if columns is not None else None
