"""Parse a project form: the grid → a :class:`ProjectForm` whose every value knows its cell.

The slots per category come from the hidden ``_perfscore`` sheet (``rows``); department rows are
found by the id in the 编号 column, so rows the clerk resized or a re-saved file still read correctly.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfscore.engine import layout as L
from perfscore.engine.form import Located, Meta
from perfscore.engine.grid import CellValue, Grid, ref
from perfscore.engine.project import layout as PL
from perfscore.engine.project.layout import ProjectLayout, layout, parse_slots
from perfscore.engine.project.model import ProjectFramework
from perfscore.engine.project.submission import ProjectSubmission, RowInput
from perfscore.engine.submission import _cell
from perfscore.engine.values import as_text
from perfscore.errors import UnusableInputError


@dataclass(frozen=True)
class DeptRow:
    """One slot row of a category as found in the workbook (used or blank)."""

    id: str  # "1.2.3"
    category: str  # "1.2"
    sheet: str
    row: int
    values: tuple[CellValue, ...]  # columns A..M

    def value(self, col: int) -> CellValue:
        return self.values[col - 1] if col <= len(self.values) else None

    def at(self, col: int) -> Located:
        return Located(self.value(col), self.sheet, ref(self.row, col))

    @property
    def used(self) -> bool:
        """Any input cell holds something (as the formulas: ``LEN(B&C&…&I)>0``)."""
        return any(_filled(self.value(c)) for c in PL.INPUT_COLUMNS)


def _filled(v: CellValue) -> bool:
    return v is not None and v != ""


@dataclass
class ProjectForm:
    meta: Meta
    layout: ProjectLayout
    department: Located
    year: Located
    header: dict[str, Located]
    goals: dict[str, Located]
    footer: dict[str, Located]
    funds: dict[tuple[str, str], Located]  # (row, column) -> cell
    funds_reason: Located | None
    rows: list[DeptRow]  # every slot found, workbook order
    sheets: list[str]
    cover_present: bool = True

    def used_rows(self) -> list[DeptRow]:
        return [r for r in self.rows if r.used]


def parse(grid: Grid, fw: ProjectFramework, meta: Meta, rows_text: str) -> ProjectForm:
    slots = parse_slots(rows_text, fw)
    if slots is None:
        raise UnusableInputError(
            f"隐藏工作表 _perfscore 记录的各二级指标行数（rows = “{rows_text[:80]}”）与指标体系 {fw.id} 不符，"
            "文件可能被改动；请用 perfscore export 导出数据后重新 import",
            path=grid.source or None,
        )
    lay = layout(fw, slots)
    cover = grid.sheets.get(L.COVER)
    cov = lay.cover

    def located(key: str) -> Located:
        cell = cov[key]
        return Located(cover.get(cell) if cover else None, L.COVER, cell)

    found: list[DeptRow] = []
    for sheet in grid.sheets.values():
        if sheet.name in {L.COVER, L.FINDINGS, L.REPORT, L.META, L.XLWINGS_CONF}:
            continue
        for r, line in enumerate(sheet.rows[PL.FIRST_ROW - 1 :], PL.FIRST_ROW):
            if len(line) < PL.C_ID:
                continue
            text = as_text(line[PL.C_ID - 1])
            parts = text.split(".")
            if len(parts) == 3 and all(p.isdigit() for p in parts):
                cat = f"{parts[0]}.{parts[1]}"
                found.append(DeptRow(text, cat, sheet.name, r, tuple(line[: PL.C_ID])))
    return ProjectForm(
        meta=meta,
        layout=lay,
        department=located("department"),
        year=located("year"),
        header={h.key: located(f"header:{h.key}") for h in fw.header},
        goals={g.key: located(f"goal:{g.key}") for g in fw.goals},
        footer={g.key: located(f"footer:{g.key}") for g in fw.footer},
        funds={(r, c): located(f"funds:{r}:{c}") for r in fw.funds.rows for c in fw.funds.columns},
        funds_reason=located("funds_reason") if "funds_reason" in cov.cells else None,
        rows=found,
        sheets=list(grid.sheets),
        cover_present=cover is not None,
    )


def submission(form: ProjectForm, fw: ProjectFramework) -> ProjectSubmission:
    """What the form holds, as a submission (``perfscore export``): used rows only, first of each id."""
    sub = ProjectSubmission(
        framework=fw.id,
        year=_cell(form.year.value),
        department=_cell(form.department.value),
        header={k: _cell(v.value) for k, v in form.header.items()},
        goals={k: _cell(v.value) for k, v in form.goals.items()},
        footer={k: _cell(v.value) for k, v in form.footer.items()},
        funds_reason=None if form.funds_reason is None else _cell(form.funds_reason.value),
    )
    for name in fw.funds.rows:
        sub.funds[name] = {c: _cell(form.funds[(name, c)].value) for c in fw.funds.columns}
    seen: set[str] = set()
    known = {c.id for c in fw.categories()}
    for row in form.rows:
        if not row.used or row.id in seen or row.category not in known:
            continue
        seen.add(row.id)
        op = as_text(row.value(PL.C_OP)) or None
        sub.rows.append(
            RowInput(
                row.category,
                name=_cell(row.value(PL.C_NAME)),
                op=op,
                value=_cell(row.value(PL.C_VALUE)),
                unit=_cell(row.value(PL.C_UNIT)),
                actual=_cell(row.value(PL.C_ACTUAL)),
                weight=_cell(row.value(PL.C_WEIGHT)),
                score=_cell(row.value(PL.C_SCORE)),
                reason=_cell(row.value(PL.C_REASON)),
            )
        )
    return sub
