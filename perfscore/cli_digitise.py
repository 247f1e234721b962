"""``perfscore digitise``: a published 自评表 (PDF, or text extracted from one) → submission JSON.

The data goes to ``-o`` (default: the input's name with ``.json``, never overwriting); the report —
one ``FILE:where: severity code message`` line per finding, then a summary — goes to the console,
or as JSON with ``--json``. Exit code: 0 read and adding up, 1 an error finding (a row unread, a
total that does not add up), 2 the input is unusable.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from perfscore.cli_click import (
    echo,
    echo_json,
    file_argument,
    framework_option,
    fresh,
    friendly,
    load_framework,
)
from perfscore.cli_output import finding_line, shown_path
from perfscore.engine.decimals import fmt
from perfscore.engine.findings import Severity, count
from perfscore.published.digitise import Digitised, digitise
from perfscore.published.digitise import for_year as published_for_year
from perfscore.xlsx.atomic import write_text


@click.command(name="digitise")
@file_argument("published")
@click.option("-o", "out", metavar="DATA.json", default=None, type=click.Path(path_type=Path),
              help="写出的 JSON 数据（默认：与原文件同名的 .json；不会覆盖已有文件）")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出读取报告（问题清单与核对结果）")
@click.option("--for-year", "for_year", metavar="YEAR", type=click.IntRange(2000, 2100), default=None,
              help="写出 YEAR 年的起始数据：保留文字、指标名称、指标值与分值，清空得分、完成值、预算与资金数和未达标说明")  # fmt: skip
@framework_option(default_text="按标题和指标名称识别")
@friendly(lambda **kw: str(kw["published"]))
def digitise_command(
    published: Path, out: Path | None, as_json: bool, for_year: int | None, framework_ref: str | None
) -> None:
    """把公开的自评表 PDF（或从中提取的文本）读回为 JSON 数据，可用 perfscore import 生成填好的表。

    按指标体系逐行对齐读取得分、未达标原因、改进措施、基本情况和预算；读不准的行不写入数据并列出。
    核对原表：总分与各项之和、分值与指标体系、预算恒等式、勾选的评价等级。
    """
    target = out or published.with_suffix(".json")
    fresh(target)
    done = digitise(published, load_framework(framework_ref))
    data = done.data if for_year is None else published_for_year(done.data, done.framework, for_year)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    write_text(text, target)
    if as_json:
        echo_json(json.dumps(report_json(done, target), ensure_ascii=False, indent=2) + "\n")
    else:
        for f in done.findings:
            echo(finding_line(str(published), f))
        echo(summary(done, target))
        if for_year is not None:
            echo(
                f"已按 {for_year} 年的起始数据写出：得分、完成值、预算与资金数和未达标说明已清空，文字、指标与分值保留，请逐项修改"
            )
    if count(done.findings, Severity.ERROR):
        sys.exit(1)


def _rows(done: Digitised) -> tuple[int, int]:
    """(rows read, rows the framework or the document has)."""
    from perfscore.engine.framework import Framework

    read = len(done.data["indicators"])
    if isinstance(done.framework, Framework):
        return read, len(done.framework.leaves())
    unread = sum(1 for f in done.findings if f.code == "digitise-row-unread")
    return read, read + unread


def summary(done: Digitised, target: Path) -> str:
    read, expected = _rows(done)
    errors = count(done.findings, Severity.ERROR)
    warnings = count(done.findings, Severity.WARNING)
    infos = count(done.findings, Severity.INFO)
    return (
        f"{shown_path(done.source)}: {done.framework.title}（{done.framework.id}），读出三级指标 {read}/{expected} 行，"
        f"原表总分 {_shown(done.total)}、评价等级 {done.grade or '—'}；"
        f"错误 {errors}，警告 {warnings}，提示 {infos}；已写入 {shown_path(target)}"
        f"（生成填好的表：perfscore import {shown_path(target)} -o 自评表.xlsx）"
    )


def _shown(value: Decimal | str | None) -> str:
    return fmt(value) if isinstance(value, Decimal) else (value or "—")


def report_json(done: Digitised, target: Path) -> dict[str, Any]:
    read, expected = _rows(done)
    return {
        "file": str(done.source),
        "read_as": done.kind,
        "framework": done.framework.id,
        "data_file": str(target),
        "rows_read": read,
        "rows_expected": expected,
        "printed_total": fmt(done.total) if isinstance(done.total, Decimal) else done.total,
        "ticked_grade": done.grade,
        "errors": count(done.findings, Severity.ERROR),
        "warnings": count(done.findings, Severity.WARNING),
        "findings": [f.to_json() for f in done.findings],
    }
