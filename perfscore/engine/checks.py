"""Check: a registry of small pure rules, each returning findings; :func:`validate` runs them all.

A rule that raises becomes a ``rule-failed`` finding, never a traceback for the user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from perfscore.engine import layout as L
from perfscore.engine.decimals import decimals_of, fmt
from perfscore.engine.findings import Finding, finding
from perfscore.engine.form import Form, Located, Row
from perfscore.engine.framework import Framework
from perfscore.engine.grid import CellValue, ErrorValue, ref
from perfscore.engine.scoring import Leaf, valid_rate
from perfscore.engine.values import Kind, Reading, as_text, read_number


@dataclass(frozen=True)
class Context:
    fw: Framework
    form: Form
    leaves: dict[str, Leaf]


Rule = Callable[[Context], Iterable[Finding]]
RULES: list[Rule] = []

EMPTY_MARKS = frozenset({"", "\\", "/", "＼", "／", "无", "-", "—"})


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def validate(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for fn in RULES:
        try:
            out.extend(fn(ctx))
        except Exception as exc:  # a broken rule must not hide the others
            out.append(finding("rule-failed", L.COVER, "", f"规则 {fn.__name__} 出错：{exc!r}"))
    return out


def _shown(value: object) -> str:
    return fmt(value) if isinstance(value, Decimal) else str(value)


# ------------------------------------------------------------------------------------ structure


@rule
def sheets_present(ctx: Context) -> Iterator[Finding]:
    if not ctx.form.cover_present:
        yield finding("sheet-missing", L.COVER, "", f"工作表“{L.COVER}”缺失；请从空白模板恢复该表")
    found_ids = {r.id for r in ctx.form.rows}
    for sl in L.sheet_layouts(ctx.fw):
        if not any(leaf.id in found_ids for leaf in sl.group.leaves()):
            where = "工作表不存在" if sl.name not in ctx.form.sheets else "工作表中找不到任何指标行"
            yield finding(
                "sheet-missing", sl.name, "",
                f"“{sl.group.name}”的指标表缺失（{where}）；请从空白模板恢复该工作表",
            )  # fmt: skip


@rule
def rows_match_framework(ctx: Context) -> Iterator[Finding]:
    fw, form = ctx.fw, ctx.form
    layouts = {leaf.id: sl for sl in L.sheet_layouts(fw) for leaf in sl.group.leaves()}
    found_ids = {r.id for r in form.rows}
    seen: dict[str, Row] = {}
    for row in form.rows:
        name_cell = row.cell(L.C_NAME)
        if row.id not in fw.by_id or not fw.by_id[row.id].is_leaf:
            yield finding("row-unknown", row.sheet, name_cell,
                          f"编号 {row.id} 不在指标体系 {fw.id} 中；请删除该行或从空白模板复制正确的行")  # fmt: skip
        elif row.id in seen:
            first = seen[row.id]
            yield finding("row-duplicate", row.sheet, name_cell,
                          f"指标 {row.id} 与 {first.sheet}!{first.cell(L.C_NAME)} 重复；请删除多余的行（只计第一行）")  # fmt: skip
        else:
            seen[row.id] = row
    for leaf in fw.leaves():
        sl = layouts[leaf.id]
        group_found = any(x.id in found_ids for x in sl.group.leaves())
        if leaf.id not in seen and group_found:
            yield finding("row-missing", sl.name, ref(sl.rows[leaf.id], L.C_NAME),
                          f"指标 {leaf.id}“{leaf.name}”缺失（行被删除或编号被改动）；请从空白模板恢复该行")  # fmt: skip
    # order: framework order within the workbook, and each row on its group's sheet
    order = {leaf.id: n for n, leaf in enumerate(fw.leaves())}
    last = -1
    for row in seen.values():
        pos = order[row.id]
        wrong_sheet = row.sheet != layouts[row.id].name and layouts[row.id].name in form.sheets
        if pos < last or wrong_sheet:
            yield finding("row-moved", row.sheet, row.cell(L.C_NAME),
                          f"指标 {row.id} 的位置与指标体系不一致（应在“{layouts[row.id].name}”表，按编号顺序）")  # fmt: skip
        last = max(last, pos)


def _same_name(cell: CellValue, name: str) -> bool:
    return as_text(cell).replace("\n", "") == name


@rule
def names_and_weights(ctx: Context) -> Iterator[Finding]:
    fw = ctx.fw
    for leaf in fw.leaves():
        row = ctx.leaves[leaf.id].row
        if row is None:
            continue
        yield from _compare(row, L.C_NAME, L.C_WEIGHT, leaf.name, leaf.weight, "三级指标", leaf.id)
        # group cells sit (merged) on the first row of their group
        for level, (cn, cw) in ((1, (L.C_L1, L.C_L1W)), (2, (L.C_L2, L.C_L2W))):
            gid = ".".join(leaf.id.split(".")[:level])
            group = fw.by_id[gid]
            if next(group.leaves()).id == leaf.id:
                label = "一级指标" if level == 1 else "二级指标"
                yield from _compare(row, cn, cw, group.name, group.weight, label, gid)


def _compare(
    row: Row, cn: int, cw: int, name: str, weight: Decimal, label: str, iid: str
) -> Iterator[Finding]:
    if not _same_name(row.value(cn), name):
        yield finding("name-changed", row.sheet, row.cell(cn),
                      f"{label} {iid} 名称应为“{name}”，表中为“{as_text(row.value(cn))}”；指标名称不可修改")  # fmt: skip
    got = read_number(row.value(cw))
    if got.value != weight or not got.usable:
        yield finding("weight-changed", row.sheet, row.cell(cw),
                      f"{label} {iid} 分值应为 {fmt(weight)}，表中为“{_shown(row.value(cw)) if row.value(cw) is not None else '空'}”；分值由指标体系规定，不可修改")  # fmt: skip


@rule
def placeholders(ctx: Context) -> Iterator[Finding]:
    for leaf in ctx.fw.leaves():
        row = ctx.leaves[leaf.id].row
        if leaf.placeholder and row is not None:
            yield finding("placeholder-indicator", row.sheet, row.cell(L.C_NAME),
                          f"指标 {leaf.id} 的名称在原表中缺失，现为占位名称；待正式指标体系文件补正")  # fmt: skip


# ---------------------------------------------------------------------------------------- scores


@rule
def scores(ctx: Context) -> Iterator[Finding]:
    for leaf in ctx.leaves.values():
        if leaf.row is None:
            continue
        yield from score_findings(leaf.reading, leaf.row.score, leaf.indicator.weight, leaf.indicator.name)


def score_findings(r: Reading, at: Located, weight: Decimal, name: str) -> Iterator[Finding]:
    """Findings for one score cell (also used by the row-check UDF)."""
    s, c, raw = at.sheet, at.cell, at.value
    if r.kind is Kind.EMPTY:
        yield finding("score-missing", s, c, f"“{name}”的得分为空；请填写 0 至 {fmt(weight)} 之间的分数")
        return
    if r.kind is Kind.ERROR:
        yield finding("score-formula-error", s, c, f"“{name}”的得分是公式错误 {raw}；请改为数字或修正公式")
        return
    if r.kind is Kind.PERCENT:
        yield finding("score-not-number", s, c,
                      f"“{name}”的得分“{raw}”是百分比；得分应填分数（0 至 {fmt(weight)}）")  # fmt: skip
        return
    if r.kind is Kind.NOT_NUMBER or r.value is None:
        yield finding(
            "score-not-number", s, c, f"“{name}”的得分“{raw}”不是数字；请填写 0 至 {fmt(weight)} 之间的分数"
        )
        return
    if r.kind is Kind.TEXT_NUMBER:
        yield finding("score-text-number", s, c,
                      f"“{name}”的得分是文本“{raw}”，已按 {fmt(r.value)} 读取；建议改为数字")  # fmt: skip
    if r.value < 0:
        yield finding("score-negative", s, c, f"“{name}”的得分 {fmt(r.value)} 小于 0")
    elif r.value > weight:
        yield finding("score-above-weight", s, c, f"“{name}”的得分 {fmt(r.value)} 大于分值 {fmt(weight)}")
    if decimals_of(r.value) > 2:
        yield finding("score-precision", s, c,
                      f"“{name}”的得分 {fmt(r.value)} 超过 2 位小数；合计按精确值计算后四舍五入到 0.01")  # fmt: skip


@rule
def shortfall_explained(ctx: Context) -> Iterator[Finding]:
    for leaf in ctx.leaves.values():
        score, row = leaf.score, leaf.row
        if score is None or row is None:
            continue
        yield from shortfall_findings(
            score, leaf.indicator.weight, leaf.indicator.name, row.reason, row.measure
        )


def shortfall_findings(
    score: Decimal, weight: Decimal, name: str, reason: Located, measure: Located
) -> Iterator[Finding]:
    """A score below its weight needs 未达标原因 and 改进措施 (also used by the row-check UDF)."""
    if score >= weight:
        return
    for at, code, what in (
        (reason, "reason-missing", "未达标原因"),
        (measure, "measure-missing", "改进措施"),
    ):
        if as_text(at.value) in EMPTY_MARKS:
            yield finding(
                code, at.sheet, at.cell, f"“{name}”得分 {fmt(score)} 低于分值 {fmt(weight)}，请填写{what}"
            )


@rule
def reference_rules(ctx: Context) -> Iterator[Finding]:
    for leaf in ctx.leaves.values():
        ind, row = leaf.indicator, leaf.row
        if ind.rule is None or row is None or leaf.rate.kind is Kind.EMPTY:
            continue
        at, r = row.rate, leaf.rate
        if valid_rate(r) is None:
            yield finding("rate-invalid", at.sheet, at.cell,
                          f"{ind.rule_input}“{_shown(at.value)}”无效；请填写 0% 至 100% 之间的比率（如 93%）")  # fmt: skip
            continue
        if r.kind is not Kind.NUMBER:
            yield finding("rate-text-number", at.sheet, at.cell,
                          f"{ind.rule_input}是文本“{at.value}”，已按 {fmt(r.value * 100 if r.value is not None else None)}% 读取")  # fmt: skip
        if leaf.suggestion is not None and leaf.score is not None and leaf.score != leaf.suggestion:
            s = row.score
            yield finding("suggestion-differs", s.sheet, s.cell,
                          f"参考得分 {fmt(ind.weight)} × {fmt((r.value or Decimal(0)) * 100)}% = {fmt(leaf.suggestion)}，"
                          f"与自评分 {fmt(leaf.score)} 不一致；自评分保持不变，请核对")  # fmt: skip


# ---------------------------------------------------------------------------------- cover sheet


@rule
def header_fields(ctx: Context) -> Iterator[Finding]:
    form, fw = ctx.form, ctx.fw
    if not form.cover_present:
        return
    dep = form.department
    if not as_text(dep.value):
        yield finding("header-missing", dep.sheet, dep.cell, "部门名称为空；请填写部门全称")
    year = form.year
    r = read_number(year.value)
    if r.kind is Kind.EMPTY:
        yield finding("header-missing", year.sheet, year.cell, "年度为空；请填写四位年度，如 2022")
    elif r.value is None or r.value != r.value.to_integral_value() or not 2000 <= r.value <= 2100:
        yield finding("header-invalid", year.sheet, year.cell, f"年度“{_shown(year.value)}”不是四位年份")
    elif not fw.years[0] <= int(r.value) <= fw.years[1]:
        span = f"{fw.years[0]}" if fw.years[0] == fw.years[1] else f"{fw.years[0]}–{fw.years[1]}"
        yield finding("year-outside-framework", year.sheet, year.cell,
                      f"年度 {int(r.value)} 不在指标体系 {fw.id} 的适用年度（{span}）内")  # fmt: skip
    for h in fw.header:
        at = form.header[h.key]
        if h.kind == "integer":
            n = read_number(at.value)
            if n.kind is Kind.EMPTY:
                yield finding("header-missing", at.sheet, at.cell, f"{h.key}为空；请填写正整数")
            elif n.value is None or n.value < 1 or n.value != n.value.to_integral_value():
                yield finding("header-invalid", at.sheet, at.cell, f"{h.key}“{_shown(at.value)}”应为正整数")
        elif not as_text(at.value):
            yield finding("header-missing", at.sheet, at.cell, f"{h.key}为空；请填写（如无，请写“无”）")


@rule
def budget(ctx: Context) -> Iterator[Finding]:
    form, fw = ctx.form, ctx.fw
    if not form.cover_present:
        return
    values: dict[str, Decimal] = {}
    for name in fw.budget_fields:
        at = form.budget[name]
        r = read_number(at.value)
        if r.kind is Kind.EMPTY:
            yield finding("budget-missing", at.sheet, at.cell, f"{name}为空；没有该项资金请填 0")
        elif not r.usable or r.value is None or isinstance(at.value, ErrorValue):
            yield finding(
                "budget-not-number",
                at.sheet,
                at.cell,
                f"{name}“{_shown(at.value)}”不是数字（单位：{fw.budget_unit}）",
            )
        elif r.value < 0:
            yield finding("budget-negative", at.sheet, at.cell, f"{name} {fmt(r.value)} 小于 0")
        else:
            if r.kind is Kind.TEXT_NUMBER:
                yield finding(
                    "budget-text-number",
                    at.sheet,
                    at.cell,
                    f"{name}是文本“{at.value}”，已按 {fmt(r.value)} 读取",
                )
            values[name] = r.value
    for ident in fw.identities:
        names = ident.left + ident.right
        if not all(n in values for n in names):
            continue
        left = sum((values[n] for n in ident.left), Decimal(0))
        right = sum((values[n] for n in ident.right), Decimal(0))
        if left != right:
            at = form.budget[ident.left[0]]
            detail = " + ".join(f"{n} {fmt(values[n])}" for n in ident.right)
            yield finding("budget-identity", at.sheet, at.cell,
                          f"{ident.label} 不成立：{' + '.join(ident.left)} = {fmt(left)}，{detail} = {fmt(right)}")  # fmt: skip
