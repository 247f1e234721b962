"""Build a perfscore workbook from a framework (and optionally a submission) with XlsxWriter.

The content is exactly :func:`perfscore.engine.cells.static_cells` plus, for a filled form,
:func:`perfscore.engine.cells.input_cells`; positions come only from :mod:`perfscore.engine.layout`. The look and
behaviour are added sheet by sheet: :mod:`perfscore.builder.forms` writes the form sheets (基本情况 and
the indicator sheets), this module the 校验结果 and hidden _perfscore sheets, all through
:class:`perfscore.builder.sheet_writer.SheetWriter`. :func:`build_workbook` writes the file atomically and,
in ``udf`` mode, adds the VBA project.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from xlsxwriter.exceptions import FileCreateError, XlsxWriterException
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfscore.builder.forms import write_cover, write_indicator_sheet
from perfscore.builder.project_forms import ProjectForms
from perfscore.builder.sheet_writer import PROTECT_OPTIONS, Pos, SheetWriter, setup_print
from perfscore.builder.styles import FINDINGS_WIDTHS, WORKBOOK_OPTIONS, Styles
from perfscore.engine import cells as C
from perfscore.engine import layout as L
from perfscore.engine.formulas import MODES
from perfscore.engine.framework import Framework
from perfscore.engine.grid import PlanValue, parse_ref
from perfscore.engine.pipeline import evaluate
from perfscore.engine.project.model import ProjectFramework
from perfscore.engine.project.submission import ProjectSubmission
from perfscore.engine.submission import Submission
from perfscore.errors import InternalError, PerfscoreError, WriteError
from perfscore.xlsx.atomic import replace_atomically
from perfscore.xlsx.package import finish

#: Fixed document timestamp: two builds of the same input are content-identical.
CREATED = dt.datetime(2023, 1, 1, 0, 0, 0)


def build_workbook(
    out: Path,
    fw: Framework | ProjectFramework,
    *,
    mode: str = "native",
    submission: Submission | ProjectSubmission | None = None,
    extra_sheets: Mapping[str, list[list[str]]] | None = None,
    rows: int | None = None,
) -> None:
    """Write the workbook for ``fw`` to ``out`` atomically (temp file in the same folder + rename).

    ``mode`` ``native`` needs an ``.xlsx`` name, ``udf`` an ``.xlsm`` one (VBA project and buttons).
    ``extra_sheets`` (name → rows of text) are added after 校验结果; in ``udf`` mode the builder adds
    the ``xlwings.conf`` sheet naming the UDF module itself (an ``extra_sheets`` entry of that name
    replaces it), so the file is complete without the CLI's help.

    For a project framework, ``rows`` blank rows are laid out per 二级 category (default
    :data:`~perfscore.engine.project.model.DEFAULT_ROWS`; more where the submission has more).
    """
    out = Path(out)
    if mode not in MODES:
        raise PerfscoreError(f"公式模式必须是 {' 或 '.join(MODES)}，而不是 {mode!r}")
    suffix = ".xlsm" if mode == "udf" else ".xlsx"
    if out.suffix.lower() != suffix:
        raise PerfscoreError(f"{mode} 模式的工作簿文件名须以 {suffix} 结尾：{out.name}", path=str(out))
    if isinstance(fw, ProjectFramework):
        assert submission is None or isinstance(submission, ProjectSubmission)
        form: _Forms = ProjectForms(fw, mode, submission, rows)
    else:
        assert submission is None or isinstance(submission, Submission)
        form = _DepartmentForms(fw, mode, submission)
    content = form.content
    auto_rows = form.auto_rows()
    vba = _vba_project() if mode == "udf" else None
    sheets = dict(extra_sheets or {})
    if mode == "udf" and L.XLWINGS_CONF not in sheets:  # the .xlsm names its UDF module there
        sheets[L.XLWINGS_CONF] = _xlwings_conf()
    out.parent.mkdir(parents=True, exist_ok=True)

    def write(tmp: Path) -> None:
        try:
            wb = Workbook(str(tmp), WORKBOOK_OPTIONS)
            wb.set_properties(
                {"title": fw.title, "subject": fw.id, "author": "perfscore", "created": CREATED}
            )
            wb.set_calc_mode("auto")
            _Book(wb, form, content, buttons=vba is not None).build(sheets)
            if vba is not None:
                wb.add_vba_project(str(vba))
            wb.close()
            finish(tmp, {}, auto_rows)  # indicator rows grow with the text typed
        except FileCreateError as exc:
            raise WriteError(f"无法写入工作簿：{exc}", path=str(out)) from None
        except XlsxWriterException as exc:
            raise PerfscoreError(f"无法生成工作簿：{exc}", path=str(out)) from None

    replace_atomically(out, write)


class _DepartmentForms:
    """The department-overall form: 基本情况 and one sheet per indicator group."""

    def __init__(self, fw: Framework, mode: str, submission: Submission | None) -> None:
        self.fw = fw
        content = C.static_cells(fw, mode)
        if submission is not None:
            content.update(C.input_cells(fw, submission))
        self.order = C.sheet_order(fw)
        grid = C.to_grid(content, [*self.order])
        self.content = C.with_results(content, evaluate(grid, fw).shown_values())

    def auto_rows(self) -> dict[str, tuple[int, ...]]:
        return {sl.name: tuple(sl.rows.values()) for sl in L.sheet_layouts(self.fw)}

    def write(self, wb: Workbook, st: Styles, values: _Values, *, buttons: bool) -> Worksheet:
        cover = write_cover(wb, st, self.fw, values(L.COVER), buttons=buttons)
        for sl in L.sheet_layouts(self.fw):
            write_indicator_sheet(wb, st, sl, values(sl.name), buttons=buttons)
        return cover


def _vba_project() -> Path:
    """The VBA project for udf mode, built from the installed xlwings with pyopenvba."""
    try:
        from perfscore.builder.vba import vba_project_bin

        path: Path = vba_project_bin()
    except ImportError as exc:  # a broken install: the add-in build or what it needs is missing
        raise PerfscoreError(
            f"无法生成 udf 模式（.xlsm）工作簿：缺少 {exc.name or exc}（加载项构建所需）；"
            "请改用 --formulas native，或重新安装 perfscore"
        ) from None
    return path


def _xlwings_conf() -> list[list[str]]:
    from perfscore.builder.vba import xlwings_conf_rows

    rows: list[list[str]] = xlwings_conf_rows()
    return rows


class _Forms(Protocol):
    """The form sheets of one kind of form: their content, and how to write them."""

    content: C.Cells
    order: list[str]

    def auto_rows(self) -> dict[str, tuple[int, ...]]: ...
    def write(self, wb: Workbook, st: Styles, values: _Values, *, buttons: bool) -> Worksheet: ...


_Values = Callable[[str], dict[Pos, PlanValue]]


class _Book:
    def __init__(self, wb: Workbook, form: _Forms, content: C.Cells, *, buttons: bool) -> None:
        self.wb = wb
        self.form = form
        self.buttons = buttons
        self.st = Styles(wb)
        self.by_sheet: dict[str, dict[Pos, PlanValue]] = {}
        for (sheet, cell), value in content.items():
            self.by_sheet.setdefault(sheet, {})[parse_ref(cell)] = value

    def build(self, extra_sheets: Mapping[str, list[list[str]]]) -> None:
        known = set(self.form.order) | set(extra_sheets)
        stray = set(self.by_sheet) - known
        if stray:
            raise InternalError(f"内部错误：未知工作表 {sorted(stray)}")
        cover = self.form.write(self.wb, self.st, self._values, buttons=self.buttons)
        self._findings()
        for name, rows in extra_sheets.items():
            ws = self.wb.add_worksheet(name)
            for r, line in enumerate(rows):
                for c, text in enumerate(line):
                    ws.write_string(r, c, text)
        self._meta()
        cover.activate()

    def _values(self, name: str) -> dict[Pos, PlanValue]:
        return self.by_sheet.get(name, {})

    def _sheet(self, name: str, widths: tuple[int, ...]) -> SheetWriter:
        ws = self.wb.add_worksheet(name)
        return SheetWriter(ws, self._values(name), widths)

    # ------------------------------------------------------------------ 校验结果, _perfscore
    def _findings(self) -> None:
        st = self.st
        sh = self._sheet(L.FINDINGS, FINDINGS_WIDTHS)
        sh.span(1, 1, 1, len(L.FINDINGS_COLUMNS), st(bold=True, align="left", border=0, font_size=12))
        sh.min_height[1] = 24
        for col in range(1, len(L.FINDINGS_COLUMNS) + 1):
            sh.fmt(2, col, st.header())
        sh.write(st.text())
        ws = sh.ws
        ws.set_column(4, 4, FINDINGS_WIDTHS[4], st(border=0, text_wrap=True, align="left"))
        ws.freeze_panes(2, 0)
        ws.protect("", PROTECT_OPTIONS)
        setup_print(ws, len(L.FINDINGS_COLUMNS), 0, titles=True)  # no print area: all findings

    def _meta(self) -> None:
        sh = self._sheet(L.META, (20, 30))
        sh.write(self.st(border=0, text_wrap=False))
        sh.ws.hide()
        sh.ws.protect("", PROTECT_OPTIONS)
