"""Make the shipped report templates templates/report.xlsx, templates/report-simple.xlsx (the
department form) and templates/report-project.xlsx (the project form, 项目支出绩效自评表).

This is how the shipped templates are made; IT staff edit copies of the .xlsx files directly in
Excel/WPS (see templates/README.md). None names a header, budget or funds field: they loop over the
framework's fields. Also writes the context table of templates/README.md from its one description
(:data:`perfscore.report.context_names.CONTEXT`). Run: ``python3 scripts/make_report_template.py [OUTDIR]``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from perfscore.report.context_names import context_table

FONT = "宋体"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
#: The note right of the print area (the guide ships with perfscore: ``perfscore template docs``).
NOTE = "← 模板说明：运行 perfscore template docs；{cols} 列是循环标记列，不打印"


def style(ws: Any, ref: str, *, size: float = 10, bold: bool = False, h: str = "center",
          v: str = "center", wrap: bool = True, border: bool = True) -> None:  # fmt: skip
    """Style every cell of ``ref`` (a cell or a range) the same way."""
    cells = ws[ref]
    rows = cells if isinstance(cells, tuple) else ((cells,),)
    for row in rows:
        for cell in row if isinstance(row, tuple) else (row,):
            cell.font = Font(name=FONT, size=size, bold=bold)
            cell.alignment = Alignment(horizontal=h, vertical=v, wrap_text=wrap)
            if border:
                cell.border = BOX


def put(ws: Any, ref: str, value: str, **kw: Any) -> None:
    """Write ``value`` into the first cell of ``ref``, style it, and merge ``ref`` if it is a range."""
    first = ref.split(":")[0]
    ws[first] = value
    style(ws, ref, **kw)
    if ":" in ref:
        ws.merge_cells(ref)


def setup_page(ws: Any, *, landscape: bool, area: str, titles: str | None) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.4, 0.5
    ws.page_margins.header, ws.page_margins.footer = 0.2, 0.25
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = FONT
    ws.oddFooter.center.size = 9
    ws.print_area = area
    if titles:
        ws.print_title_rows = titles
    ws.sheet_view.showGridLines = False


def default_template() -> Workbook:
    """The published 自评表 layout, for any framework: the header and budget fields are loops."""
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    widths = {"A": 8, "B": 7, "C": 9, "D": 7, "E": 14, "F": 7, "G": 28, "H": 8, "I": 23, "J": 23,
              "K": 24, "L": 12}  # fmt: skip
    for col, w in widths.items():
        ws.column_dimensions[col].width = w
    put(ws, "A1:J1", "{{ title }}", size=16, bold=True, border=False)
    ws.row_dimensions[1].height = 36
    put(ws, "A2:J2", "部门基本情况", size=11, bold=True)
    put(ws, "A3:B3", "部门名称")
    put(ws, "C3:J3", "{{ department }}", h="left")
    # one row per header field of the framework (单位数, 年度整体绩效目标, …), long texts one
    # paragraph per row
    put(ws, "A4:B4", "{{ f.key }}")
    put(ws, "C4:J4", "{{ f.value | paragraphs }}", h="left", v="top")
    ws["K4"], ws["L4"] = "{% for f in header_fields %}", "{% endfor %}"
    # 年度部门预算情况: the framework's budget fields, four to a line (a label row, a value row), each
    # field two columns wide; the last line is filled with blank fields
    fields = '{% for line in budget_fields | batch(4, {"name": "", "value": none}) %}'
    put(ws, "A5:B6", "年度部门预算情况\n（{{ budget_unit }}）", size=9)  # the unit on a line of its own
    for n, cols in enumerate(("C:D", "E:F", "G:H", "I:J")):
        a, b = cols.split(":")
        put(ws, f"{a}5:{b}5", f"{{{{ line[{n}].name }}}}", size=9)
        put(ws, f"{a}6:{b}6", f"{{{{ line[{n}].value }}}}")
    ws.row_dimensions[5].height = ws.row_dimensions[6].height = 20
    ws["K5"], ws["L6"] = fields, "{% endfor %}"
    # the indicator table: header row (repeated on every page) and one block row per 三级指标
    heads = ("一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "指标解释", "得分/自评分",
             "未达标原因", "改进措施")  # fmt: skip
    for col, head in zip("ABCDEFGHIJ", heads, strict=True):
        put(ws, f"{col}7", head, bold=True)
    ws.row_dimensions[7].height = 28
    block = {
        "A": ("{{ row.l1_name | group(row.l1_id) }}", {}),
        "B": ("{{ row.l1_weight | group(row.l1_id) }}", {}),
        "C": ("{{ row.l2_name | group(row.l2_id) }}", {}),
        "D": ("{{ row.l2_weight | group(row.l2_id) }}", {}),
        "E": ("{{ row.name }}", {}),
        "F": ("{{ row.weight }}", {}),
        "G": ("{{ row.explanation }}", {"h": "left"}),
        "H": ("{{ row.score }}", {}),
        "I": ("{{ row.reason }}", {"h": "left"}),
        "J": ("{{ row.measure }}", {"h": "left"}),
    }
    for col, (text, kw) in block.items():
        put(ws, f"{col}8", text, **kw)
    ws["K8"], ws["L8"] = "{% for row in rows %}", "{% endfor %}"
    put(ws, "A9:E9", "总分")
    put(ws, "F9", "{{ total_weight }}")
    put(ws, "G9", "")
    put(ws, "H9", "{{ total }}")
    put(ws, "I9:J9", "")
    put(ws, "A10:B10", "评价等级")
    put(ws, "C10:J10", "{{ grade_line }}", h="left")
    ws.row_dimensions[10].height = 24
    # printed only when the form has error findings (check_lines is empty for a clean form)
    put(ws, "A11:J11", "{{ line }}", size=11, bold=True, h="left")
    ws["K11"], ws["L11"] = "{% for line in check_lines %}", "{% endfor %}"
    ws["K1"] = NOTE.format(cols="K、L")
    setup_page(ws, landscape=True, area="A1:J11", titles="7:7")
    return wb


def simple_template() -> Workbook:
    """A second variant: a shorter table (e.g. a district's own layout) with 一级 sub-totals."""
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    for col, w in {"A": 6, "B": 12, "C": 26, "D": 7, "E": 8, "F": 34, "G": 22}.items():
        ws.column_dimensions[col].width = w
    put(ws, "A1:F1", "{{ year }}年度部门整体支出绩效自评表（简表）", size=14, bold=True, border=False)
    ws.row_dimensions[1].height = 30
    put(ws, "A2:B2", "填报单位")
    put(ws, "C2:D2", "{{ department }}")
    put(ws, "E2", "年度")
    put(ws, "F2", "{{ year }}")
    for col, head in zip(
        "ABCDEF", ("序号", "一级指标", "三级指标", "分值", "得分", "未达标原因及改进措施"), strict=True
    ):
        put(ws, f"{col}3", head, bold=True)
    cells = ("{{ loop.index }}", "{{ row.l1_name | group(row.l1_id) }}", "{{ row.name }}",
             "{{ row.weight }}", "{{ row.score }}",
             "{% if row.full_mark %}—{% else %}{{ row.reason }}；{{ row.measure }}{% endif %}")  # fmt: skip
    for col, text in zip("ABCDEF", cells, strict=True):
        put(ws, f"{col}4", text, h="left" if col == "F" else "center")
    ws["G4"], ws["H4"] = "{% for row in rows %}", "{% endfor %}"
    put(ws, "A5:C5", "{{ g.name }} 小计")
    put(ws, "D5", "{{ g.weight }}")
    put(ws, "E5", "{{ g.score }}")
    put(ws, "F5", "")
    ws["G5"], ws["H5"] = "{% for g in groups %}", "{% endfor %}"
    put(ws, "A6:C6", "总分", bold=True)
    put(ws, "D6", "{{ total_weight }}")
    put(ws, "E6", "{{ total }}", bold=True)
    put(ws, "F6", "评价等级：{{ grade }}")
    put(ws, "A7:F7", "{{ line }}", bold=True, h="left")
    ws["G7"], ws["H7"] = "{% for line in check_lines %}", "{% endfor %}"
    ws["G1"] = NOTE.format(cols="G、H")
    setup_page(ws, landscape=False, area="A1:F7", titles="3:3")
    return wb


def project_template() -> Workbook:
    """The national 项目支出绩效自评表 (财预〔2020〕10号 annex), for any project framework: the header,
    funds, goal and footer fields and the indicator table's column names come from the framework."""
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    widths = {"A": 11, "B": 18, "C": 24, "D": 16, "E": 13, "F": 7, "G": 8, "H": 43, "I": 24, "J": 12}
    for col, w in widths.items():
        ws.column_dimensions[col].width = w
    put(ws, "A1:H1", "{{ title }}", size=16, bold=True, border=False)
    ws.row_dimensions[1].height = 36
    # one row per header field of the framework (项目名称, 主管部门, 实施单位, …)
    put(ws, "A2:B2", "{{ f.key }}")
    put(ws, "C2:H2", "{{ f.value }}", h="left")
    ws.row_dimensions[2].height = 20
    ws["I2"], ws["J2"] = "{% for f in header_fields %}", "{% endfor %}"
    # 项目资金: the framework's funds rows (the first is the total) in its three columns; 分值, 执行率
    # and 得分 on the total row, — on the 其中 rows (as the published form)
    put(ws, "A3:H3", "项目资金（{{ funds_unit }}）", size=11, bold=True)
    put(ws, "A4:B4", "资金来源", bold=True)
    heads = ("{{ funds_columns[0] }}", "{{ funds_columns[1] }}", "{{ funds_columns[2] }}", "分值", "执行率",
             "得分")  # fmt: skip
    for col, head in zip("CDEFGH", heads, strict=True):
        put(ws, f"{col}4", head, bold=True)
    ws.row_dimensions[4].height = 20
    funds = ('{{ r.amounts[0] }}', '{{ r.amounts[1] }}', '{{ r.amounts[2] }}',
             '{{ funds_weight if r.total else "—" }}', '{{ funds_rate_text if r.total else "—" }}',
             '{{ funds_score if r.total else "—" }}')  # fmt: skip
    put(ws, "A5:B5", "{{ r.label }}")
    for col, text in zip("CDEFGH", funds, strict=True):
        put(ws, f"{col}5", text)
    ws.row_dimensions[5].height = 20
    ws["I5"], ws["J5"] = "{% for r in funds_rows %}", "{% endfor %}"
    # the reason for a low 执行率 (四川): a row only when the framework has that field
    put(ws, "A6:B6", "{{ label }}", size=9)
    put(ws, "C6:H6", "{{ funds_reason | paragraphs }}", h="left", v="top")
    ws.row_dimensions[6].height = 20
    ws["I6"], ws["J6"] = "{% for label in [funds_reason_label] if label %}", "{% endfor %}"
    # 年度总体目标: one row per goal field (预期目标, 实际完成情况), long texts one paragraph per row
    put(ws, "A7:H7", "年度总体目标", size=11, bold=True)
    put(ws, "A8:B8", "{{ g.key }}")
    put(ws, "C8:H8", "{{ g.value | paragraphs }}", h="left", v="top")
    ws.row_dimensions[8].height = 20
    ws["I8"], ws["J8"] = "{% for g in goals %}", "{% endfor %}"
    # 绩效指标: the header row (repeated on every page; no caption row above it, which a page break
    # could leave alone at the foot of a page) and one block row per 三级指标 — a category without
    # any prints one blank row
    heads = ("一级指标", "二级指标", "三级指标", "{{ columns.target }}", "{{ columns.actual }}",
             "{{ columns.weight }}", "{{ columns.score }}", "{{ columns.reason }}")  # fmt: skip
    for col, head in zip("ABCDEFGH", heads, strict=True):
        put(ws, f"{col}9", head, bold=True)
    ws.row_dimensions[9].height = 28
    block = {
        "A": ("{{ row.group | group(row.group_id) }}", {}),
        "B": ("{{ row.category | group(row.category_id) }}", {}),
        "C": ("{{ row.name }}", {}),
        "D": ("{{ row.target }}", {}),
        "E": ("{{ row.actual }}", {}),
        "F": ("{{ row.weight }}", {}),
        "G": ("{{ row.score }}", {}),
        "H": ("{{ row.reason }}", {"h": "left"}),
    }
    for col, (text, kw) in block.items():
        put(ws, f"{col}10", text, **kw)
    ws.row_dimensions[10].height = 20
    ws["I10"], ws["J10"] = "{% for row in rows %}", "{% endfor %}"
    put(ws, "A11:E11", "总分", bold=True)
    put(ws, "F11", "{{ total_weight }}", bold=True)
    put(ws, "G11", "{{ total }}", bold=True)
    put(ws, "H11", "")
    ws.row_dimensions[11].height = 20
    put(ws, "A12:B12", "评价等级")
    put(ws, "C12:H12", "{{ grade_line }}", h="left")
    ws.row_dimensions[12].height = 24
    # the framework's footer fields (四川: 评价结论, 存在问题, 改进措施, 项目负责人, 财务负责人)
    put(ws, "A13:B13", "{{ f.key }}")
    put(ws, "C13:H13", "{{ f.value | paragraphs }}", h="left", v="top")
    ws.row_dimensions[13].height = 20
    ws["I13"], ws["J13"] = "{% for f in footer %}", "{% endfor %}"
    # printed only when the form has error findings (check_lines is empty for a clean form)
    put(ws, "A14:H14", "{{ line }}", size=11, bold=True, h="left")
    ws["I14"], ws["J14"] = "{% for line in check_lines %}", "{% endfor %}"
    ws["I1"] = NOTE.format(cols="I、J")
    setup_page(ws, landscape=True, area="A1:H14", titles="9:9")
    return wb


#: The lines around the generated context table in templates/README.md.
TABLE_BEGIN = "<!-- context-table: generated from perfscore/report/context_names.py (CONTEXT) by scripts/make_report_template.py; do not edit -->"
TABLE_END = "<!-- context-table: end -->"


def with_context_table(guide: str) -> str:
    """The guide's text with the generated context table between its two marker lines."""
    head, begin, rest = guide.partition(TABLE_BEGIN + "\n")
    _, end, tail = rest.partition(TABLE_END)
    if not begin or not end:
        raise SystemExit(f"templates/README.md: the lines {TABLE_BEGIN!r} and {TABLE_END!r} are missing")
    return f"{head}{begin}{context_table()}{end}{tail}"


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "templates"
    out.mkdir(parents=True, exist_ok=True)
    default_template().save(out / "report.xlsx")
    simple_template().save(out / "report-simple.xlsx")
    project_template().save(out / "report-project.xlsx")
    guide = root / "templates" / "README.md"
    (out / "README.md").write_text(with_context_table(guide.read_text("utf-8")), "utf-8")
    print(
        f"wrote {out / 'report.xlsx'}, {out / 'report-simple.xlsx'}, {out / 'report-project.xlsx'} and the"
        f" context table of {out / 'README.md'}"
    )


if __name__ == "__main__":
    main()
