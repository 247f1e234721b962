"""A project form's submission: what a department fills in, as the documented JSON exchange form::

    {"framework": "mof-project-2020", "year": 2022, "department": "…",
     "header": {"项目名称": "…", "主管部门": "…", "实施单位": "…"},
     "funds": {"年度资金总额": {"年初预算数": 90, "全年预算数": 90, "全年执行数": 89.974}, …},
     "goals": {"预期目标": "…", "实际完成情况": "…"},
     "indicators": [{"group": ["产出指标", "数量指标"], "name": "基建工程委托业务项目数量",
                     "target": "≥50个", "actual": "50", "weight": 8, "score": 8, "reason": ""}]}

``footer`` (四川: 评价结论, 存在问题, …) and ``funds_reason`` join when the framework has them. A
``target`` is split into the form's 指标性质, 指标值 and 度量单位 cells by
:func:`perfscore.engine.project.targets.parse_target` and printed back by ``export``; a target that does
not parse is a qualitative one, kept as typed. Values are checked as for the department form
(:class:`perfscore.engine.submission._Check`): anything a cell cannot hold exactly is refused, naming
the key path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from perfscore.engine.decimals import fmt
from perfscore.engine.project.model import ProjectFramework
from perfscore.engine.project.targets import parse_target
from perfscore.engine.submission import Value, _Check, _quote

TOP_KEYS = ("framework", "year", "department", "header", "funds", "funds_reason", "goals", "footer", "indicators")  # fmt: skip
REQUIRED_KEYS = ("framework", "year", "department", "header", "funds", "goals", "indicators")
ROW_KEYS = ("group", "name", "target", "actual", "weight", "score", "reason")


@dataclass
class RowInput:
    """One department-written 三级 row, as the form's cells hold it."""

    category: str  # category id, e.g. "1.1"
    name: Value = None
    op: str | None = None
    value: Value = None
    unit: Value = None
    actual: Value = None
    weight: Value = None
    score: Value = None
    reason: Value = None

    def target_text(self) -> Value:
        """年度指标值 as printed: ``≥50个``, or the qualitative text as typed."""
        if self.op is None:
            return self.value if self.unit in (None, "") else f"{_plain(self.value)}{self.unit}"
        return f"{self.op}{_plain(self.value)}{self.unit or ''}"


def _plain(v: Value) -> str:
    return fmt(v) if isinstance(v, Decimal) else (v or "")


@dataclass
class ProjectSubmission:
    framework: str
    year: Value = None
    department: Value = None
    header: dict[str, Value] = field(default_factory=dict)
    funds: dict[str, dict[str, Value]] = field(default_factory=dict)
    funds_reason: Value = None
    goals: dict[str, Value] = field(default_factory=dict)
    footer: dict[str, Value] = field(default_factory=dict)
    rows: list[RowInput] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many rows each category holds."""
        out: dict[str, int] = {}
        for row in self.rows:
            out[row.category] = out.get(row.category, 0) + 1
        return out

    # ------------------------------------------------------------------------------- JSON in
    @classmethod
    def from_json(cls, doc: Any, fw: ProjectFramework, *, source: str = "JSON") -> ProjectSubmission:
        check = _Check(source)
        top = check.object(doc, "")
        for key in REQUIRED_KEYS:
            if key not in top:
                raise check.fail(key, f"缺少此键（必需键：{', '.join(REQUIRED_KEYS)}）")
        check.known(top, TOP_KEYS, "")
        framework = check.typed(top["framework"], "framework", str, f"指标体系编号，如 {fw.id}")
        if framework != fw.id:
            raise check.fail("framework", f"“{_quote(framework)}”与所用指标体系 {fw.id} 不一致")
        sub = cls(fw.id, check.value(top["year"], "year"), check.text(top["department"], "department"))
        sub.header = _texts(check, top["header"], "header", [h.key for h in fw.header])
        sub.goals = _texts(check, top["goals"], "goals", [g.key for g in fw.goals])
        sub.footer = _texts(check, top.get("footer", {}), "footer", [g.key for g in fw.footer])
        if top.get("funds_reason") is not None and fw.funds.reason_below is None:
            raise check.fail("funds_reason", "此指标体系没有执行率偏低原因一栏；请删除此键")
        sub.funds_reason = check.text(top.get("funds_reason"), "funds_reason")
        funds = check.object(top["funds"], "funds")
        for name, cols in funds.items():
            key = f"funds.{_quote(name)}"
            if name not in fw.funds.rows:
                raise check.fail(key, f"未知的资金行（可用：{'、'.join(fw.funds.rows)}）")
            values = check.object(cols, key)
            check.known(values, fw.funds.columns, key)
            sub.funds[name] = {c: check.value(v, f"{key}.{_quote(c)}") for c, v in values.items()}
        items = check.typed(top["indicators"], "indicators", list, "数组 […]")
        for n, item in enumerate(items):
            sub.rows.append(_row(check, item, f"indicators[{n}]", fw))
        return sub

    @classmethod
    def loads(cls, text: str, fw: ProjectFramework, *, source: str = "JSON") -> ProjectSubmission:
        from perfscore.engine.submission import load_json

        return cls.from_json(load_json(text, source=source), fw, source=source)

    # ------------------------------------------------------------------------------ JSON out
    def to_json(self, fw: ProjectFramework) -> dict[str, Any]:
        def out(v: Value) -> Any:
            return fmt(v) if isinstance(v, Decimal) else v

        names = {c.id: [fw.group_of(c.id).name, c.name] for c in fw.categories()}
        year = self.year
        doc: dict[str, Any] = {
            "framework": self.framework,
            "year": int(year)
            if isinstance(year, Decimal) and year == year.to_integral_value()
            else out(year),
            "department": out(self.department),
            "header": {k: out(v) for k, v in self.header.items()},
            "funds": {r: {c: out(v) for c, v in cols.items()} for r, cols in self.funds.items()},
            "goals": {k: out(v) for k, v in self.goals.items()},
        }
        if fw.funds.reason_below is not None:
            doc["funds_reason"] = out(self.funds_reason)
        if fw.footer:
            doc["footer"] = {k: out(v) for k, v in self.footer.items()}
        doc["indicators"] = [
            {
                "group": names[r.category],
                "name": out(r.name),
                "target": out(r.target_text()),
                "actual": out(r.actual),
                "weight": out(r.weight),
                "score": out(r.score),
                "reason": out(r.reason),
            }
            for r in self.rows
        ]
        return doc

    def dumps(self, fw: ProjectFramework) -> str:
        return json.dumps(self.to_json(fw), ensure_ascii=False, indent=2) + "\n"


def _texts(check: _Check, raw: Any, key: str, allowed: list[str]) -> dict[str, Value]:
    obj = check.object(raw, key)
    out: dict[str, Value] = {}
    for k, v in obj.items():
        where = f"{key}.{_quote(k)}"
        if k not in allowed:
            raise check.fail(where, f"未知的字段（可用：{'、'.join(allowed) or '无'}）")
        out[k] = check.text(v, where)
    return out


def _row(check: _Check, item: Any, key: str, fw: ProjectFramework) -> RowInput:
    entry = check.object(item, key)
    check.known(entry, ROW_KEYS, key)
    group = entry.get("group")
    if not (isinstance(group, list) and len(group) == 2 and all(isinstance(g, str) for g in group)):
        example = f'["{fw.groups[0].name}", "{fw.groups[0].categories[0].name}"]'
        raise check.fail(f"{key}.group", f"请填写一级指标和二级指标名称，如 {example}")
    level1 = next((g for g in fw.groups if g.name == group[0]), None)
    if level1 is None:
        names = "、".join(g.name for g in fw.groups)
        raise check.fail(f"{key}.group", f"“{_quote(group[0])}”不是一级指标（可用：{names}）")
    category = next((c for c in level1.categories if c.name == group[1]), None)
    if category is None:
        names = "、".join(c.name for c in level1.categories)
        raise check.fail(
            f"{key}.group", f"“{_quote(group[1])}”不是“{level1.name}”下的二级指标（可用：{names}）"
        )
    row = RowInput(category.id)
    row.name = check.text(entry.get("name"), f"{key}.name")
    target = entry.get("target")
    if isinstance(target, (int, Decimal)) and not isinstance(target, bool):
        target = str(target)
    text = check.text(target, f"{key}.target")
    if isinstance(text, str):
        parsed = parse_target(text)
        if parsed.op is not None and parsed.value is not None:
            row.op, row.value, row.unit = (
                parsed.op,
                check.number(parsed.value, f"{key}.target"),
                parsed.unit or None,
            )
        else:
            row.value = text
    row.actual = check.value(entry.get("actual"), f"{key}.actual")
    row.weight = check.value(entry.get("weight"), f"{key}.weight")
    row.score = check.value(entry.get("score"), f"{key}.score")
    row.reason = check.text(entry.get("reason"), f"{key}.reason")
    return row
