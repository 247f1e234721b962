"""Look of the built workbook: fonts, fills, column widths and row heights for wrapped text.

XlsxWriter cannot measure text, and neither Excel nor LibreOffice grows merged cells to fit their
text, so row heights are estimated here: a CJK character is two width units, anything else one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from perfscore.engine import layout as L

FONT, FONT_SIZE = L.FORM_FONT, L.FORM_FONT_SIZE  # SimSun in Excel and WPS; LibreOffice substitutes Noto CJK

INPUT_FILL = "#FFF2CC"  # light yellow: the clerk types here
HEADER_FILL = "#D9D9D9"
SECTION_FILL = "#EDEDED"
DISABLED_FILL = "#F2F2F2"
TOTAL_FILL = "#E2EFDA"
ERROR_FILL = "#FFC7CE"
WARNING_FILL = "#FFEB9C"

#: 校验结果 column widths A..E.
FINDINGS_WIDTHS = (6, 8, 22, 22, 80)

WORKBOOK_OPTIONS: dict[str, Any] = {
    # Never let XlsxWriter guess: text stays text, whatever it looks like.
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE},
}

BASE: dict[str, Any] = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "vcenter"}
CELL: dict[str, Any] = {**BASE, "border": 1, "text_wrap": True}


class Styles:
    """Formats by property set: ``styles(bold=True, align="center")`` returns a cached Format."""

    def __init__(self, workbook: Workbook, cell: dict[str, Any] | None = None) -> None:
        self._workbook = workbook
        self._cell = CELL if cell is None else cell  # the properties of a plain cell
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}

    def __call__(self, base: dict[str, Any] | None = None, **props: Any) -> Format:
        merged = {**(self._cell if base is None else base), **props}
        key = tuple(sorted(merged.items()))
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self._workbook.add_format(merged)
            self._cache[key] = fmt
        return fmt

    def title(self) -> Format:
        return self(BASE, bold=True, font_size=16, align="center")

    def header(self) -> Format:
        return self(bold=True, bg_color=HEADER_FILL, align="center")

    def section(self) -> Format:
        return self(bold=True, bg_color=SECTION_FILL, align="left")

    def label(self) -> Format:
        return self(bold=True, align="center")

    def text(self) -> Format:
        return self(align="left")

    def center(self) -> Format:
        return self(align="center")

    def input_text(self, *, top: bool = False) -> Format:
        return self(align="left", valign="top" if top else "vcenter", bg_color=INPUT_FILL, locked=False)

    def input_number(self, num_format: str = "General") -> Format:
        return self(align="center", bg_color=INPUT_FILL, locked=False, num_format=num_format)

    def total(self, num_format: str = "General") -> Format:
        return self(bold=True, align="center", bg_color=TOTAL_FILL, num_format=num_format)

    def disabled(self) -> Format:
        return self(bg_color=DISABLED_FILL)


def decimal_rule(low: Decimal, high: Decimal | None, what: str) -> dict[str, Any]:
    """Decimal validation with a Chinese prompt; style *warning* so the clerk can still proceed."""
    rule: dict[str, Any] = {"validate": "decimal", "error_type": "warning", "ignore_blank": True}
    if high is None:
        rule.update(criteria=">=", value=float(low))
        message = f"请输入不小于 {low} 的数字，最多 2 位小数"
    else:
        rule.update(criteria="between", minimum=float(low), maximum=float(high))
        message = f"请输入 {low}–{high} 之间的{what}，最多 2 位小数"
    rule.update(
        input_title=f"{what}",
        input_message=message,
        error_title=f"{what}超出范围",
        error_message=f"{message}。\n仍要保留请点“是”，“计算”会在校验结果中列出此格。",
    )
    return rule


def rate_rule() -> dict[str, Any]:
    return {
        "validate": "decimal",
        "criteria": "between",
        "minimum": 0,
        "maximum": 1,
        "error_type": "warning",
        "ignore_blank": True,
        "input_title": "执行率",
        "input_message": "请输入执行率，如 93%（用于计算参考得分）",
        "error_title": "执行率超出范围",
        "error_message": "执行率应在 0%–100% 之间。",
    }
