"""Score, roll up and grade: typed score cells → exact sub-totals, total and grade.

A leaf counts only when its score is a usable number within 0..分值; a group whose leaves are not all
valid has no sub-total (None), so perfscore never shows a total that is silently wrong. Every shown
number is the exact sum of the leaves under it, rounded half-up to 2 decimals; the grade is decided
on that rounded total, as the form prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from perfscore.engine import layout as L
from perfscore.engine.decimals import round_half_up
from perfscore.engine.form import Form, Row
from perfscore.engine.framework import Framework, Indicator
from perfscore.engine.values import Kind, Reading, read_number


@dataclass(frozen=True)
class Leaf:
    """A 三级指标 as typed: its row (None if missing), score reading and reference suggestion."""

    indicator: Indicator
    row: Row | None
    reading: Reading
    rate: Reading
    suggestion: Decimal | None

    @property
    def score(self) -> Decimal | None:
        """The score if it can be counted (a number within 0..weight), else None.

        A number typed as text is not counted: the form's own formulas skip it too, and its total must
        never differ from perfscore's.
        """
        r = self.reading
        if r.kind is Kind.NUMBER and r.value is not None and 0 <= r.value <= self.indicator.weight:
            return r.value
        return None


class Node(NamedTuple):
    """An indicator with the exact sum of the leaves under it."""

    indicator: Indicator
    exact: Decimal | None  # exact sum of the leaves (None if any is missing or invalid)
    children: tuple[Node, ...] = ()

    @property
    def score(self) -> Decimal | None:
        return None if self.exact is None else round_half_up(self.exact)


def valid_rate(reading: Reading) -> Decimal | None:
    usable = reading.kind.value in ("number", "text-number", "percent")
    if usable and reading.value is not None and 0 <= reading.value <= 1:
        return reading.value
    return None


def reference_score(weight: Decimal, rate: Decimal) -> Decimal:
    """Rule ``rate``: weight × rate, rate capped at 100%, rounded to 2 decimals (10 × 93% → 9.3)."""
    return round_half_up(weight * min(rate, Decimal(1)))


DIRECTIONS = {"正向": "up", "反向": "down"}


def ratio_rate(actual: Decimal, target: Decimal, direction: str) -> Decimal:
    """Completion rate of a quantitative indicator, capped at 100%.

    正向 (target "≥ X"): actual / target; 反向 (target "≤ X", e.g. a cost): target / actual, full when
    nothing was spent. Raises ValueError for negative figures, a zero 正向 target or an unknown direction.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"方向应为“正向”或“反向”，不是“{direction}”")
    if actual < 0 or target < 0:
        raise ValueError("实际值和目标值不能为负数")
    if DIRECTIONS[direction] == "up":
        if target == 0:
            raise ValueError("正向指标的目标值不能为 0")
        return min(actual / target, Decimal(1))
    if actual == 0:
        return Decimal(1)
    return min(target / actual, Decimal(1))


def leaves(form: Form, fw: Framework) -> dict[str, Leaf]:
    """Pick each framework leaf's row (the first, if duplicated) and read its numbers."""
    first: dict[str, Row] = {}
    for found in form.rows:
        first.setdefault(found.id, found)
    out: dict[str, Leaf] = {}
    for ind in fw.leaves():
        row = first.get(ind.id)
        reading = read_number(row.value(L.C_SCORE)) if row else _EMPTY
        rate = read_number(row.value(L.C_RATE)) if row and ind.rule else _EMPTY
        rv = valid_rate(rate) if ind.rule else None
        suggestion = reference_score(ind.weight, rv) if ind.rule == "rate" and rv is not None else None
        out[ind.id] = Leaf(ind, row, reading, rate, suggestion)
    return out


_EMPTY = Reading(Kind.EMPTY)


def roll_up(fw: Framework, scored: dict[str, Leaf]) -> tuple[Node, ...]:
    def node(ind: Indicator) -> Node:
        if ind.is_leaf:
            return Node(ind, scored[ind.id].score)
        kids = tuple(node(k) for k in ind.children)
        exact = (
            None
            if any(k.exact is None for k in kids)
            else sum((k.exact for k in kids if k.exact is not None), Decimal(0))
        )
        return Node(ind, exact, kids)

    return tuple(node(r) for r in fw.roots)


def by_id(groups: tuple[Node, ...]) -> dict[str, Node]:
    """Every node of the rolled-up tree by its indicator id."""
    out: dict[str, Node] = {}

    def add(nodes: tuple[Node, ...]) -> None:
        for n in nodes:
            out[n.indicator.id] = n
            add(n.children)

    add(groups)
    return out


def total_of(groups: tuple[Node, ...]) -> Decimal | None:
    if any(g.exact is None for g in groups):
        return None
    return round_half_up(sum((g.exact for g in groups if g.exact is not None), Decimal(0)))
