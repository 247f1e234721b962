"""How wide a text is: the one CJK-aware measure the terminal table, the builder and the report use.

A character is *wide* when Unicode gives it East Asian Width W or F (汉字, full-width forms); a wide
character takes two terminal columns or Excel character units, and about 1 em on paper, where a
narrow one takes 0.55 em.
"""

from __future__ import annotations

import math
import unicodedata

#: Width of a narrow character in em (a wide one is 1 em): digits and Latin letters of the CJK fonts.
NARROW_EM = 0.55


def wide_count(text: str) -> int:
    """How many characters of ``text`` are wide (East Asian Width W or F)."""
    return sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")


def display_width(text: str) -> int:
    """Columns in a terminal, or Excel character units: wide characters count two, others one."""
    return len(text) + wide_count(text)


#: The form's row heights (宋体 11): one line of text, the least height of a row, Excel's most.
LINE_PT = 14.5
ROW_PT = LINE_PT + 6
MAX_ROW_PT = 409.0


def lines_needed(text: str, width: float) -> int:
    """Lines a wrapped cell ``width`` character units wide needs for ``text`` (the form's font)."""
    usable = max(1.0, width - 1.5)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))


def height_for(lines: int, *, minimum: float = ROW_PT) -> float:
    """Points a row needs for ``lines`` lines of the form's text (at least ``minimum``), in whole
    pixels (0.75 pt at 96 dpi) as Excel stores row heights."""
    return whole_pixels(min(MAX_ROW_PT, max(minimum, lines * LINE_PT + 8)))


def whole_pixels(points: float) -> float:
    """``points`` rounded to whole pixels at 96 dpi, as Excel (and XlsxWriter) store a row height."""
    return int(points * 4 / 3 + 0.5) * 0.75


def text_width(text: str, size: float) -> float:
    """Width in points at font ``size``: wide characters 1 em, others :data:`NARROW_EM`."""
    wide = wide_count(text)
    return size * (wide + NARROW_EM * (len(text) - wide))
