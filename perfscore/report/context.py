"""The report context: a plain dict built from the engine's :class:`~perfscore.engine.pipeline.Result` only.

Templates (``templates/*.xlsx``) see exactly this dict, described once, here, by :data:`CONTEXT` (the
table in ``templates/README.md`` is generated from it, and a test checks the dict against it).

Values are typed: a number is a :class:`~decimal.Decimal` (``None`` when empty), ``year`` and the
integer header fields (单位数) an ``int``; text the clerk typed is passed through unchanged — it is
data, never template source — and so is a text typed where a number belongs (``"五百"``), so the
report shows what was typed. Rendering prints a Decimal as the published form does (``90.77``,
``41.8``) with :func:`perfscore.engine.decimals.fmt` (see :mod:`perfscore.report.expressions`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from perfscore.engine.decimals import fmt
from perfscore.engine.form import Located
from perfscore.engine.grid import CellValue, ErrorValue
from perfscore.engine.pipeline import Result
from perfscore.engine.scoring import Leaf, Node, by_id

#: What a full-mark row shows in 未达标原因 / 改进措施 when the clerk left them empty (as the seed does).
FULL_MARK_MARK = "\\"

Number = Decimal | str | None  # a typed number cell: a Decimal, the text typed instead, or empty


def text(value: CellValue) -> str:
    """A typed cell as text, as the report prints it: numbers via ``fmt``, text exactly as typed."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, ErrorValue):
        return value.code
    return value


def number(value: CellValue) -> Number:
    """A cell where a number belongs: the number, None when empty, else the text as the report prints it."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    return text(value)


def integer(value: CellValue) -> int | Number:
    """A cell where an integer belongs (单位数): a whole number as ``int``, else as :func:`number`."""
    typed = number(value)
    if isinstance(typed, Decimal) and typed.is_finite() and typed == typed.to_integral_value():
        return int(typed)
    return typed


def year_of(value: CellValue) -> int | None:
    """The year as an ``int``: a whole number, or a text of digits; None when empty or anything else."""
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    typed = integer(value)
    return typed if isinstance(typed, int) else None


def build_context(result: Result) -> dict[str, Any]:
    """The dict a report template sees (described by :data:`CONTEXT`)."""
    fw = result.framework
    form = result.form
    department = text(form.department.value).strip()  # spaces typed around it: a warning, not printed
    year_text = text(form.year.value)
    header = {h.key: _header_value(form.header.get(h.key), h.kind) for h in fw.header}
    header_fields = [{"key": h.key, "kind": h.kind, "value": header[h.key]} for h in fw.header]
    budget = {name: number(_value(form.budget.get(name))) for name in fw.budget_fields}
    nodes = by_id(result.groups)
    bands = [
        {
            "grade": b.grade,
            "label": b.label,
            "ticked": b.grade == result.grade,
            "box": "☑" if b.grade == result.grade else "□",
        }
        for b in fw.bands
    ]
    return {
        "title": f"{year_text}年度{department}{fw.title}" if year_text else f"{department}{fw.title}",
        "framework_title": fw.title,
        "framework_id": fw.id,
        "region": fw.region,
        "department": department,
        "year": year_of(form.year.value),
        "header": header,
        "header_fields": header_fields,
        "header_texts": [f for f in header_fields if f["kind"] == "text"],
        "budget": budget,
        "budget_fields": [{"name": n, "value": budget[n]} for n in fw.budget_fields],
        "budget_unit": fw.budget_unit,
        "rows": [_row(leaf, nodes) for leaf in result.leaves.values()],
        "groups": [_group(n) for n in result.groups],
        "total": result.total,
        "total_weight": fw.total_weight,
        "grade": result.grade,
        "grade_line": result.grade_line,
        "bands": bands,
        "errors": result.errors,
        "warnings": result.warnings,
        "check_lines": [check_line(result)] if result.errors else [],
    }


def check_line(result: Result) -> str:
    """What a report of a form with error findings says, so it never looks like a clean one."""
    return f"校验未通过：错误 {result.errors} 项（见“校验结果”）"


def _value(loc: Located | None) -> CellValue:
    return None if loc is None else loc.value


def _header_value(loc: Located | None, kind: str) -> int | Number:
    """An integer field (单位数) typed (:func:`integer`); a text field as text (``""`` when empty)."""
    return integer(_value(loc)) if kind == "integer" else text(_value(loc))


def _group(node: Node) -> dict[str, Any]:
    ind = node.indicator
    return {
        "id": ind.id,
        "name": ind.name,
        "weight": ind.weight,
        "score": node.score,
        "level": ind.level,
        "children": [_group(c) for c in node.children if not c.indicator.is_leaf],
    }


def _row(leaf: Leaf, nodes: dict[str, Node]) -> dict[str, Any]:
    ind = leaf.indicator
    parts = ind.id.split(".")
    l1 = nodes[parts[0]]
    l2 = nodes[".".join(parts[:2])] if len(parts) > 2 else l1
    row = leaf.row
    score = leaf.score if leaf.score is not None else (number(row.score.value) if row else None)
    full = leaf.score is not None and leaf.score == ind.weight
    reason = text(row.reason.value) if row else ""
    measure = text(row.measure.value) if row else ""
    if full and not reason.strip():
        reason = FULL_MARK_MARK
    if full and not measure.strip():
        measure = FULL_MARK_MARK
    return {
        "id": ind.id,
        "l1_id": l1.indicator.id,
        "l1_name": l1.indicator.name,
        "l1_weight": l1.indicator.weight,
        "l1_score": l1.score,
        "l2_id": l2.indicator.id,
        "l2_name": l2.indicator.name,
        "l2_weight": l2.indicator.weight,
        "l2_score": l2.score,
        # a placeholder row prints as the published table does: name and explanation blank
        "name": "" if ind.placeholder else ind.name,
        "weight": ind.weight,
        "explanation": "" if ind.placeholder else ind.explanation,
        "score": score,
        "full_mark": full,
        "reason": reason,
        "measure": measure,
        "placeholder": ind.placeholder,
        "sheet": row.sheet if row else "",
        "cell": row.score.cell if row else "",
    }


# ------------------------------------------------------------------------------------ the description


@dataclass(frozen=True)
class ContextName:
    """One name a template can use: its type, an example (as it prints for the seed) and what it is.

    ``type`` is a small type language: ``str``, ``int``, ``bool``, ``Decimal``, ``None`` joined by
    ``|``; ``list[T]`` and ``dict[str, T]``; and ``list[row]`` (``group``, ``header_field``,
    ``budget_field``, ``band``) for a list of dicts whose keys are ``items`` (see :data:`RECORDS`).
    """

    name: str
    type: str
    example: str
    description: str
    items: tuple[ContextName, ...] = ()


_n = ContextName

ROW_FIELDS = (
    _n("id", "str", "1.1.1", "三级指标的编号"),
    _n(
        "name",
        "str",
        "部门整体绩效目标产出指标完成情况",
        "三级指标名称（名称缺失的占位行为空，与发布的表一致）",
    ),
    _n("weight", "Decimal", "20", "分值"),
    _n("explanation", "str", "反映年度预算编报时……", "指标解释（占位行为空）"),
    _n("score", "Decimal | str | None", "12.5", "得分；填写的不是数字时为所填文字，未填为 None"),
    _n("full_mark", "bool", "False", "得满分"),
    _n("reason", "str", "开展一期企业家培训班……", "未达标原因；得满分且未填时为 `\\`"),
    _n("measure", "str", "提前筹划准备……", "改进措施；得满分且未填时为 `\\`"),
    _n("placeholder", "bool", "False", "名称在发布的表中缺失的占位指标"),
    _n("l1_id", "str", "1", "所属一级指标的编号"),
    _n("l1_name", "str", "履职效能", "所属一级指标的名称"),
    _n("l1_weight", "Decimal", "50", "所属一级指标的分值"),
    _n("l1_score", "Decimal | None", "41.8", "所属一级指标的得分（有得分无法计算时为 None）"),
    _n("l2_id", "str", "1.1", "所属二级指标的编号"),
    _n("l2_name", "str", "整体效能", "所属二级指标的名称"),
    _n("l2_weight", "Decimal", "50", "所属二级指标的分值"),
    _n("l2_score", "Decimal | None", "41.8", "所属二级指标的得分"),
    _n("sheet", "str", "履职效能", "得分所在的工作表"),
    _n("cell", "str", "H3", "得分所在的单元格"),
)

GROUP_FIELDS = (
    _n("id", "str", "1", "指标编号"),
    _n("name", "str", "履职效能", "指标名称"),
    _n("weight", "Decimal", "50", "分值"),
    _n("score", "Decimal | None", "41.8", "得分（有得分无法计算时为 None）"),
    _n("level", "int", "1", "级别：1 为一级指标，2 为二级指标"),
    _n("children", "list[group]", "", "下一级指标（不含三级指标），每项的名称同本表"),
)

HEADER_FIELD_FIELDS = (
    _n("key", "str", "年度整体绩效目标", "字段名（指标体系文件 [[header]] 的 key）"),
    _n("kind", "str", "text", "text（文字）或 integer（整数）"),
    _n(
        "value",
        "str | int | Decimal | None",
        "1.引导民营企业……",
        "所填内容：text 字段为文字（未填为空文字）；integer 字段为整数，未填为 None，填的不是整数时为所填的数或文字",
    ),
)

BUDGET_FIELD_FIELDS = (
    _n("name", "str", "总预算", "预算项目名称（指标体系文件 [budget] 的 fields）"),
    _n("value", "Decimal | str | None", "536.58", "金额；填写的不是数字时为所填文字，未填为 None"),
)

BAND_FIELDS = (
    _n("grade", "str", "优", "等级"),
    _n("label", "str", "90分≤得分≤100分", "等级的分数范围"),
    _n("ticked", "bool", "True", "是否为本表的等级"),
    _n("box", "str", "☑", "☑（本表的等级）或 □"),
)

#: The dicts of the lists, by the name their type uses (``list[row]`` …).
RECORDS: dict[str, tuple[ContextName, ...]] = {
    "row": ROW_FIELDS,
    "group": GROUP_FIELDS,
    "header_field": HEADER_FIELD_FIELDS,
    "budget_field": BUDGET_FIELD_FIELDS,
    "band": BAND_FIELDS,
}

#: Every name of the context, in the order :func:`build_context` builds it.
CONTEXT: tuple[ContextName, ...] = (
    _n(
        "title",
        "str",
        "2022年度广州市增城区工商业联合会部门整体支出绩效自评表",
        "报表标题：年度 + 部门名称 + 表名（年度未填时不含年度）",
    ),
    _n("framework_title", "str", "部门整体支出绩效自评表", "表名（指标体系文件的 title）"),
    _n("framework_id", "str", "gz-dept-overall-2022", "指标体系编号"),
    _n("region", "str", "广州市增城区", "地区（指标体系文件的 region）"),
    _n("department", "str", "广州市增城区工商业联合会", "部门名称，如基本情况表所填（去掉首尾空格）"),
    _n("year", "int | None", "2022", "年度；未填或不是整数时为 None"),
    _n(
        "header",
        "dict[str, str | int | Decimal | None]",
        'header["单位数"] → 1',
        "基本情况字段名 → 所填内容（值同 header_fields 的 value）；字段随指标体系而定，通用模板请用 header_fields 循环",
    ),
    _n(
        "header_fields",
        "list[header_field]",
        "",
        "全部基本情况字段，按指标体系文件的顺序",
        HEADER_FIELD_FIELDS,
    ),
    _n("header_texts", "list[header_field]", "", "header_fields 中 kind 为 text 的字段", HEADER_FIELD_FIELDS),
    _n(
        "budget",
        "dict[str, Decimal | str | None]",
        'budget["总预算"] → 536.58',
        "预算项目名称 → 金额（值同 budget_fields 的 value）；项目随指标体系而定，通用模板请用 budget_fields 循环",
    ),
    _n("budget_fields", "list[budget_field]", "", "全部预算项目，按指标体系文件的顺序", BUDGET_FIELD_FIELDS),
    _n("budget_unit", "str", "万元", "预算金额的单位"),
    _n("rows", "list[row]", "", "每个三级指标一项，按指标体系的顺序", ROW_FIELDS),
    _n("groups", "list[group]", "", "一级指标，每项含其二级指标（children）", GROUP_FIELDS),
    _n("total", "Decimal | None", "90.77", "总分；有得分无法计算时为 None"),
    _n("total_weight", "Decimal", "100", "总分值"),
    _n("grade", "str | None", "优", "评价等级；总分无法计算时为 None"),
    _n(
        "grade_line",
        "str",
        "☑优 90分≤得分≤100分；□良 80分≤得分＜90分；…",
        "全部等级连成的一行，本表的等级打 ☑",
    ),
    _n("bands", "list[band]", "", "每个等级一项，从高到低", BAND_FIELDS),
    _n("errors", "int", "0", "校验发现的错误条数"),
    _n("warnings", "int", "0", "校验发现的警告条数"),
    _n(
        "check_lines",
        "list[str]",
        "[]",
        '有错误时为 ["校验未通过：错误 N 项（见“校验结果”）"]，否则为 []：对它循环，这一行就只在有错误时打印',
    ),
)


def context_table() -> str:
    """The context as Markdown tables (the one in ``templates/README.md`` is this text)."""
    lines = _table("报表模板可用的名称", CONTEXT)
    for record, fields in RECORDS.items():
        users = "、".join(f"`{c.name}`" for c in CONTEXT if c.type == f"list[{record}]")
        users = users or "`groups` 的 `children`"
        lines += ["", *_table(f"{users} 的每一项（`{record}`）", fields)]
    return "\n".join(lines) + "\n"


def _table(caption: str, names: tuple[ContextName, ...]) -> list[str]:
    rows = [f"**{caption}**", "", "| 名称 | 类型 | 示例（种子数据） | 说明 |", "|---|---|---|---|"]
    for c in names:
        cells = (f"`{c.name}`", f"`{c.type}`", f"`{c.example}`" if c.example else "", c.description)
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return rows
