"""Text as an xlsx file stores it: the ``_xHHHH_`` escapes of OOXML, and what a cell can hold.

XML cannot hold most control characters, so a spreadsheet file stores such a character as ``_x``,
four hexadecimal digits and ``_`` (a vertical tab pasted from Word is stored as ``_x000B_``), and
escapes the underscore of a typed text that would read as such an escape (a typed ``_x000B_`` is
stored as ``_x005F_x000B_``, ``_x005F_`` being the underscore). Every application reading the file
replaces each escape, left to right, by its character: :func:`decode`. :func:`encode` is the way
back for a writer that stores text verbatim (openpyxl does).

The builder writes with XlsxWriter, which escapes only the control characters and each complete
``_xHHHH_`` of the text: a few texts (``_x0041_x0042_``, ``_x0041`` right before a control character)
would read back changed. :func:`cell_text_problem` says which texts a cell cannot hold exactly.
"""

from __future__ import annotations

import re

#: Excel's limit of characters in one cell (counted in UTF-16 units, as Excel and XlsxWriter count).
CELL_TEXT_MAX = 32767

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
#: Characters XML 1.0 cannot hold, and the carriage return (an XML reader turns it into a line feed).
_NOT_XML = r"\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff"
#: What :func:`encode` escapes: an underscore that would start an escape, and every character above.
_ENCODE = re.compile(rf"_(?=x[0-9A-Fa-f]{{4}})|[{_NOT_XML}]")
#: What XlsxWriter escapes: each complete ``_xHHHH_`` of the text (left to right, not overlapping),
#: the control characters other than tab and line feed, and the two non-characters U+FFFE, U+FFFF.
_XLSXWRITER = re.compile(r"_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_ESCAPE_START = re.compile(r"(?=_x[0-9A-Fa-f]{4})")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ASTRAL = re.compile(r"[\U00010000-\U0010ffff]")


def decode(stored: str) -> str:
    """The text a cell shows for the text stored in the file (``a_x000B_b`` → ``a\\vb``).

    Escaped UTF-16 surrogate pairs (``_xD83D__xDE00_``) become the one character they encode; an
    unpaired surrogate, which is no text, becomes U+FFFD (the replacement character).
    """
    if "_x" not in stored:
        return stored
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), stored)
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def encode(text: str) -> str:
    """The text to store in the file so that every reader shows ``text`` (the inverse of :func:`decode`).

    For a writer that stores text as it is given (openpyxl): ``a\\vb`` → ``a_x000B_b``, a typed
    ``_x000B_`` → ``_x005F_x000B_``. The result holds only characters XML allows.
    """
    return _ENCODE.sub(_escaped, text)


def _escaped(m: re.Match[str]) -> str:
    return f"_x{ord(m.group()):04X}_" if m.group() != "_" else "_x005F_"


def utf16_length(text: str) -> int:
    """Characters as Excel counts them: a character outside the BMP (most emoji) counts as two."""
    return len(text) + len(_ASTRAL.findall(text))


def cell_text_problem(text: str) -> str | None:
    """Why a cell written by the builder cannot hold ``text`` exactly (one Chinese clause), or None.

    Checked in this order: longer than :data:`CELL_TEXT_MAX` (a 100 MB text is refused by its length
    alone); a NUL character (no application keeps it); an unpaired surrogate (not text at all); a
    text XlsxWriter takes for its own rich-text XML (``<r>…</r>``, it would be written unescaped);
    a typed ``_xHHHH`` that XlsxWriter's escaping leaves to read back as a different text.
    """
    if len(text) > CELL_TEXT_MAX or utf16_length(text) > CELL_TEXT_MAX:
        return f"文本超过 Excel 单元格的上限 {CELL_TEXT_MAX} 个字符；请删减后再导入"
    if "\x00" in text:
        return "含有空字符（U+0000），Excel 单元格不能保存；请删除该字符"
    lone = _SURROGATE.search(text)
    if lone:
        return f"含有不成对的代理码位 U+{ord(lone.group()):04X}，不是有效的文本；请检查 JSON 中的 \\u 转义"
    if text.startswith("<r>") and text.endswith("</r>"):
        return "文本以 <r> 开头、以 </r> 结尾，生成工作簿时会被当作格式代码，无法原样保存；请改写开头或结尾"
    if "_x" in text:
        back = decode(_XLSXWRITER.sub(_xlsxwriter_escaped, text))
        if back != text:
            return (
                f"文本中的“{_changed_escape(text, back)}”会被 Excel 当作字符转义（_x 加 4 位十六进制数字）"
                "读取，无法原样保存；请在 _ 与 x 之间加一个空格"
            )
    return None


def _xlsxwriter_escaped(m: re.Match[str]) -> str:
    found = m.group()
    return "_x005F" + found if len(found) > 1 else f"_x{ord(found):04X}_"


def _changed_escape(text: str, back: str) -> str:
    """The ``_xHHHH`` of ``text`` where ``back`` (what a reader shows) starts to differ."""
    at = next(
        (i for i, (a, b) in enumerate(zip(text, back, strict=False)) if a != b), min(len(text), len(back))
    )
    starts = [m.start() for m in _ESCAPE_START.finditer(text, 0, at + 6) if m.start() <= at]
    return text[starts[-1] : starts[-1] + 6] if starts else text[at : at + 6]
