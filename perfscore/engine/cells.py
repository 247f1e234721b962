"""The content of a perfscore workbook as a map of cells, shared by the builder and the tests.

:func:`static_cells` is what the template holds (labels, indicator names and weights, ids, formulas);
:func:`input_cells` is what a submission fills in. The builder writes exactly these; reading the built
workbook back gives the same grid (:func:`to_grid`), which lets tests build forms without files.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from perfscore.engine import layout as L
from perfscore.engine.formulas import Dialect, dialect, span
from perfscore.engine.framework import Framework
from perfscore.engine.grid import (
    CellValue,
    Formula,
    Grid,
    Link,
    PlanValue,
    Sheet,
    parse_ref,
    ref,
    string_literal,
)
from perfscore.engine.submission import Submission
from perfscore.version import __version__

Cells = dict[tuple[str, str], PlanValue]


def static_cells(fw: Framework, mode: str = "native") -> Cells:
    d = dialect(mode)
    cells: Cells = {}
    _cover(fw, d, cells)
    for sl in L.sheet_layouts(fw):
        _indicator_sheet(fw, sl, d, cells)
    _findings_sheet(cells)
    meta = {
        "framework": fw.id,
        "framework_version": fw.version,
        "formulas": d.name,
        "perfscore_version": __version__,
        "layout": L.LAYOUT_VERSION,
    }
    for n, key in enumerate(L.META_KEYS, 1):
        cells[(L.META, f"A{n}")] = key
        cells[(L.META, f"B{n}")] = meta[key]
    return cells


def _cover(fw: Framework, d: Dialect, cells: Cells) -> None:
    cl = L.cover_layout(fw)
    s = L.COVER
    dep, year = cl["department"], cl["year"]
    cells[(s, "A1")] = Formula(f'=IF({year}="","",{year}&"年度")&{dep}&{string_literal(fw.title)}')
    cells[(s, "A2")] = "部门基本情况"
    cells[(s, "A3")] = "部门名称"
    cells[(s, "F3")] = "年度"
    for h in fw.header:
        r, _ = parse_ref(cl[f"header:{h.key}"])
        cells[(s, f"A{r}")] = h.key
    br = cl.budget_label_row
    cells[(s, f"A{br}")] = f"年度部门预算情况（{fw.budget_unit}）"
    for n, name in enumerate(fw.budget_fields):
        cells[(s, ref(br, 2 + n))] = name
    sr = cl.summary_first_row
    cells[(s, f"A{sr}")] = "自评结果"
    cells[(s, f"A{sr + 1}")] = "一级指标"
    cells[(s, f"B{sr + 1}")] = "分值"
    cells[(s, f"C{sr + 1}")] = "得分"
    layouts = L.sheet_layouts(fw)
    all_scores: list[str] = []
    all_weights: list[str] = []
    for root in fw.roots:
        r, _ = parse_ref(cl[f"root:{root.id}"])
        cells[(s, f"A{r}")] = root.name
        cells[(s, cl[f"root_weight:{root.id}"])] = root.weight
        scores, weights = _ranges(fw, layouts, root.id)
        all_scores += scores
        all_weights += weights
        cells[(s, cl[f"root:{root.id}"])] = Formula(d.subtotal(scores, weights, len(list(root.leaves()))))
    r, _ = parse_ref(cl["total"])
    cells[(s, f"A{r}")] = "总分"
    cells[(s, cl["total_weight"])] = fw.total_weight
    cells[(s, cl["total"])] = Formula(d.subtotal(all_scores, all_weights, len(fw.leaves())))
    r, _ = parse_ref(cl["grade"])
    cells[(s, f"A{r}")] = "评价等级"
    cells[(s, cl["grade"])] = Formula(d.grade(cl["total"], fw))
    cells[(s, cl["grade_line"])] = Formula(d.grade_line(cl["grade"], cl["total"], fw))
    r, _ = parse_ref(cl["errors"])
    cells[(s, f"A{r}")] = "校验错误"
    cells[(s, ref(r, 3))] = "警告"
    cells[(s, ref(r, 5))] = "计算时间"
    r, _ = parse_ref(cl["engine_total"])
    cells[(s, f"A{r}")] = "核算总分"
    cells[(s, ref(r, 3))] = "等级"


def _ranges(
    fw: Framework, layouts: list[L.SheetLayout], node_id: str, *, local: bool = False
) -> tuple[list[str], list[str]]:
    """Score and weight ranges (one per sheet) covering the leaves under ``node_id``.

    ``local``: ranges without a sheet prefix (for formulas on the indicator sheet itself).
    """
    leaf_ids = {leaf.id for leaf in fw.by_id[node_id].leaves()}
    scores, weights = [], []
    for sl in layouts:
        rows = sorted(r for iid, r in sl.rows.items() if iid in leaf_ids)
        if rows:
            sheet = None if local else sl.name
            scores.append(span(sheet, ref(rows[0], L.C_SCORE), ref(rows[-1], L.C_SCORE)))
            weights.append(span(sheet, ref(rows[0], L.C_WEIGHT), ref(rows[-1], L.C_WEIGHT)))
    return scores, weights


def _indicator_sheet(fw: Framework, sl: L.SheetLayout, d: Dialect, cells: Cells) -> None:
    s = sl.name
    cells[(s, "A1")] = f"{fw.title}——{sl.group.name}"
    for col, label in enumerate(L.COLUMNS, 1):
        cells[(s, ref(L.HEADER_ROW, col))] = label
    for leaf in sl.group.leaves():
        r = sl.rows[leaf.id]
        l1 = fw.by_id[leaf.id.split(".")[0]]
        l2 = fw.by_id[".".join(leaf.id.split(".")[:2])]
        if next(l1.leaves()).id == leaf.id:
            cells[(s, ref(r, L.C_L1))] = l1.name
            cells[(s, ref(r, L.C_L1W))] = l1.weight
        if next(l2.leaves()).id == leaf.id:
            cells[(s, ref(r, L.C_L2))] = l2.name
            cells[(s, ref(r, L.C_L2W))] = l2.weight
        cells[(s, ref(r, L.C_NAME))] = leaf.name
        cells[(s, ref(r, L.C_WEIGHT))] = leaf.weight
        cells[(s, ref(r, L.C_EXPLAIN))] = leaf.explanation
        cells[(s, ref(r, L.C_ID))] = leaf.id
        if leaf.rule == "rate":
            cells[(s, ref(r, L.C_SUGGEST))] = Formula(d.suggestion(ref(r, L.C_WEIGHT), ref(r, L.C_RATE)))
    for gid, r in sl.subtotal_rows.items():
        node = fw.by_id[gid]
        first, last = sl.score_range(node)
        label = "合计" if gid == sl.group.id else "小计"
        cells[(s, ref(r, L.C_NAME))] = f"{label}：{node.name}"
        cells[(s, ref(r, L.C_WEIGHT))] = node.weight
        n = len(list(node.leaves()))
        cells[(s, ref(r, L.C_SCORE))] = Formula(
            d.subtotal([f"{first}:{last}"], [f"F{first[1:]}:F{last[1:]}"], n)
        )


def _findings_sheet(cells: Cells) -> None:
    cells[(L.FINDINGS, "A1")] = "校验结果（由“计算”或 perfscore calc 生成；点击位置可跳转到单元格）"
    for col, label in enumerate(L.FINDINGS_COLUMNS, 1):
        cells[(L.FINDINGS, ref(2, col))] = label


def input_cells(fw: Framework, sub: Submission) -> Cells:
    cl = L.cover_layout(fw)
    cells: Cells = {}
    s = L.COVER
    cells[(s, cl["department"])] = sub.department
    cells[(s, cl["year"])] = sub.year
    for key, v in sub.header.items():
        cells[(s, cl[f"header:{key}"])] = v
    for key, v in sub.budget.items():
        cells[(s, cl[f"budget:{key}"])] = v
    rows = {leaf: (sl.name, r) for sl in L.sheet_layouts(fw) for leaf, r in sl.rows.items()}
    for iid, ind in sub.indicators.items():
        sheet, r = rows[iid]
        cells[(sheet, ref(r, L.C_SCORE))] = ind.score
        cells[(sheet, ref(r, L.C_REASON))] = ind.reason
        cells[(sheet, ref(r, L.C_MEASURE))] = ind.measure
        if fw.by_id[iid].rule:
            cells[(sheet, ref(r, L.C_RATE))] = ind.rate
    return cells


def with_results(content: Cells, shown: Mapping[tuple[str, str], CellValue]) -> Cells:
    """``content`` with each formula carrying what it shows for these entries (the engine's figures),
    so a viewer that does not recalculate shows them too."""
    return {
        key: Formula(value.text, shown.get(key)) if isinstance(value, Formula) else value
        for key, value in content.items()
    }


def to_grid(cells: Cells, sheet_order: list[str] | None = None) -> Grid:
    """The grid a reader would produce from a workbook holding ``cells`` (a formula shows its ``value``)."""
    grid = Grid(source="<cells>")
    names: list[str] = list(sheet_order or [])
    for sheet, _ in cells:
        if sheet not in names:
            names.append(sheet)
    for name in names:
        grid.add(Sheet(name))
    for (sheet, cell), value in cells.items():
        if sheet not in grid.sheets:
            continue
        r, c = parse_ref(cell)
        rows = grid.sheets[sheet].rows
        while len(rows) < r:
            rows.append([])
        line = rows[r - 1]
        while len(line) < c:
            line.append(None)
        line[c - 1] = _grid_value(value)
        if isinstance(value, Formula):
            grid.sheets[sheet].formulas[(r, c)] = value.text
    return grid


def _grid_value(value: PlanValue) -> CellValue:
    if isinstance(value, Formula):
        return value.value
    if isinstance(value, Link):
        return value.text
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def sheet_order(fw: Framework) -> list[str]:
    return [L.COVER, *(sl.name for sl in L.sheet_layouts(fw)), L.FINDINGS, L.META]
