"""The expression language of report templates: sandboxed, strict Jinja with filters of its own.

Only the template's cells are compiled (``SandboxedEnvironment``); values from the context are data
and are never rendered again. An unknown name is an error, never a blank: :class:`ReportUndefined`
raises :class:`UnknownName`, which carries the name and the names that were available where it was
looked up (:mod:`perfscore.report.messages` turns it, and every other error, into Chinese).

The context is typed (:mod:`perfscore.report.context`): numbers are :class:`~decimal.Decimal`, empty
is ``None``. A number inside a text prints as the published form prints it (``41.8``, ``90.77``,
``50``; the environment's ``finalize``), ``None`` prints as nothing; a cell that is exactly
``{{ expr }}`` keeps the value itself (a number becomes a numeric cell). In arithmetic a Decimal
mixed with a literal like ``0.5`` is computed exactly (the literal becomes a Decimal).

The filters added to Jinja's usual ones:

* ``fmt`` formats a number as the form prints it (``{{ total | fmt }}`` → ``90.77``), or with fixed
  places (``{{ x | fmt(2) }}`` → ``41.80``); text is kept as typed, ``None`` gives ``""``;
* ``number`` turns a number typed as text (``"12.5"``) into a numeric cell; numbers pass through
  (templates written before the context was typed use it everywhere);
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
from typing import Any, NoReturn

from jinja2 import StrictUndefined, Undefined, UndefinedError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

from perfscore.engine.decimals import fmt, parse_decimal, round_half_up

_EXPR = re.compile(r"^\s*\{\{-?(.*?)-?\}\}\s*$", re.S)

Program = Callable[[dict[str, Any]], Any]  # a compiled cell: context -> value
Loop = tuple[str, Callable[..., Any], Callable[..., Any] | None]  # (var, items, filter)

#: The filters perfscore adds (the others are Jinja's own), as the messages list them.
OWN_FILTERS = ("fmt", "number", "group", "paragraphs")


#: The ``owner`` of an :class:`UnknownName` looked up at the top level or in a dict.
NO_OWNER: Any = object()


class UnknownName(UndefinedError):
    """A name, attribute, key or item a template asked for that is not there.

    ``available`` holds the names that were there (the keys of the dict it was looked up in); it is
    None for a top-level name, whose available names are the context's (the renderer knows them).
    ``owner`` is the value looked into when that is not a dict (a text, a number, a list …).
    """

    def __init__(self, name: object, available: tuple[str, ...] | None, owner: object = NO_OWNER) -> None:
        super().__init__(f"unknown name {name!r}")
        self.name = name
        self.available = available
        self.owner = owner


class TemplateValueError(ValueError):
    """A filter was used wrongly; the message is Chinese and shown as it is."""


class ReportUndefined(StrictUndefined):
    """Jinja's strict undefined (any use is an error) raising :class:`UnknownName` instead of Jinja's
    English ``UndefinedError``; the sandbox's refusals (an unsafe attribute) are raised as they are."""

    __slots__ = ()

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> NoReturn:
        if self._undefined_hint is not None or self._undefined_exception is not UndefinedError:
            raise self._undefined_exception(self._undefined_message)
        obj = self._undefined_obj
        name = self._undefined_name
        if obj is missing:
            raise UnknownName(name, None)
        if isinstance(obj, dict):
            raise UnknownName(name, tuple(str(k) for k in obj))
        raise UnknownName(name, (), obj)

    # Undefined and StrictUndefined bind these to their own method: rebind them to this one
    __add__ = __radd__ = __sub__ = __rsub__ = _fail_with_undefined_error
    __mul__ = __rmul__ = __div__ = __rdiv__ = _fail_with_undefined_error
    __truediv__ = __rtruediv__ = _fail_with_undefined_error
    __floordiv__ = __rfloordiv__ = _fail_with_undefined_error
    __mod__ = __rmod__ = _fail_with_undefined_error
    __pos__ = __neg__ = _fail_with_undefined_error
    __call__ = __getitem__ = _fail_with_undefined_error
    __lt__ = __le__ = __gt__ = __ge__ = _fail_with_undefined_error
    __int__ = __float__ = __complex__ = _fail_with_undefined_error
    __pow__ = __rpow__ = _fail_with_undefined_error
    __iter__ = __str__ = __len__ = _fail_with_undefined_error
    __eq__ = __ne__ = __bool__ = __hash__ = _fail_with_undefined_error
    __contains__ = _fail_with_undefined_error


def fail_if_undefined(value: Any) -> None:
    """Raise the error of an undefined value (a filter given one must not pass it on silently)."""
    if isinstance(value, Undefined):
        str(value)


# ------------------------------------------------------------------------------------ values


def finalize(value: Any) -> Any:
    """How a value prints inside a text: a Decimal as the form prints it, None as nothing."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return fmt(value)
    return value


def printed(value: Any) -> str:
    """A value as text, as it prints inside a text cell."""
    fail_if_undefined(value)
    return str(finalize(value))


@dataclass(frozen=True)
class Grouped:
    """What the ``group(key)`` filter returns: the value, merged down over rows with the same key."""

    value: Any
    key: Any


def _number(value: Any) -> Any:
    """Filter: a number passes; ``"12.5"`` → Decimal 12.5 (a numeric cell); empty → None; other text unchanged."""
    fail_if_undefined(value)
    if isinstance(value, Grouped):
        return Grouped(_number(value.value), value.key)
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    if not text.strip():
        return None
    number = parse_decimal(text)
    return text if number is None else number


def _fmt(value: Any, places: Any = None) -> Any:
    """Filter: a number as text, as the form prints it (``41.8``) or with ``places`` fixed decimals
    (``41.80``, rounded half up); text is kept as typed; None → ``""``."""
    fail_if_undefined(value)
    fail_if_undefined(places)
    if isinstance(value, Grouped):
        return Grouped(_fmt(value.value, places), value.key)
    if places is not None and (
        isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 20
    ):
        raise TemplateValueError(
            f"fmt 的小数位数应为 0 到 20 的整数，例如 fmt(2)；这里是 “{printed(places)}”"
        )
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
        return str(value)
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    if places is None:
        return fmt(number)
    if not number.is_finite():
        return str(number)
    return format(round_half_up(number, Decimal(1).scaleb(-places)), "f")


def _group(value: Any, key: Any = None) -> Grouped:
    """Filter: merge this cell down over the following repetitions with the same ``key``."""
    fail_if_undefined(value)
    fail_if_undefined(key)
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
    text = printed(value)
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


# ------------------------------------------------------------------------------------ environment


class _Environment(SandboxedEnvironment):
    """The sandbox, with arithmetic that keeps Decimals exact when a float literal joins in."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if isinstance(left, Decimal) and isinstance(right, float):
            right = Decimal(repr(right))
        elif isinstance(right, Decimal) and isinstance(left, float):
            left = Decimal(repr(left))
        return super().call_binop(context, operator, left, right)


def _environment() -> SandboxedEnvironment:
    env = _Environment(
        undefined=ReportUndefined, autoescape=False, keep_trailing_newline=True, finalize=finalize
    )
    env.filters["fmt"] = _fmt
    env.filters["number"] = _number
    env.filters["group"] = _group
    env.filters["paragraphs"] = _paragraphs
    return env


ENV = _environment()


def compile_cell(text: str) -> Program:
    """A cell that is exactly ``{{ expr }}`` gives the expression's value; any other text is rendered."""
    m = _EXPR.match(text)
    if m and "{{" not in m.group(1) and "}}" not in m.group(1) and "{%" not in text:
        expr = ENV.compile_expression(m.group(1), undefined_to_none=False)
        return lambda ctx: expr(**ctx)
    tpl = ENV.from_string(text)
    return lambda ctx: tpl.render(ctx)


def compile_loop(var: str, items: str, cond: str | None) -> Loop:
    """``{% for var in items if cond %}`` as (var, items expression, filter expression or None)."""
    it = ENV.compile_expression(items, undefined_to_none=False)
    test = ENV.compile_expression(cond, undefined_to_none=False) if cond else None
    return (var, it, test)
