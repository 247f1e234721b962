"""The version of perfscore (recorded in every workbook it builds)."""

__version__ = "0.1.0"
