"""The print-ready report (自评表): context → template → rendered sheet → workbook sheet and PDF.

May import the engine, openpyxl and Jinja (sandboxed), :mod:`perfscore.xlsx` for reading and saving,
and run LibreOffice for PDFs; nothing of XlsxWriter, xlwings or click (``template_check`` makes its
sample form through the package's front door, :func:`perfscore.build_workbook`). The modules, in the
order the data flows: ``context`` (a typed dict from the engine's result, and its one description),
``expressions`` and ``template`` (load and compile an ``.xlsx`` template), ``render`` and ``paging``
(evaluate the cells, lay rows out on pages, into a ``page.RenderedSheet``), ``sheet`` (write it with
openpyxl), ``pdf`` and ``libreoffice`` (print it), ``workbook`` (the 自评表 sheet of a form file);
``messages`` says in Chinese what is wrong in a template, ``template_check`` lists every problem.
"""

from perfscore.report.workbook import (
    default_template,
    print_report,
    render_report,
    save_standalone_report,
    write_report,
)

__all__ = ["default_template", "print_report", "render_report", "save_standalone_report", "write_report"]
