"""What a published 自评表 was read as, before it becomes a submission: each value with where it was
printed, the printed figures the cross-checks compare (总分, weights, the ticked grade), and the
findings the reading itself made (a row it could not read, a field it did not find).

Both readers of the department form — from cells (:mod:`perfscore.published.department`) and from
plain text (:mod:`perfscore.published.stream`) — fill a :class:`DepartmentReading`; the project form's
reader fills a :class:`~perfscore.published.project.ProjectReading`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from perfscore.engine.findings import Finding, finding
from perfscore.engine.framework import Framework
from perfscore.engine.submission import IndicatorInput, Submission, Value


@dataclass(frozen=True)
class Printed:
    """A figure as printed (a number, or the text printed where a number belongs) and where."""

    value: Value
    where: str


@dataclass
class RowReading:
    """One 三级 row as read: the values go into the submission; ``weight`` is the printed 分值."""

    id: str
    where: str
    score: Value = None
    reason: Value = None
    measure: Value = None
    weight: Value = None


@dataclass
class Common:
    """What both forms print: title facts, the grand total, the ticked grade, the reading's findings."""

    year: int | None = None
    department: str | None = None
    total: Printed | None = None  # the printed 总分 (the score), if found
    total_weight: Printed | None = None  # the 分值 printed beside 总分
    ticked: Printed | None = None  # the grade whose box is ticked (☑), if exactly one is
    findings: list[Finding] = field(default_factory=list)

    def note(self, code: str, where: str, variant: str = "", /, **fields: object) -> None:
        self.findings.append(finding(code, where, "", variant, **fields))


@dataclass
class DepartmentReading(Common):
    framework: Framework | None = None
    header: dict[str, Value] = field(default_factory=dict)
    budget: dict[str, Printed] = field(default_factory=dict)
    rows: dict[str, RowReading] = field(default_factory=dict)
    subtotals: dict[str, Printed] = field(default_factory=dict)  # 一级/二级 id -> a printed 小计

    def to_json(self) -> dict[str, Any]:
        assert self.framework is not None
        return self.submission().to_json(self.framework)

    def submission(self) -> Submission:
        """The submission of what was read (rows left unread are absent, never guessed)."""
        assert self.framework is not None
        fw = self.framework
        return Submission(
            framework=fw.id,
            year=Decimal(self.year) if self.year is not None else None,
            department=self.department,
            header={f.key: self.header[f.key] for f in fw.header if f.key in self.header},
            budget={k: self.budget[k].value for k in fw.budget_fields if k in self.budget},
            indicators={
                leaf.id: IndicatorInput(leaf.id, row.score, row.reason, row.measure)
                for leaf in fw.leaves()
                if (row := self.rows.get(leaf.id)) is not None
            },
        )
