"""Write plans as data: rectangular blocks of values and what a writer adds when it saves.

The engine decides *what* to write (:mod:`perfscore.engine.plan` for a department form,
:mod:`perfscore.engine.project.plan` for a project form); openpyxl (:mod:`perfscore.xlsx`) and xlwings
(:mod:`perfscore.bridge`) only apply it. Plain ``str`` values are always written as text; only
:class:`~perfscore.engine.grid.Formula` values become formulas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from perfscore.engine.findings import Finding, Severity
from perfscore.engine.grid import CellValue, Grid, PlanValue, parse_ref


@dataclass(frozen=True)
class Block:
    """A rectangle of values whose top-left cell is (top, left), 1-based."""

    sheet: str
    top: int
    left: int
    values: tuple[tuple[PlanValue, ...], ...]

    @property
    def bottom(self) -> int:
        return self.top + len(self.values) - 1

    @property
    def right(self) -> int:
        return self.left + max((len(r) for r in self.values), default=1) - 1


@dataclass(frozen=True)
class WritePlan:
    blocks: tuple[Block, ...]
    # (sheet, first row): clear perfscore's own rows from here down to the sheet's end, before writing
    clear_from: tuple[tuple[str, int, int], ...] = ()  # (sheet, first_row, columns)
    finishing: Finishing | None = None
    #: (sheet, row, points): rows whose merged cells hold long text (基本情况's text fields). No
    #: application grows a row for a merged cell, so the height is set for the text it holds.
    heights: tuple[tuple[str, int, float], ...] = ()


@dataclass(frozen=True)
class Finishing:
    """What a writer that cannot compute formulas (openpyxl) adds when it saves; Excel, through the
    bridge, computes results and row heights itself."""

    #: The result each formula cell shows: sheet → {(row, col): value}.
    results: Mapping[str, Mapping[tuple[int, int], CellValue]]
    #: Rows whose height follows their text (no custom height): the indicator rows.
    auto_rows: Mapping[str, tuple[int, ...]]
    #: The height each of those rows needs for its text now (Excel and WPS grow a row as text is
    #: typed, but not for text written by another program): sheet → {row: points}.
    row_heights: Mapping[str, Mapping[int, float]] = field(default_factory=dict)


_MARK = {Severity.ERROR: "✖", Severity.WARNING: "⚠", Severity.INFO: "ℹ"}


def status_text(findings: Sequence[Finding]) -> str:
    """The 校验 column text of one row: worst finding first, e.g. ``✖ 得分为空…``; ✔ when clean."""
    if not findings:
        return "✔"
    rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    ordered = sorted(findings, key=lambda f: rank[f.severity])
    return "\n".join(f"{_MARK[f.severity]} {f.message}" for f in ordered)


def runs(rows: set[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) runs: {3, 4, 5, 8} → [(3, 5), (8, 8)]."""
    runs: list[tuple[int, int]] = []
    for r in sorted(rows):
        if runs and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


def formula_results(
    grid: Grid, shown: Mapping[tuple[str, str], CellValue]
) -> dict[str, dict[tuple[int, int], CellValue]]:
    """What each formula cell of a workbook shows once written: ``shown`` (perfscore's figure) for the
    form's computed cells, what the file held for any other formula."""
    out = {name: {pos: sheet.at(*pos) for pos in sheet.formulas} for name, sheet in grid.sheets.items()}
    for (sheet, cell), value in shown.items():
        if sheet in out:
            out[sheet][parse_ref(cell)] = value
    return out
