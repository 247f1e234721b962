"""The project-expenditure indicator system as data: what a ``kind = "project"`` framework file describes.

The project form (项目支出绩效自评表, 财预〔2020〕10号 annex and its provincial variants) fixes only the
upper levels of its indicator tree: the 一级 indicators with their weights and the 二级 categories each
allows. The 三级 rows — name, target, actual, weight — are written by the department from the
project's approved performance targets. The framework says what it imposes on them: which 一级 must
have a row, where an unused 一级's weight moves (10号: an unset 满意度 moves to 效益), what the rows of
all 一级 together must weigh, and the funds table whose execution rate gives the fixed
budget-execution score.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from perfscore.engine.framework_model import Band

#: ``kind`` of a project framework file (a file without ``kind`` is a department-overall one).
PROJECT_KIND = "project"
#: Far above target: an actual beyond target × (1 + this) asks for the reason (10号: targets set too low).
DEFAULT_OVERSHOOT = Decimal("0.2")
#: Blank department rows per 二级 category in a new form (``perfscore new --rows N`` for more).
DEFAULT_ROWS = 5
MAX_ROWS = 200


@dataclass(frozen=True)
class TextField:
    """A text cell the clerk fills in (项目名称, 预期目标, 评价结论, …); a required one may not be empty."""

    key: str
    required: bool = True


@dataclass(frozen=True)
class Category:
    """A 二级 category (数量指标, 社会效益指标, …) whose 三级 rows the department writes."""

    id: str  # "1.1"
    name: str


@dataclass(frozen=True)
class Group:
    """A 一级 indicator: its weight (None when the framework fixes only the sum over all) and categories."""

    id: str  # "1"
    name: str
    weight: Decimal | None
    required: bool
    moves_to: str | None  # id of the 一级 that takes this weight when this one has no row
    categories: tuple[Category, ...]


@dataclass(frozen=True)
class Funds:
    """The funds table and the budget-execution score it gives (分值 × min(执行率, 100 %))."""

    name: str  # the score's name in results: 预算执行率
    weight: Decimal
    unit: str
    rows: tuple[str, ...]  # the first is the total of the others (when there are others)
    columns: tuple[str, ...]
    budget: str  # column of the 执行率 denominator (全年预算数 / 调整后预算数)
    actual: str  # column of the numerator (全年执行数 / 预算执行数)
    reason_below: Decimal | None  # 执行率 below which a reason is required (Sichuan: 0.9)
    reason_label: str


@dataclass(frozen=True)
class Columns:
    """The printed names of the indicator table's columns (they vary by province)."""

    target: str = "年度指标值"
    op: str = "指标性质"
    value: str = "指标值"
    unit: str = "度量单位"
    actual: str = "实际完成值"
    weight: str = "分值"
    score: str = "得分"
    reason: str = "偏差原因分析及改进措施"


@dataclass(frozen=True, eq=False)
class ProjectFramework:
    """A loaded, validated project framework. Compared by identity: each file is parsed once."""

    id: str
    version: str
    title: str
    region: str
    years: tuple[int, int]
    header: tuple[TextField, ...]
    goals: tuple[TextField, ...]  # 年度总体目标 (预期目标, 实际完成情况)
    footer: tuple[TextField, ...]  # after the table (Sichuan: 评价结论, 存在问题, …)
    funds: Funds
    indicator_weight: Decimal  # what the department's rows weigh together (100 − the funds' weight)
    groups: tuple[Group, ...]
    columns: Columns
    overshoot: Decimal
    bands: tuple[Band, ...]
    source: str = ""

    @property
    def total_weight(self) -> Decimal:
        return self.funds.weight + self.indicator_weight

    def categories(self) -> list[Category]:
        return [c for g in self.groups for c in g.categories]

    def group_of(self, category_id: str) -> Group:
        return next(g for g in self.groups if g.id == category_id.split(".")[0])

    def grade(self, total: Decimal) -> str:
        for band in self.bands:
            if total >= band.min:
                return band.grade
        return self.bands[-1].grade

    def grade_line(self, grade: str | None) -> str:
        """The printed ☑/□ line, e.g. ``☑优 90分≤得分≤100分；□良 80分≤得分＜90分；…``."""
        return "；".join(f"{'☑' if b.grade == grade else '□'}{b.grade} {b.label}" for b in self.bands)
