"""Small text tools both readers use: printed numbers, whitespace-free matching, the ticked grade."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from perfscore.engine.decimals import parse_decimal

#: A blank cell of the published tables: departments print a backslash (or a dash) for "nothing to say".
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
#: The start of a numbered item (``1.``, ``2、``, ``（3）``): in extracted text a new paragraph.
ITEM_START = re.compile(r"^\s*(\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[）)])")
#: A ticked box of the 评价等级 line and the grade after it (``☑优``, ``☑ 良``, ``■中``, ``√差``).
_TICKED = re.compile(r"[☑✓✔√■☒]\s*([优良中差])")
#: A grade stated instead of ticked: ``评价等级：优``.
_STATED = re.compile(r"评价等级\s*[:：]\s*([优良中差])")
_SPACE = re.compile(r"\s+")


def printed_number(text: str) -> Decimal | None:
    """A number as a form prints it (``90.77``, ``１２.５``, ``1,234.5``); None if the text is not one."""
    s = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    return parse_decimal(s) if _NUMBER.match(s) else None


def compact(text: str) -> str:
    """``text`` without whitespace, NFKC-normalised: how names are compared across wrapped lines."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def ticked_grades(text: str) -> list[str]:
    """The grades whose box is ticked in a 评价等级 text (normally exactly one), or the grade it
    states (``评价等级：优``)."""
    return _TICKED.findall(text) or _STATED.findall(text)


@dataclass(frozen=True)
class Spot:
    """Where a character of the whitespace-free stream came from: line and column in the source."""

    line: int
    col: int


class Compact:
    """Lines of text as one whitespace-free stream, each character mapped back to its line and column,
    so that a name wrapped over several lines (``部门整体绩效目`` / ``标产出指标完成`` / ``情况``) is
    found as one string and what follows it can be read from the lines again."""

    def __init__(self, lines: Sequence[str]) -> None:
        chars: list[str] = []
        spots: list[Spot] = []
        for n, line in enumerate(lines):
            for c, ch in enumerate(line):
                if not ch.isspace():
                    chars.append(unicodedata.normalize("NFKC", ch))
                    spots.append(Spot(n, c))
        self.text = "".join(chars)
        self.spots = spots
        # NFKC may expand one character into several; keep positions aligned with the stream.
        if len(self.text) != len(spots):
            expanded: list[Spot] = []
            for ch, spot in zip(chars, spots, strict=True):
                expanded.extend([spot] * len(ch))
            self.spots = expanded

    def find(self, needle: str, start: int = 0, end: int | None = None) -> int:
        return self.text.find(compact(needle), start, len(self.text) if end is None else end)

    def spot(self, pos: int, lines: Sequence[str]) -> Spot:
        """The source position of stream position ``pos`` (the end of the source for ``len(text)``)."""
        if pos < len(self.spots):
            return self.spots[pos]
        return Spot(len(lines), 0)


def join_wrapped(lines: Sequence[str]) -> str:
    """Lines of extracted text as the paragraphs they were typed as: a line that starts a numbered
    item (``2.``, ``（3）``) starts a new paragraph, any other line continues the one before (wrapped
    by the printer). Blank lines and trailing spaces are what the extraction added and are dropped."""
    paragraphs: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if paragraphs and not ITEM_START.match(line):
            paragraphs[-1] += line if _joins_without_space(paragraphs[-1], line) else " " + line
        else:
            paragraphs.append(line)
    return "\n".join(paragraphs)


def _joins_without_space(before: str, after: str) -> bool:
    """A wrapped line rejoins its predecessor without a space, unless both sides are Latin words."""
    return not (before[-1].isascii() and before[-1].isalnum() and after[0].isascii() and after[0].isalnum())


def display_width(text: str) -> int:
    """Width in half-width units (a CJK character counts 2): how full an extracted line is."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
