"""The one exception family of perfscore.

Exceptions are for when nothing can continue (an unusable file, a broken framework file). Problems in
a form the clerk filled in are findings (see :mod:`perfscore.engine.findings`), never exceptions.
Each class carries the CLI's exit code for it: 2 for what the user can fix, 3 for a bug of perfscore.
"""

from __future__ import annotations


class PerfscoreError(Exception):
    """Root of all perfscore errors; ``str(err)`` is a one-line message for the user."""

    #: CLI exit code for this kind of error.
    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class FrameworkError(PerfscoreError):
    """A framework file is missing, malformed or inconsistent (names the file and the entry)."""

    def __init__(self, message: str, *, path: str | None = None, entry: str | None = None) -> None:
        super().__init__(f"{entry}: {message}" if entry else message, path=path)
        self.entry = entry


class UnknownFrameworkError(PerfscoreError):
    """No framework with this id is shipped or was given."""


class UnusableInputError(PerfscoreError):
    """The input cannot be read as a perfscore form at all (not a workbook, corrupt, encrypted, …)."""


class InputDataError(PerfscoreError):
    """A JSON submission (``perfscore import``) is malformed: names the key and what to do."""


class WriteError(PerfscoreError):
    """The output file cannot be written (locked, read-only, no space); nothing was changed."""


class ReportTemplateError(PerfscoreError):
    """A report template cannot be used: names the template file and, where there is one, the cell."""

    def __init__(self, path: str, cell: str, detail: str) -> None:
        super().__init__(f"报表模板单元格 {cell}：{detail}" if cell else detail, path=path)
        self.cell = cell


class LibreOfficeError(PerfscoreError):
    """LibreOffice (``soffice``) is missing, failed or timed out while converting a file."""


class InternalError(PerfscoreError):
    """A bug in perfscore itself (never the user's input): reported in one line, exit code 3."""

    exit_code = 3
