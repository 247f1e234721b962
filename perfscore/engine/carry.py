"""Rebuild, the engine's part: what of a read form carries into a fresh form, and what cannot.

``perfscore rebuild`` moves every input of a form — 基本情况's header, budget or funds, goals and
footer, each indicator row's score, reason, measure and reference datum, a project form's own rows —
into a fresh form of the current template. What it carries is exactly what ``export`` writes
(:meth:`perfscore.engine.submission.Submission.from_form`,
:func:`perfscore.engine.project.form.submission`), values of the same type as the cells held them (a
score typed as text stays text). :func:`plan` also finds what that would silently leave behind, and
refuses it instead, naming the cell:

- an indicator row whose id the framework lacks (edited, or left from another year's framework);
- a second row with the id of an earlier one but other content (export keeps the first);
- a value the new cell cannot hold as it is: a formula (only its result would arrive), an error value,
  a date or TRUE/FALSE (export makes them text), a number with more digits than a file stores, a text
  the builder cannot store exactly (:func:`perfscore.engine.xml_text.cell_text_problem`);
- anything typed outside the form's cells: a cell that is neither an input, nor the template's, nor
  one of perfscore's outputs (the 校验 column, the status lines of 基本情况), and a sheet of the clerk's
  own with content in it.

Template content the clerk edited (a name, a weight, a 指标解释, a formula) is not carried: the fresh
form has the framework's, as ``check`` asks (the findings that said so are listed in ``restored``).
The 校验结果 and 自评表 sheets are perfscore's output and are made again by ``calc`` and ``report``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from perfscore.engine import cells as C
from perfscore.engine import layout as L
from perfscore.engine.form import Located, Row
from perfscore.engine.grid import CellValue, ErrorValue, Formula, Grid, Link, parse_ref, ref
from perfscore.engine.pipeline import AnyResult, Result
from perfscore.engine.project import cells as PC
from perfscore.engine.project import layout as PL
from perfscore.engine.project.form import DeptRow
from perfscore.engine.project.form import submission as project_submission
from perfscore.engine.project.pipeline import ProjectResult
from perfscore.engine.project.submission import ProjectSubmission
from perfscore.engine.quoting import quote
from perfscore.engine.submission import Submission, _Check
from perfscore.engine.values import as_text
from perfscore.engine.xml_text import cell_text_problem
from perfscore.errors import InputDataError

#: The sheets perfscore makes from the data (regenerated, not carried) or carries itself.
OWN_SHEETS = frozenset({L.FINDINGS, L.REPORT, L.META, L.XLWINGS_CONF})
#: Findings of the old form whose template content the fresh form restores.
RESTORED_CODES = ("name-changed", "weight-changed", "explanation-changed", "formula-changed", "sheet-renamed",
                  "row-moved")  # fmt: skip
#: The status cells of 基本情况 that ``calc`` writes.
_STATUS_KEYS = ("errors", "warnings", "checked_at", "engine_total", "engine_grade", "engine_note")


@dataclass(frozen=True)
class Problem:
    """Something the rebuild cannot carry, at its cell of the old form (``cell`` empty: a whole sheet)."""

    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        where = f"{quote(self.sheet)}!{self.cell}" if self.cell else ""
        return f"{where}：{self.message}" if where else self.message


@dataclass
class Carry:
    """What :func:`plan` found: the submission to build from, and what cannot be carried."""

    submission: Submission | ProjectSubmission
    #: A project form's blank rows per category for the builder (None: a department form).
    rows: int | None
    #: Filled cells carried, by sheet of the new form, in its sheet order.
    counts: dict[str, int]
    #: Indicator rows with something filled in (a project form: its rows in use).
    indicator_rows: int
    problems: list[Problem] = field(default_factory=list)
    #: Finding code → how many places of edited template content the fresh form restores.
    restored: dict[str, int] = field(default_factory=dict)
    #: The ``xlwings.conf`` sheet's settings (column A key, column B value), in order.
    xlwings_conf: list[tuple[str, str]] = field(default_factory=list)
    #: Whether the old form had a 自评表 sheet (not carried: ``perfscore report`` makes it).
    had_report: bool = False

    @property
    def carried(self) -> int:
        return sum(self.counts.values())


def plan(result: AnyResult) -> Carry:
    """What of ``result``'s form carries into a fresh form of its framework (see the module's text)."""
    scan = _Scan(result.grid)
    carry = _project(result, scan) if isinstance(result, ProjectResult) else _department(result, scan)
    carry.problems.extend(scan.strays())
    carry.xlwings_conf, conf_problems = _xlwings_conf(result.grid)
    carry.problems.extend(conf_problems)
    order = {name: n for n, name in enumerate(result.grid.sheets)}
    carry.problems.sort(key=lambda p: (order.get(p.sheet, -1), parse_ref(p.cell) if p.cell else (0, 0)))
    found = Counter(f.code for f in result.findings)
    carry.restored = {code: found[code] for code in RESTORED_CODES if found[code]}
    carry.had_report = L.REPORT in result.grid.sheets
    return carry


# ------------------------------------------------------------------------------ values


def value_problem(value: CellValue, formula: str | None) -> str | None:
    """Why a new form's cell cannot hold what an input cell of the old one holds, exactly (or None)."""
    if formula is not None:
        return (
            f"是公式“{quote(formula, 40)}”，重建只能带入它的结果，公式会丢失；"
            "请改为直接填写数值或文字后再重建"
        )
    if isinstance(value, ErrorValue):
        return f"是错误值 {value.code}，无法带入；请改为数字或文字后再重建"
    if isinstance(value, bool):
        return f"是逻辑值 {'TRUE' if value else 'FALSE'}，无法原样带入；请改为文字或数字后再重建"
    if isinstance(value, dt.datetime):
        return (
            f"是日期 {value:%Y-%m-%d}，无法原样带入；"
            f"请改为文字（如 {value.year}年{value.month}月{value.day}日）后再重建"
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "是超出 Excel 范围的数值（如 1e309），无法带入；请改为正确的数字后再重建"
        try:
            _Check("").number(value, "")
        except InputDataError as exc:
            return exc.message
        return None
    if isinstance(value, str):
        return cell_text_problem(value)
    return None


def _filled(value: CellValue) -> bool:
    return value is not None and value != ""


# ------------------------------------------------------------------------------ what is where


class _Scan:
    """The old form's cells, and which of them are accounted for (carried, template or output)."""

    def __init__(self, grid: Grid) -> None:
        self.grid = grid
        #: old sheet name → the new form's (layout) sheet it is read as
        self.sheet_of: dict[str, str] = {}
        #: layout sheet → positions (row, col) of template, input and output cells
        self.known: dict[str, set[tuple[int, int]]] = {}
        #: (old sheet, row) → (layout sheet, layout row, extra columns) of a row found by its id
        self.rows: dict[tuple[str, int], tuple[str, int, frozenset[int]]] = {}
        #: layout sheet → column → the template's texts in it; the columns holding its formulas
        self.texts: dict[str, dict[int, set[str]]] = {}
        self.formula_columns: dict[str, set[int]] = {}
        #: (old sheet, row) of rows already refused as a whole
        self.refused: set[tuple[str, int]] = set()
        self.problems: list[Problem] = []

    def add(self, sheet: str, cell: str) -> None:
        self.known.setdefault(sheet, set()).add(parse_ref(cell))

    def template(self, cells: C.Cells) -> None:
        """The template's cells: their places, and what they hold by column (rows the clerk inserted
        move the sub-total lines below them down: their content is the template's all the same)."""
        for (sheet, cell), value in cells.items():
            self.add(sheet, cell)
            col = parse_ref(cell)[1]
            if isinstance(value, Formula):
                self.formula_columns.setdefault(sheet, set()).add(col)
            elif not isinstance(value, Link):
                shown = Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value
                self.texts.setdefault(sheet, {}).setdefault(col, set()).add(as_text(shown))

    def _template_content(self, sheet: str, col: int, value: CellValue, formula: bool) -> bool:
        if formula:
            return col in self.formula_columns.get(sheet, set())
        return as_text(value) in self.texts.get(sheet, {}).get(col, set())

    def map_sheets(self, layout_sheets: list[str], found: list[tuple[str, str]]) -> None:
        """Map old sheet names to layout ones: the same name, else where most of its rows were found
        (``found``: (layout sheet, old sheet) per row found by id)."""
        taken = set(layout_sheets) | {L.COVER} | OWN_SHEETS
        self.sheet_of[L.COVER] = L.COVER
        for name in layout_sheets:
            if name in self.grid.sheets:
                self.sheet_of[name] = name
                continue
            votes = Counter(old for lay, old in found if lay == name and old not in taken)
            if votes:
                self.sheet_of[votes.most_common(1)[0][0]] = name

    def problem(self, sheet: str, cell: str, message: str) -> None:
        self.problems.append(Problem(sheet, cell, message))

    def strays(self) -> list[Problem]:
        """Every filled cell not accounted for, and every sheet of the clerk's own with content."""
        out = list(self.problems)
        for name, sheet in self.grid.sheets.items():
            if name in OWN_SHEETS:
                continue
            layout_name = self.sheet_of.get(name)
            filled = [
                (r, c, v)
                for r, line in enumerate(sheet.rows, 1)
                for c, v in enumerate(line, 1)
                if _filled(v) or (r, c) in sheet.formulas
            ]
            if layout_name is None:
                if filled:
                    r, c, _ = filled[0]
                    out.append(Problem(name, "", f"工作表“{quote(name)}”不属于自评表（有 {len(filled)} 个非空单元格，"
                                                 f"如 {ref(r, c)}），重建时无法带入；请把其中内容另存后删除该表再重建"))  # fmt: skip
                continue
            known = self.known.get(layout_name, set())
            for r, c, v in filled:
                if (name, r) in self.refused:
                    continue
                row = self.rows.get((name, r))
                if row is not None:
                    lay_sheet, lay_row, extra = row
                    if c in extra or (lay_row, c) in self.known.get(lay_sheet, set()):
                        continue
                elif (r, c) in known or self._template_content(layout_name, c, v, (r, c) in sheet.formulas):
                    continue
                shown = v if _filled(v) else sheet.formulas[(r, c)]
                out.append(Problem(name, ref(r, c), f"“{quote(shown, 30)}”不在自评表的填写位置，重建时无法带入；"
                                                    "请把它移到相应的填写单元格或删除后再重建"))  # fmt: skip
        return out


def _check_values(scan: _Scan, located: list[Located]) -> None:
    for at in located:
        sheet = scan.grid.sheets.get(at.sheet)
        formula = sheet.formulas.get(parse_ref(at.cell)) if sheet is not None else None
        problem = value_problem(at.value, formula)
        if problem:
            scan.problem(at.sheet, at.cell, problem)


def _count(counts: dict[str, int], located: list[tuple[str, Located]]) -> None:
    for sheet, at in located:
        if _filled(at.value):
            counts[sheet] = counts.get(sheet, 0) + 1


# ------------------------------------------------------------------------------ department form


def _department(result: Result, scan: _Scan) -> Carry:
    fw, form = result.framework, result.form
    layouts = L.sheet_layouts(fw)
    leaf_sheet = {iid: (sl.name, r) for sl in layouts for iid, r in sl.rows.items()}
    cl = L.cover_layout(fw)
    scan.template(C.static_cells(fw, form.meta.formulas))
    cover_inputs = ["department", "year", *(f"header:{h.key}" for h in fw.header),
                    *(f"budget:{b}" for b in fw.budget_fields), *_STATUS_KEYS]  # fmt: skip
    for key in cover_inputs:
        scan.add(L.COVER, cl[key])
    scan.map_sheets(
        [sl.name for sl in layouts], [(leaf_sheet[r.id][0], r.sheet) for r in form.rows if r.id in leaf_sheet]
    )

    carried: list[tuple[str, Located]] = [(L.COVER, at) for at in (form.department, form.year,
                                                                  *form.header.values(), *form.budget.values())]  # fmt: skip
    first: dict[str, Row] = {}
    rows_filled = 0
    for row in form.rows:
        leaf = fw.by_id.get(row.id)
        if leaf is None or leaf.children or row.id not in leaf_sheet:
            name = as_text(row.value(L.C_NAME))
            scan.refused.add((row.sheet, row.row))
            scan.problem(row.sheet, row.cell(L.C_ID), f"第 {row.row} 行（“{quote(name, 20)}”）的编号 {quote(row.id, 20)} "
                         f"不是指标体系 {fw.id} 的三级指标编号，该行无法带入；请把编号改回原样，"
                         "或把填写内容移到正确的指标行后删除该行")  # fmt: skip
            continue
        inputs = _row_inputs(row, bool(leaf.rule))
        if row.id in first:
            earlier = first[row.id]
            scan.refused.add((row.sheet, row.row))
            if [a.value for a in inputs] != [a.value for a in _row_inputs(earlier, bool(leaf.rule))]:
                scan.problem(row.sheet, row.cell(L.C_ID), f"第 {row.row} 行与 {quote(earlier.sheet)}!"
                             f"{earlier.cell(L.C_ID)} 的编号同为 {row.id}，但填写内容不同，只能带入其中一行；"
                             "请把内容合并到一行并删除多余的行")  # fmt: skip
            continue
        first[row.id] = row
        sheet, layout_row = leaf_sheet[row.id]
        scan.rows[(row.sheet, row.row)] = (sheet, layout_row, frozenset({L.C_STATUS, *(
            c for c in (L.C_SCORE, L.C_REASON, L.C_MEASURE, L.C_RATE) if c != L.C_RATE or leaf.rule)}))  # fmt: skip
        carried.extend((sheet, at) for at in inputs)
        rows_filled += any(_filled(a.value) for a in inputs)
    _check_values(scan, [at for _, at in carried])
    counts = {name: 0 for name in C.sheet_order(fw) if name not in OWN_SHEETS}
    _count(counts, carried)
    return Carry(Submission.from_form(form, fw), None, counts, rows_filled)


def _row_inputs(row: Row, rule: bool) -> list[Located]:
    return [row.score, row.reason, row.measure, *([row.rate] if rule else [])]


# ------------------------------------------------------------------------------ project form


def _project(result: ProjectResult, scan: _Scan) -> Carry:
    fw, form = result.framework, result.form
    lay = form.layout
    scan.template(PC.static_cells(lay, form.meta.formulas))
    cov = lay.cover
    inputs = [at for at in (form.department, form.year, *form.header.values(), *form.goals.values(),
                            *form.footer.values(), *form.funds.values()) ]  # fmt: skip
    if form.funds_reason is not None:
        inputs.append(form.funds_reason)
    for at in inputs:
        scan.add(L.COVER, at.cell)
    for key in _STATUS_KEYS:
        scan.add(L.COVER, cov[key])
    known = {c.id for c in fw.categories()}
    sheet_of_group = {s.group.id: s for s in lay.sheets}

    def place(row: DeptRow) -> tuple[str, int]:
        gs = sheet_of_group[row.category.split(".")[0]]
        slots = gs.slot_rows[row.category]
        n = int(row.id.split(".")[2])
        return gs.name, slots[n - 1] if 1 <= n <= len(slots) else slots[-1]

    placed = [(place(r)[0], r.sheet) for r in form.rows if r.category in known]
    scan.map_sheets([s.name for s in lay.sheets], placed)
    carried: list[tuple[str, Located]] = [(L.COVER, at) for at in inputs]
    first: dict[str, DeptRow] = {}
    used = 0
    extra = frozenset({*PL.INPUT_COLUMNS, PL.C_STATUS})
    for row in form.rows:
        if row.category not in known:
            if row.used:
                scan.refused.add((row.sheet, row.row))
                scan.problem(row.sheet, ref(row.row, PL.C_ID), f"第 {row.row} 行（“{quote(as_text(row.value(PL.C_NAME)), 20)}”）"
                             f"的编号 {quote(row.id, 20)} 不属于指标体系 {fw.id} 的任何二级指标，该行无法带入；"
                             "请把编号改回原样，或把填写内容移到相应二级指标的空行后删除该行")  # fmt: skip
            else:
                scan.refused.add((row.sheet, row.row))  # nothing typed in it
            continue
        sheet, layout_row = place(row)
        if row.id in first:
            earlier = first[row.id]
            scan.refused.add((row.sheet, row.row))
            if row.used and _row_values(row) != _row_values(earlier):
                scan.problem(row.sheet, ref(row.row, PL.C_ID), f"第 {row.row} 行与 {quote(earlier.sheet)}!"
                             f"{ref(earlier.row, PL.C_ID)} 的编号同为 {row.id}（复制的行？），但填写内容不同，"
                             "只能带入其中一行；请把多出的一行的内容移到本二级指标的空行，再删除该行")  # fmt: skip
            continue
        first[row.id] = row
        scan.rows[(row.sheet, row.row)] = (sheet, layout_row, extra)
        if row.used:
            used += 1
            cells = [row.at(c) for c in PL.INPUT_COLUMNS]
            carried.extend((sheet, at) for at in cells)
            op = row.at(PL.C_OP)  # export reads 指标性质 as text
            if op.value is not None and not isinstance(op.value, str):
                scan.problem(op.sheet, op.cell, f"指标性质“{quote(op.value, 20)}”不是文字，无法原样带入；"
                             "请从下拉列表选择 ≥、>、≤、<、= 之一后再重建")  # fmt: skip
    _check_values(scan, [at for _, at in carried])
    counts = {name: 0 for name in lay.sheet_order() if name not in OWN_SHEETS}
    _count(counts, carried)
    return Carry(project_submission(form, fw), min(lay.slots.values()), counts, used)


def _row_values(row: DeptRow) -> list[CellValue]:
    return [row.value(c) for c in PL.INPUT_COLUMNS]


# ------------------------------------------------------------------------------ xlwings.conf


def _xlwings_conf(grid: Grid) -> tuple[list[tuple[str, str]], list[Problem]]:
    """The settings on ``xlwings.conf`` (A: key, B: value), and any other content of the sheet."""
    sheet = grid.sheets.get(L.XLWINGS_CONF)
    if sheet is None:
        return [], []
    settings: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for r, line in enumerate(sheet.rows, 1):
        key = as_text(line[0]) if line else ""
        if key:
            settings.append((key, as_text(line[1]) if len(line) > 1 else ""))
        for c, v in enumerate(line, 1):
            if _filled(v) and (c > 2 or (c == 2 and not key)):
                problems.append(Problem(L.XLWINGS_CONF, ref(r, c), f"“{quote(v, 30)}”不是 xlwings.conf 的设置"
                                        "（A 列为键、B 列为值），重建时无法带入；请删除后再重建"))  # fmt: skip
    return settings, problems
