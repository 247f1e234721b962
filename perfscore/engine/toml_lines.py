"""Line numbers of the places in a TOML document, which :mod:`tomllib` does not give.

:class:`TomlLines` scans the text once (only when a problem has to be located: a valid framework file
is never scanned) and records the line where each table, array element and key begins, by its path
in the parsed document: ``("indicators", 7)`` is the 8th ``[[indicators]]`` header, ``("indicators",
7, "weight")`` the first ``weight =`` line after it, ``("budget", "fields")`` the ``fields =`` line of
``[budget]`` (or a top-level ``budget.fields =``), ``("years",)`` the top-level ``years =`` line. An
element of an inline array or a key of an inline table is recorded too, at the line where it begins.
:meth:`TomlLines.line` falls back to the nearest enclosing place it knows, or None.

The text must be one :mod:`tomllib` has accepted; the scan is best effort and never raises (on
anything it does not follow it keeps what it found so far).
"""

from __future__ import annotations

import contextlib
import re
import sys
from bisect import bisect_right

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: A path in a parsed TOML document: table keys and array indices.
DocPath = tuple[str | int, ...]

_BLANK = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")
_SPACE = re.compile(r"[ \t]*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\n]*'")
_ML_BASIC = re.compile(r'"""(?:[^"\\]|\\.|"{1,2}(?!"))*""""{0,2}', re.DOTALL)
_ML_LITERAL = re.compile(r"'''(?:[^']|'{1,2}(?!'))*''''{0,2}")
_SCALAR = re.compile(r"[^,\]}\n#]+")


class _Lost(Exception):
    """The scan met something it does not follow."""


class TomlLines:
    """Where each table, array element and key of a TOML text begins (1-based line numbers)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self._lines: dict[DocPath, int] = {}
        with contextlib.suppress(_Lost, IndexError, ValueError, RecursionError):
            self._scan()  # (on anything it does not follow, what was found before is kept)

    def line(self, path: DocPath) -> int | None:
        """The line of ``path``, else of the nearest enclosing place recorded; None if none is."""
        for end in range(len(path), 0, -1):
            found = self._lines.get(path[:end])
            if found is not None:
                return found
        return None

    # ------------------------------------------------------------------------------------ the scan

    def _record(self, path: DocPath, at: int) -> None:
        line = bisect_right(self._starts, at)
        for end in range(1, len(path) + 1):
            self._lines.setdefault(path[:end], line)

    def _scan(self) -> None:
        text = self._text
        table: DocPath = ()
        arrays: dict[DocPath, int] = {}  # an array of tables -> how many elements it has so far
        i = _skip(_BLANK, text, 0)
        while i < len(text):
            start = i
            if text[i] == "[":
                is_array = text.startswith("[[", i)
                parts, i = self._key(i + (2 if is_array else 1))
                if not text.startswith("]]" if is_array else "]", i):
                    raise _Lost
                i += 2 if is_array else 1
                parent = self._resolve(parts[:-1], arrays)
                if is_array:
                    name = (*parent, parts[-1])
                    arrays[name] = arrays.get(name, 0) + 1
                    table = (*name, arrays[name] - 1)
                else:
                    table = self._resolve(parts, arrays)
                self._record(table, start)
            else:
                parts, i = self._key(i)
                self._record((*table, *parts), start)
                i = self._value(self._equals(i), (*table, *parts))
            i = _skip(_BLANK, text, i)

    @staticmethod
    def _resolve(parts: DocPath, arrays: dict[DocPath, int]) -> DocPath:
        """A table header's dotted name as a path: an array of tables stands for its last element."""
        out: DocPath = ()
        for part in parts:
            out = (*out, part)
            if out in arrays:
                out = (*out, arrays[out] - 1)
        return out

    def _equals(self, i: int) -> int:
        i = _skip(_SPACE, self._text, i)
        if not self._text.startswith("=", i):
            raise _Lost
        return _skip(_SPACE, self._text, i + 1)

    def _key(self, i: int) -> tuple[DocPath, int]:
        """A (dotted, possibly quoted) key at ``i``: its parts and where it ends."""
        text = self._text
        parts: list[str] = []
        while True:
            i = _skip(_SPACE, text, i)
            match = (_BASIC if text[i] == '"' else _LITERAL if text[i] == "'" else _BARE_KEY).match(text, i)
            if match is None:
                raise _Lost
            raw = match.group()
            parts.append(_unquote(raw) if raw[0] == '"' else raw.strip("'"))
            i = _skip(_SPACE, text, match.end())
            if not text.startswith(".", i):
                return tuple(parts), i
            i += 1

    def _value(self, i: int, path: DocPath) -> int:
        """Skip the value at ``i`` (recording the elements and keys inside it); where it ends."""
        text = self._text
        char = text[i]
        if char in "\"'":
            triple = text.startswith(char * 3, i)
            pattern = (
                (_ML_BASIC if triple else _BASIC) if char == '"' else (_ML_LITERAL if triple else _LITERAL)
            )
            match = pattern.match(text, i)
        elif char in "[{":
            return self._container(i, path)
        else:
            match = _SCALAR.match(text, i)
        if match is None:
            raise _Lost
        return match.end()

    def _container(self, i: int, path: DocPath) -> int:
        """Skip an inline array or table at ``i``, recording where each element or key begins."""
        text = self._text
        close = "]" if text[i] == "[" else "}"
        index = 0
        i += 1
        while True:
            i = _skip(_BLANK, text, i)
            if text[i] == close:
                return i + 1
            if close == "]":
                here: DocPath = (*path, index)
                self._record(here, i)
                index += 1
            else:
                parts, end = self._key(i)
                here = (*path, *parts)
                self._record(here, i)
                i = self._equals(end)
            i = _skip(_BLANK, text, self._value(i, here))
            if text[i] == ",":
                i += 1
            elif text[i] != close:
                raise _Lost


def _skip(pattern: re.Pattern[str], text: str, i: int) -> int:
    """Where a run of ``pattern`` (spaces, blank lines, comments) that starts at ``i`` ends."""
    match = pattern.match(text, i)
    return match.end() if match else i


def _unquote(raw: str) -> str:
    """A basic-string key's text (its escapes decoded)."""
    try:
        value = tomllib.loads(f"k = {raw}")["k"]
    except tomllib.TOMLDecodeError:
        return raw[1:-1]
    return value if isinstance(value, str) else raw[1:-1]
