"""A small, strict renderer of report templates: an ``.xlsx`` sheet whose cells hold Jinja placeholders.

Syntax (see ``templates/README.md``):

* a cell holding ``{{ expr }}`` and nothing else gets the expression's *value* (a number stays a
  number); any other cell with ``{{ }}``/``{% %}`` is rendered as text;
* a cell holding exactly ``{% for x in xs %}`` starts a row block, one holding exactly ``{% endfor %}``
  ends it (both may sit in the same row, usually in a marker column outside the print area); the
  block's rows repeat once per item;
* the filter ``group(key)`` merges a cell with the cells below it (in consecutive repetitions of the
  block) that have the same key — the 一级/二级 cells of the published table; ``number`` turns a
  formatted number (``"12.5"``) back into a numeric cell.

Only the template's cells are compiled (``SandboxedEnvironment`` + ``StrictUndefined``); values from the
context are data and are never rendered again. The result is a :class:`RenderedSheet` (plain data:
values, merges, row heights, page breaks, print setup) that :func:`apply` writes with openpyxl and the
Excel add-in can write through xlwings.

Layout is computed, not left to the spreadsheet application, so Excel, WPS and LibreOffice print the
same pages: row heights are estimated from the text, the print scale is fixed so that all columns fit
the page width (Excel ignores manual page breaks in "fit to" mode), manual page breaks are inserted
where a page is full, and a group cell that spans a break is split there and its name repeated.
"""

from __future__ import annotations

import copy
import itertools
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Union

from jinja2 import StrictUndefined, TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.worksheet.pagebreak import Break, RowBreak

from .decimals import parse_decimal
from .errors import PerfscoreError

Value = Union[None, str, Decimal, int, float]  # noqa: UP007 - a runtime alias

_FOR = re.compile(r"^\s*\{%-?\s*for\s+([A-Za-z_]\w*)\s+in\s+(.+?)(?:\s+if\s+(.+?))?\s*-?%\}\s*$", re.S)
_ENDFOR = re.compile(r"^\s*\{%-?\s*endfor\s*-?%\}\s*$")
_EXPR = re.compile(r"^\s*\{\{-?(.*?)-?\}\}\s*$", re.S)
_MAX_ROW_HEIGHT = 409.0  # Excel's limit, in points
_PAPER = {1: (612.0, 792.0), 8: (842.0, 1191.0), 9: (595.3, 841.9)}  # Letter, A3, A4 (portrait pt)


class ReportTemplateError(PerfscoreError):
    """A report template cannot be used: names the template file and cell."""

    def __init__(self, path: str, cell: str, detail: str) -> None:
        super().__init__(f"报表模板单元格 {cell}：{detail}", path=path)
        self.cell = cell


@dataclass(frozen=True)
class Grouped:
    """What the ``group(key)`` filter returns: the value, merged down over rows with the same key."""

    value: Any
    key: Any


@dataclass(frozen=True)
class CellStyle:
    """A simplified style, for front ends that cannot copy openpyxl styles (the xlwings add-in)."""

    font_name: str | None
    font_size: float
    bold: bool
    h_align: str | None
    v_align: str | None
    wrap: bool
    border: bool


@dataclass(frozen=True)
class PageSpec:
    landscape: bool
    paper_size: int
    scale: int
    margins: tuple[float, float, float, float, float, float]  # left, right, top, bottom, header, footer (in)
    center_horizontally: bool
    footer: str


@dataclass
class RenderedSheet:
    """A rendered report as plain data. Rows/columns are 1-based; merges are (r1, c1, r2, c2)."""

    template: str
    n_rows: int
    n_cols: int
    values: dict[tuple[int, int], Value]
    source_rows: dict[int, int]  # output row -> template row its styles come from
    merges: list[tuple[int, int, int, int]]
    row_heights: dict[int, float]
    col_widths: dict[int, float]
    row_breaks: list[int]  # a page ends after each of these rows
    print_title_rows: tuple[int, int] | None
    page: PageSpec
    styles: dict[tuple[int, int], CellStyle] = field(default_factory=dict)  # by template (row, col)

    def matrix(self) -> list[list[Value]]:
        """All values as one rectangle (for a single bulk write), ``None`` where empty."""
        return [
            [self.values.get((r, c)) for c in range(1, self.n_cols + 1)] for r in range(1, self.n_rows + 1)
        ]

    def style(self, row: int, col: int) -> CellStyle | None:
        return self.styles.get((self.source_rows.get(row, 0), col))

    @property
    def print_area(self) -> str:
        return f"A1:{get_column_letter(self.n_cols)}{self.n_rows}"


# ------------------------------------------------------------------------------------ templates


@dataclass
class _Segment:
    first: int
    last: int
    loop: tuple[str, Callable[..., Any], Callable[..., Any] | None] | None = None  # (var, items, filter)
    marker: str = ""


@dataclass
class Template:
    path: str
    ws: Any  # the openpyxl worksheet (styles are copied from it)
    n_cols: int
    programs: dict[tuple[int, int], Callable[[dict[str, Any]], Any]]
    statics: dict[tuple[int, int], Value]
    segments: list[_Segment]
    merges: list[tuple[int, int, int, int]]
    heights: dict[int, float]
    widths: dict[int, float]
    fonts: dict[tuple[int, int], tuple[float, bool]]  # (size, wrap) of every styled cell
    title_rows: tuple[int, int] | None
    page: PageSpec
    styles: dict[tuple[int, int], CellStyle]


def _number(value: Any) -> Any:
    """Filter: ``"12.5"`` → Decimal 12.5 (a numeric cell); empty → None; other text unchanged."""
    if isinstance(value, Undefined):
        str(value)  # raises UndefinedError
    if isinstance(value, Grouped):
        return Grouped(_number(value.value), value.key)
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    if not text.strip():
        return None
    number = parse_decimal(text)
    return text if number is None else number


def _group(value: Any, key: Any = None) -> Grouped:
    """Filter: merge this cell down over the following repetitions with the same ``key``."""
    if isinstance(value, Undefined) or isinstance(key, Undefined):
        str(value if isinstance(value, Undefined) else key)
    return Grouped(value, value if key is None else key)


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.filters["number"] = _number
    env.filters["group"] = _group
    return env


_ENV = _environment()
_CACHE: dict[tuple[str, float], Template] = {}


def load_template(path: Path) -> Template:
    """Read and compile a template file (cached by path and modification time)."""
    path = Path(path)
    try:
        key = (str(path.resolve()), os.stat(path).st_mtime)
    except OSError:
        raise PerfscoreError("报表模板文件不存在", path=str(path)) from None
    hit = _CACHE.get(key)
    if hit is None:
        hit = _compile(path)
        _CACHE.clear()  # keep one: templates are small, and edits replace them
        _CACHE[key] = hit
    return hit


def _compile(path: Path) -> Template:
    name = str(path)
    try:
        wb = load_workbook(path, rich_text=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise PerfscoreError(f"无法读取报表模板（{type(exc).__name__}: {exc}）", path=name) from None
    ws = wb["自评表"] if "自评表" in wb.sheetnames else wb.worksheets[0]
    where = f"{ws.title}!"
    programs: dict[tuple[int, int], Callable[[dict[str, Any]], Any]] = {}
    statics: dict[tuple[int, int], Value] = {}
    starts: dict[int, tuple[str, Callable[..., Any], Callable[..., Any] | None, str]] = {}
    ends: set[int] = set()
    marker_cells: set[tuple[int, int]] = set()
    max_col = 1
    for row in ws.iter_rows():
        for cell in row:
            v = cell.value
            if v is None:
                continue
            pos = (cell.row, cell.column)
            ref = where + cell.coordinate
            if cell.data_type == "f":
                raise ReportTemplateError(
                    name, ref, "报表模板中不能有公式（报表只写入值）；请改为 {{ … }} 占位符"
                )
            if isinstance(v, str) and (m := _FOR.match(v)):
                if cell.row in starts:
                    raise ReportTemplateError(name, ref, "同一行只能有一个 {% for %}")
                try:
                    it = _ENV.compile_expression(m.group(2), undefined_to_none=False)
                    cond = (
                        _ENV.compile_expression(m.group(3), undefined_to_none=False) if m.group(3) else None
                    )
                except TemplateError as exc:
                    raise ReportTemplateError(name, ref, f"循环语法错误：{exc}") from None
                starts[cell.row] = (m.group(1), it, cond, ref)
                marker_cells.add(pos)
                continue
            if isinstance(v, str) and _ENDFOR.match(v):
                ends.add(cell.row)
                marker_cells.add(pos)
                continue
            max_col = max(max_col, cell.column)
            if isinstance(v, str) and ("{{" in v or "{%" in v or "{#" in v):
                programs[pos] = _program(v, name, ref)
            elif isinstance(v, str):
                if v:
                    statics[pos] = v
            elif isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
                statics[pos] = v
            else:
                statics[pos] = str(v)
    segments = _segments(ws.max_row, starts, ends, name, where)
    area = _print_cols(ws)
    n_cols = area if area else max_col
    merges = []
    for mr in ws.merged_cells.ranges:
        c1, r1, c2, r2 = mr.bounds
        seg_a = next(s for s in segments if s.first <= r1 <= s.last)
        if not seg_a.first <= r2 <= seg_a.last:
            raise ReportTemplateError(name, where + mr.coord, "合并单元格不能跨越循环块的边界")
        merges.append((r1, c1, r2, c2))
    widths = _widths(ws, n_cols)
    heights = {
        r: float(d.height) for r, d in ws.row_dimensions.items() if d.height is not None and r <= ws.max_row
    }
    fonts: dict[tuple[int, int], tuple[float, bool]] = {}
    styles: dict[tuple[int, int], CellStyle] = {}
    for row in ws.iter_rows(max_col=n_cols):
        for cell in row:
            if not cell.has_style:
                continue
            size = float(cell.font.sz or 11)
            wrap = bool(cell.alignment.wrap_text)
            fonts[(cell.row, cell.column)] = (size, wrap)
            b = cell.border
            styles[(cell.row, cell.column)] = CellStyle(
                cell.font.name, size, bool(cell.font.b), cell.alignment.horizontal,
                cell.alignment.vertical, wrap,
                any(getattr(b, s) is not None and getattr(b, s).style for s in ("left", "right", "top", "bottom")),
            )  # fmt: skip
    titles = _title_rows(ws.print_title_rows)
    if titles and any(s.loop and s.first <= titles[1] and titles[0] <= s.last for s in segments):
        raise ReportTemplateError(name, where + f"{titles[0]}:{titles[1]}", "打印标题行不能在循环块内")
    return Template(
        name, ws, n_cols, programs, statics, segments, merges, heights, widths, fonts, titles,
        _page(ws, widths, n_cols), styles,
    )  # fmt: skip


def _program(text: str, name: str, ref: str) -> Callable[[dict[str, Any]], Any]:
    m = _EXPR.match(text)
    try:
        if m and "{{" not in m.group(1) and "}}" not in m.group(1) and "{%" not in text:
            expr = _ENV.compile_expression(m.group(1), undefined_to_none=False)
            return lambda ctx: expr(**ctx)
        tpl = _ENV.from_string(text)
        return lambda ctx: tpl.render(ctx)
    except TemplateError as exc:
        raise ReportTemplateError(name, ref, f"模板语法错误：{exc}") from None


def _segments(
    max_row: int,
    starts: dict[int, tuple[str, Callable[..., Any], Callable[..., Any] | None, str]],
    ends: set[int],
    name: str,
    where: str,
) -> list[_Segment]:
    segs: list[_Segment] = []
    row = 1
    open_row = 0
    for r in range(1, max_row + 1):
        if r in starts:
            if open_row:
                raise ReportTemplateError(
                    name, starts[r][3], "循环块不能嵌套（上一个 {% for %} 还没有 {% endfor %}）"
                )
            if r > row:
                segs.append(_Segment(row, r - 1))
            open_row, row = r, r
        if r in ends:
            if not open_row:
                raise ReportTemplateError(name, f"{where}{r}", "{% endfor %} 前面没有 {% for %}")
            var, it, cond, ref = starts[open_row]
            segs.append(_Segment(open_row, r, (var, it, cond), ref))
            open_row, row = 0, r + 1
    if open_row:
        raise ReportTemplateError(name, starts[open_row][3], "{% for %} 没有对应的 {% endfor %}")
    if row <= max_row:
        segs.append(_Segment(row, max_row))
    return segs


def _print_cols(ws: Any) -> int:
    area = ws.print_area
    if not area:
        return 0
    text = area[0] if isinstance(area, (list, tuple)) else str(area).split(",")[0]
    _, _, c2, _ = range_boundaries(text.rpartition("!")[2].replace("$", ""))
    return int(c2)


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


def col_points(width: float) -> float:
    """Excel column width (characters of the default font) → points: (w·7 + 5) px at 96 dpi."""
    return (math.trunc(width * 7 + 0.5) + 5) * 0.75


def _page(ws: Any, widths: dict[int, float], n_cols: int) -> PageSpec:
    ps = ws.page_setup
    landscape = ps.orientation == "landscape"
    paper = int(ps.paperSize or 9)
    m = ws.page_margins
    margins = (float(m.left), float(m.right), float(m.top), float(m.bottom), float(m.header), float(m.footer))
    pw, _ = _paper(paper, landscape)
    printable = pw - (margins[0] + margins[1]) * 72
    total = sum(col_points(widths[c]) for c in range(1, n_cols + 1))
    scale = min(100, math.floor(printable / total * 100)) if total else 100
    if ps.scale and int(ps.scale) < scale:
        scale = int(ps.scale)
    footer = ws.oddFooter.center.text or ""
    return PageSpec(
        landscape, paper, max(10, scale), margins, bool(ws.print_options.horizontalCentered), footer
    )


def _paper(paper: int, landscape: bool) -> tuple[float, float]:
    w, h = _PAPER.get(paper, _PAPER[9])
    return (h, w) if landscape else (w, h)


# ------------------------------------------------------------------------------------ rendering


@dataclass
class _Row:
    trow: int
    values: dict[int, Value]
    groups: dict[int, Any]  # col -> group key
    run: int  # id of the loop run (consecutive repetitions of one block), 0 outside loops


def render(template: Template, context: dict[str, Any]) -> RenderedSheet:
    rows: list[_Row] = []
    merges: list[tuple[int, int, int, int]] = []  # in logical rows
    run = 0
    for seg in template.segments:
        if seg.loop is None:
            base = len(rows)
            rows.extend(_render_rows(template, seg, context, 0))
            merges += _seg_merges(template, seg, base)
            continue
        var = seg.loop[0]
        seq = _loop_items(template, seg, context)
        run += 1
        for n, item in enumerate(seq):
            loop = {
                "index": n + 1,
                "index0": n,
                "first": n == 0,
                "last": n == len(seq) - 1,
                "length": len(seq),
            }
            base = len(rows)
            rows.extend(_render_rows(template, seg, {**context, var: item, "loop": loop}, run))
            merges += _seg_merges(template, seg, base)
    return _layout(template, rows, merges)


def _loop_items(template: Template, seg: _Segment, context: dict[str, Any]) -> list[Any]:
    assert seg.loop is not None
    var, iterable, cond = seg.loop
    items = _evaluate(template, seg.marker, lambda: iterable(**context))
    if isinstance(items, Undefined) or not isinstance(items, Iterable) or isinstance(items, (str, dict)):
        raise ReportTemplateError(template.path, seg.marker, "循环的对象不是列表")
    seq = list(items)
    if cond is None:
        return seq
    kept = []
    for x in seq:
        scope = {**context, var: x}
        if _evaluate(template, seg.marker, lambda scope=scope: cond(**scope)):  # type: ignore[misc]
            kept.append(x)
    return kept


def _evaluate(template: Template, ref: str, thunk: Callable[[], Any]) -> Any:
    try:
        value = thunk()
        if isinstance(value, Undefined):
            str(value)
        if isinstance(value, Grouped) and isinstance(value.value, Undefined):
            str(value.value)
        return value
    except TemplateError as exc:
        raise ReportTemplateError(template.path, ref, f"{type(exc).__name__}: {exc}") from None
    except Exception as exc:  # an expression such as 1/0 in the template
        raise ReportTemplateError(template.path, ref, f"{type(exc).__name__}: {exc}") from None


def _render_rows(template: Template, seg: _Segment, ctx: dict[str, Any], run: int) -> list[_Row]:
    out = []
    where = template.ws.title + "!"
    for r in range(seg.first, seg.last + 1):
        values: dict[int, Value] = {}
        groups: dict[int, Any] = {}
        for c in range(1, template.n_cols + 1):
            prog = template.programs.get((r, c))
            if prog is None:
                static = template.statics.get((r, c))
                if static is not None:
                    values[c] = static
                continue
            raw = _evaluate(template, f"{where}{get_column_letter(c)}{r}", lambda p=prog: p(ctx))  # type: ignore[misc]
            if isinstance(raw, Grouped):
                groups[c] = raw.key
                raw = raw.value
            values[c] = _cell_value(raw)
        out.append(_Row(r, values, groups, run))
    return out


def _cell_value(raw: Any) -> Value:
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, (Decimal, int, float)):
        return raw
    text = ILLEGAL_CHARACTERS_RE.sub("", str(raw))
    return text if text != "" else None


def _seg_merges(template: Template, seg: _Segment, base: int) -> list[tuple[int, int, int, int]]:
    return [
        (base + r1 - seg.first, c1, base + r2 - seg.first, c2)
        for r1, c1, r2, c2 in template.merges
        if seg.first <= r1 <= seg.last
    ]


def text_width(text: str, size: float) -> float:
    """Estimated width in points: CJK and full-width characters 1 em, others 0.55 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.55 for ch in text)


def needed_height(text: str, size: float, width_pt: float) -> float:
    """Points a wrapped text needs in a cell ``width_pt`` wide (line height 1.45 em, as Noto CJK)."""
    avail = max(width_pt - 6.0, size)
    lines = 0
    for para in str(text).replace("\r\n", "\n").split("\n"):
        lines += max(1, math.ceil(text_width(para, size) * 1.04 / avail))
    return lines * size * 1.45 + 5.0


def _layout(t: Template, rows: list[_Row], lmerges: list[tuple[int, int, int, int]]) -> RenderedSheet:
    n = len(rows)
    colpt = {c: col_points(w) for c, w in t.widths.items()}
    span_of: dict[tuple[int, int], tuple[int, int]] = {}  # (logical row, col) -> (rows, cols) of its merge
    covered: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in lmerges:
        span_of[(r1, c1)] = (r2 - r1 + 1, c2 - c1 + 1)
        covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    # group runs, in logical rows: (col, first, last)
    runs: list[tuple[int, int, int]] = []
    for c in range(1, t.n_cols + 1):
        start = None
        for i in range(n + 1):
            key = rows[i].groups.get(c) if i < n else None
            same = (
                start is not None
                and i < n
                and c in rows[i].groups
                and rows[i].run == rows[start].run
                and rows[i].trow == rows[start].trow
                and key == rows[start].groups[c]
            )
            if same:
                continue
            if start is not None and i - 1 > start:
                runs.append((c, start, i - 1))
            start = i if i < n and c in rows[i].groups else None
    in_run = {(r, c) for c, a, b in runs for r in range(a, b + 1)}
    # heights of logical rows
    heights: list[float] = []
    for i, row in enumerate(rows):
        h = t.heights.get(row.trow, 15.0)
        for c, v in row.values.items():
            if v is None or (i, c) in in_run:
                continue
            size, wrap = t.fonts.get((row.trow, c), (11.0, False))
            rs, cs = span_of.get((i, c), (1, 1))
            width = sum(colpt.get(c + k, 0.0) for k in range(cs))
            need = needed_height(str(v), size, width) if wrap else size * 1.45 + 5.0
            h = max(h, need / rs)
        heights.append(h)
    for c, a, b in runs:  # a merged group cell must fit its rows
        v = rows[a].values.get(c)
        if v is not None:
            size, wrap = t.fonts.get((rows[a].trow, c), (11.0, False))
            need = needed_height(str(v), size, colpt.get(c, 0.0)) if wrap else size * 1.45 + 5.0
            have = sum(heights[a : b + 1])
            if need > have:
                heights[b] += need - have
    # physical rows: a logical row taller than Excel's limit becomes several merged rows
    first_phys: list[int] = []
    phys_heights: list[float] = []
    for h in heights:
        k = max(1, math.ceil(h / (_MAX_ROW_HEIGHT - 9)))
        first_phys.append(len(phys_heights) + 1)
        phys_heights += [round(h / k, 1)] * k
    first_phys.append(len(phys_heights) + 1)

    def last_phys(i: int) -> int:
        return first_phys[i + 1] - 1

    fixed: list[tuple[int, int, int, int]] = [
        (first_phys[r1], c1, last_phys(r2), c2) for r1, c1, r2, c2 in lmerges
    ]
    for i in range(len(rows)):
        if last_phys(i) > first_phys[i]:
            for c in range(1, t.n_cols + 1):
                if (i, c) not in covered and (i, c) not in in_run:
                    fixed.append((first_phys[i], c, last_phys(i), c))
    # map the print title rows
    trow_first: dict[int, int] = {}
    for i, row in enumerate(rows):
        trow_first.setdefault(row.trow, i)
    titles = None
    if t.title_rows and t.title_rows[0] in trow_first and t.title_rows[1] in trow_first:
        titles = (first_phys[trow_first[t.title_rows[0]]], last_phys(trow_first[t.title_rows[1]]))
    breaks = _page_breaks(t.page, phys_heights, fixed, titles)
    # values, with group runs split at page breaks
    values: dict[tuple[int, int], Value] = {}
    for i, row in enumerate(rows):
        for c, v in row.values.items():
            if v is not None and (i, c) not in in_run:
                values[(first_phys[i], c)] = v
    group_merges: list[tuple[int, int, int, int]] = []
    starts = {b + 1 for b in breaks}
    for c, a, b in runs:
        p1, p2 = first_phys[a], last_phys(b)
        cuts = [p1] + [s for s in sorted(starts) if p1 < s <= p2] + [p2 + 1]
        v = rows[a].values.get(c)
        for lo, hi in itertools.pairwise(cuts):
            if v is not None:
                values[(lo, c)] = v
            if hi - 1 > lo:
                group_merges.append((lo, c, hi - 1, c))
    source = {}
    for i, row in enumerate(rows):
        for p in range(first_phys[i], last_phys(i) + 1):
            source[p] = row.trow
    return RenderedSheet(
        template=t.path,
        n_rows=len(phys_heights),
        n_cols=t.n_cols,
        values=values,
        source_rows=source,
        merges=fixed + group_merges,
        row_heights={p + 1: h for p, h in enumerate(phys_heights)},
        col_widths=dict(t.widths),
        row_breaks=breaks,
        print_title_rows=titles,
        page=t.page,
        styles=t.styles,
    )


def _page_breaks(
    page: PageSpec,
    heights: list[float],
    merges: list[tuple[int, int, int, int]],
    titles: tuple[int, int] | None,
) -> list[int]:
    """Rows after which a page ends, so no page overflows; never inside a (non-group) merge."""
    _, ph = _paper(page.paper_size, page.landscape)
    m = page.margins
    capacity = (ph - (m[2] + m[3]) * 72) * 100 / page.scale * 0.97
    title_h = sum(heights[r - 1] for r in range(titles[0], titles[1] + 1)) if titles else 0.0
    blocked: set[int] = set()  # a break before row r is not allowed
    for r1, _, r2, _ in merges:
        blocked.update(range(r1 + 1, r2 + 1))
    if titles:
        blocked.add(titles[1] + 1)  # keep the table header with its first row
    breaks: list[int] = []
    start, used = 1, 0.0
    r = 1
    while r <= len(heights):
        used += heights[r - 1]
        if used > capacity and r > start:
            b = r
            while b > start + 1 and b in blocked:
                b -= 1
            if b in blocked or b <= start:
                b = r  # nothing better: break anyway
            breaks.append(b - 1)
            start = b
            repeat = title_h if titles and b > titles[1] else 0.0
            used = repeat + sum(heights[start - 1 : r])
        r += 1
    return breaks


# ------------------------------------------------------------------------------------ openpyxl


def apply(rendered: RenderedSheet, template: Template, ws: Any) -> None:
    """Write a rendered sheet into an empty openpyxl worksheet: values, styles, merges, print setup."""
    tws = template.ws
    for r in range(1, rendered.n_rows + 1):
        tr = rendered.source_rows[r]
        for c in range(1, rendered.n_cols + 1):
            v = rendered.values.get((r, c))
            tc = tws._cells.get((tr, c))  # avoid creating cells in the template
            if v is None and (tc is None or not tc.has_style):
                continue
            cell = ws.cell(row=r, column=c)
            if tc is not None and tc.has_style:
                cell.font = copy.copy(tc.font)
                cell.border = copy.copy(tc.border)
                cell.fill = copy.copy(tc.fill)
                cell.number_format = tc.number_format
                cell.alignment = copy.copy(tc.alignment)
                cell.protection = copy.copy(tc.protection)
            if isinstance(v, str):
                cell.value = v
                cell.data_type = "s"  # text, never a formula
                if v[:1] in ("=", "+", "-", "@"):
                    cell.quotePrefix = True
            elif v is not None:
                cell.value = v
        ws.row_dimensions[r].height = rendered.row_heights[r]
    for c, w in rendered.col_widths.items():
        ws.column_dimensions[get_column_letter(c)].width = w
    for r1, c1, r2, c2 in rendered.merges:
        if (r1, c1) != (r2, c2):
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    page = rendered.page
    ws.page_setup.orientation = "landscape" if page.landscape else "portrait"
    ws.page_setup.paperSize = page.paper_size
    ws.page_setup.scale = page.scale
    ws.sheet_properties.pageSetUpPr = None
    left, right, top, bottom, header, footer = page.margins
    ws.page_margins.left, ws.page_margins.right = left, right
    ws.page_margins.top, ws.page_margins.bottom = top, bottom
    ws.page_margins.header, ws.page_margins.footer = header, footer
    ws.print_options.horizontalCentered = page.center_horizontally
    ws.HeaderFooter = copy.copy(tws.HeaderFooter)
    ws.sheet_view.showGridLines = tws.sheet_view.showGridLines
    ws.print_area = rendered.print_area
    if rendered.print_title_rows:
        a, b = rendered.print_title_rows
        ws.print_title_rows = f"{a}:{b}"
    ws.row_breaks = RowBreak()
    for b in rendered.row_breaks:
        ws.row_breaks.append(Break(id=b))
