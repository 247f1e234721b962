"""Is a udf-mode form's macro machinery still there? (``macros-lost``)

A udf-mode form (``formulas = udf`` on ``_perfscore``) is an ``.xlsm`` whose VBA project references
the xlwings add-in by project name and whose sheets carry the code names the project's document
modules go by. An ``.xlsm`` re-saved by LibreOffice keeps the module sources but drops the reference
and every code name; one saved as ``.xlsx`` has no VBA project at all. Excel then fails on the
buttons (“Can't find project or library”) and the PS_* functions. The file readers put what the
package holds into :attr:`perfscore.engine.grid.Grid.macros`; this rule (registered for both kinds of
form) says, at the workbook level, what is missing and how to recover: ``perfscore rebuild``.
"""

from __future__ import annotations

from perfscore.engine import checks
from perfscore.engine import layout as L
from perfscore.engine.findings import WORKBOOK, Finding, finding
from perfscore.engine.form import Meta
from perfscore.engine.grid import Grid
from perfscore.engine.project import checks as project_checks

NO_PROJECT = "文件中已没有 VBA 宏工程"
NO_REFERENCE = "VBA 宏工程已不再引用 xlwings 加载项"
NO_CODE_NAMES = "工作表的代码名称（codeName）已丢失"


def lost_parts(meta: Meta, grid: Grid) -> list[str]:
    """What a udf-mode form's package lacks of its macro machinery (empty: nothing, or not known)."""
    m = grid.macros
    if meta.formulas != "udf" or m is None:
        return []
    if not m.vba_project:
        return [NO_PROJECT]
    lost = []
    if m.xlwings_reference is False:  # None: a project that could not be read is not judged
        lost.append(NO_REFERENCE)
    # every sheet perfscore built has one; 自评表 is added later (older versions gave it none)
    if not m.workbook_code_name or any(
        not m.sheet_code_names.get(name) for name in grid.sheets if name != L.REPORT
    ):
        lost.append(NO_CODE_NAMES)
    return lost


def macros_findings(meta: Meta, grid: Grid) -> list[Finding]:
    lost = lost_parts(meta, grid)
    if not lost:
        return []
    return [finding("macros-lost", WORKBOOK, "", lost="，且".join(lost))]


@checks.rule
def macros_intact(ctx: checks.Context) -> list[Finding]:
    return macros_findings(ctx.form.meta, ctx.grid)


@project_checks.rule
def project_macros_intact(ctx: project_checks.Context) -> list[Finding]:
    return macros_findings(ctx.form.meta, ctx.grid)
