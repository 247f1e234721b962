"""Untrusted text made safe to echo: one line, no terminal or bidi controls, a bounded length.

A workbook, a JSON file or a command line can hold any character. Echoed raw, a line break in a sheet
name would forge a second ``perfscore:`` line, an escape sequence (ESC ``[`` …) would drive the
terminal, a bidi override (U+202E) would show the rest of a line reversed, and a 10,000-character
name would fill the screen. So every value perfscore echoes from its input goes through here:

* :func:`escape` shows each unsafe character visibly — ``\\n``, ``\\r``, ``\\t``, ``\\x1b`` for the
  other C0 controls, DEL and the C1 controls, ``\\u202e`` for the bidi controls (U+061C, U+200E/F,
  U+202A–202E, U+2066–2069), the line and paragraph separators (U+2028/9) and lone surrogates (a
  file name that is not valid UTF-8); everything else, Chinese included, is kept as it is. A
  backslash is not doubled (paths on Windows are full of them): the escapes are for reading, not
  for decoding back.
* :func:`quote` escapes and also shortens: a value longer than :data:`LIMIT` characters (counted
  after escaping) keeps its first :data:`LIMIT` and ends with :data:`ELLIPSIS`.
* :func:`json_safe` makes JSON text safe to print without changing the values it encodes.

Both are idempotent: text already escaped or shortened passes through unchanged.
"""

from __future__ import annotations

import re

#: Characters a quoted value keeps (after escaping); a longer value is cut and ends with ELLIPSIS.
#: Above the engine's own clips (a formula is quoted to 60 characters, an edited text to 40), so a
#: message quoting those keeps its closing quote.
LIMIT = 80
ELLIPSIS = "…"

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
#: The unsafe characters json.dumps(ensure_ascii=False) leaves raw (it escapes those below U+0020).
_UNSAFE_IN_JSON = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown(char: str) -> str:
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0x9F else f"\\u{code:04x}"


def _escaped(match: re.Match[str]) -> str:
    return _shown(match.group())


def escape(text: str) -> str:
    """``text`` on one line with every control, bidi and separator character shown as an escape."""
    return _UNSAFE.sub(_escaped, text)


def quote(value: object, limit: int = LIMIT) -> str:
    """``value`` as text, escaped (see :func:`escape`) and cut to ``limit`` characters plus ``…``."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit and not _UNSAFE.search(text):
        return text
    out: list[str] = []
    size = 0
    for char in text:
        piece = _shown(char) if _UNSAFE.match(char) else char
        if size + len(piece) > limit:
            return "".join(out) + ELLIPSIS
        out.append(piece)
        size += len(piece)
    return "".join(out)


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the unsafe characters it leaves
    raw written as ``\\uXXXX`` escapes: the same JSON values, safe to print."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
