"""The small aggregates the summary keeps while forms stream in: per framework and indicator a sum, a
count and how often it fell short, and the counts of the 统计 sheet (see :mod:`perfscore.batch.summary`
for how averages and rates are defined).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from perfscore.batch.records import FAILED, PASSED, UNUSABLE, FormRecord

GRADES = ("优", "良", "中", "差")
#: Totals in bands for the histogram: (label, lowest total in the band).
BANDS = (("0–59", Decimal(0)), ("60–69", Decimal(60)), ("70–79", Decimal(70)), ("80–89", Decimal(80)), ("90–100", Decimal(90)))  # fmt: skip
TOP = 10  # indicators in 最常未得满分的指标


def rate(score: Decimal, weight: Decimal) -> Decimal | None:
    return score / weight if weight else None


@dataclass
class LeafStats:
    """One 末级 indicator of one framework, over the forms so far."""

    id: str
    name: str
    weight: Decimal
    l1: str
    l2: str
    total: Decimal = Decimal(0)  # sum of the valid scores
    valid: int = 0
    short: int = 0  # valid scores below full marks

    @property
    def average(self) -> Decimal | None:
        return self.total / self.valid if self.valid else None

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}".strip()


@dataclass
class FrameworkStats:
    """The forms of one framework id: how many, when first seen, and their indicators."""

    id: str
    title: str
    first: int
    forms: int = 0
    leaves: dict[str, LeafStats] = field(default_factory=dict)
    file_width: int = 6
    department_width: int = 6

    @property
    def heading(self) -> str:
        name = f"{self.id}（{self.title}）" if self.title else self.id or "（未注明指标体系）"
        return f"指标体系 {name}：{self.forms} 份"

    def groups(self) -> list[tuple[str, str, list[LeafStats]]]:
        """(一级, 二级 or "", the leaves under it with at least one valid score), 一级 before its 二级."""
        tree: dict[str, dict[str, list[LeafStats]]] = {}
        for leaf in self.leaves.values():
            under = tree.setdefault(leaf.l1, {"": []})
            if leaf.l2:
                under.setdefault(leaf.l2, [])
            if leaf.valid:
                under[""].append(leaf)
                if leaf.l2:
                    under[leaf.l2].append(leaf)
        return [(l1, l2, leaves) for l1, under in tree.items() for l2, leaves in under.items()]

    def rate_rows(self) -> list[tuple[str, Decimal | None]]:
        """(label, average rate) per 二级 indicator, or per 末级 when the framework has no 二级."""
        groups = [(l1, l2, leaves) for l1, l2, leaves in self.groups() if l2]
        if not groups:
            return [(leaf.label, group_rate([leaf])) for leaf in self.leaves.values()]
        names = [l2 for _, l2, _ in groups]
        return [
            (l2 if names.count(l2) == 1 else f"{l1}／{l2}", group_rate(leaves)) for l1, l2, leaves in groups
        ]

    def shortfalls(self) -> list[LeafStats]:
        """The indicators most often below full marks (at most :data:`TOP`, most often first)."""
        order = {leaf.id: n for n, leaf in enumerate(self.leaves.values())}
        short = [leaf for leaf in self.leaves.values() if leaf.short]
        return sorted(short, key=lambda leaf: (-leaf.short, order[leaf.id]))[:TOP]


def group_rate(leaves: list[LeafStats]) -> Decimal | None:
    average, weight = group_average(leaves)
    return None if average is None or not weight else average / weight


def group_average(leaves: list[LeafStats]) -> tuple[Decimal | None, Decimal]:
    """(sum of the leaves' averages, sum of their 分值) over the leaves with a valid score."""
    scored = [leaf for leaf in leaves if leaf.valid]
    if not scored:
        return None, sum((leaf.weight for leaf in leaves), Decimal(0))
    return sum((leaf.total / leaf.valid for leaf in scored), Decimal(0)), sum(
        (leaf.weight for leaf in scored), Decimal(0)
    )


@dataclass
class Tally:
    """The counts of 统计."""

    forms: int = 0
    status: Counter[str] = field(default_factory=Counter)
    grades: Counter[str] = field(default_factory=Counter)
    bands: list[int] = field(default_factory=lambda: [0] * len(BANDS))
    no_total: int = 0
    flagged: int = 0
    duplicates: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0

    def add(self, record: FormRecord) -> None:
        self.forms += 1
        self.status[record.status] += 1
        if record.grade:
            self.grades[record.grade] += 1
        if record.total is not None:
            band = max(n for n, (_, low) in enumerate(BANDS) if record.total >= low or n == 0)
            self.bands[band] += 1
        elif record.status != UNUSABLE:
            self.no_total += 1
        self.flagged += bool(record.flags)
        self.duplicates += bool(record.duplicate)
        self.errors += record.errors
        self.warnings += record.warnings
        self.infos += record.infos

    def rows(self) -> list[tuple[str, int]]:
        return [
            ("收到的文件", self.forms),
            ("通过", self.status[PASSED]),
            ("未通过", self.status[FAILED]),
            ("无法读取", self.status[UNUSABLE]),
            ("无总分（有得分无效或缺失）", self.no_total),
            ("有完整性问题", self.flagged),
            ("与其他文件重复", self.duplicates),
            ("错误（条）", self.errors),
            ("警告（条）", self.warnings),
            ("提示（条）", self.infos),
        ]
