"""Checking the inputs of a batch: one :class:`~perfscore.batch.records.FormRecord` per input, in order.

:func:`check_input` reads and checks one input exactly as ``perfscore check`` does (the same pipeline
and findings; an unusable file is a record with status 无法读取 and its one-line reason, never an
exception). :func:`check_all` spreads the inputs over worker processes and yields the results in input
order, so the summary is written as they come (memory does not grow with the number of forms).
Duplicates are marked here, in the one process that sees every result: a later file byte-identical
to an earlier one, or for the same department and year.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from perfscore.batch.inputs import Input, opened
from perfscore.batch.records import FAILED, PASSED, UNUSABLE, FindingRow, FormRecord, IndicatorScore
from perfscore.engine import framework as frameworks
from perfscore.engine.pipeline import AnyResult
from perfscore.engine.project.pipeline import ProjectResult
from perfscore.engine.result_json import to_json
from perfscore.errors import PerfscoreError, UnknownFrameworkError
from perfscore.xlsx.fast_reader import evaluate_file_fast

#: The integrity findings, as the summary's 完整性 column names them.
FLAGS = {
    "formula-changed": "公式被改写",
    "displayed-total-differs": "显示值与得分不符",
    "weight-changed": "分值被改动",
    "row-missing": "指标行被改动",
    "row-duplicate": "指标行被改动",
    "row-unknown": "指标行被改动",
    "row-moved": "指标行被改动",
    "sheet-renamed": "工作表被改名",
    "explanation-changed": "指标解释被改动",
}


@dataclass(frozen=True)
class Options:
    """What every input of a batch is checked with (sent to each worker process)."""

    framework_ref: str | None = None  # --framework, else the id each form records
    stage: Path | None = None  # --pdf: the folder its reports are rendered into
    template: Path | None = None  # --template for those reports


@dataclass(frozen=True)
class Checked:
    """What a worker sends back for one input: the record, its ``--json`` document, the file's digest and,
    with ``--pdf``, its rendered report."""

    record: FormRecord
    document: dict[str, Any]
    digest: str
    staged: Path | None = None


def check_input(numbered: tuple[int, Input], options: Options = Options()) -> Checked:
    """Read and check one input; never raises for a bad file."""
    number, item = numbered
    if item.problem:
        return _unusable(item, item.problem, "")
    digest = ""
    try:
        with opened(item) as path:
            digest = _digest(path)
            fw = None if options.framework_ref is None else frameworks.load_any(options.framework_ref)
            result = evaluate_file_fast(path, fw)
    except UnknownFrameworkError as err:
        return _unusable(item, f"{err.message}；或用 --framework 文件.toml 指定", digest)
    except PerfscoreError as err:
        return _unusable(item, err.message, digest)
    except OSError as exc:
        return _unusable(item, f"无法读取（{exc.strerror or type(exc).__name__}）", digest)
    document = to_json(result, item.shown)
    record = _record(item, result)
    staged = None
    if options.stage is not None:
        from perfscore.batch.pdfs import stage_report

        staged = stage_report(result, options.stage, number, options.template)
    return Checked(record, {**document, "status": record.status}, digest, staged)


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            sha.update(block)
    return sha.hexdigest()


def _unusable(item: Input, reason: str, digest: str) -> Checked:
    record = FormRecord(
        file=item.shown, link=item.link, status=UNUSABLE, reason=reason, department="", year=None,
        framework="", framework_title="", total=None, grade=None, errors=0, warnings=0, infos=0,
        flags=(), duplicate="", scores=(), findings=(),
    )  # fmt: skip
    document: dict[str, Any] = {
        "file": item.shown, "status": UNUSABLE, "reason": reason, "framework": None, "year": None,
        "department": None, "total": None, "grade": None, "errors": 0, "warnings": 0, "findings": [],
    }  # fmt: skip
    return Checked(record, document, digest)


def _scores(result: AnyResult) -> list[IndicatorScore]:
    """The scores the summary's 指标得分 sheet compares across forms: every 三级指标 of a department
    form; of a project form (whose 三级指标 each department writes itself) the budget-execution score
    and each 一级 group's."""
    if isinstance(result, ProjectResult):
        return [
            IndicatorScore(
                g.indicator.id, g.indicator.name, g.indicator.weight, g.score, g.indicator.name, ""
            )
            for g in result.groups
        ]
    names = result.framework.by_id
    scores = []
    for leaf in result.leaves.values():
        ind = leaf.indicator
        parts = ind.id.split(".")
        l1 = names[parts[0]].name
        l2 = names[".".join(parts[:2])].name if len(parts) > 2 else ""
        scores.append(IndicatorScore(ind.id, ind.name, ind.weight, leaf.score, l1, l2))
    return scores


def _record(item: Input, result: AnyResult) -> FormRecord:
    from perfscore.report.context import text, year_of  # (typed as the report prints them)

    form = result.form
    errors = [f for f in result.findings if f.severity.value == "error"]
    first = errors[0] if errors else None
    flags = tuple(dict.fromkeys(FLAGS[f.code] for f in result.findings if f.code in FLAGS))
    scores = _scores(result)
    return FormRecord(
        file=item.shown,
        link=item.link,
        status=FAILED if result.errors else PASSED,
        reason=f"{first.sheet}!{first.cell}：{first.message}"
        if first and first.cell
        else (first.message if first else ""),
        department=text(form.department.value).strip(),
        year=year_of(form.year.value),
        framework=result.framework.id,
        framework_title=result.framework.title,
        total=result.total,
        grade=result.grade,
        errors=result.errors,
        warnings=result.warnings,
        infos=sum(1 for f in result.findings if f.severity.value == "info"),
        flags=flags,
        duplicate="",
        scores=tuple(scores),
        findings=tuple(
            FindingRow(f.severity.value, f.code, f.sheet, f.cell, f.message) for f in result.findings
        ),
    )


# ------------------------------------------------------------------------------------ the whole batch


def check_all(inputs: list[Input], options: Options = Options(), jobs: int = 0) -> Iterator[Checked]:
    """Every input's result, in input order, with duplicates marked; ``jobs`` processes (0: one per core)."""
    jobs = jobs or os.cpu_count() or 1
    check = partial(check_input, options=options)
    if jobs == 1 or len(inputs) < 2:
        yield from _marked(map(check, enumerate(inputs)))
        return
    chunk = max(1, min(16, len(inputs) // (jobs * 4)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from _marked(pool.map(check, enumerate(inputs), chunksize=chunk))


def _marked(results: Iterable[Checked]) -> Iterator[Checked]:
    """Mark a result as a duplicate of an earlier one: the same bytes, or the same department and year."""
    by_digest: dict[str, str] = {}
    by_form: dict[tuple[str, str, int], str] = {}
    for checked in results:
        rec = checked.record
        note = ""
        if checked.digest and checked.digest in by_digest:
            note = f"与 {by_digest[checked.digest]} 内容完全相同"
        elif rec.status != UNUSABLE and rec.department and rec.year is not None:
            key = (rec.framework, rec.department, rec.year)
            if key in by_form:
                note = f"与 {by_form[key]} 同一部门同一年度"
            else:
                by_form[key] = rec.file
        if checked.digest:
            by_digest.setdefault(checked.digest, rec.file)
        if note:
            checked = replace(checked, record=replace(rec, duplicate=note))
        yield checked
