"""The form's computed cells: the formulas that show figures, and the figures they should show.

A form's sub-totals, group scores, 总分, 评价等级 and grade line (and its title and reference scores)
are formulas of the template (:mod:`perfscore.engine.cells`). :func:`computed_cells` lists them with
the formula each must hold; :func:`shown_values` gives what each shows when computed from the form's
own entries — the engine's exact figures, rounded as the form prints them. The checks compare both
with the workbook (``formula-changed``, ``displayed-total-differs``); the writers store the values as
the cells' cached results, so a viewer that does not recalculate shows the right figures too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from weakref import WeakKeyDictionary

from perfscore.engine import layout as L
from perfscore.engine.cells import static_cells
from perfscore.engine.decimals import round_half_up
from perfscore.engine.form import Form
from perfscore.engine.framework import Framework
from perfscore.engine.grid import CellValue, ErrorValue, Formula, parse_ref, ref
from perfscore.engine.scoring import Leaf, Node, by_id, reference_score, valid_rate
from perfscore.engine.values import Kind, as_text


@dataclass(frozen=True)
class Computed:
    """One formula cell of the template (on the sheet named as the layout names it)."""

    sheet: str
    cell: str
    label: str  # what it shows, for messages: 总分, “履职效能”得分, 小计：整体效能, …
    formula: str
    checked: bool  # a figure the bureau relies on (checked for tampering), not the title or a hint
    pos: tuple[int, int]  # (row, col) of ``cell``


_CACHE: WeakKeyDictionary[Framework, dict[str, tuple[Computed, ...]]] = WeakKeyDictionary()


def computed_cells(fw: Framework, mode: str) -> tuple[Computed, ...]:
    """Every formula cell of a ``mode`` (native/udf) form of ``fw`` (computed once per framework)."""
    by_mode = _CACHE.setdefault(fw, {})
    if mode not in by_mode:
        by_mode[mode] = tuple(_computed(fw, mode))
    return by_mode[mode]


def _computed(fw: Framework, mode: str) -> list[Computed]:
    cells = static_cells(fw, mode)

    def make(sheet: str, cell: str, label: str, checked: bool = True) -> Computed:
        formula = cells[(sheet, cell)]
        assert isinstance(formula, Formula), (sheet, cell)
        return Computed(sheet, cell, label, formula.text, checked, parse_ref(cell))

    cl = L.cover_layout(fw)
    out = [make(L.COVER, cl["title"], "标题", checked=False)]
    out += [make(L.COVER, cl[f"root:{root.id}"], f"“{root.name}”得分") for root in fw.roots]
    out += [make(L.COVER, cl["total"], "总分"), make(L.COVER, cl["grade"], "评价等级")]
    out.append(make(L.COVER, cl["grade_line"], "评价等级（勾选）"))
    for sl in L.sheet_layouts(fw):
        for gid, row in sl.subtotal_rows.items():
            label = f"“{'合计' if gid == sl.group.id else '小计'}：{fw.by_id[gid].name}”"
            out.append(make(sl.name, ref(row, L.C_SCORE), label))
        for leaf in sl.group.leaves():
            if leaf.rule == "rate":
                out.append(make(sl.name, ref(sl.rows[leaf.id], L.C_SUGGEST), f"“{leaf.name}”参考得分", False))
    return out


def shown_values(
    fw: Framework,
    form: Form,
    leaves: dict[str, Leaf],
    groups: tuple[Node, ...],
    total: Decimal | None,
    grade: str | None,
) -> dict[tuple[str, str], CellValue]:
    """What each computed cell shows when the form's formulas compute it: a Decimal, a text, or ""
    where the form shows nothing (a score missing or invalid). None: not known here (a udf-mode
    reference score of an invalid rate shows the add-in's error text)."""
    cl = L.cover_layout(fw)
    nodes = by_id(groups)
    out: dict[tuple[str, str], CellValue] = {}
    year = as_text(form.year.value)
    title = f"{year}年度" if year else ""
    out[(L.COVER, cl["title"])] = f"{title}{as_text(form.department.value)}{fw.title}"
    for root in fw.roots:
        out[(L.COVER, cl[f"root:{root.id}"])] = _figure(nodes[root.id].score)
    out[(L.COVER, cl["total"])] = _figure(total)
    out[(L.COVER, cl["grade"])] = grade or ""
    out[(L.COVER, cl["grade_line"])] = fw.grade_line(grade)
    for sl in L.sheet_layouts(fw):
        for gid, row in sl.subtotal_rows.items():
            out[(sl.name, ref(row, L.C_SCORE))] = _figure(nodes[gid].score)
        for leaf in sl.group.leaves():
            if leaf.rule == "rate":
                out[(sl.name, ref(sl.rows[leaf.id], L.C_SUGGEST))] = _suggestion(
                    leaves[leaf.id], form.meta.formulas
                )
    return out


def _figure(value: Decimal | None) -> CellValue:
    return "" if value is None else value


def _suggestion(leaf: Leaf, mode: str) -> CellValue:
    """The reference score as the form's formula shows it (native: any number rate, capped at 100%)."""
    rate = leaf.rate
    if mode == "udf":
        if rate.kind is Kind.EMPTY:
            return ""
        valid = valid_rate(rate)
        return None if valid is None else reference_score(leaf.indicator.weight, valid)
    if rate.kind is not Kind.NUMBER or rate.value is None:
        return ""
    return round_half_up(leaf.indicator.weight * min(rate.value, Decimal(1)))


# ------------------------------------------------------------------------------ comparing


_QUOTED_SHEET = re.compile(r"'((?:[^']|'')+)'!")
_STRING = re.compile(r'"(?:[^"]|"")*"')


def same_formula(found: str | None, expected: str) -> bool:
    """The same formula up to what spreadsheet applications change when they save one: ``$``
    anchors, spaces, letter case, the ``_xlfn.`` prefix and quotes around sheet names."""
    return found is not None and (found == expected or _normal(found) == _normal(expected))


def _normal(formula: str) -> str:
    text = formula.strip().lstrip("=")
    strings = _STRING.findall(text)
    text = _STRING.sub('""', text)
    text = _QUOTED_SHEET.sub(lambda m: m.group(1).replace("''", "'") + "!", text)
    text = re.sub(r"\s+|\$", "", text).upper().replace("_XLFN.", "").replace("_XLWS.", "")
    return text + "\0" + "\0".join(strings)


def renamed(formula: str, names: dict[str, str]) -> str:
    """``formula`` with sheet references renamed (``{layout name: actual name}``), as Excel does
    when a sheet is renamed."""
    for old, new in names.items():
        if old != new:
            quoted = "'" + old.replace("'", "''") + "'!"
            formula = formula.replace(quoted, "'" + new.replace("'", "''") + "'!")
    return formula


def same_shown(cached: CellValue, expected: CellValue) -> bool:
    """Does a cell's cached result show ``expected``? Where the form shows no figure (""), an empty
    cell, an error value or the add-in's error text (``#得分无效…``) are all consistent with it."""
    if expected is None:
        return True
    if expected == "":
        return cached in (None, "") or isinstance(cached, ErrorValue) or str(cached).startswith("#")
    if isinstance(expected, Decimal):
        return isinstance(cached, Decimal) and cached == expected
    return as_text(cached) == expected
