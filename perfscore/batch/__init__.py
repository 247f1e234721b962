"""The bureau's batch check: inputs, running, summary workbook.

May import the engine, :mod:`perfscore.xlsx`, :mod:`perfscore.report`, XlsxWriter and openpyxl;
nothing of xlwings, Jinja or click (the architecture test enforces it). ``records`` holds what one
checked input comes to (:class:`~perfscore.batch.records.FormRecord`), ``summary`` the finance
bureau's summary workbook written from them one at a time
(:class:`~perfscore.batch.summary.SummaryWriter`).
"""
