"""Every name a report template can use: its type, an example and what it holds, as data.

:data:`CONTEXT` (and :data:`RECORDS`, the fields of the dicts in its lists) describes what
:func:`perfscore.report.context.build_context` builds; ``tests/test_report_context.py`` checks the two
against each other, and :func:`context_table` generates the table of the template guide
(``templates/README.md``, printed by ``perfscore template docs``).
"""

from __future__ import annotations

from dataclasses import dataclass


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
