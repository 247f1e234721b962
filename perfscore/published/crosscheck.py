"""Cross-checks that make a digitised form trustworthy: the printed figures against each other and
against the framework. Each mismatch is a finding at the page (or text line) where it was printed.

- 总分 (and a printed 小计): against the sum of the scores read (rounded to 0.01 as the form rounds);
- 分值: each printed weight (the project form: the rows' sum), and the printed total weight, against
  the framework;
- 项目资金: the printed 执行率 and its 得分 against the funds printed beside them;
- 预算: the framework's budget identities over the printed figures;
- 评价等级: the ticked box against the grade the printed total earns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from perfscore.engine.decimals import fmt, round_half_up
from perfscore.engine.findings import Finding, finding
from perfscore.engine.framework_model import Band
from perfscore.engine.project.rules import reference
from perfscore.engine.project.scoring import RATE_PLACES
from perfscore.published.project import ProjectReading
from perfscore.published.reading import Common, DepartmentReading, Printed


def department(reading: DepartmentReading) -> list[Finding]:
    fw = reading.framework
    assert fw is not None
    found: list[Finding] = []
    for leaf in fw.leaves():
        row = reading.rows.get(leaf.id)
        if row is not None and isinstance(row.weight, Decimal) and row.weight != leaf.weight:
            found.append(finding("digitise-weight-differs", row.where, "", id=leaf.id, name=leaf.name,
                                 printed=fmt(row.weight), framework=fw.id, weight=fmt(leaf.weight)))  # fmt: skip
    for identity in fw.identities:
        values = [reading.budget.get(k) for k in (*identity.left, *identity.right)]
        if all(v is not None and isinstance(v.value, Decimal) for v in values):
            left = sum((_number(reading.budget[k]) for k in identity.left), Decimal(0))
            right = sum((_number(reading.budget[k]) for k in identity.right), Decimal(0))
            if left != right:
                at = reading.budget[identity.left[0]].where
                found.append(finding("digitise-budget-differs", at, "", label=identity.label,
                                     left=fmt(left), right=fmt(right)))  # fmt: skip
    for gid, printed in reading.subtotals.items():
        node = fw.by_id[gid]
        parts = [reading.rows[leaf.id].score if leaf.id in reading.rows else None for leaf in node.leaves()]
        if isinstance(printed.value, Decimal) and all(isinstance(p, Decimal) for p in parts):
            computed = round_half_up(sum((p for p in parts if isinstance(p, Decimal)), Decimal(0)))
            if computed != round_half_up(printed.value):
                found.append(finding("digitise-subtotal-differs", printed.where, "", name=node.name,
                                     printed=fmt(printed.value), computed=fmt(computed)))  # fmt: skip
    scores = [reading.rows[leaf.id].score if leaf.id in reading.rows else None for leaf in fw.leaves()]
    found += totals(reading, scores, fw.total_weight, fw.id, fw.bands)
    return found


def project(reading: ProjectReading) -> list[Finding]:
    fw = reading.framework
    assert fw is not None
    f = fw.funds
    found: list[Finding] = []
    printed = reading.funds_printed
    weight = printed.get("分值")
    if weight is not None and isinstance(weight.value, Decimal) and weight.value != f.weight:
        found.append(finding("digitise-weight-differs", weight.where, "", "funds", name=f.name,
                             printed=fmt(weight.value), framework=fw.id, weight=fmt(f.weight)))  # fmt: skip
    total_row = reading.funds.get(f.rows[0], {})
    budget, actual = total_row.get(f.budget), total_row.get(f.actual)
    funds_score: object = printed["得分"].value if "得分" in printed else None
    if isinstance(budget, Decimal) and isinstance(actual, Decimal) and budget > 0 and actual >= 0:
        rate = round_half_up(actual / budget, RATE_PLACES)
        funds_score = reference("≥", budget, actual, f.weight)
        shown = printed.get("执行率")
        if (
            shown is not None
            and isinstance(shown.value, Decimal)
            and round_half_up(shown.value, RATE_PLACES) != rate
        ):
            found.append(finding("digitise-funds-differs", shown.where, "", what="执行率",
                                 printed=f"{fmt(shown.value * 100)}%", computed=f"{fmt(rate * 100)}%"))  # fmt: skip
        got = printed.get("得分")
        if got is not None and isinstance(got.value, Decimal) and got.value != funds_score:
            found.append(finding("digitise-funds-differs", got.where, "", what=f"{f.name}得分",
                                 printed=fmt(got.value), computed=fmt(funds_score)))  # fmt: skip
    if reading.rows and not reading.unread:
        weights = sum((r.weight for r in reading.rows), Decimal(0))
        if weights != fw.indicator_weight:
            found.append(finding("digitise-weight-differs", reading.rows[0].where, "", "rows",
                                 printed=fmt(weights), framework=fw.id, weight=fmt(fw.indicator_weight)))  # fmt: skip
    scores: list[object] = [funds_score, *(r.score for r in reading.rows), *([None] * reading.unread)]
    found += totals(reading, scores, f.weight + fw.indicator_weight, fw.id, fw.bands)
    return found


def totals(
    reading: Common, scores: Iterable[object], total_weight: Decimal, fid: str, bands: tuple[Band, ...]
) -> Iterator[Finding]:
    """The printed 总分, total 分值 and ticked grade against the scores read and the framework."""
    listed = list(scores)
    numbers = [s for s in listed if isinstance(s, Decimal)]
    tw = reading.total_weight
    if tw is not None and isinstance(tw.value, Decimal) and tw.value != total_weight:
        yield finding("digitise-weight-differs", tw.where, "", "total", printed=fmt(tw.value),
                      framework=fid, weight=fmt(total_weight))  # fmt: skip
    total = reading.total
    if total is not None and isinstance(total.value, Decimal):
        if len(numbers) < len(listed):
            yield finding("digitise-total-unchecked", total.where, "", count=len(listed) - len(numbers),
                          printed=fmt(total.value))  # fmt: skip
        else:
            computed = round_half_up(sum(numbers, Decimal(0)))
            if computed != round_half_up(total.value):
                yield finding("digitise-total-differs", total.where, "", printed=fmt(total.value),
                              computed=fmt(computed))  # fmt: skip
    ticked = reading.ticked
    if ticked is not None and total is not None and isinstance(total.value, Decimal):
        grade = next((b.grade for b in bands if total.value >= b.min), bands[-1].grade)
        if ticked.value != grade:
            yield finding("digitise-grade-differs", ticked.where, "", ticked=ticked.value,
                          total=fmt(total.value), grade=grade)  # fmt: skip


def _number(printed: Printed) -> Decimal:
    assert isinstance(printed.value, Decimal)
    return printed.value
