"""Writing the summary's cells in XlsxWriter's ``constant_memory`` mode: the house styles, text made
safe for a cell, rows whose heights fit their wrapped text, rows streamed to disk, links and print setup.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfscore.batch.records import FAILED, PASSED, UNUSABLE
from perfscore.builder import styles as builder_styles
from perfscore.engine import layout as L
from perfscore.engine.findings import Severity
from perfscore.engine.text import display_width, height_for, lines_needed
from perfscore.engine.xml_text import CELL_TEXT_MAX
from perfscore.errors import InternalError

FONT, FONT_SIZE = L.FORM_FONT, L.FORM_FONT_SIZE
HEADER_FILL = "#D9D9D9"
TOTAL_FILL = "#E2EFDA"
STATUS_FILLS = {PASSED: "#C6EFCE", FAILED: "#FFC7CE", UNUSABLE: "#FFEB9C"}
LEVEL_FILLS = {"错误": "#FFC7CE", "警告": "#FFEB9C"}
GRADE_COLOURS = {"优": "#70AD47", "良": "#5B9BD5", "中": "#FFC000", "差": "#E15759"}
#: 3-colour scale of the score rates: red at 0, yellow at 80 %, green at 100 %.
RATE_SCALE: dict[str, Any] = {
    "type": "3_color_scale",
    "min_type": "num", "min_value": 0, "min_color": "#F8696B",
    "mid_type": "num", "mid_value": 0.8, "mid_color": "#FFEB84",
    "max_type": "num", "max_value": 1, "max_color": "#63BE7B",
}  # fmt: skip

MAX_ROWS = 1_048_576  # Excel's rows per sheet
FORMULA_TEXT_MAX = 255  # characters of a text literal in an Excel formula
WORKBOOK_OPTIONS: dict[str, Any] = {
    "constant_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE},
}
BASE: dict[str, Any] = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "vcenter"}
CELL: dict[str, Any] = {**BASE, "border": 1}

_NOT_XML = re.compile(r"[\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """``text`` as a cell can hold it: what XML cannot carry (an unpaired surrogate from an undecodable
    file name, U+FFFE/U+FFFF) becomes U+FFFD, and it is cut to a cell's 32,767 characters."""
    text = _NOT_XML.sub("\ufffd", text)
    if len(text) > CELL_TEXT_MAX // 2:  # a cell counts UTF-16 units: this one may be too long
        units = text.encode("utf-16-le")
        if len(units) > 2 * CELL_TEXT_MAX:  # cut (a pair split in two is dropped) and say so
            text = units[: 2 * (CELL_TEXT_MAX - 1)].decode("utf-16-le", "ignore") + "…"
    return text


def severity_label(severity: str) -> str:
    """错误 / 警告 / 提示 for ``error`` / ``warning`` / ``info`` (anything else as it is)."""
    try:
        return Severity(severity).label
    except ValueError:
        return severity


class Styles(builder_styles.Styles):
    """The builder's cached formats (:class:`perfscore.builder.styles.Styles`), plain cells without wrap."""

    def __init__(self, workbook: Workbook) -> None:
        super().__init__(workbook, CELL)

    def header(self) -> Format:
        return self(bold=True, bg_color=HEADER_FILL, align="center", text_wrap=True)

    def text(self, **props: Any) -> Format:
        return self(align="left", text_wrap=True, **props)

    def center(self, **props: Any) -> Format:
        return self(align="center", **props)

    def number(self, num_format: str = "General", **props: Any) -> Format:
        return self(align="center", num_format=num_format, **props)

    def title(self) -> Format:
        return self(BASE, bold=True, font_size=16)

    def note(self) -> Format:
        return self(BASE)

    def link(self) -> Format:
        return self(align="left", text_wrap=True, font_color="#0563C1", underline=1)


@dataclass(frozen=True)
class Link:
    """A ``HYPERLINK`` formula and the text it shows."""

    formula: str
    text: str


Cell = tuple[object, Format | None]  # a value (str, number, Decimal, Link, or None for blank) and its format


def put(ws: Worksheet, row: int, col: int, value: object, style: Format | None) -> None:
    """Write one cell: text always as text (never a formula or a number), numbers as numbers."""
    if value is None or value == "":
        if style is not None:
            ws.write_blank(row, col, None, style)
    elif isinstance(value, Link):
        ws.write_formula(row, col, value.formula, style, value.text)
    elif isinstance(value, str):
        text = clean(value)
        if text.startswith("<r>") and text.endswith("</r>"):
            # In constant_memory mode XlsxWriter writes such a text unescaped, as rich-text XML:
            # as a rich string of two plain runs it is escaped and shows exactly as typed.
            ws.write_rich_string(row, col, style, text[:3], style, text[3:], style)
        else:
            ws.write_string(row, col, text, style)
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        ws.write_number(row, col, float(value), style)
    else:  # pragma: no cover - the writer passes nothing else
        raise InternalError(f"内部错误：无法写入单元格值 {value!r}")


def write_row(ws: Worksheet, row: int, cells: Sequence[Cell], widths: Sequence[float]) -> None:
    """Write one row from column A, tall enough for its wrapped text (columns ``widths`` wide), then
    let XlsxWriter forget the rows it has written out."""
    lines = 1
    for col, (value, style) in enumerate(cells):
        text = value.text if isinstance(value, Link) else value
        if not isinstance(text, str) or style is None or not style.text_wrap or col >= len(widths):
            continue
        # a character is at most two width units: most texts surely fit, without measuring them
        if 2 * len(text) > widths[col] - 1.5 or "\n" in text:
            lines = max(lines, lines_needed(text, widths[col]))
    if lines > 1:
        ws.set_row(row, height_for(lines))
    for col, (value, style) in enumerate(cells):
        put(ws, row, col, value, style)
    forget_written_rows(ws)


def forget_written_rows(ws: Worksheet) -> None:
    """Drop XlsxWriter's record of the heights of the rows it has already written out.

    In ``constant_memory`` mode a row goes to the temporary file when the next one starts, but the
    height given by ``set_row`` stays in two dicts (``row_info``, ``row_sizes``: some 280 bytes a
    row) until the workbook is saved; they are read again only to place images and charts, which
    these sheets do not have. Without this, thousands of rows of wrapped text would grow memory with
    every form. If a later XlsxWriter keeps them elsewhere, this does nothing (and the memory test
    says so).
    """
    info, sizes, current = (getattr(ws, name, None) for name in ("row_info", "row_sizes", "previous_row"))
    if isinstance(info, dict) and isinstance(sizes, dict) and isinstance(current, int):
        for row in [r for r in info if r < current]:
            del info[row]
            sizes.pop(row, None)


class Stream:
    """A sheet written row by row as the forms come (``constant_memory``: rows only ever go forward).

    Text wraps at the columns' widest (``widths``: least and most, in Excel character units); a
    column ends as wide as its widest text within those bounds, which never makes a text need more
    lines than its row was given.
    """

    def __init__(self, ws: Worksheet, header: tuple[str, ...], widths: tuple[tuple[int, int], ...]) -> None:
        self.ws = ws
        self.row = 0
        self.widths = widths
        self.most = [float(most) for _, most in widths]
        self.seen = [display_width(h) + 2 for h in header]
        self.dropped = 0

    def room(self) -> bool:
        """Whether another row fits (the sheet's last row is kept for a note on what did not)."""
        if self.row < MAX_ROWS - 1:
            return True
        self.dropped += 1
        return False

    def write(self, cells: list[Cell]) -> None:
        write_row(self.ws, self.row, cells, self.most)
        for col, (value, _) in enumerate(cells):
            text = value.text if isinstance(value, Link) else value
            if isinstance(text, str) and 2 * len(text) + 2 > self.seen[col]:  # could be wider
                longest = max(display_width(line) for line in text.split("\n"))
                self.seen[col] = max(self.seen[col], min(longest + 2, 200))
        self.row += 1

    def set_widths(self) -> None:
        for col, ((least, most), seen) in enumerate(zip(self.widths, self.seen, strict=True)):
            self.ws.set_column(col, col, max(least, min(most, seen)))


def print_setup(ws: Worksheet, *, fit_width: int | None) -> None:
    """A4 landscape, the sheet's name on top and the page number at the foot; ``fit_width`` pages wide."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header("&C&A")
    ws.set_footer("&C第 &P 页 共 &N 页")
    if fit_width:
        ws.fit_to_pages(fit_width, 0)


def link_formula(target: str, text: str) -> str | None:
    """``=HYPERLINK("target","text")``, or None when either is too long for a formula's text."""
    if len(target) > FORMULA_TEXT_MAX or len(text) > FORMULA_TEXT_MAX:
        return None
    quoted = [s.replace('"', '""') for s in (target, text)]
    return f'=HYPERLINK("{quoted[0]}","{quoted[1]}")'


def relative_link(link: str, folder: Path) -> str:
    """``link`` relative to the summary's ``folder`` (so the links survive moving both together)."""
    absolute = Path(link) if Path(link).is_absolute() else Path.cwd() / link
    try:
        return os.path.relpath(absolute, folder)
    except ValueError:  # another drive (Windows)
        return str(absolute)
