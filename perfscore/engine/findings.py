"""Findings: what validation reports, each with a stable code, a severity and a cell.

Checks return findings; they never raise. The catalogue below is the single list of codes: the
README's table of finding codes is generated from it and a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


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


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

CATALOGUE: dict[str, Code] = {
    c.code: c
    for c in [
        Code("score-missing", _E, "得分为空"),
        Code("score-not-number", _E, "得分不是数字"),
        Code("score-formula-error", _E, "得分单元格是公式错误值（如 #DIV/0!）"),
        Code("score-negative", _E, "得分小于 0"),
        Code("score-above-weight", _E, "得分大于分值"),
        Code("score-text-number", _W, "得分以文本形式输入，已按数字读取"),
        Code("score-precision", _W, "得分超过 2 位小数"),
        Code("reason-missing", _E, "未满分但未填写未达标原因"),
        Code("measure-missing", _E, "未满分但未填写改进措施"),
        Code("rate-invalid", _E, "参考数据（执行率等）不是 0%–100% 的比率"),
        Code("rate-text-number", _W, "参考数据以文本形式输入，已按数字读取"),
        Code("suggestion-differs", _W, "自评分与参考计算结果不一致（仅供参考，不会改动自评分）"),
        Code("budget-not-number", _E, "预算金额不是数字"),
        Code("budget-negative", _E, "预算金额小于 0"),
        Code("budget-missing", _W, "预算金额为空"),
        Code("budget-text-number", _W, "预算金额以文本形式输入，已按数字读取"),
        Code("budget-identity", _E, "预算恒等式不成立"),
        Code("header-missing", _E, "基本情况必填项为空"),
        Code("header-invalid", _E, "基本情况填写格式不正确"),
        Code("year-outside-framework", _W, "年度不在指标体系适用年度内"),
        Code("row-missing", _E, "指标行缺失（被删除或编号被改动）"),
        Code("row-duplicate", _E, "指标行重复"),
        Code("row-moved", _W, "指标行顺序与指标体系不一致"),
        Code("row-unknown", _E, "出现指标体系中没有的指标编号"),
        Code("name-changed", _E, "指标名称与指标体系不一致"),
        Code("weight-changed", _E, "分值与指标体系不一致"),
        Code("sheet-missing", _E, "工作表缺失"),
        Code("placeholder-indicator", _I, "指标名称为占位（原表缺失），待正式指标体系补正"),
        Code("rule-failed", _E, "校验规则运行出错（请报告此问题）"),
    ]
}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    sheet: str
    cell: str
    message: str

    @property
    def location(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def to_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
        }


def finding(code: str, sheet: str, cell: str, message: str) -> Finding:
    """Make a finding of a catalogued code (its severity comes from the catalogue)."""
    return Finding(code, CATALOGUE[code].severity, sheet, cell, message)


def count(findings: Iterable[Finding], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity)
