"""Annual targets (年度指标值) and actual values (实际完成值) of the project-expenditure form.

On the project form (项目支出绩效自评表, 财预〔2020〕10号 annex) each department writes its own 三级
indicators, each with a printed target such as ``≥50个``, ``≤90万元``, ``=100%`` or a qualitative text
such as ``效果明显``. This module reads those texts into an operator, a number and a unit (:class:`Target`,
:class:`Actual`) and compares units; :mod:`perfscore.engine.project.rules` scores an actual against its
target. It is pure: no spreadsheet, no I/O.

How a target text is read (:func:`parse_target`)
-------------------------------------------------

1. The text is NFKC-normalised, so full-width digits, ``＞＜＝``, ``％`` and full-width spaces become
   their ASCII forms (``≥５０个`` → ``≥50个``, ``＞＝90％`` → ``>=90%``). Characters whose compatibility
   form would bring in digits (``㎡`` → ``m2``, ``m³`` → ``m3``, ``½``, ``①``) are kept as printed, so a
   target in ``㎡`` stays a number of square metres. All whitespace is ignored (``≥ 50 个``), as are
   zero-width characters.
2. An optional operator comes first:

   ========  =================================================================
   ``≥``     ``≥ ≧ ⩾ >= =>``, 不低于 不少于 不小于 大于等于 至少
   ``>``     ``>``, 大于 高于 超过
   ``≤``     ``≤ ≦ ⩽ <= =<``, 不高于 不超过 不多于 不大于 小于等于 至多
   ``<``     ``<``, 小于 低于
   ``=``     ``= ==``, 等于
   ========  =================================================================

3. Then the number: ASCII digits with optional decimals (``12.5``). Thousands separators are allowed
   only in exact groups of three (``1,000``, ``12,500.5``); any other comma makes the text qualitative.
   A sign is not allowed: a negative target (``≥-5%``) is qualitative.
4. Then the unit: whatever text follows the number, at most 10 characters, without digits, operators,
   range marks (``- ~ ±``), commas or hedges (左右, 约). So ``3-5个``, ``90%-95%`` and
   ``≥50个且≤60个`` are qualitative. The unit is kept as printed after normalisation: ``%`` stays
   ``%`` and ``百分比`` stays ``百分比`` (:func:`same_unit` treats them as equal).
5. A trailing 以上 / 及以上 means ``≥`` and 以下 / 及以下 / 以内 mean ``≤`` when no operator was given
   (``90%以上`` → ≥ 90 %, ``10万元以内`` → ≤ 10 万元). With an operator of the same direction it is
   just dropped (``≥90%以上`` → ≥ 90 %); with a contradicting one (``≤90%以上``, ``=90%以上``) the text
   is qualitative.
6. A bare number with an optional unit (``100%``, ``50个``) is read as ``≥`` (正向): a department that
   prints a plain figure means "reach this", and most indicators are 正向. A 反向 indicator (a cost, a
   complaint count) must print ``≤`` or 以下 / 以内 to be scored as one.
7. Anything else is qualitative (op None, value None, unit ""): an empty cell, ``效果明显``,
   ``达成预期指标``, ``在项目计划完成时间内完成``, and texts with words before the number that are not
   an operator word (``完成率达到95%以上``).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from perfscore.engine.decimals import fmt, normalise_text, parse_decimal

#: The canonical operators, as :meth:`Target.printed` writes them.
OPS = ("≥", ">", "≤", "<", "=")
#: 正向 and 反向 operators (the completion rules in :mod:`perfscore.engine.project.rules` read them).
UP_OPS = ("≥", ">")
DOWN_OPS = ("≤", "<")
_DIRECTION = {"≥": "up", ">": "up", "≤": "down", "<": "down", "=": "equal"}

# Every way a target may spell an operator; matched longest first (">=" before ">", "大于等于" before "大于").
_OPERATOR_SPELLINGS: dict[str, str] = {
    "≥": "≥",
    "≧": "≥",
    "⩾": "≥",
    ">=": "≥",
    "=>": "≥",
    "不低于": "≥",
    "不少于": "≥",
    "不小于": "≥",
    "大于等于": "≥",
    "至少": "≥",
    ">": ">",
    "大于": ">",
    "高于": ">",
    "超过": ">",
    "≤": "≤",
    "≦": "≤",
    "⩽": "≤",
    "<=": "≤",
    "=<": "≤",
    "不高于": "≤",
    "不超过": "≤",
    "不多于": "≤",
    "不大于": "≤",
    "小于等于": "≤",
    "至多": "≤",
    "<": "<",
    "小于": "<",
    "低于": "<",
    "=": "=",
    "==": "=",
    "等于": "=",
}
_OPERATOR_ORDER = sorted(_OPERATOR_SPELLINGS, key=len, reverse=True)
_OPERATOR_WORDS = tuple(s for s in _OPERATOR_SPELLINGS if not s.isascii() and len(s) > 1)

# Trailing words that give (or repeat) the direction; the longer spelling is tried first.
_SUFFIXES = (("及以上", "≥"), ("以上", "≥"), ("及以下", "≤"), ("以下", "≤"), ("以内", "≤"))
_SUFFIX_WORDS = ("以上", "以下", "以内")
# Characters a unit may not contain: operators, range marks, signs, separators.
_NOT_IN_UNIT = frozenset("≥≧⩾>≤≦⩽<=-~±+,")
# Words that make a figure approximate: "50个左右" is not "≥50个".
_HEDGES = ("左右", "约")
MAX_UNIT_LENGTH = 10

_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_SIGNED_NUMBER = re.compile(r"[+-]?" + _NUMBER.pattern)
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

# The 指标性质 column of provinces that split the target into 性质 / 指标值 / 度量单位 cells.
_KIND_OPS = {"正向": "≥", "正向指标": "≥", "反向": "≤", "反向指标": "≤"}
_QUALITATIVE_KINDS = ("定性", "定性指标")

_PERCENT_UNITS = ("%", "百分比")


@dataclass(frozen=True)
class Target:
    """A printed annual target: quantitative (``op``, ``value``, ``unit``) or qualitative (op None)."""

    text: str  # as given (stripped)
    op: str | None  # one of OPS; None = qualitative
    value: Decimal | None
    unit: str  # "" when none

    def __post_init__(self) -> None:
        if self.op is not None and self.op not in OPS:
            raise ValueError(f"未知的指标符号“{self.op}”，应为 ≥、>、≤、< 或 =")
        if (self.op is None) != (self.value is None) or (self.op is None and self.unit):
            raise ValueError("定量指标须同时有符号和指标值，定性指标不能有指标值或度量单位")

    @property
    def quantitative(self) -> bool:
        return self.op is not None

    @property
    def direction(self) -> str | None:
        """``"up"`` for ≥ >, ``"down"`` for ≤ <, ``"equal"`` for =, None when qualitative."""
        return None if self.op is None else _DIRECTION[self.op]

    def printed(self) -> str:
        """The canonical text (``≥50个``, ``=100%``, ``≥1000人次``); a qualitative target's own text."""
        if self.op is None:
            return self.text
        return f"{self.op}{fmt(self.value)}{self.unit}"


@dataclass(frozen=True)
class Actual:
    """A printed actual value: ``value`` None when it is not a number (``达成预期指标``, empty)."""

    text: str  # as given (stripped)
    value: Decimal | None
    unit: str  # "" when none


class _Parsed(NamedTuple):
    op: str
    value: Decimal
    unit: str
    explicit: bool  # the text itself said the direction (an operator or 以上/以下/以内)


def _keeps_as_printed(ch: str) -> bool:
    """True for a character NFKC would turn into digits without being one (``㎡``, ``²``, ``½``)."""
    if unicodedata.decimal(ch, None) is not None:
        return False
    return any("0" <= c <= "9" for c in unicodedata.normalize("NFKC", ch))


def _normalise(text: str) -> str:
    """NFKC-normalise except digit-bearing compatibility characters; drop all whitespace."""
    parts = (
        "".join(run) if kept else normalise_text("".join(run))
        for kept, run in itertools.groupby(text.translate(_ZERO_WIDTH), key=_keeps_as_printed)
    )
    return "".join("".join(parts).split())


def _take_operator(text: str) -> tuple[str | None, str]:
    for spelling in _OPERATOR_ORDER:
        if text.startswith(spelling):
            return _OPERATOR_SPELLINGS[spelling], text[len(spelling) :]
    return None, text


def _valid_unit(unit: str) -> bool:
    if len(unit) > MAX_UNIT_LENGTH or unit.startswith("."):
        return False
    if any(ch in _NOT_IN_UNIT or unicodedata.decimal(ch, None) is not None for ch in unit):
        return False
    words = (*_OPERATOR_WORDS, *_SUFFIX_WORDS, *_HEDGES)
    return not any(word in unit for word in words)


def _to_decimal(number: str) -> Decimal:
    value = parse_decimal(number.replace(",", ""))
    if value is None:  # pragma: no cover - the regexes admit only valid literals
        raise AssertionError(number)
    return value


def _parse(compact: str) -> _Parsed | None:
    """Read a normalised, whitespace-free target; None when it is qualitative."""
    op, rest = _take_operator(compact)
    match = _NUMBER.match(rest)
    if match is None:
        return None
    unit = rest[match.end() :]
    suffix_op: str | None = None
    for word, word_op in _SUFFIXES:
        if unit.endswith(word):
            unit, suffix_op = unit[: -len(word)], word_op
            break
    if not _valid_unit(unit):
        return None
    explicit = op is not None or suffix_op is not None
    if op is None:
        op = suffix_op or "≥"  # a bare figure is 正向
    elif suffix_op is not None and _DIRECTION[op] != _DIRECTION[suffix_op]:
        return None
    return _Parsed(op, _to_decimal(match.group()), unit, explicit)


def _qualitative(text: str) -> Target:
    return Target(text, None, None, "")


def parse_target(text: str) -> Target:
    """Read a printed 年度指标值 (rules in the module docstring): ``≥５０个`` → (≥, 50, 个)."""
    given = text.strip()
    parsed = _parse(_normalise(given))
    if parsed is None:
        return _qualitative(given)
    return Target(given, parsed.op, parsed.value, parsed.unit)


def split_target(op: str | None, value: Decimal | str | None, unit: str | None) -> Target:
    """A target printed in separate 指标性质 / 指标值 / 度量单位 cells (some provinces' forms).

    ``op`` is an operator in any spelling parse_target accepts, 正向 / 正向指标 (≥), 反向 / 反向指标 (≤),
    定性 / 定性指标 (the value is then a qualitative text), or empty: the value cell then speaks for
    itself (``≥50``, ``50`` → ≥). An operator in the value cell wins over the column when both point the
    same way; when they contradict, the target is qualitative. The unit cell may be empty or repeat the
    unit the value cell prints (``50个`` beside ``个``); another unit makes the target qualitative. The
    target's text is the non-empty cells joined by a space (``≥ 50 个``).
    """
    kind = _normalise(op or "")
    value_text = fmt(value) if isinstance(value, Decimal) else (value or "").strip()
    unit_text = _normalise(unit or "")
    if kind in _QUALITATIVE_KINDS:
        return _qualitative(value_text)
    text = " ".join(part for part in ((op or "").strip(), value_text, (unit or "").strip()) if part)
    inner = _parse(_normalise(value_text))
    if inner is not None and unit_text:
        if not inner.unit and _valid_unit(unit_text):
            inner = inner._replace(unit=unit_text)
        elif not same_unit(inner.unit, unit_text):
            inner = None  # the value cell prints another unit (or the unit cell is not a unit)
    if inner is None:
        return _qualitative(text)
    if not kind:
        return Target(text, inner.op, inner.value, inner.unit)
    column_op = _KIND_OPS.get(kind) or _OPERATOR_SPELLINGS.get(kind)
    if column_op is None:
        return _qualitative(text)
    if not inner.explicit:
        return Target(text, column_op, inner.value, inner.unit)
    if _DIRECTION[inner.op] != _DIRECTION[column_op]:
        return _qualitative(text)
    return Target(text, inner.op, inner.value, inner.unit)


def parse_actual(raw: str | Decimal | None) -> Actual:
    """Read a 实际完成值: a number with an optional unit (``89.97万元``, ``100%``), else value None.

    A sign is accepted here (a negative actual is reported by
    :func:`~perfscore.engine.project.rules.completion_rate`, not lost);
    an operator (``≥50``) or a range is not a value.
    """
    if raw is None:
        return Actual("", None, "")
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            return Actual(str(raw), None, "")
        return Actual(fmt(raw), raw, "")
    if not isinstance(raw, str):
        raise TypeError(f"实际完成值应为文本或数字，不是 {type(raw).__name__}")
    given = raw.strip()
    compact = _normalise(given)
    match = _SIGNED_NUMBER.match(compact)
    if match is None:
        return Actual(given, None, "")
    unit = compact[match.end() :]
    if not _valid_unit(unit):
        return Actual(given, None, "")
    return Actual(given, _to_decimal(match.group()), unit)


def _unit_key(unit: str) -> str:
    key = "".join(unicodedata.normalize("NFKC", unit).split())
    return "%" if key in _PERCENT_UNITS else key


def same_unit(target_unit: str, actual_unit: str) -> bool:
    """Whether an actual's unit matches the target's: an actual without a unit takes the target's;
    ``%``, ``％`` and ``百分比`` are one unit; otherwise exact after NFKC and dropping spaces."""
    actual = _unit_key(actual_unit)
    return not actual or _unit_key(target_unit) == actual
