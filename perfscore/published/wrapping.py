"""How LibreOffice wraps a cell's text, and so which breaks between a cell's printed lines are its
wraps and which the clerk typed.

Within a printed line a space is drawn as such (or, in PDFs of other makers, left as a wide gap).
Between two printed lines the break is either LibreOffice's wrap or a line break the clerk typed. The
two are told apart by laying the lines out again as LibreOffice does (see :func:`wrap_points`): if
LibreOffice, given the first line and what follows it, would have broken the line exactly there, the
break is a wrap; if more would have fitted, the clerk typed it. A typed break after a line that happens
to be full looks exactly like a wrap and is read as one: nothing on the page tells them apart.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from perfscore.published.page import Glyph

#: A gap between glyphs wider than this fraction of the font size is a space.
SPACE_GAP = 0.15
#: LibreOffice's cell padding (points) on each side: the text width it wraps at is the cell's width
#: between the rules minus twice this (2 pt, measured to ±0.04 pt; see the tests).
PADDING = 1.015


# ------------------------------------------------------------------------------------ line breaks
#
# How LibreOffice 7 (the EditEngine Calc lays wrapped cells out with) breaks a line, as measured:
#
# * Each glyph is laid out at the font size set, its advance rounded to 0.1 pt; a line holds the
#   characters whose right edge stays below the cell's width less 2 pt of padding.
# * At the first character that does not fit: a space is kept on the line (the break follows it).
#   Otherwise the language of the character *before* it decides. Each character has a script by its
#   Unicode block: Asian (CJK ideographs and punctuation, kana, full-width forms), Latin (ASCII and
#   Latin-1, so digits too, Greek, Cyrillic) or weak (spaces, curly quotes, "—", "…", "≥", …: they go
#   with the run before them). After an Asian character the break goes right before the one that
#   does not fit, whatever it is: no Chinese forbidden-character rules, no hanging punctuation (a
#   line may start with "，" or "。" and end with "（"). After a Latin one it goes back to the last
#   line-break opportunity of Unicode line breaking (UAX #14 5.0, LibreOffice's rules: words,
#   numbers such as "1,234.5", "100%" or "（一）12.5", "，" or "）" glued to a following word); if the
#   line has none, the word is cut right before the character that does not fit.

#: Line-breaking classes (UAX #14) of the characters a 自评表 uses that general categories get wrong.
_LB = {
    **dict.fromkeys("!?！？", "EX"),
    **dict.fromkeys("\"'‘’“”«»‹›", "QU"),
    **dict.fromkeys("([{（［｛〈《「『【〔〖〘〚〝｢¡¿", "OP"),
    **dict.fromkeys(")]}）］｝〉》」』】〕〗〙〛〞〟｣、。，．｡､", "CL"),
    **dict.fromkeys(",.:;", "IS"),
    **dict.fromkeys("/\\", "SY"),
    **dict.fromkeys("$+£¥±＄￥￡№", "PR"),
    **dict.fromkeys("%¢‰′″℃％￠", "PO"),
    **dict.fromkeys("々〜・ー：；ゝゞヽヾ", "NS"),
    **dict.fromkeys("ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ", "NS"),
    **dict.fromkeys("-", "HY"),
    **dict.fromkeys("|‐–\u00ad", "BA"),
    **dict.fromkeys("—", "B2"),
    **dict.fromkeys("…‥", "IN"),
    **dict.fromkeys("\u00a0\u2007\u202f", "GL"),
    "\u2060": "WJ",
    "\ufeff": "WJ",
    "°": "AL",  # LibreOffice's rules treat the degree sign as a letter
}


def _lb_class(ch: str) -> str:
    found = _LB.get(ch)
    if found:
        return found
    if ch == " ":
        return "SP"
    cat = unicodedata.category(ch)
    if cat == "Nd":
        return "ID" if unicodedata.east_asian_width(ch) in ("W", "F") else "NU"
    if cat in ("Mn", "Mc", "Me"):
        return "CM"
    if cat == "Zs":
        return "SP"
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return "ID"
    if cat == "Ps":
        return "OP"
    if cat == "Pe":
        return "CL"
    if cat in ("Pi", "Pf"):
        return "QU"
    return "AL"


def _pair_breaks(before: str, after: str) -> bool:
    """Whether Unicode line breaking allows a break between two adjacent (non-space) characters."""
    x, y = _lb_class(before), _lb_class(after)
    if y in ("CL", "EX", "IS", "SY", "CM", "BA", "HY", "NS", "QU", "GL", "WJ") or x in (
        "OP",
        "QU",
        "GL",
        "WJ",
        "BB",
    ):
        return False
    pair = (x, y)
    return pair not in _NO_BREAK


_NO_BREAK = frozenset(
    {
        ("B2", "B2"),
        ("AL", "IN"), ("ID", "IN"), ("IN", "IN"), ("NU", "IN"),
        ("ID", "PO"), ("AL", "NU"), ("NU", "AL"),
        ("PR", "ID"), ("AL", "PR"), ("PR", "AL"), ("PO", "AL"),
        ("PR", "NU"), ("PO", "NU"), ("NU", "NU"), ("SY", "NU"), ("IS", "NU"),
        ("NU", "PR"), ("NU", "PO"), ("CL", "PR"), ("CL", "PO"),
        ("AL", "AL"), ("IS", "AL"),
        ("AL", "OP"), ("NU", "OP"), ("CL", "AL"), ("CL", "NU"),
    }
)  # fmt: skip


def _script(ch: str) -> str:
    """LibreOffice's script type of a character: "asian", "latin" or "weak" (by Unicode block)."""
    o = ord(ch)
    if ch in " \u00a0":
        return "weak"
    if o < 0x0300 or 0x0370 <= o < 0x0590 or 0x1E00 <= o < 0x2000:
        return "latin"
    if (
        0x2E80 <= o < 0xD7B0
        or 0xF900 <= o < 0xFB00
        or 0xFE30 <= o < 0xFE50
        or 0xFF00 <= o < 0xFFF0
        or o >= 0x20000
    ):
        return "asian"
    if 0x0590 <= o < 0x1E00:
        return "latin"  # other alphabets: not Asian, broken like Latin text
    return "weak"


class _Char(NamedTuple):
    """A printed character (a glyph, or a space) with the advance LibreOffice laid it out with."""

    text: str
    advance: float

    @property
    def space(self) -> bool:
        return self.text == " "


def laid_out_advance(width: float, size: float) -> float:
    """The advance LibreOffice laid a glyph out with, from its printed width and size.

    LibreOffice lays text out at the font size set (12 pt) and rounds each glyph's advance to 0.1 pt,
    but prints at that size rounded to 1/100 mm (11.99 pt) with the font's exact advances. So: the
    glyph's advance in font units (1/1000 em), at the size set, rounded to 0.1 pt.
    """
    if size <= 0:
        return width
    nominal = round(size * 2) / 2
    if abs(nominal - size) > 0.03:
        nominal = size
    em = round(width / size * 1000)
    return (em * round(nominal * 10) + 500) // 1000 / 10


def _gap(prev: Glyph, nxt: Glyph) -> float:
    """The width of the space between two glyphs of a line (0 when none)."""
    if prev.space_after:
        return prev.space_after
    gap = nxt.x0 - prev.x1
    return gap if gap > SPACE_GAP * max(prev.size, nxt.size) else 0.0


def _chars(line: Sequence[Glyph]) -> list[_Char]:
    """A printed line's characters, spaces included, with their laid-out advances."""
    out = []
    for i, g in enumerate(line):
        if i:
            space = _gap(line[i - 1], g)
            if space:
                out.append(_Char(" ", laid_out_advance(space, g.size)))
        out.append(_Char(g.text, laid_out_advance(g.x1 - g.x0, g.size)))
    return out


def join_line(line: Sequence[Glyph]) -> str:
    """One printed line's text: glyphs joined, a space where the PDF draws one or leaves a wide gap."""
    return "".join(c.text for c in _chars(line))


def cell_text(lines: Sequence[Sequence[Glyph]], width: float) -> str:
    """A cell's text as typed from its printed ``lines`` (top to bottom, each left to right): lines
    wrapped by LibreOffice are joined, other breaks are the clerk's line breaks (``\\n``). ``width``
    is the cell's width between its rules."""
    if not lines:
        return ""
    room = width - 2 * PADDING
    out = [join_line(lines[0])]
    for prev, line in pairwise(lines):
        last = prev[-1]
        before = _chars(prev)
        if last.space_after:  # LibreOffice draws the space it wraps at, at the end of the line
            before.append(_Char(" ", laid_out_advance(last.space_after, last.size)))
        if _wrapped(before, _chars(line), room):
            out.append(" " if last.space_after else "")
        else:
            out.append("\n")
        out.append(join_line(line))
    return "".join(out)


def _wrapped(before: Sequence[_Char], after: Sequence[_Char], room: float) -> bool:
    """Whether LibreOffice, laying out the characters ``before`` (a whole printed line) followed by
    ``after`` in a width ``room``, breaks the line right between them: if not, the break was typed."""
    text = [*before, *after]
    over = _overflow(text, 0, room)
    if over is None:
        return False
    # ``before`` was printed as one line, so it fitted, even if it measures a hair too wide
    return _break(text, max(over, len(before))) == len(before)


def wrap_points(chars: Sequence[tuple[str, float]], room: float) -> list[int]:
    """Where LibreOffice wraps a paragraph in a cell whose text may be ``room`` wide (the cell's width
    less :data:`PADDING` on each side): the index of the first character of each line but the first.
    ``chars`` are the paragraph's characters (spaces included) with the advance each is laid out with
    (see :func:`laid_out_advance`)."""
    text = [_Char(t, advance) for t, advance in chars]
    points: list[int] = []
    start = 0
    while (over := _overflow(text, start, room)) is not None:
        start += _break(text[start:], over - start)
        points.append(start)
    return points


def _overflow(text: Sequence[_Char], start: int, room: float) -> int | None:
    """The first character of a line starting at ``text[start]`` whose right edge reaches ``room``."""
    end = 0.0
    for k in range(start, len(text)):
        end += text[k].advance
        if end >= room - 1e-6:
            return k
    return None


def _break(text: Sequence[_Char], over: int) -> int:
    """Where LibreOffice breaks a line starting at ``text[0]`` whose character ``over`` does not fit:
    after it if it is a space; right before it if the character before it is of an Asian run; else
    at the last Unicode line-break opportunity before it, or right before it if the line has none."""
    if text[over].space:
        return over + 1
    if over and _portion_script(text, over - 1) == "asian":
        return over
    at = next((p for p in range(over, 0, -1) if _boundary(text, p)), 0)
    return at if at > 0 else max(over, 1)


def _portion_script(text: Sequence[_Char], k: int) -> str:
    """The script of the run holding ``text[k]``: a weak character belongs to the run before it."""
    for i in [*range(k, -1, -1), *range(k + 1, len(text))]:
        script = _script(text[i].text[0])
        if script != "weak":
            return script
    return "latin"


def _boundary(text: Sequence[_Char], p: int) -> bool:
    """Whether Unicode line breaking allows a break between ``text[p - 1]`` and ``text[p]``."""
    if text[p].space:
        return False
    q = p - 1
    while q >= 0 and text[q].space:
        q -= 1
    if q < 0:
        return True
    before, after = text[q].text[-1], text[p].text[0]
    x, y = _lb_class(before), _lb_class(after)
    if q < p - 1:  # spaces between: a break after them, except after an opening bracket
        return not (x == "OP" or (x == "CL" and y == "NS") or (x == y == "B2"))
    if before == "/":
        return False  # LibreOffice does not break after a slash (paths, "1/2")
    if x in ("PR", "PO") and y == "OP":  # "$(" or "%(" only before a number: "$(12)"
        return not (p + 1 < len(text) and _lb_class(text[p + 1].text[0]) == "NU")
    return _pair_breaks(before, after)
