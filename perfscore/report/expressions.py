"""The expression language of report templates: sandboxed, strict Jinja with two filters of its own.

Only the template's cells are compiled (``SandboxedEnvironment`` + ``StrictUndefined``: an unknown name
is an error, never a blank); values from the context are data and are never rendered again. The
filters added to Jinja's usual ones:

* ``number`` turns a formatted number (``"12.5"``) back into a numeric cell;
* ``group(key)`` marks a cell to be merged with the cells below it (in consecutive repetitions of a
  row block) that have the same key — the 一级/二级 cells of the published table (:class:`Grouped`);
* ``paragraphs`` prints a long text one paragraph per row, so it can continue on the next page
  (:class:`Paragraphs`); the row's other cells run down beside them and are repeated after a break.

Compile errors are :class:`jinja2.TemplateError`; :mod:`perfscore.report.template` names the cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, Undefined
from jinja2.sandbox import SandboxedEnvironment

from perfscore.engine.decimals import parse_decimal

_EXPR = re.compile(r"^\s*\{\{-?(.*?)-?\}\}\s*$", re.S)

Program = Callable[[dict[str, Any]], Any]  # a compiled cell: context -> value
Loop = tuple[str, Callable[..., Any], Callable[..., Any] | None]  # (var, items, filter)


@dataclass(frozen=True)
class Grouped:
    """What the ``group(key)`` filter returns: the value, merged down over rows with the same key."""

    value: Any
    key: Any


def _number(value: Any) -> Any:
    """Filter: ``"12.5"`` → Decimal 12.5 (a numeric cell); empty → None; other text unchanged."""
    if isinstance(value, Undefined):
        str(value)  # raises UndefinedError
    if isinstance(value, Grouped):
        return Grouped(_number(value.value), value.key)
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    if not text.strip():
        return None
    number = parse_decimal(text)
    return text if number is None else number


def _group(value: Any, key: Any = None) -> Grouped:
    """Filter: merge this cell down over the following repetitions with the same ``key``."""
    if isinstance(value, Undefined) or isinstance(key, Undefined):
        str(value if isinstance(value, Undefined) else key)
    return Grouped(value, value if key is None else key)


#: A paragraph longer than this many characters is cut after a sentence (。！？；) into several rows.
MAX_PARAGRAPH = 300
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


@dataclass(frozen=True)
class Paragraphs:
    """What the ``paragraphs`` filter returns: the text's non-blank lines, each printed in a row."""

    items: tuple[str, ...]


def _paragraphs(value: Any) -> Paragraphs:
    """Filter: split a text at its line breaks (and long paragraphs after a sentence) into rows."""
    if isinstance(value, Undefined):
        str(value)  # raises UndefinedError
    text = "" if value is None else str(value)
    items: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            items.extend(_pieces(line))
    return Paragraphs(tuple(items))


def _pieces(line: str) -> list[str]:
    """``line`` cut after sentences into pieces of at most :data:`MAX_PARAGRAPH` characters where it can."""
    if len(line) <= MAX_PARAGRAPH:
        return [line]
    pieces = [""]
    for sentence in filter(None, _SENTENCE_END.split(line)):
        if pieces[-1] and len(pieces[-1]) + len(sentence) > MAX_PARAGRAPH:
            pieces.append("")
        pieces[-1] += sentence
    return pieces


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.filters["number"] = _number
    env.filters["group"] = _group
    env.filters["paragraphs"] = _paragraphs
    return env


_ENV = _environment()


def compile_cell(text: str) -> Program:
    """A cell that is exactly ``{{ expr }}`` gives the expression's value; any other text is rendered."""
    m = _EXPR.match(text)
    if m and "{{" not in m.group(1) and "}}" not in m.group(1) and "{%" not in text:
        expr = _ENV.compile_expression(m.group(1), undefined_to_none=False)
        return lambda ctx: expr(**ctx)
    tpl = _ENV.from_string(text)
    return lambda ctx: tpl.render(ctx)


def compile_loop(var: str, items: str, cond: str | None) -> Loop:
    """``{% for var in items if cond %}`` as (var, items expression, filter expression or None)."""
    it = _ENV.compile_expression(items, undefined_to_none=False)
    test = _ENV.compile_expression(cond, undefined_to_none=False) if cond else None
    return (var, it, test)
