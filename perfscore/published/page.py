"""What a published PDF page holds, as the readers see it: glyphs, ruling lines, and the cells rebuilt
from them.

Coordinates are PDF points with the origin at the page's top-left corner: ``x`` grows to the right,
``top``/``bottom`` grow downwards (``top < bottom``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Glyph:
    """One printed character (a space is not a glyph; gaps between glyphs are measured instead).

    ``space_after`` is the width of the space the PDF draws right after this glyph (0 when none): the
    only trace of a space at the end of a wrapped line, where no gap can show it.
    """

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # font size in points
    space_after: float = 0.0


@dataclass(frozen=True)
class Rule:
    """A straight ruling line (a cell border): horizontal when ``top == bottom``, vertical when
    ``x0 == x1``."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return self.top == self.bottom


@dataclass(frozen=True)
class Page:
    """One page as extracted: 1-based ``number``, size in points, glyphs in content order, rules."""

    number: int
    width: float
    height: float
    glyphs: tuple[Glyph, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Box:
    """A rebuilt table cell (``text`` as typed: wrapped lines joined, typed line breaks as ``\\n``) or
    a line of text outside any cell (a title, a page footer)."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    text: str


@dataclass(frozen=True)
class PageLayout:
    """A page's cells (top to bottom, then left to right) and its text outside cells (top to bottom)."""

    number: int
    width: float
    height: float
    cells: tuple[Box, ...]
    loose: tuple[Box, ...]
