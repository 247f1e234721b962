"""The print-ready report sheet (自评表): context → template → the 自评表 sheet and, optionally, a PDF.

:func:`write_report` is what ``perfscore report FILE [-o OUT] [--pdf PDF]`` calls. It reads the workbook,
runs the pipeline, renders the template (``templates/report.xlsx`` unless another is given) and
replaces the workbook's 自评表 sheet — values only, so the sheet reads correctly where neither Python
nor the add-in is present. Nothing else in the workbook is changed.

The Excel add-in (:func:`perfscore.bridge.generate_report`) renders the same sheet with
:func:`save_standalone_report` into a temporary workbook, opens it in the running Excel and copies the
sheet into the clerk's workbook: styles, merges, page breaks and print setup arrive whole, in a fixed
number of Excel calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perfscore.engine import layout as L
from perfscore.engine.framework import AnyFramework, ProjectFramework
from perfscore.engine.pipeline import AnyResult
from perfscore.engine.plan import finishing
from perfscore.engine.project.pipeline import ProjectResult
from perfscore.report.context import build_context
from perfscore.report.page import PDF_METRICS, RenderedSheet, form_metrics
from perfscore.report.pdf import check_printing, export_pdf
from perfscore.report.project_context import build_project_context
from perfscore.report.render import render
from perfscore.report.sheet import apply, standalone_workbook
from perfscore.report.template import Template, load_template
from perfscore.resources import DEFAULT_TEMPLATE, PROJECT_TEMPLATE, templates_dir
from perfscore.xlsx.atomic import check_writable
from perfscore.xlsx.lock import locked
from perfscore.xlsx.reader import evaluate_file
from perfscore.xlsx.writer import editing

#: The 自评表 sheet's code name (the name VBA knows it by): stable, ASCII, and none of the names the
#: builder gives (XlsxWriter names a udf form's sheets ``Sheet1``, ``Sheet2``, … in order, the workbook
#: ``ThisWorkbook``; the VBA modules are ``PerfscoreButtons`` and ``xlwings_udfs``). Every sheet of an
#: ``.xlsm`` has one; a sheet without one is what a LibreOffice re-save leaves (``macros-lost``).
REPORT_CODE_NAME = "PerfscoreReport"


def default_template(fw: AnyFramework | None = None) -> Path:
    """The shipped template for ``fw``'s kind of form (``report.xlsx``, or ``report-project.xlsx``)."""
    name = PROJECT_TEMPLATE if isinstance(fw, ProjectFramework) else DEFAULT_TEMPLATE
    return templates_dir() / name


def context_of(result: AnyResult) -> dict[str, Any]:
    """The report context of either kind of form."""
    if isinstance(result, ProjectResult):
        return build_project_context(result)
    return build_context(result)


def _template(template: Path | None, result: AnyResult) -> Template:
    return load_template(template or default_template(result.framework))


def render_report(result: AnyResult, template: Path | None = None) -> RenderedSheet:
    """Render the report of ``result`` with ``template`` (default: the shipped one for its form) as data."""
    return render(_template(template, result), context_of(result))


def write_report(
    workbook_path: Path,
    out: Path | None = None,
    pdf: Path | None = None,
    template: Path | None = None,
    losses: list[str] | None = None,
    *,
    framework: AnyFramework | None = None,
) -> AnyResult:
    """(Re)generate the 自评表 sheet of a workbook; optionally export it alone as a PDF.

    Every output is checked before anything is written (a PDF into a missing folder leaves the
    workbook as it was). ``losses``, if given, receives what ``out`` could not keep of the original
    (see :func:`perfscore.xlsx.editing`; an in-place write that would lose anything is refused).
    ``framework``: the form's framework when it is not found by the id the workbook records (a
    framework file given with ``--framework``); its id must be that one.
    """
    path = Path(workbook_path)
    target = Path(out) if out is not None else path
    if pdf is not None:
        check_writable(Path(pdf))
        check_printing()  # before anything is written
    with locked(path, target):
        result, tpl = _write_sheet(path, target, template, losses, framework)
    if pdf is not None:
        export_pdf(render(tpl, context_of(result), PDF_METRICS), tpl, Path(pdf))
    return result


def _write_sheet(
    path: Path, target: Path, template: Path | None, losses: list[str] | None, framework: AnyFramework | None
) -> tuple[AnyResult, Template]:
    result = evaluate_file(path, framework)
    tpl = _template(template, result)
    context = context_of(result)
    with editing(path, target, finishing(result)) as (wb, lost):
        rendered = render(tpl, context, form_metrics(float(wb._fonts[0].sz or L.FORM_FONT_SIZE)))
        active = wb.active.title if wb.active is not None else None
        if L.REPORT in wb.sheetnames:
            index = wb.sheetnames.index(L.REPORT)
            if active == L.REPORT:
                active = None
            wb.remove(wb[L.REPORT])
        elif L.COVER in wb.sheetnames:
            index = wb.sheetnames.index(L.COVER) + 1
        else:
            index = wb.sheetnames.index(L.META) if L.META in wb.sheetnames else len(wb.sheetnames)
        ws = wb.create_sheet(L.REPORT, index)
        ws.sheet_properties.codeName = REPORT_CODE_NAME
        apply(rendered, tpl, ws)
        wb.active = wb.sheetnames.index(active) if active in wb.sheetnames else index
        for sheet in wb.worksheets:  # exactly one selected tab, the active one
            sheet.sheet_view.tabSelected = sheet is wb.active
    if losses is not None:
        losses.extend(lost)
    return result, tpl


def print_report(
    workbook_path: Path, pdf: Path, template: Path | None = None, *, framework: AnyFramework | None = None
) -> AnyResult:
    """Print the report of a form as a PDF only; the workbook itself is not changed (``framework`` as
    for :func:`write_report`)."""
    result = evaluate_file(Path(workbook_path), framework)
    tpl = _template(template, result)
    export_pdf(render(tpl, context_of(result), PDF_METRICS), tpl, Path(pdf))
    return result


def save_standalone_report(result: AnyResult, dest: Path, template: Path | None = None) -> Path:
    """Write the report of ``result`` as a workbook of its own (the add-in copies its sheet into Excel)."""
    tpl = _template(template, result)
    rendered = render(tpl, context_of(result), form_metrics(L.FORM_FONT_SIZE))
    standalone_workbook(rendered, tpl).save(dest)
    return dest
