"""A framework shown to the people who adapt it: as text lines (the tree with weights) or as JSON data.

Both are what ``perfscore framework show`` prints; decimals are strings in the JSON (never floats).
"""

from __future__ import annotations

from typing import Any

from perfscore.engine.decimals import fmt
from perfscore.engine.framework import Framework, Indicator

KIND_NAMES = {"text": "文本", "integer": "整数"}


def to_json(fw: Framework, file: str) -> dict[str, Any]:
    """The whole framework as JSON data (``file``: where it was read from, as the user should see it)."""

    def node(ind: Indicator) -> dict[str, Any]:
        item: dict[str, Any] = {"id": ind.id, "name": ind.name, "weight": fmt(ind.weight)}
        if ind.explanation:
            item["explanation"] = ind.explanation
        if ind.rule:
            item["rule"] = ind.rule
            item["rule_input"] = ind.rule_input
        if ind.placeholder:
            item["placeholder"] = True
        if ind.children:
            item["children"] = [node(c) for c in ind.children]
        return item

    return {
        "id": fw.id,
        "version": fw.version,
        "title": fw.title,
        "region": fw.region,
        "years": list(fw.years),
        "file": file,
        "sheet_level": fw.sheet_level,
        "sheets": [g.name for g in fw.sheet_groups()],
        "header": [{"key": h.key, "kind": h.kind} for h in fw.header],
        "budget": {
            "unit": fw.budget_unit,
            "fields": list(fw.budget_fields),
            "identities": [
                {"left": list(i.left), "right": list(i.right), "label": i.label} for i in fw.identities
            ],
        },
        "bands": [{"grade": b.grade, "min": fmt(b.min), "label": b.label} for b in fw.bands],
        "total_weight": fmt(fw.total_weight),
        "leaves": len(fw.leaves()),
        "indicators": [node(r) for r in fw.roots],
    }


def years_text(years: tuple[int, int]) -> str:
    first, last = years
    return str(first) if first == last else f"{first}–{last}"


def text_lines(fw: Framework, file: str) -> list[str]:
    """The framework as the lines ``perfscore framework show`` prints."""
    where = "，".join(x for x in (fw.region, years_text(fw.years), f"版本 {fw.version}") if x)
    level = "一级" if fw.sheet_level == 1 else "二级"
    lines = [
        f"{fw.id}  {fw.title}（{where}）",
        f"文件：{file}",
        "表头字段：" + ("、".join(f"{h.key}（{KIND_NAMES[h.kind]}）" for h in fw.header) or "无"),
        f"预算字段（{fw.budget_unit}）：" + ("、".join(fw.budget_fields) or "无"),
        "预算核对：" + ("；".join(i.label for i in fw.identities) or "无"),
        "评价等级：" + "、".join(f"{b.grade} ≥ {fmt(b.min)}" for b in fw.bands),
        f"工作表：每个{level}指标一个（" + "、".join(g.name for g in fw.sheet_groups()) + "）",
        f"指标（分值合计 {fmt(fw.total_weight)}，末级指标 {len(fw.leaves())} 项）：",
    ]
    for ind in fw.walk():
        line = f"{'  ' * (ind.level - 1)}{ind.id} {ind.name}  {fmt(ind.weight)}"
        if ind.rule == "rate":
            line += f"  参考计分：分值 × {ind.rule_input}"
        if ind.placeholder:
            line += "  （名称待补）"
        lines.append(line)
    return lines
