"""What changed between two frameworks: the yearly update of an indicator system, entry by entry.

:func:`diff` compares the settings (title, region, years, sheet level), the header fields, the
budget fields and identities, the grade bands and the indicator tree. Indicators are matched top
down under matched parents: first by name, then — among those left on both sides — by position (the
same id: a renamed indicator), and what is still left is added or removed; an indicator removed in one
place and added with the same name in another is reported as moved. A matched indicator is compared
for its name, id (renumbered when a sibling was inserted above it), weight, reference rule, 指标解释
and placeholder mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from perfscore.engine.decimals import fmt
from perfscore.engine.framework import Framework, Indicator
from perfscore.engine.framework_view import years_text


@dataclass(frozen=True)
class Change:
    """One difference. ``kind`` is a stable code (for ``--json``), ``text`` the Chinese line."""

    kind: str
    text: str
    id: str = ""  # the indicator's id in the second framework (in the first one if removed)


def diff(a: Framework, b: Framework) -> list[Change]:
    """Every difference from ``a`` to ``b``, in the order: settings, header, budget, bands, indicators."""
    changes: list[Change] = []
    changes += _settings(a, b)
    changes += _names("header", "表头字段", [h.key for h in a.header], [h.key for h in b.header])
    kinds_a = {h.key: h.kind for h in a.header}
    for h in b.header:
        if h.key in kinds_a and kinds_a[h.key] != h.kind:
            changes.append(Change("header-kind", f"表头字段 “{h.key}” 的类型：{kinds_a[h.key]} → {h.kind}"))
    changes += _names("budget", "预算字段", list(a.budget_fields), list(b.budget_fields))
    if a.budget_unit != b.budget_unit:
        changes.append(Change("budget-unit", f"预算金额单位：{a.budget_unit} → {b.budget_unit}"))
    ids_a = {i.label for i in a.identities}
    ids_b = {i.label for i in b.identities}
    changes += [Change("identity-removed", f"删除预算核对关系：{x}") for x in sorted(ids_a - ids_b)]
    changes += [Change("identity-added", f"新增预算核对关系：{x}") for x in sorted(ids_b - ids_a)]
    bands_a = [(x.grade, x.min, x.label) for x in a.bands]
    bands_b = [(x.grade, x.min, x.label) for x in b.bands]
    if bands_a != bands_b:
        changes.append(Change("bands", f"评价等级：{_bands(a)} → {_bands(b)}"))
    changes += _indicators(a, b)
    return changes


def _settings(a: Framework, b: Framework) -> list[Change]:
    out = []
    for kind, label, x, y in (
        ("title", "标题", a.title, b.title),
        ("region", "地区", a.region, b.region),
        ("years", "适用年度", years_text(a.years), years_text(b.years)),
        ("sheet-level", "工作表层级", str(a.sheet_level), str(b.sheet_level)),
    ):
        if x != y:
            out.append(Change(kind, f"{label}：{x or '（空）'} → {y or '（空）'}"))
    return out


def _bands(fw: Framework) -> str:
    return "、".join(f"{x.grade}≥{fmt(x.min)}" for x in fw.bands)


def _names(kind: str, label: str, a: list[str], b: list[str]) -> list[Change]:
    """Fields by name: one missing in ``b`` where ``b`` has a new one at the same place is renamed."""
    removed = [(n, x) for n, x in enumerate(a) if x not in b]
    added = [(n, x) for n, x in enumerate(b) if x not in a]
    out = []
    renamed_at = {n for n, _ in removed} & {n for n, _ in added}
    for n, x in removed:
        if n in renamed_at:
            out.append(Change(f"{kind}-renamed", f"{label}改名：“{x}” → “{b[n]}”"))
        else:
            out.append(Change(f"{kind}-removed", f"删除{label} “{x}”"))
    out += [Change(f"{kind}-added", f"新增{label} “{x}”") for n, x in added if n not in renamed_at]
    kept_a = [x for x in a if x in b]
    kept_b = [x for x in b if x in a]
    if kept_a != kept_b:
        out.append(Change(f"{kind}-order", f"{label}顺序：{'、'.join(kept_a)} → {'、'.join(kept_b)}"))
    return out


# ------------------------------------------------------------------------------------ indicators


def _indicators(a: Framework, b: Framework) -> list[Change]:
    removed: list[Indicator] = []
    added: list[Indicator] = []
    pairs: list[tuple[Indicator, Indicator]] = []
    _match(a.roots, b.roots, pairs, removed, added)
    out: list[Change] = []
    moved_names = {i.name for i in removed} & {i.name for i in added}
    for old, new in pairs:
        out += _compared(old, new)
    for ind in removed:
        if ind.name in moved_names:
            new = next(x for x in added if x.name == ind.name)
            out.append(Change("moved", f"移动 {ind.id} → {new.id} {ind.name}", new.id))
            out += [c for c in _compared(ind, new) if c.kind != "renumbered"]
        else:
            out.append(
                Change(
                    "removed", f"删除 {ind.id} {ind.name}（分值 {fmt(ind.weight)}{_subtree(ind)}）", ind.id
                )
            )
    for ind in added:
        if ind.name not in moved_names:
            out.append(
                Change("added", f"新增 {ind.id} {ind.name}（分值 {fmt(ind.weight)}{_subtree(ind)}）", ind.id)
            )
    order = {i.id: n for n, i in enumerate(b.walk())}
    out.sort(key=lambda c: order.get(c.id, len(order)))
    return out


def _subtree(ind: Indicator) -> str:
    below = sum(1 for _ in ind.leaves()) if ind.children else 0
    return f"，含 {below} 项末级指标" if below else ""


def _match(
    xs: Sequence[Indicator],
    ys: Sequence[Indicator],
    pairs: list[tuple[Indicator, Indicator]],
    removed: list[Indicator],
    added: list[Indicator],
) -> None:
    """Pair ``xs`` with ``ys`` (siblings): by name, then by position; recurse into each pair."""
    left = list(xs)
    right = list(ys)
    found: list[tuple[Indicator, Indicator]] = []
    for x in list(left):
        y = next((y for y in right if y.name == x.name), None)
        if y is not None:
            found.append((x, y))
            left.remove(x)
            right.remove(y)
    position = {_last(y.id): y for y in right}
    for x in list(left):
        y = position.get(_last(x.id))
        if y is not None and y in right:
            found.append((x, y))
            left.remove(x)
            right.remove(y)
    removed += left
    added += right
    for x, y in found:
        pairs.append((x, y))
        _match(x.children, y.children, pairs, removed, added)


def _last(iid: str) -> str:
    return iid.rpartition(".")[2]


def _compared(x: Indicator, y: Indicator) -> list[Change]:
    out = []
    if x.name != y.name:
        out.append(Change("renamed", f"改名 {y.id}：{x.name} → {y.name}", y.id))
    if x.id != y.id:
        out.append(Change("renumbered", f"编号 {x.id} → {y.id} {y.name}", y.id))
    if x.weight != y.weight:
        out.append(Change("reweighted", f"分值 {y.id} {y.name}：{fmt(x.weight)} → {fmt(y.weight)}", y.id))
    if (x.rule, x.rule_input) != (y.rule, y.rule_input):
        out.append(Change("rule", f"参考计分规则 {y.id} {y.name}：{_rule(x)} → {_rule(y)}", y.id))
    if x.explanation != y.explanation:
        out.append(
            Change("explanation", f"指标解释 {y.id} {y.name}：“{x.explanation}” → “{y.explanation}”", y.id)
        )
    if x.placeholder != y.placeholder:
        mark = "标为名称待补" if y.placeholder else "取消名称待补标记"
        out.append(Change("placeholder", f"{mark} {y.id} {y.name}", y.id))
    return out


def _rule(ind: Indicator) -> str:
    return f"{ind.rule}（{ind.rule_input}）" if ind.rule else "无"
