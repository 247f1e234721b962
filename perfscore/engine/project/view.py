"""A project framework shown to the people who adapt it: text lines or JSON (``perfscore framework show``)."""

from __future__ import annotations

from typing import Any

from perfscore.engine.decimals import fmt
from perfscore.engine.framework_view import years_text
from perfscore.engine.project.model import Group, ProjectFramework


def _weight(g: Group, fw: ProjectFramework) -> str:
    if g.weight is None:
        return "分值不固定"
    moved = f"；未设置时分值移至“{fw.groups[int(g.moves_to) - 1].name}”" if g.moves_to else ""
    return f"{fmt(g.weight)}{'（必填）' if g.required else '（可不设）'}{moved}"


def to_json(fw: ProjectFramework, file: str) -> dict[str, Any]:
    f = fw.funds
    return {
        "kind": "project",
        "id": fw.id,
        "version": fw.version,
        "title": fw.title,
        "region": fw.region,
        "years": list(fw.years),
        "file": file,
        "header": [{"key": h.key, "required": h.required} for h in fw.header],
        "goals": [g.key for g in fw.goals],
        "footer": [g.key for g in fw.footer],
        "funds": {
            "name": f.name,
            "weight": fmt(f.weight),
            "unit": f.unit,
            "rows": list(f.rows),
            "columns": list(f.columns),
            "budget": f.budget,
            "actual": f.actual,
            "reason_below": None if f.reason_below is None else fmt(f.reason_below),
        },
        "indicator_weight": fmt(fw.indicator_weight),
        "overshoot": fmt(fw.overshoot),
        "groups": [
            {
                "id": g.id,
                "name": g.name,
                "weight": None if g.weight is None else fmt(g.weight),
                "required": g.required,
                "moves_to": g.moves_to,
                "categories": [{"id": c.id, "name": c.name} for c in g.categories],
            }
            for g in fw.groups
        ],
        "bands": [{"grade": b.grade, "min": fmt(b.min), "label": b.label} for b in fw.bands],
        "total_weight": fmt(fw.total_weight),
    }


def text_lines(fw: ProjectFramework, file: str) -> list[str]:
    f = fw.funds
    where = "，".join(x for x in (fw.region, years_text(fw.years), f"版本 {fw.version}") if x)
    rate = f"{f.actual} ÷ {f.budget}"
    reason = f"；执行率低于 {fmt(f.reason_below * 100)}% 须说明原因" if f.reason_below is not None else ""
    lines = [
        f"{fw.id}  {fw.title}（项目支出；{where}）",
        f"文件：{file}",
        "表头字段：" + "、".join(h.key + ("" if h.required else "（选填）") for h in fw.header),
        "年度总体目标：" + ("、".join(g.key for g in fw.goals) or "无"),
        *(["表尾字段：" + "、".join(g.key for g in fw.footer)] if fw.footer else []),
        f"项目资金（{f.unit}）：行 {'、'.join(f.rows)}；列 {'、'.join(f.columns)}",
        f"{f.name}：{fmt(f.weight)} 分 × min(执行率, 100%)，执行率 = {rate}{reason}",
        "评价等级：" + "、".join(f"{b.grade} ≥ {fmt(b.min)}" for b in fw.bands),
        f"绩效指标（分值合计 {fmt(fw.indicator_weight)}；三级指标由单位填写；"
        f"实际完成值超出指标值 {fmt(fw.overshoot * 100)}% 以上须说明原因）：",
    ]
    for g in fw.groups:
        lines.append(f"{g.id} {g.name}  {_weight(g, fw)}")
        lines += [f"  {c.id} {c.name}" for c in g.categories]
    return lines
