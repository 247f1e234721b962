"""What the batch check knows of one input: plain frozen dataclasses, no behaviour.

The runner fills them (one :class:`FormRecord` per received file, usable or not); the summary
workbook (:mod:`perfscore.batch.summary`) reads them. Scores are exact decimals, as the engine keeps
them; text is Chinese, as it is shown to the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

#: The three states of an input, as the summary shows them.
PASSED, FAILED, UNUSABLE = "通过", "未通过", "无法读取"
STATUSES = (PASSED, FAILED, UNUSABLE)


@dataclass(frozen=True)
class IndicatorScore:
    """One 末级 (leaf) indicator of one form."""

    id: str
    name: str
    weight: Decimal
    score: Decimal | None  # None when missing or invalid
    l1_name: str
    l2_name: str  # "" when the framework has no 二级 level above the leaves


@dataclass(frozen=True)
class FindingRow:
    """One finding, as ``perfscore check --json`` gives it (severity ``error``/``warning``/``info``)."""

    severity: str
    code: str
    sheet: str
    cell: str
    message: str


@dataclass(frozen=True)
class FormRecord:
    """One input: a form, or a file that could not be used."""

    file: str  # as shown to the user (a zip member as "收件.zip/某局.xlsx")
    link: str | None  # a path to link to (None for a zip member)
    status: str  # PASSED | FAILED | UNUSABLE
    reason: str  # unusable: the one-line reason; otherwise the first error's message ("" if none)
    department: str  # "" when unusable
    year: int | None
    framework: str  # the framework id ("" when unusable)
    framework_title: str
    total: Decimal | None
    grade: str | None
    errors: int
    warnings: int
    infos: int
    flags: tuple[str, ...]  # integrity flags in Chinese, e.g. ("总分被改写", "缓存值过期")
    duplicate: str  # "" or e.g. "与 b.xlsx 内容完全相同"
    scores: tuple[IndicatorScore, ...]  # () when unusable
    findings: tuple[FindingRow, ...]
