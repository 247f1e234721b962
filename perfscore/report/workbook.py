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

from perfscore.engine import layout as L
from perfscore.engine.framework import Framework
from perfscore.engine.pipeline import Result
from perfscore.engine.plan import finishing
from perfscore.report.context import build_context
from perfscore.report.page import PDF_METRICS, RenderedSheet, form_metrics
from perfscore.report.pdf import check_printing, export_pdf
from perfscore.report.render import render
from perfscore.report.sheet import apply, standalone_workbook
from perfscore.report.template import Template, load_template
from perfscore.resources import DEFAULT_TEMPLATE, templates_dir
from perfscore.xlsx.atomic import check_writable
from perfscore.xlsx.lock import locked
from perfscore.xlsx.reader import evaluate_file
from perfscore.xlsx.writer import editing


def default_template() -> Path:
    return templates_dir() / DEFAULT_TEMPLATE


def render_report(result: Result, template: Path | None = None) -> RenderedSheet:
    """Render the report of ``result`` with ``template`` (default ``templates/report.xlsx``) as data."""
    return render(load_template(template or default_template()), build_context(result))


def write_report(
    workbook_path: Path,
    out: Path | None = None,
    pdf: Path | None = None,
    template: Path | None = None,
    losses: list[str] | None = None,
    *,
    framework: Framework | None = None,
) -> Result:
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
    tpl = load_template(template or default_template())
    with locked(path, target):
        result = _write_sheet(path, target, tpl, losses, framework)
    if pdf is not None:
        export_pdf(render(tpl, build_context(result), PDF_METRICS), tpl, Path(pdf))
    return result


def _write_sheet(
    path: Path, target: Path, tpl: Template, losses: list[str] | None, framework: Framework | None
) -> Result:
    result = evaluate_file(path, framework)
    context = build_context(result)
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
        apply(rendered, tpl, ws)
        wb.active = wb.sheetnames.index(active) if active in wb.sheetnames else index
        for sheet in wb.worksheets:  # exactly one selected tab, the active one
            sheet.sheet_view.tabSelected = sheet is wb.active
    if losses is not None:
        losses.extend(lost)
    return result


def print_report(
    workbook_path: Path, pdf: Path, template: Path | None = None, *, framework: Framework | None = None
) -> Result:
    """Print the report of a form as a PDF only; the workbook itself is not changed (``framework`` as
    for :func:`write_report`)."""
    result = evaluate_file(Path(workbook_path), framework)
    tpl = load_template(template or default_template())
    export_pdf(render(tpl, build_context(result), PDF_METRICS), tpl, Path(pdf))
    return result


def save_standalone_report(result: Result, dest: Path, template: Path | None = None) -> Path:
    """Write the report of ``result`` as a workbook of its own (the add-in copies its sheet into Excel)."""
    tpl = load_template(template or default_template())
    rendered = render(tpl, build_context(result), form_metrics(L.FORM_FONT_SIZE))
    standalone_workbook(rendered, tpl).save(dest)
    return dest
