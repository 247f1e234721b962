"""The finance bureau's summary workbook (``perfscore batch -o 汇总.xlsx``), fed one form at a time.

:class:`SummaryWriter` takes :class:`~perfscore.batch.records.FormRecord` s one by one and keeps memory
flat however many there are: XlsxWriter runs in ``constant_memory`` mode (each row goes to a temporary
file as soon as the next one starts, text is stored inline, not in a shared table), 汇总 and 问题清单
rows are written as the forms come, and only small aggregates are kept (counts, and per framework and
indicator a sum, a count and how often it fell short). The forms × indicators matrix of 指标得分 is
spooled to a temporary file of JSON lines and written on :meth:`SummaryWriter.close`, once it is known
which framework is the most common (its block comes first). The workbook is saved atomically
(:func:`perfscore.xlsx.atomic.replace_atomically`): the target is the old file or the complete new one.

The sheets:

- ``汇总``: one row per input — 文件 (a ``HYPERLINK`` formula to the form, relative to the summary's
  folder; a formula streams, a native hyperlink would be kept in memory until the end), 部门, 年度,
  指标体系, 总分 (a number, shown as the form shows it), 等级, 错误, 警告, 完整性, 重复, 状态 (filled
  green / red / yellow), 首个问题.
- ``指标得分``: a block per framework id, the most common first: a row per form with each 末级
  indicator's score and score rate (3-colour scale), a row of averages, the 一级/二级 average rates,
  and the 10 indicators most often below full marks.
- ``问题清单``: every finding of every form.
- ``统计``: the counts, the grade distribution, the totals in bands and the average rate per 二级 (or
  末级) indicator, each table with a native chart over its cells.

Averages count the valid scores only (a missing or invalid score is left out, not taken as 0): an
indicator's average is the mean of its valid scores, its rate that mean over its 分值; a group's
average is the sum of its indicators' averages and its rate that sum over the sum of their 分值 (for
complete forms, the mean of the forms' group sub-totals). "Below full marks" counts valid scores under
the 分值.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from xlsxwriter.exceptions import FileCreateError, XlsxWriterException
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_range
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfscore.batch.records import FAILED, PASSED, UNUSABLE, FormRecord
from perfscore.batch.sheet_cells import (
    BASE,
    FONT,
    FONT_SIZE,
    GRADE_COLOURS,
    HEADER_FILL,
    LEVEL_FILLS,
    MAX_ROWS,
    RATE_SCALE,
    STATUS_FILLS,
    TOTAL_FILL,
    WORKBOOK_OPTIONS,
    Cell,
    Link,
    Stream,
    Styles,
    clean,
    link_formula,
    print_setup,
    put,
    relative_link,
    severity_label,
    write_row,
)
from perfscore.batch.stats import (
    BANDS,
    GRADES,
    FrameworkStats,
    LeafStats,
    Tally,
    group_average,
    group_rate,
    rate,
)
from perfscore.engine.decimals import fmt, round_half_up
from perfscore.engine.text import display_width, height_for, lines_needed, whole_pixels
from perfscore.errors import InternalError, PerfscoreError, WriteError
from perfscore.xlsx.atomic import check_writable, replace_atomically

SUMMARY, SCORES, FINDINGS, STATS = "汇总", "指标得分", "问题清单", "统计"

SUMMARY_HEADER = ("文件", "部门", "年度", "指标体系", "总分", "等级", "错误", "警告", "完整性", "重复", "状态", "首个问题")  # fmt: skip
#: 汇总 column widths: (least, most) in Excel character units; the text decides in between.
SUMMARY_WIDTHS = ((12, 32), (10, 24), (6, 6), (10, 22), (7, 7), (6, 6), (6, 6), (6, 6), (8, 18), (8, 26), (8, 8), (16, 48))  # fmt: skip
FINDINGS_HEADER = ("文件", "工作表", "单元格", "级别", "代码", "说明")
FINDINGS_WIDTHS = ((12, 32), (8, 14), (8, 10), (6, 6), (10, 24), (30, 70))

#: 指标得分: widths of 文件, 部门 (most) and of each score and rate column; indicators on a printed
#: page, and the Excel width units an A4 landscape page holds at 100 % (LibreOffice, 宋体 11).
FILE_WIDTH, DEPARTMENT_WIDTH, SCORE_WIDTH = 24, 20, 7
LEAVES_PER_PAGE, PAGE_UNITS = 6, 108


class SummaryWriter:
    """The summary workbook at ``path``, written as the forms come (use as a context manager).

    ``add`` each :class:`FormRecord`; leaving the ``with`` block normally calls :meth:`close`, which
    writes 指标得分 and 统计 and saves the workbook atomically; leaving it by an exception
    :meth:`discard` s everything and leaves ``path`` as it was. Raises :class:`WriteError` at once when
    ``path`` cannot be written (a missing folder, a read-only file), before any form is read.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        check_writable(self.path)
        self._folder = self.path.resolve().parent
        self._tmp = tempfile.TemporaryDirectory(prefix="perfscore-batch-")
        self._closed = False
        try:
            self._wb = Workbook(
                str(Path(self._tmp.name) / "summary.xlsx"), {**WORKBOOK_OPTIONS, "tmpdir": self._tmp.name}
            )
            self._wb.set_properties({"title": "绩效自评表批量检查汇总", "author": "perfscore"})
            self._st = Styles(self._wb)
            wss = {name: self._wb.add_worksheet(name) for name in (SUMMARY, SCORES, FINDINGS, STATS)}
            self._summary = Stream(wss[SUMMARY], SUMMARY_HEADER, SUMMARY_WIDTHS)
            self._findings = Stream(wss[FINDINGS], FINDINGS_HEADER, FINDINGS_WIDTHS)
            self._scores_ws, self._stats_ws = wss[SCORES], wss[STATS]
            header = self._st.header()
            self._summary.write([(h, header) for h in SUMMARY_HEADER])
            self._findings.write([(h, header) for h in FINDINGS_HEADER])
            spool = Path(self._tmp.name) / "scores.jsonl"
            self._spool: IO[str] = open(spool, "w+", encoding="utf-8", errors="surrogatepass")  # noqa: SIM115
        except BaseException:
            self._tmp.cleanup()
            raise
        self._tally = Tally()
        self._frameworks: dict[str, FrameworkStats] = {}
        self._matrix_header = 0  # 指标得分: the row of the last block's indicator header

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()

    @property
    def count(self) -> int:
        """How many inputs were added."""
        return self._tally.forms

    # ------------------------------------------------------------------------------ one form

    def add(self, record: FormRecord) -> None:
        """Write ``record``'s 汇总 row and its findings, and count it in the aggregates."""
        if self._closed:
            raise InternalError("内部错误：汇总工作簿已保存或已放弃，不能再添加表格")
        self._tally.add(record)
        if self._summary.room():
            self._summary.write(self._summary_row(record))
        st = self._st
        for f in record.findings:
            if not self._findings.room():
                continue
            level = severity_label(f.severity)
            self._findings.write(
                [
                    (record.file, st.text()),
                    (f.sheet, st.text()),
                    (f.cell, st.center()),
                    (level, st.center(bg_color=LEVEL_FILLS[level]) if level in LEVEL_FILLS else st.center()),
                    (f.code, st.text()),
                    (f.message, st.text()),
                ]
            )
        if record.scores:
            self._add_scores(record)

    def _summary_row(self, r: FormRecord) -> list[Cell]:
        st = self._st
        no_counts = r.status == UNUSABLE and not (r.errors or r.warnings)  # blank, not a misleading 0
        status = st.center(bg_color=STATUS_FILLS[r.status]) if r.status in STATUS_FILLS else st.center()
        return [
            self._file_cell(r),
            (r.department, st.text()),
            (r.year, st.number("0")),
            (r.framework, st.text()),
            (None if r.total is None else round_half_up(r.total), st.number()),
            (r.grade or "", st.center()),
            (None if no_counts else r.errors, st.number()),
            (None if no_counts else r.warnings, st.number()),
            ("；".join(r.flags), st.text()),
            (r.duplicate, st.text()),
            (r.status, status),
            (r.reason, st.text()),
        ]

    def _file_cell(self, r: FormRecord) -> Cell:
        """文件: a ``HYPERLINK`` formula to the form when there is a link (and it fits a formula)."""
        if r.link:
            formula = link_formula(clean(relative_link(r.link, self._folder)), clean(r.file))
            if formula is not None:
                return Link(formula, clean(r.file)), self._st.link()
        return r.file, self._st.text()

    def _add_scores(self, r: FormRecord) -> None:
        fw = self._frameworks.get(r.framework)
        if fw is None:
            fw = self._frameworks[r.framework] = FrameworkStats(
                r.framework, r.framework_title, len(self._frameworks)
            )
        fw.forms += 1
        fw.file_width = max(fw.file_width, min(display_width(r.file) + 2, 200))
        fw.department_width = max(fw.department_width, min(display_width(r.department) + 2, 200))
        scores: dict[str, str | None] = {}
        for s in r.scores:
            leaf = fw.leaves.get(s.id)
            if leaf is None:
                leaf = fw.leaves[s.id] = LeafStats(s.id, s.name, s.weight, s.l1_name, s.l2_name)
            scores[s.id] = None if s.score is None else str(s.score)
            if s.score is not None:
                leaf.total += s.score
                leaf.valid += 1
                leaf.short += s.score < leaf.weight
        self._spool.write(json.dumps([r.framework, r.file, r.department, scores], ensure_ascii=False) + "\n")

    # ------------------------------------------------------------------------------ the end

    def close(self) -> None:
        """Write 指标得分 and 统计, finish 汇总 and 问题清单, and save the workbook atomically."""
        if self._closed:
            return
        self._closed = True
        try:
            self._finish_streams()
            self._write_scores()
            self._write_stats()

            def write(tmp: Path) -> None:
                self._wb.filename = str(tmp)
                try:
                    self._wb.close()
                except FileCreateError as exc:
                    raise WriteError(f"无法写入汇总工作簿：{exc}", path=str(self.path)) from None
                except XlsxWriterException as exc:
                    raise PerfscoreError(f"无法生成汇总工作簿：{exc}", path=str(self.path)) from None

            replace_atomically(self.path, write)
        except BaseException:
            self._abandon()
            raise
        self._cleanup()

    def discard(self) -> None:
        """Give up: remove the temporary files, leave ``path`` as it was."""
        if not self._closed:
            self._closed = True
            self._abandon()

    def _abandon(self) -> None:
        # XlsxWriter keeps a temporary row file open per sheet until it saves; saving thousands of
        # rows only to throw them away (on Ctrl-C, say) would take a while: close them (they are in
        # our temporary folder), then remove the folder.
        try:
            for ws in self._wb.worksheets():
                fh = getattr(ws, "row_data_fh", None)
                if fh is not None and not fh.closed:
                    fh.close()
            self._wb.fileclosed = True
        finally:
            self._cleanup()

    def _cleanup(self) -> None:
        self._spool.close()
        self._tmp.cleanup()

    def _finish_streams(self) -> None:
        st = self._st
        summary, findings = self._summary, self._findings
        if self._tally.forms == 0:
            summary.write([("没有收到任何表格。", st.note())])
        elif summary.dropped:
            summary.write([(f"另有 {summary.dropped} 个文件超出工作表行数上限，未列出。", st.note())])
        if findings.row == 1:
            message = "没有收到任何表格。" if self._tally.forms == 0 else "所有表格均未发现问题。"
            findings.write([(message, st.note())])
        elif findings.dropped:
            findings.write([(f"另有 {findings.dropped} 条问题超出工作表行数上限，未列出。", st.note())])
        for stream, cols in ((summary, len(SUMMARY_HEADER)), (findings, len(FINDINGS_HEADER))):
            ws = stream.ws
            stream.set_widths()
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(1, stream.row - 1), cols - 1)
            print_setup(ws, fit_width=1)
            ws.repeat_rows(0)

    # ------------------------------------------------------------------------------ 指标得分

    def _write_scores(self) -> None:
        ws, st = self._scores_ws, self._st
        blocks = sorted(self._frameworks.values(), key=lambda fw: (-fw.forms, fw.first))
        print_setup(ws, fit_width=None)
        if not blocks:
            put(ws, 0, 0, "没有可计分的表格（没有收到表格，或收到的文件都无法读取）。", st.note())
            return
        widest = max(len(fw.leaves) for fw in blocks)
        file_width = max(12, min(FILE_WIDTH, max(fw.file_width for fw in blocks)))
        department_width = max(10, min(DEPARTMENT_WIDTH, max(fw.department_width for fw in blocks)))
        widths = [float(file_width), float(department_width), *[float(SCORE_WIDTH)] * (2 * widest)]
        ws.set_column(0, 0, file_width)
        ws.set_column(1, 1, department_width)
        if widest:
            ws.set_column(2, 1 + 2 * widest, SCORE_WIDTH)
        # Printed: LEAVES_PER_PAGE indicators a page, columns A:B on every page, a scale to fit them.
        per_page = file_width + department_width + 2 * SCORE_WIDTH * LEAVES_PER_PAGE
        ws.set_print_scale(max(10, min(100, 100 * PAGE_UNITS // per_page)))
        ws.set_v_pagebreaks(
            [2 + 2 * LEAVES_PER_PAGE * n for n in range(1, math.ceil(widest / LEAVES_PER_PAGE))]
        )
        ws.repeat_columns(0, 1)
        ws.freeze_panes(0, 2)
        self._spool.flush()
        row = 0
        breaks = []  # printed, each block and each matrix starts a page
        for n, fw in enumerate(blocks):
            if n:
                row += 2
                breaks.append(row)
            row = self._score_block(fw, row, widths)
            breaks.append(self._matrix_header)
            if len(blocks) == 1:  # the one matrix header: on every printed page from there on
                ws.repeat_rows(self._matrix_header, self._matrix_header + 1)
        ws.set_h_pagebreaks(breaks)

    def _score_block(self, fw: FrameworkStats, row: int, widths: list[float]) -> int:
        ws, st = self._scores_ws, self._st
        leaves = list(fw.leaves.values())
        title = st(BASE, bold=True, font_size=13, text_wrap=True)
        lines = lines_needed(fw.heading, (widths[0] + widths[1]) * FONT_SIZE / 13)  # at 13 pt
        ws.set_row(row, whole_pixels(lines * 17.5 + 8))
        ws.merge_range(row, 0, row, 1, clean(fw.heading), title)
        row = self._group_table(fw, row + 1, widths)
        row = self._shortfall_table(fw, row + 1, widths)
        row += 1
        self._matrix_header = row
        header = st.header()
        labels = [f"{leaf.label}（{fmt(leaf.weight)}分）" for leaf in leaves]
        lines = max([1, *(lines_needed(label, 2 * SCORE_WIDTH) for label in labels)])
        ws.set_row(row, height_for(lines))
        put(ws, row, 0, "文件", header)
        put(ws, row, 1, "部门", header)
        for n, label in enumerate(labels):
            ws.merge_range(row, 2 + 2 * n, row, 3 + 2 * n, clean(label), header)
        row += 1
        narrow = st(bold=True, bg_color=HEADER_FILL, align="center")  # 得分率 just fits, unwrapped
        write_row(ws, row, [("", header), ("", header), *[(h, narrow) for _ in leaves for h in ("得分", "得分率")]], widths)  # fmt: skip
        row += 1
        first = row
        score_style, rate_style, text = st.number("0.00"), st.number("0.0%"), st.text()
        for file, department, scores in self._spooled(fw.id):
            if row >= MAX_ROWS - 40:  # pragma: no cover - a million forms of one framework
                break
            cells: list[Cell] = [(file, text), (department, text)]
            for leaf in leaves:
                value = scores.get(leaf.id)
                score = None if value is None else Decimal(value)
                cells += [
                    (score, score_style),
                    (None if score is None else rate(score, leaf.weight), rate_style),
                ]
            write_row(ws, row, cells, widths)
            row += 1
        bold: dict[str, Any] = {"bold": True, "bg_color": TOTAL_FILL}
        cells = [("平均", st.text(**bold)), (f"{fw.forms} 份", st.text(**bold))]
        for leaf in leaves:
            average = leaf.average
            cells += [
                (average, st.number("0.00", **bold)),
                (None if average is None else rate(average, leaf.weight), st.number("0.0%", **bold)),
            ]
        write_row(ws, row, cells, widths)
        if leaves:
            ranges = [xl_range(first, 3 + 2 * n, row, 3 + 2 * n) for n in range(len(leaves))]
            ws.conditional_format(ranges[0], {**RATE_SCALE, "multi_range": " ".join(ranges)})
        return row + 1

    def _group_table(self, fw: FrameworkStats, row: int, widths: list[float]) -> int:
        ws, st = self._scores_ws, self._st
        groups = fw.groups()
        has_l2 = any(l2 for _, l2, _ in groups)
        title = "一级、二级指标平均得分率" if has_l2 else "一级指标平均得分率"
        write_row(ws, row, [(title, st(BASE, bold=True))], widths)
        heads = ("一级指标", "二级指标", "分值", "平均得分", "平均得分率")
        write_row(ws, row + 1, [(h, st.header()) for h in heads], widths)
        row += 2
        for l1, l2, leaves in groups:
            under = [leaf for leaf in fw.leaves.values() if leaf.l1 == l1 and (not l2 or leaf.l2 == l2)]
            average, _ = group_average(leaves)
            extra: dict[str, Any] = {} if l2 else {"bold": True}
            cells: list[Cell] = [
                (l1, st.text(**extra)),
                (l2 or "（合计）", st.text(**extra)),
                (sum((leaf.weight for leaf in under), Decimal(0)), st.number(**extra)),
                (average, st.number("0.00", **extra)),
                (group_rate(leaves), st.number("0.0%", **extra)),
            ]
            write_row(ws, row, cells, widths)
            row += 1
        return row

    def _shortfall_table(self, fw: FrameworkStats, row: int, widths: list[float]) -> int:
        ws, st = self._scores_ws, self._st
        write_row(ws, row, [("最常未得满分的指标", st(BASE, bold=True))], widths)
        write_row(
            ws, row + 1, [(h, st.header()) for h in ("编号", "指标名称", "未得满分（份）", "占比")], widths
        )
        row += 2
        short = fw.shortfalls()
        if not short:
            write_row(ws, row, [("所有指标均得满分。", st.note())], widths)
            return row + 1
        for leaf in short:
            cells: list[Cell] = [
                (leaf.id, st.text()),
                (leaf.name, st.text()),
                (leaf.short, st.number()),
                (Decimal(leaf.short) / fw.forms, st.number("0.0%")),
            ]
            write_row(ws, row, cells, widths)
            row += 1
        return row

    def _spooled(self, framework: str) -> Iterator[tuple[str, str, dict[str, str | None]]]:
        self._spool.seek(0)
        for line in self._spool:
            fw, file, department, scores = json.loads(line)
            if fw == framework:
                yield file, department, scores

    # ------------------------------------------------------------------------------ 统计

    def _write_stats(self) -> None:
        ws, st, tally = self._stats_ws, self._st, self._tally
        cells: dict[tuple[int, int], Cell] = {}
        header, text, number = st.header(), st.text(), st.number()
        cells[(0, 0)] = ("绩效自评表批量检查统计", st.title())
        if tally.forms:
            line = (
                f"共收到 {tally.forms} 个文件：通过 {tally.status[PASSED]} 个，未通过 {tally.status[FAILED]} 个，"
                f"无法读取 {tally.status[UNUSABLE]} 个。"
            )
        else:
            line = "没有收到任何表格：共 0 个文件。"
        cells[(1, 0)] = (line, st.note())

        def table(row: int, head: tuple[str, str], rows: list[tuple[str, object]], num: Format) -> int:
            cells[(row, 0)], cells[(row, 1)] = (head[0], header), (head[1], header)
            for n, (label, value) in enumerate(rows, start=row + 1):
                cells[(n, 0)], cells[(n, 1)] = (label, text), (value, num)
            return row + 1

        counts = table(3, ("项目", "数量"), list(tally.rows()), number)
        grades_at = table(
            counts + len(tally.rows()) + 1, ("等级", "份数"), [(g, tally.grades[g]) for g in GRADES], number
        )
        bands_at = table(grades_at + len(GRADES) + 1, ("总分分段", "份数"), [(label, c) for (label, _), c in zip(BANDS, tally.bands, strict=True)], number)  # fmt: skip
        row = bands_at + len(BANDS) + 1
        blocks = sorted(self._frameworks.values(), key=lambda fw: (-fw.forms, fw.first))
        rate_tables: list[tuple[FrameworkStats, int, int, bool]] = []
        for fw in blocks:
            rows = fw.rate_rows()
            has_l2 = any(leaf.l2 for leaf in fw.leaves.values())
            head = ("二级指标" if has_l2 else "末级指标") + (f"（{fw.id}）" if len(blocks) > 1 else "")
            first = table(row, (head, "平均得分率"), list(rows), st.number("0.0%"))
            rate_tables.append((fw, first, len(rows), has_l2))
            row = first + len(rows) + 1
        last_row = row
        for r in range(last_row + 1):
            for c in (0, 1):
                if (r, c) in cells:
                    value, style = cells[(r, c)]
                    put(ws, r, c, value, style)
        ws.set_column(0, 0, 30)
        ws.set_column(1, 1, 11)
        ws.set_column(2, 2, 3)
        self._stats_charts(ws, grades_at, bands_at, rate_tables)
        print_setup(ws, fit_width=1)

    def _stats_charts(
        self,
        ws: Worksheet,
        grades_at: int,
        bands_at: int,
        rate_tables: list[tuple[FrameworkStats, int, int, bool]],
    ) -> None:
        wb = self._wb
        font = {"name": FONT, "size": 10}
        title_font = {"name": FONT, "size": 12, "bold": True}

        def column(title: str, first: int, n: int, colours: list[str] | None, x_title: str) -> Any:
            chart = wb.add_chart({"type": "column"})
            series: dict[str, Any] = {
                "name": title,
                "categories": [STATS, first, 0, first + n - 1, 0],
                "values": [STATS, first, 1, first + n - 1, 1],
                "data_labels": {"value": True, "font": font},
                "gap": 60,
                "fill": {"color": "#5B9BD5"},
            }
            if colours:
                series["points"] = [{"fill": {"color": c}} for c in colours]
            chart.add_series(series)
            chart.set_title({"name": title, "name_font": title_font})
            chart.set_legend({"none": True})
            chart.set_x_axis({"name": x_title, "name_font": font, "num_font": font})
            chart.set_y_axis({"name": "份数", "name_font": font, "num_font": font, "min": 0, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})  # fmt: skip
            chart.set_size({"width": 430, "height": 270})
            return chart

        grades = column("等级分布", grades_at, len(GRADES), [GRADE_COLOURS[g] for g in GRADES], "等级")
        bands = column("总分分布", bands_at, len(BANDS), None, "总分")
        ws.insert_chart(3, 3, grades, {"x_offset": 4, "y_offset": 2, "object_position": 3})
        ws.insert_chart(3, 3, bands, {"x_offset": 444, "y_offset": 2, "object_position": 3})
        offset = 290
        for fw, first, n, has_l2 in rate_tables:
            if not n:
                continue
            chart = wb.add_chart({"type": "bar"})
            what = "二级指标" if has_l2 else "末级指标"
            title = f"各{what}平均得分率" + (f"（{fw.id}）" if len(rate_tables) > 1 else "")
            chart.add_series(
                {
                    "name": title,
                    "categories": [STATS, first, 0, first + n - 1, 0],
                    "values": [STATS, first, 1, first + n - 1, 1],
                    "data_labels": {"value": True, "num_format": "0.0%", "font": font},
                    "gap": 40,
                    "fill": {"color": "#70AD47"},
                }
            )
            chart.set_title({"name": title, "name_font": title_font})
            chart.set_legend({"none": True})
            chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": font, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})  # fmt: skip
            chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": font})
            height = 100 + 26 * n  # room for every label (LibreOffice drops those that would overlap)
            chart.set_size({"width": 870, "height": height})
            ws.insert_chart(3, 3, chart, {"x_offset": 4, "y_offset": offset, "object_position": 3})
            offset += height + 16
