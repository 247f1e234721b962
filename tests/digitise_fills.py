"""Random filled forms of both kinds for the digitise round trip: texts with typed line breaks, long
reasons that push rows onto the next pages, scores such as 0.97 and 12.5.

A typed line break comes after fewer characters than a line holds (:data:`SEGMENT`): one right after a
full line prints exactly as a wrap, and no reader can tell them apart.

Texts hold only what a printed page can show: no blank lines, no spaces at a line's ends, no double
spaces (a PDF cannot tell those from their absence), and no paragraph of a header text longer than
the report's :data:`~perfscore.report.expressions.MAX_PARAGRAPH` (the report prints a longer one in
several rows, which come back as several lines).
"""

from __future__ import annotations

import random
from decimal import Decimal

from perfscore.engine.framework import Framework
from perfscore.engine.project.model import ProjectFramework
from perfscore.engine.project.submission import ProjectSubmission, RowInput
from perfscore.engine.submission import IndicatorInput, Submission
from perfscore.report.expressions import MAX_PARAGRAPH

PHRASES = (
    "提前筹划准备", "做好应急预案", "加强项目进度管理", "加快资金支付", "确保支出进度达到序时进度要求",
    "合同线上盖章", "供应商因不会操作", "查找不到盖章界面", "导致延期盖章", "督促供应商线上签章",
    "年度平均执行率低于100%", "预算资金支出率非100%", "精准预算项目与金额", "开展一期企业家培训班",
    "培训人数为105人", "受疫情影响部分活动延期", "2022年6月23日完成换届", "已协助企业融资约4000万元",
    "走访商会17家、企业84家", "收集意见建议80多条", "完善OA系统的审批流程", "通过APP受理群众诉求",
    "资产盘点覆盖率达到98.5%", "三公经费同比下降12.5%", "（1）规范基层商会组织建设", "“双强六好”创建活动",
    "按《预算法》要求公开", "绩效目标设置不够细化", "下一年度将细化量化指标",
)  # fmt: skip
ENDS = ("，", "，", "；", "。", "、")
DEPARTMENTS = ("广州市增城区工商业联合会", "某区财政局", "某县交通运输局", "池州市贵池区棠溪镇人民政府",
               "某市生态环境局（本级）", "某区退役军人事务局")  # fmt: skip


def sentence(rng: random.Random, chars: int) -> str:
    """Chinese text of about ``chars`` characters, ending with 。"""
    out = ""
    while len(out) < chars:
        out += rng.choice(PHRASES) + rng.choice(ENDS)
    return out[:-1] + "。"


#: The longest text typed before a line break: shorter than a line of the narrowest text column
#: (a CJK line there holds 12), so a typed break never follows a full line. A break after a full
#: line prints exactly as a wrap and reads as one (tests/test_published_cells.py measures that case).
SEGMENT = 8


def text(rng: random.Random, chars: int, *, breaks: int = 0) -> str:
    """A text of about ``chars`` characters after ``breaks`` short typed lines (a heading such as
    ``1.原因：``, a fragment cut anywhere, even inside a number)."""
    heads = []
    for _ in range(breaks):
        piece = rng.choice(PHRASES)
        start = rng.randrange(len(piece))
        heads.append(piece[start : start + rng.randint(1, SEGMENT - 1)] + rng.choice(("：", "；", "", "")))
    return "\n".join([*heads, sentence(rng, chars)])


def paragraphs(rng: random.Random, n: int) -> str:
    items = [f"{k + 1}.{sentence(rng, rng.randint(15, 200))}" for k in range(n)]
    assert all(len(p) <= MAX_PARAGRAPH for p in items)
    return "\n".join(items)


def score(rng: random.Random, weight: Decimal) -> Decimal:
    """A score up to ``weight``: whole, one or two places (0.97, 12.5), often full marks."""
    if rng.random() < 0.45:
        return weight
    places = rng.choice((0, 1, 2, 2))
    step = Decimal(1).scaleb(-places)
    return Decimal(rng.randint(0, int(weight / step))) * step


def reason_pair(rng: random.Random, full: bool) -> tuple[str | None, str | None]:
    if full:
        return rng.choice(((None, None), ("\\", "\\"), ("\\", "\\")))
    long = rng.random() < 0.3
    chars = rng.randint(150, 330) if long else rng.randint(8, 60)
    return (
        text(rng, chars, breaks=rng.choice((0, 1, 2, 4 if long else 1))),
        text(rng, rng.randint(8, 90), breaks=rng.choice((0, 0, 1, 2))),
    )


def budget(rng: random.Random) -> dict[str, Decimal]:
    basic = Decimal(rng.randint(0, 90000)) / 100
    project = Decimal(rng.randint(0, 30000)) / 100
    special = Decimal(rng.choice((0, rng.randint(0, 5000)))) / 100
    other = Decimal(rng.choice((0, rng.randint(0, 5000)))) / 100
    local = Decimal(rng.randint(0, int((special + other) * 100))) / 100
    return {"总预算": basic + project, "基本支出": basic, "项目支出": project, "专项资金": special,
            "其他事业发展支出": other, "区本级资金": local, "对下转移支付": special + other - local}  # fmt: skip


def department_fill(fw: Framework, rng: random.Random, n: int) -> Submission:
    """Fill ``n`` of a department framework; the first carries 0.97 and 12.5."""
    sub = Submission(fw.id, Decimal(fw.years[0]), rng.choice(DEPARTMENTS))
    sub.header = {"单位数": Decimal(rng.randint(1, 30)), "年度整体绩效目标": paragraphs(rng, rng.randint(1, 9)),
                  "整体绩效目标完成情况": paragraphs(rng, rng.randint(1, 9)),
                  "未能完成原因": text(rng, rng.randint(10, 120), breaks=rng.choice((0, 1)))}  # fmt: skip
    sub.budget = dict(budget(rng))
    for leaf in fw.leaves():
        s = score(rng, leaf.weight)
        if n == 0 and leaf.id == "1.1.1":
            s = Decimal("12.5")
        if n == 0 and leaf.id == "2.5.7":
            s = Decimal("0.97")
        reason, measure = reason_pair(rng, s == leaf.weight)
        sub.indicators[leaf.id] = IndicatorInput(leaf.id, s, reason, measure)
    return sub


OPS = ("≥", ">", "≤", "<", "=")
UNITS = ("个", "%", "万元", "天", "人次", "")
QUALITATIVE = ("效果明显", "严格执行相关制度规定", "在项目计划完成时间内完成", "有所提升")
ACHIEVED = ("达成预期指标", "基本达成", "部分达成")


def split(rng: random.Random, total: Decimal, n: int) -> list[Decimal]:
    """``total`` cut into ``n`` positive weights in steps of 0.5."""
    halves = int(total * 2)
    cuts = sorted(rng.sample(range(1, halves), n - 1))
    return [Decimal(b - a) / 2 for a, b in zip([0, *cuts], [*cuts, halves], strict=True)]


def project_fill(fw: ProjectFramework, rng: random.Random, n: int) -> tuple[ProjectSubmission, int]:
    """Fill ``n`` of a project framework, rows adding up to its weight; returns it and its rows per category."""
    sub = ProjectSubmission(fw.id, Decimal(max(fw.years[0], 2023)), rng.choice(DEPARTMENTS))
    sub.header = {h.key: (sentence(rng, rng.randint(4, 30))[:-1] if rng.random() < 0.8 or h.required else None)
                  for h in fw.header}  # fmt: skip
    sub.goals = {g.key: paragraphs(rng, rng.randint(1, 4)) for g in fw.goals}
    sub.footer = {f.key: text(rng, rng.randint(10, 150), breaks=rng.choice((0, 1))) for f in fw.footer}
    f = fw.funds
    budget_total = Decimal(rng.randint(1, 100000)) / 100
    actual_total = min(budget_total, Decimal(rng.randint(0, int(budget_total * 100))) / 100)
    if rng.random() < 0.3:
        actual_total = budget_total
    sub.funds = {}
    for k, row in enumerate(f.rows):
        share = Decimal(1) if k in (0, 1) else Decimal(0)
        values = {c: (budget_total * share) for c in f.columns}
        values[f.actual] = actual_total * share
        sub.funds[row] = values
    if f.reason_below is not None:
        sub.funds_reason = text(rng, rng.randint(10, 80)) if rng.random() < 0.5 else None
    categories = [c for g in fw.groups for c in g.categories]
    per = {c.id: rng.choice((0, 1, 1, 2, 3)) for c in categories}
    for g in fw.groups:
        if g.required and not any(per[c.id] for c in g.categories):
            per[g.categories[0].id] = 1
    count = sum(per.values())
    weights = split(rng, fw.indicator_weight, count)
    rows = []
    for c in categories:
        for _ in range(per[c.id]):
            w = weights.pop()
            s = score(rng, w)
            if n == 0 and not rows:
                s = min(w, Decimal("0.97"))
            qualitative = rng.random() < 0.35
            row = RowInput(c.id, sentence(rng, rng.randint(4, 24))[:-1])
            if qualitative:
                row.value, row.actual = rng.choice(QUALITATIVE), rng.choice(ACHIEVED)
            else:
                row.op = rng.choice(OPS)
                row.value = Decimal(rng.randint(1, 20000)) / rng.choice((1, 10, 100))
                row.unit = rng.choice(UNITS) or None
                row.actual = Decimal(rng.randint(0, 20000)) / rng.choice((1, 10, 100))
            row.weight, row.score = w, s
            row.reason = (
                None
                if s == w and rng.random() < 0.7
                else text(rng, rng.randint(8, 200), breaks=rng.choice((0, 1, 2)))
            )
            rows.append(row)
    sub.rows = rows
    return sub, max(5, max(per.values()))
