"""The content of a project form as a map of cells, shared by its builder, its checks and the tests.

:func:`static_cells` is what the template holds (labels, categories, ids, formulas); :func:`input_cells`
is what a submission fills in. Computed cells are listed by :func:`computed_cells` with the label a
message uses; :mod:`perfscore.engine.project.scoring` gives the value each shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from perfscore.engine import layout as L
from perfscore.engine.cells import Cells
from perfscore.engine.grid import Formula, parse_ref, quote_sheet, ref, string_literal
from perfscore.engine.project import layout as PL
from perfscore.engine.project.formulas import ProjectDialect, dialect
from perfscore.engine.project.layout import ProjectLayout
from perfscore.engine.project.submission import ProjectSubmission
from perfscore.version import __version__

#: The keys of the hidden ``_perfscore`` sheet of a project form (``rows``: its slots per category).
META_KEYS = (*L.META_KEYS, "rows")


@dataclass(frozen=True)
class Computed:
    """One formula cell of the form: where, what it shows (for messages), its formula."""

    sheet: str
    cell: str
    key: str  # what scoring calls its value: "ref:1.1.1", "sub:1.1", "total", …
    label: str
    formula: str
    checked: bool  # a figure the bureau relies on (checked for tampering)


def computed_cells(lay: ProjectLayout, mode: str) -> list[Computed]:
    d = dialect(mode)
    out: list[Computed] = []
    fw, cov = lay.fw, lay.cover
    s = L.COVER

    def add(sheet: str, cell: str, key: str, label: str, formula: str, checked: bool = True) -> None:
        out.append(Computed(sheet, cell, key, label, formula, checked))

    year = cov["year"]
    title = f'=IF({year}="","",{year}&"年度")&{string_literal(fw.title)}'
    add(s, cov["title"], "title", "标题", title, False)
    total_row = fw.funds.rows[0]
    budget, actual = cov[f"funds:{total_row}:{fw.funds.budget}"], cov[f"funds:{total_row}:{fw.funds.actual}"]
    add(s, cov["funds_rate"], "funds_rate", f"“{fw.funds.name}”执行率", d.funds_rate(actual, budget))
    add(s, cov["funds_score"], "funds_score", f"“{fw.funds.name}”得分", d.funds_score(cov["funds_weight"], actual, budget))  # fmt: skip
    for sheet in lay.sheets:
        _sheet_cells(lay, sheet, d, add)
    summary = [cov["summary:funds"]]
    add(s, cov["summary:funds"], "funds_score", f"自评结果“{fw.funds.name}”得分", f"={cov['funds_score']}")
    for sheet in lay.sheets:
        g = sheet.group
        prefix = f"{quote_sheet(sheet.name)}!"
        total_score = ref(sheet.total_row, PL.C_SCORE)
        add(s, cov[f"summary:{g.id}"], f"group:{g.id}", f"自评结果“{g.name}”得分", f"={prefix}{total_score}")
        summary.append(cov[f"summary:{g.id}"])
        add(
            s,
            cov[f"summary_weight:{g.id}"],
            f"weight:{g.id}",
            f"自评结果“{g.name}”分值",
            _group_weight(lay, sheet, d),
        )
    add(s, cov["total"], "total", "总分", d.all_or_blank(summary))
    add(s, cov["grade"], "grade", "评价等级", d.grade(cov["total"], fw))
    add(s, cov["grade_line"], "grade_line", "评价等级（勾选）", d.grade_line(cov["grade"], cov["total"], fw))
    return out


def _sheet_cells(lay: ProjectLayout, sheet: PL.GroupSheet, d: ProjectDialect, add: _Add) -> None:
    for cat in sheet.group.categories:
        for n, r in enumerate(sheet.slot_rows[cat.id], 1):
            rid = f"{cat.id}.{n}"
            add(sheet.name, ref(r, PL.C_REFERENCE), f"ref:{rid}", f"第 {r} 行参考得分", d.reference(r), False)
            add(sheet.name, ref(r, PL.C_BAND), f"band:{rid}", f"第 {r} 行定性档次", d.band(r), False)
        first, last = sheet.rows_of(cat)
        sr = sheet.subtotal_rows[cat.id]
        add(sheet.name, ref(sr, PL.C_WEIGHT), f"subweight:{cat.id}", f"“小计：{cat.name}”分值", d.sum_weights(first, last))  # fmt: skip
        add(sheet.name, ref(sr, PL.C_SCORE), f"sub:{cat.id}", f"“小计：{cat.name}”得分", d.category_score(first, last))  # fmt: skip
    rows = list(sheet.subtotal_rows.values())
    g = sheet.group
    tr = sheet.total_row
    add(sheet.name, ref(tr, PL.C_WEIGHT), f"rowsweight:{g.id}", f"“合计：{g.name}”分值", d.sum_weights(rows[0], rows[-1]))  # fmt: skip
    scores = [ref(r, PL.C_SCORE) for r in rows]
    add(
        sheet.name, ref(tr, PL.C_SCORE), f"groupscore:{g.id}", f"“合计：{g.name}”得分", d.all_or_blank(scores)
    )


class _Add(Protocol):
    def __call__(
        self, sheet: str, cell: str, key: str, label: str, formula: str, checked: bool = True
    ) -> None: ...


def _group_weight(lay: ProjectLayout, sheet: PL.GroupSheet, d: ProjectDialect) -> str:
    """The 一级's 分值 as the summary shows it: fixed, moved when the framework moves it, or the rows' sum."""
    g = sheet.group
    if g.weight is None:
        return f"={quote_sheet(sheet.name)}!{ref(sheet.total_row, PL.C_WEIGHT)}"

    def rows(of: PL.GroupSheet) -> tuple[str, int, int]:
        first, last = of.all_rows()
        return (f"{quote_sheet(of.name)}!", first, last)

    moved = [
        (str(other.group.weight), rows(other))
        for other in lay.sheets
        if other.group.moves_to == g.id and other.group.weight is not None
    ]
    return d.group_weight(str(g.weight), rows(sheet), g.moves_to is not None, moved)


def static_cells(lay: ProjectLayout, mode: str = "native") -> Cells:
    fw, cov = lay.fw, lay.cover
    cells: Cells = {}
    s = L.COVER
    cells[(s, "A2")] = "项目基本情况"
    cells[(s, "A3")] = "填报单位"
    cells[(s, "F3")] = "年度"
    for h in fw.header:
        cells[(s, f"A{parse_ref(cov[f'header:{h.key}'])[0]}")] = h.key
    f = fw.funds
    cells[(s, f"A{cov.funds_label_row}")] = f"项目资金（{f.unit}）"
    hr = cov.funds_header_row
    cells[(s, f"A{hr}")] = "资金来源"
    for k, heading in enumerate((*f.columns, "分值", "执行率", "得分")):
        cells[(s, ref(hr, 2 + k))] = heading
    for k, fund_row in enumerate(f.rows):
        cells[(s, f"A{hr + 1 + k}")] = fund_row if k == 0 or len(f.rows) == 1 else f"其中：{fund_row}"
    cells[(s, cov["funds_weight"])] = f.weight
    if "funds_reason" in cov.cells:
        cells[(s, f"A{parse_ref(cov['funds_reason'])[0]}")] = f.reason_label
    cells[(s, f"A{cov.goals_label_row}")] = "年度总体目标"
    for goal in fw.goals:
        cells[(s, f"A{parse_ref(cov[f'goal:{goal.key}'])[0]}")] = goal.key
    for field_ in fw.footer:
        cells[(s, f"A{parse_ref(cov[f'footer:{field_.key}'])[0]}")] = field_.key
    sr = cov.summary_first_row
    cells[(s, f"A{sr}")] = "自评结果"
    cells[(s, f"A{sr + 1}")], cells[(s, f"B{sr + 1}")], cells[(s, f"C{sr + 1}")] = "指标", "分值", "得分"
    cells[(s, f"A{parse_ref(cov['summary:funds'])[0]}")] = f.name
    cells[(s, cov["summary_weight:funds"])] = f.weight
    for g in fw.groups:
        cells[(s, f"A{parse_ref(cov[f'summary:{g.id}'])[0]}")] = g.name
    r = parse_ref(cov["total"])[0]
    cells[(s, f"A{r}")] = "总分"
    cells[(s, cov["total_weight"])] = fw.total_weight
    cells[(s, f"A{parse_ref(cov['grade'])[0]}")] = "评价等级"
    r = parse_ref(cov["errors"])[0]
    cells[(s, f"A{r}")], cells[(s, ref(r, 3))], cells[(s, ref(r, 5))] = "校验错误", "警告", "计算时间"
    r = parse_ref(cov["engine_total"])[0]
    cells[(s, f"A{r}")], cells[(s, ref(r, 3))] = "核算总分", "等级"
    labels = PL.column_labels(fw)
    for sheet in lay.sheets:
        name = sheet.name
        cells[(name, "A1")] = f"{fw.title}——{sheet.group.name}"
        for col, label in enumerate(labels, 1):
            cells[(name, ref(PL.HEADER_ROW, col))] = label
        for cat in sheet.group.categories:
            rows = sheet.slot_rows[cat.id]
            cells[(name, ref(rows[0], PL.C_CAT))] = cat.name
            for k, row in enumerate(rows, 1):
                cells[(name, ref(row, PL.C_ID))] = f"{cat.id}.{k}"
            cells[(name, ref(sheet.subtotal_rows[cat.id], PL.C_NAME))] = f"小计：{cat.name}"
        cells[(name, ref(sheet.total_row, PL.C_NAME))] = f"合计：{sheet.group.name}"
    cells[(L.FINDINGS, "A1")] = "校验结果（由“计算”或 perfscore calc 生成；点击位置可跳转到单元格）"
    for col, label in enumerate(L.FINDINGS_COLUMNS, 1):
        cells[(L.FINDINGS, ref(2, col))] = label
    for c in computed_cells(lay, mode):
        cells[(c.sheet, c.cell)] = Formula(c.formula)
    meta = {
        "framework": fw.id,
        "framework_version": fw.version,
        "formulas": mode,
        "perfscore_version": __version__,
        "layout": L.LAYOUT_VERSION,
        "rows": PL.slots_text(lay.slots),
    }
    for n_, key in enumerate(META_KEYS, 1):
        cells[(L.META, f"A{n_}")] = key
        cells[(L.META, f"B{n_}")] = meta[key]
    return cells


def input_cells(lay: ProjectLayout, sub: ProjectSubmission) -> Cells:
    """The cells a submission fills in (rows in the order given, each category from its first slot)."""
    cov = lay.cover
    s = L.COVER
    cells: Cells = {(s, cov["department"]): sub.department, (s, cov["year"]): sub.year}
    for key, v in sub.header.items():
        cells[(s, cov[f"header:{key}"])] = v
    for key, v in sub.goals.items():
        cells[(s, cov[f"goal:{key}"])] = v
    for key, v in sub.footer.items():
        cells[(s, cov[f"footer:{key}"])] = v
    if "funds_reason" in cov.cells:
        cells[(s, cov["funds_reason"])] = sub.funds_reason
    for name, cols in sub.funds.items():
        for column, v in cols.items():
            cells[(s, cov[f"funds:{name}:{column}"])] = v
    used: dict[str, int] = {}
    for row in sub.rows:
        sheet = lay.sheet_of(row.category.split(".")[0])
        n = used.get(row.category, 0)
        used[row.category] = n + 1
        r = sheet.slot_rows[row.category][n]
        values = (row.name, row.op, row.value, row.unit, row.actual, row.weight, row.score, row.reason)
        for col, v in zip(PL.INPUT_COLUMNS, values, strict=True):
            cells[(sheet.name, ref(r, col))] = v
    return cells
