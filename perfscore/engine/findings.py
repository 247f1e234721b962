"""Findings: what validation reports, each with a stable code, a severity and a cell.

Checks return findings; they never raise. The catalogue below is the single list of codes and of
their messages (templates the checks fill in): the README's table of finding codes is generated from
it and a test keeps the two in step.

The values filled into a message come from the workbook (a name, a cell's text, a sheet's name), so
:func:`finding` passes every one through :func:`perfscore.engine.quoting.quote`: each message stays one
line, free of control characters, with long values shortened. A finding's ``sheet`` stays the real
name (the 校验结果 sheet links to it); whoever prints it quotes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from perfscore.engine.quoting import quote


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    summary: str  # Chinese, for the README table and the findings sheet
    messages: Mapping[str, str]  # variant ("" = the usual one) -> message template (str.format fields)


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO


def _code(code: str, severity: Severity, summary: str, message: str | dict[str, str]) -> Code:
    return Code(code, severity, summary, {"": message} if isinstance(message, str) else message)


_SCORE = "请填写 0 至 {weight} 之间的分数"

#: Every finding code with its severity, summary and message templates: each message is written here once.
CATALOGUE: dict[str, Code] = {
    c.code: c
    for c in [
        _code("score-missing", _E, "得分为空", "“{name}”的得分为空；" + _SCORE),
        _code("score-not-number", _E, "得分不是数字", {
            "": "“{name}”的得分“{value}”不是数字；" + _SCORE,
            "percent": "“{name}”的得分“{value}”是百分比；得分应填分数（0 至 {weight}）",
            "comma": "“{name}”的得分“{value}”含有逗号；小数请用小数点，如 9.3",
        }),
        _code("score-formula-error", _E, "得分单元格是公式错误值（如 #DIV/0!）",
              "“{name}”的得分是公式错误 {value}；请改为数字或修正公式"),
        _code("score-negative", _E, "得分小于 0", "“{name}”的得分 {score} 小于 0"),
        _code("score-above-weight", _E, "得分大于分值", "“{name}”的得分 {score} 大于分值 {weight}"),
        _code("score-text-number", _E, "得分以文本形式输入，表内小计和总分公式不会计入",
              "“{name}”的得分是文本“{value}”，表内的小计和总分公式不会计入它；请删除后重新输入数字 {number}"),
        _code("score-precision", _W, "得分超过 2 位小数",
              "“{name}”的得分 {score} 超过 2 位小数；合计按精确值计算后四舍五入到 0.01"),
        _code("reason-missing", _E, "未满分但未填写未达标原因",
              "“{name}”得分 {score} 低于分值 {weight}，请填写未达标原因"),
        _code("measure-missing", _E, "未满分但未填写改进措施",
              "“{name}”得分 {score} 低于分值 {weight}，请填写改进措施"),
        _code("rate-invalid", _E, "参考数据（执行率等）不是 0%–100% 的比率",
              "{what}“{value}”无效；请填写 0% 至 100% 之间的比率（如 93%）"),
        _code("rate-text-number", _W, "参考数据以文本形式输入，已按数字读取",
              "{what}是文本“{value}”，已按 {percent}% 读取"),
        _code("suggestion-differs", _W, "自评分与参考计算结果不一致（仅供参考，不会改动自评分）", {
            "": "参考得分 {weight} × {percent}% = {suggestion}，与自评分 {score} 不一致；自评分保持不变，请核对",
            "target": "“{name}”按完成情况计算的参考得分为 {reference}，与自评分 {score} 不一致；自评分保持不变，请核对",
        }),
        _code("budget-not-number", _E, "预算金额不是数字", {
            "": "{field}“{value}”不是数字（单位：{unit}）",
            "comma": "{field}“{value}”含有逗号（无法确定是千位分隔还是小数点）；请直接输入数字，如 536.58",
        }),
        _code("budget-negative", _E, "预算金额小于 0", "{field} {value} 小于 0"),
        _code("budget-missing", _W, "预算金额为空", "{field}为空；没有该项资金请填 0"),
        _code("budget-text-number", _W, "预算金额以文本形式输入，已按数字读取",
              "{field}是文本“{value}”，已按 {number} 读取"),
        _code("budget-identity", _E, "预算恒等式不成立",
              "{label} 不成立：{left} = {left_sum}，{right} = {right_sum}"),
        _code("header-missing", _E, "基本情况必填项为空", {
            "department": "部门名称为空；请填写部门全称",
            "year": "年度为空；请填写四位年度，如 2022",
            "integer": "{field}为空；请填写正整数",
            "text": "{field}为空；请填写（如无，请写“无”）",
        }),
        _code("header-invalid", _E, "基本情况填写格式不正确", {
            "year": "年度“{value}”不是四位年份",
            "integer": "{field}“{value}”应为正整数",
        }),
        _code("department-padded", _W, "部门名称前后有空格（打印时已去掉）",
              "部门名称“{value}”前后有空格，打印的标题和报表已去掉；请删除多余的空格"),
        _code("year-outside-framework", _W, "年度不在指标体系适用年度内",
              "年度 {year} 不在指标体系 {framework} 的适用年度（{span}）内"),
        _code("row-missing", _E, "指标行缺失（被删除或编号被改动）",
              "指标 {id}“{name}”缺失（行被删除或编号被改动）；请从空白模板恢复该行"),
        _code("row-duplicate", _E, "指标行重复", "指标 {id} 与 {first} 重复；请删除多余的行（只计第一行）"),
        _code("row-moved", _W, "指标行顺序与指标体系不一致",
              "指标 {id} 的位置与指标体系不一致（应在“{target}”表，按编号顺序）"),
        _code("row-unknown", _E, "出现指标体系中没有的指标编号",
              "编号 {id} 不在指标体系 {framework} 中；请删除该行或从空白模板复制正确的行"),
        _code("name-changed", _E, "指标名称与指标体系不一致",
              "{label} {id} 名称应为“{name}”，表中为“{found}”；指标名称不可修改"),
        _code("weight-changed", _E, "分值与指标体系不一致",
              "{label} {id} 分值应为 {weight}，表中为“{found}”；分值由指标体系规定，不可修改"),
        _code("sheet-renamed", _W, "指标工作表被改名",
              "工作表“{name}”应名为“{expected}”（已按指标编号读取）；请改回原名，以免表间公式失效"),
        _code("formula-changed", _E, "自动计算的单元格（小计、得分、总分、等级）的公式被改动或覆盖",
              "{label}应为公式“{formula}”，表中为{found}；这是自动计算的单元格，请从空白模板复制恢复"),
        _code("displayed-total-differs", _E, "自动计算的单元格显示的结果与表中得分不符（文件被改动或未重新计算）",
              "{label}显示为 {shown}，按表中填写的得分应为 {expected}（文件可能被改动过或未重新计算）；"
              "请重新计算后保存（Excel：公式 → 开始计算），或运行“计算”"),
        _code("explanation-changed", _W, "指标解释或小计行被改动", {
            "explanation": "指标 {id} 的指标解释与指标体系不一致（表中为“{found}”）；指标解释由指标体系规定，请勿修改",
            "subtotal": "“{label}”一行被改动（表中为“{found}”）；该行由模板生成，请勿修改",
        }),
        _code("sheet-missing", _E, "工作表缺失", {
            "cover": "工作表“{name}”缺失；请从空白模板恢复该表",
            "group": "“{group}”的指标表缺失（{why}）；请从空白模板恢复该工作表",
        }),
        _code("macros-lost", _W, "udf 模式（含宏）的表单丢失了 VBA 宏工程、对 xlwings 加载项的引用或工作表代码名称（如被 WPS、LibreOffice 另存）",
              "此表是 udf 模式（含宏）的自评表，但{lost}，可能被 WPS 或 LibreOffice 另存过：在 Excel 中"
              "“计算”“生成报表”按钮和 PS_* 函数都将无法使用；请运行 perfscore rebuild 本文件 -o 新文件.xlsm，"
              "把填写内容移入一份新的自评表"),
        _code("placeholder-indicator", _I, "指标名称为占位（原表缺失），待正式指标体系补正",
              "指标 {id} 的名称在原表中缺失，现为占位名称；待正式指标体系文件补正"),
        # the project form (项目支出): department-written rows, targets, shares and funds
        _code("row-name-missing", _E, "项目支出表：已填写内容的行没有三级指标名称",
              "第 {row} 行已填写内容，但三级指标名称为空；请填写指标名称（不用的行请清空）"),
        _code("row-weight-invalid", _E, "项目支出表：三级指标的分值为空或不是数字", {
            "": "“{name}”的分值“{value}”不是有效数字；请填写该指标的分值（如 8）",
            "missing": "“{name}”的分值为空；请填写该指标的分值（各三级指标分值之和应等于一级指标分值）",
        }),
        _code("deviation-missing", _E, "项目支出表：未满分但未填写偏差原因分析",
              "“{name}”得分 {score} 低于分值 {weight}，请填写偏差原因分析及改进措施"),
        _code("target-missing", _E, "项目支出表：指标值为空",
              "“{name}”的指标值为空；请填写年度指标值（定量指标填数字，如 50；定性指标填描述，如“效果明显”）"),
        _code("target-op-invalid", _E, "项目支出表：指标性质不是 ≥、>、≤、<、= 之一",
              "“{name}”的指标性质“{value}”无效；请从下拉列表选择 ≥、>、≤、<、= 之一，定性指标留空"),
        _code("target-not-number", _E, "项目支出表：定量指标的指标值不是数字",
              "“{name}”选择了指标性质，但指标值“{value}”不是数字；定量指标的指标值请只填数字（单位填在度量单位列）"),
        _code("target-unsplit", _W, "项目支出表：指标值含有指标性质或单位，未能计算参考得分",
              "“{name}”的指标值“{value}”含有指标性质或单位；请把指标性质 {op}、指标值 {number}、度量单位 {unit} "
              "分别填入三列，才能计算参考得分"),
        _code("target-op-missing", _W, "项目支出表：指标值是数字但未选择指标性质",
              "“{name}”的指标值是数字，但未选择指标性质；请选择 ≥、≤ 或 =（留空则按定性指标处理）"),
        _code("actual-missing", _W, "项目支出表：定量指标的实际完成值为空",
              "“{name}”的实际完成值为空；请填写，才能计算参考得分"),
        _code("actual-not-number", _W, "项目支出表：实际完成值不是数字，未能计算参考得分",
              "“{name}”的实际完成值“{value}”不是数字，无法计算参考得分；请只填数字（单位：{unit}，见度量单位列）"),
        _code("unit-mismatch", _E, "项目支出表：实际完成值的单位与指标值不同",
              "“{name}”的实际完成值“{value}”的单位“{unit}”与指标值的单位“{target_unit}”不同；"
              "请换算为相同单位后只填数字"),
        _code("reference-undefined", _W, "项目支出表：无法按完成情况计算参考得分", {
            "": "“{name}”无法计算参考得分：{why}；请核实实际完成值",
            "negative": "“{name}”的指标值或实际完成值为负数，无法计算参考得分；请核实",
        }),
        _code("target-overshoot", _W, "项目支出表：实际完成值远超指标值，未说明原因",
              "“{name}”实际完成值 {actual} 超出指标值 {target} 的 {percent}% 以上；"
              "请在偏差原因分析中说明原因（指标值是否设定过低）"),
        _code("group-empty", _E, "项目支出表：必填的一级指标没有三级指标",
              "一级指标“{group}”没有填写任何三级指标；请至少填写一行"),
        _code("group-weight", _E, "项目支出表：一级指标下各三级指标分值合计不符",
              "“{group}”下各三级指标分值合计 {found}，应为 {expected}；请调整各指标的分值"),
        _code("indicators-weight", _E, "项目支出表：全部三级指标分值合计不符",
              "各三级指标分值合计 {found}，应为 {expected}（绩效指标总分值）；请调整各指标的分值"),
        _code("funds-missing", _E, "项目支出表：计算预算执行率所需的资金数为空",
              "{field}为空，无法计算“{name}”得分；请填写（没有资金请填 0）"),
        _code("funds-budget-zero", _E, "项目支出表：预算数为 0，无法计算预算执行率",
              "{field}为 0，无法计算预算执行率；请核实预算数"),
        _code("funds-reason-missing", _E, "项目支出表：预算执行率偏低但未说明原因",
              "预算执行率 {rate}% 未达到 {limit}%，请说明原因"),
        _code("rule-failed", _E, "校验规则运行出错（请报告此问题）", "规则 {rule} 出错：{error}"),
        # perfscore digitise: reading a published 自评表 (PDF or extracted text) back into data
        _code("digitise-row-unread", _E, "原表中此行未能可靠读出，未写入数据", {
            "": "未能读出 {id}“{name}”（指标体系分值 {weight}）：{found}；此行未写入数据，请对照原表补填",
            "printed": "未能读出“{name}”一行（原表分值 {weight}）：{found}；此行未写入数据，请对照原表补填",
        }),
        _code("digitise-row-partial", _W, "原表中此行名称与指标解释缺失，仅按位置和分值读出得分",
              "{id}“{name}”的名称与指标解释在原表中缺失，按其位置和分值 {weight} 读出得分 {score}；请对照原表核对"),
        _code("digitise-text-split", _I, "纯文本中未达标原因与改进措施的分界由行宽推断",
              "{id}“{name}”：纯文本没有列位置，未达标原因与改进措施按行宽划分；请核对（读取 PDF 原件则按列读取）"),
        _code("digitise-field-missing", _W, "原表中未找到此项，数据中留空",
              "原表中未找到{what}；数据中此项留空，请对照原表补填"),
        _code("digitise-total-differs", _E, "原表总分与各项得分之和不符",
              "原表总分 {printed} 与读出的各项得分之和 {computed} 不符；原表可能有误或被改动"),
        _code("digitise-subtotal-differs", _E, "原表小计与该组读出的各项得分之和不符",
              "原表“{name}”小计 {printed} 与读出的各项得分之和 {computed} 不符；原表可能有误或被改动"),
        _code("digitise-total-unchecked", _W, "有指标行未读出，原表总分无法核对",
              "有 {count} 行得分未读出，原表总分 {printed} 无法与各项得分之和核对"),
        _code("digitise-weight-differs", _E, "原表分值与指标体系不符", {
            "": "{id}“{name}”原表分值 {printed} 与指标体系 {framework} 的分值 {weight} 不符；请确认所用指标体系",
            "total": "原表总分值 {printed} 与指标体系 {framework} 的 {weight} 不符；请确认所用指标体系",
            "rows": "原表三级指标分值合计 {printed} 与指标体系 {framework} 的 {weight} 不符；请确认所用指标体系",
            "funds": "原表{name}的分值 {printed} 与指标体系 {framework} 的 {weight} 不符；请确认所用指标体系",
        }),
        _code("digitise-grade-differs", _E, "原表勾选的评价等级与总分不符",
              "原表评价等级勾选“{ticked}”，按原表总分 {total} 应为“{grade}”"),
        _code("digitise-grade-ambiguous", _W, "原表评价等级勾选了多个",
              "原表评价等级勾选了多个（{grades}）；请对照原表"),
        _code("digitise-budget-differs", _E, "原表预算金额不满足指标体系的恒等式",
              "原表预算：{label} 不成立（{left} ≠ {right}）"),
        _code("digitise-funds-differs", _E, "项目支出表：原表的执行率或资金得分与资金数不符",
              "原表{what} {printed} 与按资金数计算的 {computed} 不符"),
    ]
}  # fmt: skip

#: The sheet of a finding about the whole workbook rather than one cell (e.g. ``rule-failed``).
WORKBOOK = ""


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    sheet: str
    cell: str
    message: str

    @property
    def location(self) -> str:
        """``Sheet!Cell``, ``Sheet`` for a whole sheet, ``""`` for the whole workbook."""
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    @property
    def where(self) -> str:
        """The location as shown to the clerk: ``Sheet!Cell``, ``Sheet``, or 工作簿 for the whole file."""
        return self.location or "工作簿"

    def to_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
        }


def finding(code: str, sheet: str, cell: str, variant: str = "", /, **fields: object) -> Finding:
    """A finding of a catalogued code: severity and message from the catalogue, filled with ``fields``
    (each as text, quoted: escaped and shortened, see :mod:`perfscore.engine.quoting`)."""
    entry = CATALOGUE[code]
    shown = {name: quote(value) for name, value in fields.items()}
    return Finding(code, entry.severity, sheet, cell, entry.messages[variant].format(**shown))


def count(findings: Iterable[Finding], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity)


class Tallied:
    """The error and warning counts of a result's ``findings`` (mixed into both kinds of result)."""

    findings: tuple[Finding, ...]

    @property
    def errors(self) -> int:
        return count(self.findings, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count(self.findings, Severity.WARNING)
