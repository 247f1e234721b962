"""The indicator system as data: what a framework file describes, once parsed and validated.

A framework names its indicators by dotted id (``2.5.2`` = 2nd 一级 › 5th 二级 › 2nd 三级), gives
their weights (分值), 指标解释 and optional reference rule, the header fields, budget fields and
identities, and the grade bands. :mod:`perfscore.engine.framework_file` reads and checks the TOML
file; :mod:`perfscore.engine.framework` finds and loads one by id or path (and re-exports these names).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

#: The framework ``perfscore new`` and the UDFs use when none is named (the seed's 2022 system).
DEFAULT_FRAMEWORK = "gz-dept-overall-2022"
RULE_KINDS = ("rate",)
HEADER_KINDS = ("text", "integer")
#: A dotted indicator id: ``2.5.2`` = 2nd 一级 › 5th 二级 › 2nd 三级 (each part from 1).
ID_PATTERN = re.compile(r"^[1-9]\d*(\.[1-9]\d*)*$")
#: A framework id: what a form records and ``$PERFSCORE_FRAMEWORKS`` finds as ``<id>.toml``.
FRAMEWORK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def usable_id(fid: str) -> bool:
    """Whether ``fid`` can be a framework id (a file name on every system, never a path)."""
    return bool(FRAMEWORK_ID.fullmatch(fid)) and ".." not in fid


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    weight: Decimal
    explanation: str = ""
    rule: str | None = None
    rule_input: str | None = None
    placeholder: bool = False
    children: tuple[Indicator, ...] = ()

    @property
    def level(self) -> int:
        return self.id.count(".") + 1

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def leaves(self) -> Iterator[Indicator]:
        if self.is_leaf:
            yield self
        for child in self.children:
            yield from child.leaves()


@dataclass(frozen=True)
class Band:
    grade: str
    min: Decimal
    label: str


@dataclass(frozen=True)
class HeaderField:
    key: str
    kind: str


@dataclass(frozen=True)
class Identity:
    left: tuple[str, ...]
    right: tuple[str, ...]
    label: str


@dataclass(frozen=True, eq=False)
class Framework:
    """A loaded, validated indicator system. Compared by identity: each file is parsed once."""

    id: str
    version: str
    title: str
    region: str
    years: tuple[int, int]
    sheet_level: int
    header: tuple[HeaderField, ...]
    budget_fields: tuple[str, ...]
    budget_unit: str
    identities: tuple[Identity, ...]
    bands: tuple[Band, ...]
    roots: tuple[Indicator, ...]
    by_id: dict[str, Indicator] = field(repr=False, default_factory=dict)
    source: str = ""

    @property
    def total_weight(self) -> Decimal:
        return sum((r.weight for r in self.roots), Decimal(0))

    def leaves(self) -> list[Indicator]:
        """The 末级 indicators in framework order (a fresh list; the framework keeps its own)."""
        return list(self._leaves)

    @cached_property
    def _leaves(self) -> tuple[Indicator, ...]:
        return tuple(leaf for root in self.roots for leaf in root.leaves())

    def sheet_groups(self) -> list[Indicator]:
        """The indicators that each become one worksheet (level ``sheet_level``)."""
        return [i for i in self.walk() if i.level == self.sheet_level]

    def walk(self) -> Iterator[Indicator]:
        def rec(node: Indicator) -> Iterator[Indicator]:
            yield node
            for c in node.children:
                yield from rec(c)

        for r in self.roots:
            yield from rec(r)

    def grade(self, total: Decimal) -> str:
        for band in self.bands:
            if total >= band.min:
                return band.grade
        return self.bands[-1].grade

    def grade_line(self, grade: str | None) -> str:
        """The printed ☑/□ line, e.g. ``☑优 90分≤得分≤100分；□良 80分≤得分＜90分；…``."""
        return "；".join(f"{'☑' if b.grade == grade else '□'}{b.grade} {b.label}" for b in self.bands)
