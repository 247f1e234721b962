"""Report templates: an ``.xlsx`` sheet whose cells hold Jinja placeholders, loaded and compiled.

Syntax (see ``templates/README.md``):

* a cell holding ``{{ expr }}`` and nothing else gets the expression's *value* (a number stays a
  number); any other cell with ``{{ }}``/``{% %}`` is rendered as text;
* a cell holding exactly ``{% for x in xs %}`` starts a row block, one holding exactly ``{% endfor %}``
  ends it (both may sit in the same row, usually in a marker column outside the print area); the
  block's rows repeat once per item;
* the filter ``group(key)`` merges a cell with the cells below it (in consecutive repetitions of the
  block) that have the same key — the 一级/二级 cells of the published table; ``fmt`` formats a
  number as text, ``paragraphs`` prints a long text one paragraph per row.

The cells are compiled with :mod:`perfscore.report.expressions` (sandboxed, strict Jinja); a problem
is a :class:`ReportTemplateError` naming the template (:func:`template_name`) and cell, in Chinese
(:mod:`perfscore.report.messages`), or, when checking a template, collected with all the others
(:class:`Problems`). :func:`load_template` returns a :class:`Template`: the compiled cells, the row
blocks (:class:`Segment`), merges, sizes, styles and the print setup
(:class:`~perfscore.report.page.PageSpec`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError
from openpyxl import load_workbook

from perfscore.engine.grid import parse_range
from perfscore.engine.quoting import quote
from perfscore.errors import ReportTemplateError, UnusableInputError
from perfscore.inputfile import require_regular_file
from perfscore.report.expressions import Loop, Program, compile_cell, compile_loop
from perfscore.report.messages import describe, syntax_message
from perfscore.report.page import Merge, PageSpec, Value
from perfscore.resources import templates_dir
from perfscore.xlsx.sniff import sniff

_FOR = re.compile(r"^\s*\{%-?\s*for\s+([A-Za-z_]\w*)\s+in\s+(.+?)(?:\s+if\s+(.+?))?\s*-?%\}\s*$", re.S)
_ENDFOR = re.compile(r"^\s*\{%-?\s*endfor\s*-?%\}\s*$")

Pos = tuple[int, int]  # (row, col), 1-based


@dataclass
class Segment:
    """Template rows ``first``..``last``: a row block repeated per item of ``loop``, or plain rows."""

    first: int
    last: int
    loop: Loop | None = None
    marker: str = ""  # the cell holding the {% for %} (for messages)


@dataclass
class Template:
    path: str
    ws: Any  # the openpyxl worksheet (styles are copied from it)
    n_cols: int
    programs: dict[Pos, Program]
    statics: dict[Pos, Value]
    segments: list[Segment]
    merges: list[Merge]
    heights: dict[int, float]
    widths: dict[int, float]
    fonts: dict[Pos, tuple[float, bool]]  # (size, wrap) of every styled cell
    title_rows: tuple[int, int] | None
    page: PageSpec


class Problems:
    """Where the problems of a template go: the first is raised at once (rendering a report), or all
    are collected, one per cell, and the cell is rendered blank (:mod:`perfscore.report.template_check`).

    ``name`` is the template as messages show it (:func:`template_name`).
    """

    def __init__(self, name: str, *, collect: bool = False) -> None:
        self.name = name
        self.collect = collect
        self.found: list[tuple[str, str]] = []  # (cell, message), in the order found

    def add(self, cell: str, message: str) -> None:
        """Report a problem of ``cell`` (``自评表!E10``; ``""`` for the whole file)."""
        if not self.collect:
            raise ReportTemplateError(self.name, cell, message)
        if all(c != cell for c, _ in self.found) or not cell:
            self.found.append((cell, message))


def template_name(path: Path) -> str:
    """How messages name a template: a shipped one by its file name (``report.xlsx（内置模板）``, never
    the folder it was installed in), any other by the path it was given as."""
    path = Path(path)
    try:
        shipped = path.resolve().parent == templates_dir().resolve()
    except OSError:
        shipped = False
    return f"{path.name}（内置模板）" if shipped else str(path)


_CACHE: dict[tuple[str, str, float], Template] = {}  # one entry: the last template loaded


# ------------------------------------------------------------------------------------ loading


def load_template(path: Path, problems: Problems | None = None) -> Template:
    """Read and compile a template file (cached by path and modification time).

    A problem is raised as a :class:`ReportTemplateError` naming the file and cell; with a collecting
    ``problems``, every problem of a cell is added there instead and the cell left blank (a file that
    cannot be read at all is still raised).
    """
    path = Path(path)
    name = template_name(path)
    st = require_regular_file(path, "报表模板", lambda m: ReportTemplateError(name, "", m))
    if problems is not None and problems.collect:
        return _compile(path, problems)
    key = (name, str(path.resolve()), st.st_mtime)
    hit = _CACHE.get(key)
    if hit is None:
        hit = _compile(path, Problems(name))
        _CACHE.clear()  # keep one: templates are small, and edits replace them
        _CACHE[key] = hit
    return hit


def _compile(path: Path, problems: Problems) -> Template:
    """Compile the cells, cut the rows into blocks and read sizes, styles and print setup."""
    name = problems.name
    ws = _open_sheet(path, name)
    where = f"{ws.title}!"
    cells = _scan_cells(ws, problems, where)
    segments = _segments(ws.max_row, cells.starts, cells.ends, problems, where)
    n_cols = _print_cols(ws) or cells.max_col
    merges = _merges(ws, segments, problems, where)
    widths = _widths(ws, n_cols)
    heights = {
        r: float(d.height) for r, d in ws.row_dimensions.items() if d.height is not None and r <= ws.max_row
    }
    fonts = _cell_fonts(ws, n_cols)
    titles = _title_rows(ws.print_title_rows)
    if titles and any(s.loop and s.first <= titles[1] and titles[0] <= s.last for s in segments):
        problems.add(where + f"{titles[0]}:{titles[1]}", "打印标题行不能在循环块内")
        titles = None
    return Template(
        name, ws, n_cols, cells.programs, cells.statics, segments, merges, heights, widths, fonts, titles,
        _page(ws),
    )  # fmt: skip


def _open_sheet(path: Path, name: str) -> Any:
    """The template's 自评表 sheet (else its first sheet); refused like any workbook before it is
    parsed if it is not one, or is a bomb (:func:`perfscore.xlsx.sniff.sniff`)."""
    try:
        sniff(path)
    except UnusableInputError as err:
        raise ReportTemplateError(name, "", err.message) from None
    try:
        wb = load_workbook(path, rich_text=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        detail = quote(str(exc), 120)
        raise ReportTemplateError(
            name, "", f"无法读取报表模板：文件已损坏或不是 Excel 工作簿（{detail}）"
        ) from None
    return wb["自评表"] if "自评表" in wb.sheetnames else wb.worksheets[0]


@dataclass
class _Cells:
    """What one pass over the template's cells finds."""

    programs: dict[Pos, Program] = field(default_factory=dict)
    statics: dict[Pos, Value] = field(default_factory=dict)
    starts: dict[int, tuple[Loop, str]] = field(default_factory=dict)  # row -> its {% for %}, cell
    ends: set[int] = field(default_factory=set)  # rows holding an {% endfor %}
    max_col: int = 1  # the rightmost column with content (loop markers aside)


def _scan_cells(ws: Any, problems: Problems, where: str) -> _Cells:
    found = _Cells()
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                _scan_cell(found, cell, problems, where + cell.coordinate)
    return found


def _no_items(**_: Any) -> list[Any]:
    return []


def _scan_cell(found: _Cells, cell: Any, problems: Problems, ref: str) -> None:
    """Sort one non-empty cell: a loop marker, a program (placeholders) or a static value."""
    v = cell.value
    pos = (cell.row, cell.column)
    if cell.data_type == "f":
        found.max_col = max(found.max_col, cell.column)
        problems.add(ref, "报表模板中不能有公式（报表只写入值）；请改为 {{ … }} 占位符")
        return
    if isinstance(v, str) and (m := _FOR.match(v)):
        if cell.row in found.starts:
            problems.add(ref, "同一行只能有一个 {% for %}")
            return
        try:
            loop = compile_loop(m.group(1), m.group(2), m.group(3))
        except Exception as exc:  # a syntax error, or one Python raises (nesting too deep)
            problems.add(
                ref, syntax_message(exc, loop=True) if isinstance(exc, TemplateSyntaxError) else describe(exc)
            )
            loop = (m.group(1), _no_items, None)  # checked on: the block is rendered no times
        found.starts[cell.row] = (loop, ref)
        return
    if isinstance(v, str) and _ENDFOR.match(v):
        found.ends.add(cell.row)
        return
    found.max_col = max(found.max_col, cell.column)
    if isinstance(v, str) and ("{{" in v or "{%" in v or "{#" in v):
        try:
            found.programs[pos] = compile_cell(v)
        except Exception as exc:  # a syntax error, or one Python raises (nesting too deep)
            problems.add(ref, describe(exc))
    elif isinstance(v, str):
        if v:
            found.statics[pos] = v
    elif isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        found.statics[pos] = v
    else:
        found.statics[pos] = str(v)


def _segments(
    max_row: int, starts: dict[int, tuple[Loop, str]], ends: set[int], problems: Problems, where: str
) -> list[Segment]:
    """Cut the rows into plain runs and row blocks; blocks must be closed and not nested (a wrong
    marker is reported and passed over)."""
    segs: list[Segment] = []
    row = 1
    open_row = 0
    for r in range(1, max_row + 1):
        if r in starts and open_row:
            problems.add(starts[r][1], "循环块不能嵌套（上一个 {% for %} 还没有 {% endfor %}）")
        elif r in starts:
            if r > row:
                segs.append(Segment(row, r - 1))
            open_row, row = r, r
        if r in ends:
            if not open_row:
                problems.add(f"{where}{r}", "{% endfor %} 前面没有 {% for %}")
                continue
            loop, ref = starts[open_row]
            segs.append(Segment(open_row, r, loop, ref))
            open_row, row = 0, r + 1
    if open_row:
        problems.add(starts[open_row][1], "{% for %} 没有对应的 {% endfor %}")
        loop, ref = starts[open_row]
        segs.append(Segment(open_row, open_row, loop, ref))  # checked on as a block of its row
        row = open_row + 1
    if row <= max_row:
        segs.append(Segment(row, max_row))
    return segs


def _merges(ws: Any, segments: list[Segment], problems: Problems, where: str) -> list[Merge]:
    """The template's merged cells; none may cross the edge of a row block (one that does is left out)."""
    merges = []
    for mr in ws.merged_cells.ranges:
        c1, r1, c2, r2 = mr.bounds
        seg_a = next((s for s in segments if s.first <= r1 <= s.last), None)
        if seg_a is None or not seg_a.first <= r2 <= seg_a.last:
            problems.add(where + mr.coord, "合并单元格不能跨越循环块的边界")
            continue
        merges.append((r1, c1, r2, c2))
    return merges


def _cell_fonts(ws: Any, n_cols: int) -> dict[Pos, tuple[float, bool]]:
    """(font size, wrap) of every styled cell, for the row heights."""
    fonts: dict[Pos, tuple[float, bool]] = {}
    for row in ws.iter_rows(max_col=n_cols):
        for cell in row:
            if cell.has_style:
                fonts[(cell.row, cell.column)] = (float(cell.font.sz or 11), bool(cell.alignment.wrap_text))
    return fonts


# ------------------------------------------------------------------------------------ print setup


def _print_cols(ws: Any) -> int:
    area = ws.print_area
    if not area:
        return 0
    text = area[0] if isinstance(area, (list, tuple)) else str(area).split(",")[0]
    return parse_range(text)[3]


def _title_rows(spec: str | None) -> tuple[int, int] | None:
    if not spec:
        return None
    m = re.match(r"^\$?(\d+):\$?(\d+)$", spec.rpartition("!")[2])
    return (int(m.group(1)), int(m.group(2))) if m else None


def _widths(ws: Any, n_cols: int) -> dict[int, float]:
    widths = {c: 8.43 for c in range(1, n_cols + 1)}
    for dim in ws.column_dimensions.values():
        if dim.width and dim.customWidth:
            lo, hi = dim.min or 0, dim.max or 0
            for c in range(max(lo, 1), min(hi, n_cols) + 1):
                widths[c] = float(dim.width)
    return widths


def _page(ws: Any) -> PageSpec:
    """The template's print setup; ``scale`` is the template's own (the most the layout may use).

    The layout fixes the scale at which all columns fit the page width (:func:`perfscore.report.paging.
    layout`): Excel ignores manual page breaks in "fit to" mode, so the scale is computed, not left to it.
    """
    ps = ws.page_setup
    landscape = ps.orientation == "landscape"
    paper = int(ps.paperSize or 9)
    m = ws.page_margins
    margins = (float(m.left), float(m.right), float(m.top), float(m.bottom), float(m.header), float(m.footer))
    scale = min(100, int(ps.scale)) if ps.scale else 100
    footer = ws.oddFooter.center.text or ""
    return PageSpec(
        landscape, paper, max(10, scale), margins, bool(ws.print_options.horizontalCentered), footer
    )
