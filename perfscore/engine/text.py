"""How wide a text is: the one CJK-aware measure the terminal table, the builder and the report use.

A character is *wide* when Unicode gives it East Asian Width W or F (汉字, full-width forms); a wide
character takes two terminal columns or Excel character units, and about 1 em on paper, where a
narrow one takes 0.55 em.
"""

from __future__ import annotations

import unicodedata

#: Width of a narrow character in em (a wide one is 1 em): digits and Latin letters of the CJK fonts.
NARROW_EM = 0.55


def wide_count(text: str) -> int:
    """How many characters of ``text`` are wide (East Asian Width W or F)."""
    return sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")


def display_width(text: str) -> int:
    """Columns in a terminal, or Excel character units: wide characters count two, others one."""
    return len(text) + wide_count(text)


def text_width(text: str, size: float) -> float:
    """Width in points at font ``size``: wide characters 1 em, others :data:`NARROW_EM`."""
    wide = wide_count(text)
    return size * (wide + NARROW_EM * (len(text) - wide))
