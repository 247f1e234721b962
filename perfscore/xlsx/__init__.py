"""The openpyxl front end: sniff a file, read it into a grid, apply a write plan, save atomically.

May import openpyxl, the engine and :mod:`perfscore.errors`; nothing of XlsxWriter, xlwings, Jinja or
click. :mod:`perfscore.xlsx.atomic` (plain Python) is the one all-or-nothing save that every writer
of perfscore uses.
"""

from perfscore.xlsx.atomic import replace_atomically, write_text
from perfscore.xlsx.reader import evaluate_file, read_grid
from perfscore.xlsx.sniff import sniff
from perfscore.xlsx.writer import DATE_FORMAT, apply_plan, editing, save_atomic

__all__ = [
    "DATE_FORMAT",
    "apply_plan",
    "editing",
    "evaluate_file",
    "read_grid",
    "replace_atomically",
    "save_atomic",
    "sniff",
    "write_text",
]
