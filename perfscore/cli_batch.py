"""``perfscore batch``: the finance bureau checks every received form in one command.

Each input gets a row of the summary workbook (and of ``--json``); an unusable file is a row with
status 无法读取 and its reason, and the batch goes on. Inputs are never modified. Exit code: 0 all
passed, 1 a form has error findings, 2 an input is unusable (the higher wins); the one-line summary
goes to stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

import click

from perfscore.batch.records import FAILED, PASSED, UNUSABLE
from perfscore.batch.run import Checked
from perfscore.cli_click import Failure, as_path, echo, framework_option, friendly, load_framework
from perfscore.cli_output import json_text


@click.command(name="batch")
@click.argument("inputs", metavar="INPUTS...", nargs=-1, required=True)
@click.option("-o", "out", metavar="SUMMARY.xlsx", default=None, callback=as_path(folder_ok=False),
              help="汇总工作簿（默认：汇总-<日期>.xlsx）")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出每份表单的结果与问题清单")
@click.option("--pdf", "pdf_dir", metavar="DIR", default=None, callback=as_path(file_ok=False),
              help="把每份表单的自评表导出为 PDF（以部门和年度命名），并合成一份带书签的 全部自评表.pdf（需要 LibreOffice）")  # fmt: skip
@click.option("--template", metavar="FILE", default=None, callback=as_path(folder_ok=False, must_exist=True),
              help="--pdf 所用的报表模板 .xlsx（默认：内置模板 report.xlsx）")  # fmt: skip
@click.option(
    "--jobs", metavar="N", type=click.IntRange(min=1), default=None, help="并行进程数（默认：CPU 核数）"
)
@framework_option(default_text="各表单记录的编号")
@friendly()
def batch(
    inputs: tuple[str, ...],
    out: Path | None,
    as_json: bool,
    pdf_dir: Path | None,
    template: Path | None,
    jobs: int | None,
    framework_ref: str | None,
) -> None:
    """批量校验收到的自评表：文件、文件夹、通配符（如 收件/*.xlsx）或 zip 压缩包，生成汇总工作簿。

    不改动任何输入文件。退出码：0 全部通过，1 有表单存在错误，2 有文件无法读取。
    """
    from perfscore.batch.inputs import expand
    from perfscore.batch.run import Options, check_all
    from perfscore.batch.summary import SummaryWriter

    out = out or Path(f"汇总-{dt.date.today().isoformat()}.xlsx")
    if out.suffix.lower() != ".xlsx":
        raise Failure(f"{out}: 汇总工作簿须为 .xlsx 文件，例如 {out.with_suffix('.xlsx').name}")
    load_framework(framework_ref)  # a bad --framework is one line before any form is read
    if pdf_dir is not None:
        from perfscore.report.pdf import check_printing

        check_printing()  # no LibreOffice or fonts: said before any form is read
    if template is not None:
        from perfscore.report.template import load_template

        load_template(template)
    items = expand(inputs, skip=out)
    tally = _Tally(len(items), _JsonStream() if as_json else None)
    with tempfile.TemporaryDirectory(prefix="perfscore-batch-pdf-") as stage:
        options = Options(framework_ref, None if pdf_dir is None else Path(stage), template)
        with SummaryWriter(out) as summary:
            for checked in check_all(items, options, jobs or 0):
                summary.add(checked.record)
                tally.add(checked)
        tally.progress.done()
        if pdf_dir is not None:
            from perfscore.batch.pdfs import COMBINED, publish

            publish(tally.staged, pdf_dir)
            echo(f"perfscore: 已导出 {len(tally.staged)} 份自评表 PDF 与 {COMBINED}：{pdf_dir}", err=True)
    tally.finish(out)


class _Tally:
    """What the batch counts as the results come in: statuses, grades, duplicates, staged reports."""

    def __init__(self, total: int, stream: _JsonStream | None) -> None:
        self.total = total
        self.stream = stream
        self.progress = _Progress(total, sys.stderr)
        self.counts: Counter[str] = Counter()
        self.grades: Counter[str] = Counter()
        self.duplicates: list[dict[str, str]] = []
        self.staged: list[tuple[Path, str]] = []

    def add(self, checked: Checked) -> None:
        from perfscore.batch.pdfs import title_of

        record = checked.record
        self.counts[record.status] += 1
        if record.grade:
            self.grades[record.grade] += 1
        if record.duplicate:
            self.duplicates.append({"file": record.file, "note": record.duplicate})
        if self.stream is not None:
            self.stream.form(checked.document)
        if checked.staged is not None:
            self.staged.append((checked.staged, title_of(record.department, record.year, record.file)))
        self.progress.step()

    def finish(self, out: Path) -> None:
        """The end of ``--json``, the one-line summary on stderr, and the exit code."""
        passed, failed, unusable = (self.counts[s] for s in (PASSED, FAILED, UNUSABLE))
        if self.stream is not None:
            grades = {g: self.grades[g] for g in ("优", "良", "中", "差")} | dict(self.grades)
            self.stream.end(
                {
                    "forms": self.total,
                    "passed": passed,
                    "failed": failed,
                    "unusable": unusable,
                    "grades": grades,
                    "duplicates": self.duplicates,
                    "summary_workbook": str(out),
                }
            )
        line = f"共 {self.total} 份：通过 {passed}，未通过 {failed}，无法读取 {unusable}"
        if self.duplicates:
            line += f"，疑似重复 {len(self.duplicates)}"
        echo(f"perfscore: {line}；汇总：{out}", err=True)
        if unusable:
            sys.exit(2)
        if failed:
            sys.exit(1)


class _Progress:
    """``检查中 12/300`` on a terminal's stderr, rewritten in place; nothing when stderr is not a terminal."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.count = 0
        self.shown = bool(getattr(stream, "isatty", lambda: False)()) and total > 1

    def step(self) -> None:
        self.count += 1
        if self.shown and (self.count == self.total or self.count % 5 == 0):
            self.stream.write(f"\r检查中 {self.count}/{self.total}")
            self.stream.flush()

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 24 + "\r")
            self.stream.flush()


class _JsonStream:
    """The ``--json`` document printed form by form (never held whole)."""

    def __init__(self) -> None:
        self.first = True
        self._write('{"forms": [')

    def _write(self, text: str) -> None:
        click.echo(json_text(text, getattr(sys.stdout, "encoding", None) or "utf-8"), nl=False)

    def form(self, doc: dict[str, Any]) -> None:
        body = json.dumps(doc, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        self._write(("\n  " if self.first else ",\n  ") + body)
        self.first = False

    def end(self, summary: dict[str, Any]) -> None:
        body = json.dumps(summary, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        self._write(f'\n], "summary": {body}}}\n')
