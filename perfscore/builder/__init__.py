"""The workbook builder: a blank or filled form from a framework, written with XlsxWriter.

May import the engine, XlsxWriter and :mod:`perfscore.xlsx.atomic`; the VBA project of a udf-mode
``.xlsm`` is built at build time from the installed xlwings package with pyopenvba
(:mod:`perfscore.builder.vba`, the only module here that touches xlwings). What the workbook holds
is the engine's (:mod:`perfscore.engine.cells`, :mod:`perfscore.engine.formulas`); here is how it
looks (``styles``, ``sheet_writer``, ``forms``) and how it is put together (``workbook``:
:func:`build_workbook`).
"""

from perfscore.builder.workbook import build_workbook

__all__ = ["build_workbook"]
