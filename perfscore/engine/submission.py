"""A submission: the content a department fills in, independent of any workbook.

This is the documented JSON exchange form (``perfscore import`` / ``export``)::

    {"framework": "gz-dept-overall-2022", "year": 2022, "department": "…",
     "header": {"单位数": 1, "年度整体绩效目标": "…", …},
     "budget": {"总预算": 536.58, "基本支出": 441.13, …},
     "indicators": [{"id": "1.1.3", "name": "部门预算资金支出率", "score": 9.3,
                     "reason": "…", "measure": "…", "rate": "0.93"}]}

Numbers may be JSON numbers or decimal strings; export writes decimal strings (exact). Text that is
not a plain decimal (``"９．３"``) is kept as text, exactly as typed, so export → import is lossless.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from perfscore.engine.decimals import fmt, from_float, parse_decimal
from perfscore.engine.form import Form
from perfscore.engine.framework import Framework
from perfscore.engine.grid import CellValue, ErrorValue
from perfscore.errors import InputDataError

Value = Decimal | str | None


@dataclass
class IndicatorInput:
    id: str
    score: Value = None
    reason: Value = None
    measure: Value = None
    rate: Value = None


@dataclass
class Submission:
    framework: str
    year: Value = None
    department: Value = None
    header: dict[str, Value] = field(default_factory=dict)
    budget: dict[str, Value] = field(default_factory=dict)
    indicators: dict[str, IndicatorInput] = field(default_factory=dict)

    # ------------------------------------------------------------------------------- JSON in
    @classmethod
    def from_json(cls, doc: Any, fw: Framework, *, source: str = "JSON") -> Submission:
        def fail(key: str, msg: str) -> InputDataError:
            return InputDataError(f"{key}: {msg}", path=source)

        if not isinstance(doc, dict):
            raise InputDataError("顶层必须是 JSON 对象 {…}", path=source)
        for key in ("framework", "year", "department", "header", "budget", "indicators"):
            if key not in doc:
                raise fail(key, "缺少此键（必需键：framework, year, department, header, budget, indicators）")
        if doc["framework"] != fw.id:
            raise fail("framework", f"“{doc['framework']}”与所用指标体系 {fw.id} 不一致")
        sub = cls(fw.id, _value(doc["year"], "year", fail),
                  _value(doc["department"], "department", fail, numeric=False))  # fmt: skip
        header, budget = doc["header"], doc["budget"]
        if not isinstance(header, dict) or not isinstance(budget, dict):
            raise fail("header/budget", "必须是 JSON 对象")
        known_h = {h.key for h in fw.header}
        for k, v in header.items():
            if k not in known_h:
                raise fail(f"header.{k}", f"未知的基本情况字段（可用：{'、'.join(sorted(known_h))}）")
            kind = next(h.kind for h in fw.header if h.key == k)
            sub.header[k] = _value(v, f"header.{k}", fail, numeric=kind == "integer")
        for k, v in budget.items():
            if k not in fw.budget_fields:
                raise fail(f"budget.{k}", f"未知的预算字段（可用：{'、'.join(fw.budget_fields)}）")
            sub.budget[k] = _value(v, f"budget.{k}", fail)
        if not isinstance(doc["indicators"], list):
            raise fail("indicators", "必须是数组 […]")
        by_name = {leaf.name: leaf.id for leaf in fw.leaves()}
        leaf_ids = {leaf.id for leaf in fw.leaves()}
        for n, item in enumerate(doc["indicators"]):
            key = f"indicators[{n}]"
            if not isinstance(item, dict):
                raise fail(key, "必须是 JSON 对象")
            iid = item.get("id")
            if iid is None:
                if item.get("name") not in by_name:
                    raise fail(key, f"没有 id，且名称“{item.get('name')}”不是指标体系中的三级指标")
                iid = by_name[item["name"]]
            if iid not in leaf_ids:
                raise fail(key, f"id “{iid}”不是指标体系 {fw.id} 的三级指标编号")
            if iid in sub.indicators:
                raise fail(key, f"指标 {iid} 出现了两次")
            unknown = set(item) - {"id", "name", "score", "reason", "measure", "rate"}
            if unknown:
                raise fail(key, f"未知的键：{'、'.join(sorted(unknown))}")
            sub.indicators[iid] = IndicatorInput(
                iid,
                score=_value(item.get("score"), f"{key}.score", fail),
                reason=_value(item.get("reason"), f"{key}.reason", fail, numeric=False),
                measure=_value(item.get("measure"), f"{key}.measure", fail, numeric=False),
                rate=_value(item.get("rate"), f"{key}.rate", fail),
            )
        return sub

    @classmethod
    def loads(cls, text: str, fw: Framework, *, source: str = "JSON") -> Submission:
        return cls.from_json(load_json(text, source=source), fw, source=source)

    # ------------------------------------------------------------------------------ JSON out
    @classmethod
    def from_form(cls, form: Form, fw: Framework) -> Submission:
        first: dict[str, IndicatorInput] = {}
        for row in form.rows:
            if row.id in fw.by_id and row.id not in first:
                first[row.id] = IndicatorInput(
                    row.id, _cell(row.score.value), _cell(row.reason.value), _cell(row.measure.value),
                    _cell(row.rate.value) if fw.by_id[row.id].rule else None,
                )  # fmt: skip
        return cls(
            framework=fw.id,
            year=_cell(form.year.value),
            department=_cell(form.department.value),
            header={k: _cell(v.value) for k, v in form.header.items()},
            budget={k: _cell(v.value) for k, v in form.budget.items()},
            indicators={leaf.id: first[leaf.id] for leaf in fw.leaves() if leaf.id in first},
        )

    def to_json(self, fw: Framework) -> dict[str, Any]:
        def out(v: Value) -> Any:
            return fmt(v) if isinstance(v, Decimal) else v

        year = self.year
        inds = []
        for iid, ind in self.indicators.items():
            item: dict[str, Any] = {"id": iid, "name": fw.by_id[iid].name, "score": out(ind.score),
                                    "reason": out(ind.reason), "measure": out(ind.measure)}  # fmt: skip
            if fw.by_id[iid].rule:
                item["rate"] = out(ind.rate)
            inds.append(item)
        return {
            "framework": self.framework,
            "year": int(year)
            if isinstance(year, Decimal) and year == year.to_integral_value()
            else out(year),
            "department": out(self.department),
            "header": {k: out(v) for k, v in self.header.items()},
            "budget": {k: out(v) for k, v in self.budget.items()},
            "indicators": inds,
        }

    def dumps(self, fw: Framework) -> str:
        return json.dumps(self.to_json(fw), ensure_ascii=False, indent=2) + "\n"


def load_json(text: str, *, source: str = "JSON") -> Any:
    """Parse JSON text with exact decimals; a syntax error names the line and column (exit 2)."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputDataError(
            f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}", path=source
        ) from None


def _value(v: Any, key: str, fail: Any, *, numeric: bool = True) -> Value:
    """JSON value → cell value: numbers and decimal strings become Decimal, other text stays text.

    For text fields (``numeric=False``) a string is always kept as the text it is.
    """
    if v is None:
        return None
    if isinstance(v, bool):
        raise fail(key, "不能是 true/false；请填写数字或文本")
    if isinstance(v, (int, Decimal)):
        return Decimal(v)
    if isinstance(v, float):
        return from_float(v)
    if isinstance(v, str):
        number = parse_decimal(v) if numeric and v == v.strip() else None
        return number if number is not None else v
    raise fail(key, "必须是数字或文本")


def _cell(v: CellValue) -> Value:
    if v is None or isinstance(v, (Decimal, str)):
        return v
    if isinstance(v, ErrorValue):
        return v.code
    return str(v)
