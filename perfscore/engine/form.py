"""Parse: the grid of a perfscore workbook → a :class:`Form` whose every value knows its cell.

Parsing only locates and extracts; judging values is the checks' job. Indicator rows are found by the
id in the 编号 column of any sheet that is not one of perfscore's own sheets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from perfscore.engine import layout as L
from perfscore.engine.framework import ID_PATTERN, Framework
from perfscore.engine.grid import CellValue, Grid, Sheet, ref
from perfscore.engine.values import as_text
from perfscore.errors import UnusableInputError


class Located(NamedTuple):
    """A value and the cell it came from."""

    value: CellValue
    sheet: str
    cell: str


@dataclass(frozen=True)
class Row:
    """One indicator row as found in the workbook."""

    id: str
    sheet: str
    row: int
    values: tuple[CellValue, ...]  # columns A..N

    def value(self, col: int) -> CellValue:
        return self.values[col - 1] if col <= len(self.values) else None

    def cell(self, col: int) -> str:
        return ref(self.row, col)

    def at(self, col: int) -> Located:
        return Located(self.value(col), self.sheet, self.cell(col))

    @property
    def score(self) -> Located:
        return self.at(L.C_SCORE)

    @property
    def reason(self) -> Located:
        return self.at(L.C_REASON)

    @property
    def measure(self) -> Located:
        return self.at(L.C_MEASURE)

    @property
    def rate(self) -> Located:
        return self.at(L.C_RATE)


@dataclass(frozen=True)
class Meta:
    framework: str
    framework_version: str
    formulas: str
    perfscore_version: str


@dataclass
class Form:
    meta: Meta
    department: Located
    year: Located
    header: dict[str, Located]
    budget: dict[str, Located]
    rows: list[Row]  # workbook order
    sheets: list[str]
    cover_present: bool = True


def read_meta(grid: Grid) -> Meta:
    """The hidden sheet that records which framework built the workbook; exit-2 error if absent."""
    sheet = grid.sheets.get(L.META)
    if sheet is None:
        raise UnusableInputError(
            "不是 perfscore 生成的自评表（缺少隐藏工作表 _perfscore）；请用 `perfscore new` 生成模板后填写",
            path=grid.source or None,
        )
    values = {as_text(sheet.at(r, 1)): as_text(sheet.at(r, 2)) for r in range(1, sheet.max_row + 1)}
    if not values.get("framework"):
        raise UnusableInputError(
            "隐藏工作表 _perfscore!B1 未记录指标体系编号（framework），文件可能被改动；请用原模板重新填写",
            path=grid.source or None,
        )
    return Meta(
        framework=values["framework"],
        framework_version=values.get("framework_version", ""),
        formulas=values.get("formulas", "native"),
        perfscore_version=values.get("perfscore_version", ""),
    )


def parse(grid: Grid, fw: Framework, meta: Meta) -> Form:
    cover = grid.sheets.get(L.COVER)
    cl = L.cover_layout(fw)

    def located(key: str) -> Located:
        cell = cl[key]
        return Located(cover.get(cell) if cover else None, L.COVER, cell)

    rows: list[Row] = []
    own = {L.COVER, L.FINDINGS, L.REPORT, L.META}
    for sheet in grid.sheets.values():
        if sheet.name not in own:
            rows.extend(_indicator_rows(sheet))
    return Form(
        meta=meta,
        department=located("department"),
        year=located("year"),
        header={h.key: located(f"header:{h.key}") for h in fw.header},
        budget={name: located(f"budget:{name}") for name in fw.budget_fields},
        rows=rows,
        sheets=list(grid.sheets),
        cover_present=cover is not None,
    )


def _indicator_rows(sheet: Sheet) -> list[Row]:
    found = []
    for r, line in enumerate(sheet.rows[L.FIRST_ROW - 1 :], L.FIRST_ROW):
        if len(line) < L.C_ID:
            continue  # no id in this row
        text = as_text(line[L.C_ID - 1])
        if "." in text and ID_PATTERN.match(text):
            found.append(Row(text, sheet.name, r, tuple(line[: L.C_ID])))
    return found
