"""``digitise``: a published 自评表 (PDF, or text extracted from one) → the submission JSON it shows,
with findings for what could not be read and for printed figures that do not add up.

A PDF is read with its cells (:mod:`perfscore.published.pdf`, :mod:`perfscore.published.cells`), so
each value comes from its own column; plain text is read by :mod:`perfscore.published.stream`. The
framework is the one given, else the one whose title and indicator names the document shows.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from perfscore.engine import framework as frameworks
from perfscore.engine import framework_catalog
from perfscore.engine.findings import Finding
from perfscore.engine.framework import AnyFramework, Framework, ProjectFramework
from perfscore.errors import FrameworkError, UnusableInputError
from perfscore.inputfile import require_regular_file
from perfscore.published import crosscheck, stream
from perfscore.published.page import PageLayout
from perfscore.published.reading import Common
from perfscore.published.text import compact

#: Larger inputs are refused before reading: a published form is a few hundred KB as PDF.
MAX_PDF_BYTES = 64 * 1024 * 1024
MAX_TEXT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Digitised:
    """What ``digitise`` read: the submission JSON (``data``, as ``perfscore export`` writes it), the
    framework it was read with, and the findings (reading problems and cross-check mismatches)."""

    source: Path
    framework: AnyFramework
    data: dict[str, Any]
    findings: tuple[Finding, ...]
    kind: str  # "pdf" or "text"
    total: Decimal | str | None = None  # the printed 总分
    grade: str | None = None  # the grade whose box is ticked


def digitise(path: Path, framework: AnyFramework | None = None) -> Digitised:
    """Read the published form at ``path``; refuse (:class:`UnusableInputError`) what is no form."""
    require_regular_file(path, "公开的自评表（PDF 或文本）")
    with path.open("rb") as fh:
        head = fh.read(1024)
    if head.lstrip().startswith(b"%PDF-"):
        return _from_pdf(path, framework)
    return _from_text(path, framework)


def _from_text(path: Path, framework: AnyFramework | None) -> Digitised:
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise UnusableInputError(
            f"文件超过 {MAX_TEXT_BYTES // 1024 // 1024} MB，不是一份自评表的文本", path=str(path)
        )
    raw = path.read_bytes()
    text = _decode(raw, path)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fw = framework or detect(lines, path)
    if isinstance(fw, ProjectFramework):
        raise UnusableInputError(
            "纯文本只能读取部门整体支出绩效自评表；项目支出绩效自评表请读取 PDF 原件（按列读取）",
            path=str(path),
        )
    reading = stream.read_text(lines, fw)
    findings = reading.findings + crosscheck.department(reading)
    return _done(path, fw, reading.to_json(), findings, "text", reading)


def _decode(raw: bytes, path: Path) -> str:
    if b"\x00" in raw:
        raise UnusableInputError(
            "不是 PDF 也不是文本文件；请给出自评表的 PDF 或从中提取的文本", path=str(path)
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnusableInputError(
        "文本编码无法识别（应为 UTF-8 或 GB18030）；请另存为 UTF-8 后重试", path=str(path)
    )


def _from_pdf(path: Path, framework: AnyFramework | None) -> Digitised:
    from perfscore.published import cells, department, pdf, project

    if path.stat().st_size > MAX_PDF_BYTES:
        raise UnusableInputError(
            f"文件超过 {MAX_PDF_BYTES // 1024 // 1024} MB，不像一份自评表", path=str(path)
        )
    pages = [cells.layout(page) for page in pdf.read_pages(path)]
    fw = framework or detect(_page_lines(pages), path)
    if isinstance(fw, ProjectFramework):
        preading = project.read_pages(pages, fw)
        findings = preading.findings + crosscheck.project(preading)
        return _done(path, fw, preading.to_json(), findings, "pdf", preading)
    reading = department.read_pages(pages, fw)
    findings = reading.findings + crosscheck.department(reading)
    return _done(path, fw, reading.to_json(), findings, "pdf", reading)


def _done(
    path: Path, fw: AnyFramework, data: dict[str, Any], findings: list[Finding], kind: str, reading: Common
) -> Digitised:
    total = reading.total.value if reading.total is not None else None
    grade = reading.ticked.value if reading.ticked is not None else None
    return Digitised(path, fw, data, tuple(findings), kind, total, grade if isinstance(grade, str) else None)


def for_year(data: dict[str, Any], fw: AnyFramework, year: int) -> dict[str, Any]:
    """The start of ``year``'s form from a digitised one: what the department plans and writes again
    is kept (texts, indicator names, 年度指标值, 分值), every result is emptied (得分, 完成值, budget
    and fund figures, the explanations of a shortfall), so that nothing of last year is submitted as
    this year's figure."""
    out: dict[str, Any] = copy.deepcopy(data)
    out["year"] = year
    if isinstance(fw, ProjectFramework):
        out["funds"] = {row: dict.fromkeys(cols) for row, cols in out["funds"].items()}
        if "funds_reason" in out:
            out["funds_reason"] = None
        for row in out["indicators"]:
            row.update(actual=None, score=None, reason=None)
    else:
        out["budget"] = dict.fromkeys(out["budget"])
        for row in out["indicators"]:
            row.update(score=None, reason=None, measure=None)
            if "rate" in row:
                row["rate"] = None
    return out


def _page_lines(pages: Sequence[PageLayout]) -> list[str]:
    return [box.text for page in pages for box in sorted((*page.loose, *page.cells), key=lambda b: b.top)]


# ------------------------------------------------------------------------------------ detection


def detect(lines: Sequence[str], path: Path) -> AnyFramework:
    """The framework the document shows: its title near the top, then the most of its own names
    (三级指标 names for a department framework, column and fund names for a project framework)."""
    flat = compact("".join(lines))
    head = compact("".join(lines[:5]))
    scored: list[tuple[int, str, AnyFramework]] = []
    for entry in framework_catalog.catalog():
        if entry.problem or not entry.id:
            continue
        try:
            fw = frameworks.load_any(Path(entry.file)) if entry.file else frameworks.load_any_by_id(entry.id)
        except FrameworkError:
            continue
        names = _names(fw)
        hits = sum(1 for name in names if compact(name) in flat)
        if compact(fw.title) in head and hits * 2 >= len(names):
            scored.append((hits * 1000 // max(len(names), 1), fw.id, fw))
    if not scored:
        raise UnusableInputError(
            "未能识别所用的指标体系（标题或指标名称与已有指标体系都不相符）；"
            "请用 --framework 指定（perfscore framework list 列出可用的指标体系）",
            path=str(path),
        )
    scored.sort(key=lambda s: (-s[0], s[1]))
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        both = "、".join(s[1] for s in scored[:2])
        raise UnusableInputError(f"可能是 {both} 中的任何一个；请用 --framework 指定", path=str(path))
    return scored[0][2]


def _names(fw: AnyFramework) -> list[str]:
    if isinstance(fw, Framework):
        return [leaf.name for leaf in fw.leaves() if not leaf.placeholder]
    columns = fw.columns
    return [*fw.funds.columns, *fw.funds.rows, columns.target, columns.actual, columns.reason,
            *(g.name for g in fw.groups)]  # fmt: skip
