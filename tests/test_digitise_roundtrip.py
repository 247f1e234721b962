"""The round trip: a filled form → its report printed as ``report --pdf`` prints it → ``digitise`` →
the same submission, for both forms' templates.

Each form is built, evaluated and its report staged exactly as ``report --pdf`` and ``batch --pdf``
do (render with the PDF metrics, a workbook holding only the 自评表 sheet); all are printed in one
LibreOffice run, under a fontconfig that sees only Noto CJK and DejaVu (the bare machine the README
sets up). What comes back must equal ``export`` of the form, except what a printed form does not
show: the department form's two execution rates (参考数据).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import perfscore
from perfscore.batch.pdfs import stage_report
from perfscore.engine.decimals import fmt
from perfscore.engine.framework import Framework, load_any_by_id
from perfscore.engine.pipeline import AnyResult
from perfscore.engine.project.form import submission as project_submission
from perfscore.engine.project.model import ProjectFramework
from perfscore.engine.submission import Submission
from perfscore.published.digitise import Digitised, digitise
from perfscore.report import libreoffice
from perfscore.report.context import FULL_MARK_MARK

from .conftest import restricted_fontconfig
from .digitise_fills import department_fill, project_fill

N_DEPARTMENT = 50
N_PROJECT = {"mof-project-2020": 25, "sc-project-2023": 25}


@dataclass
class Case:
    name: str
    expected: dict[str, Any]
    pdf: Path | None = None
    pages: int = 0


def exported(result: AnyResult) -> dict[str, Any]:
    """``perfscore export`` of the form as its printed report shows it: the department form's rates
    are not printed (``null``), and an empty explanation of a full-mark row prints ``\\`` as the
    published forms do (the report's FULL_MARK_MARK), so it reads back as that."""
    fw = result.framework
    texts = ("reason",) if isinstance(fw, ProjectFramework) else ("reason", "measure")
    if isinstance(fw, ProjectFramework):
        doc = project_submission(result.form, fw).to_json(fw)  # type: ignore[arg-type]
    else:
        doc = Submission.from_form(result.form, fw).to_json(fw)  # type: ignore[arg-type]
    for row in doc["indicators"]:
        if "rate" in row:
            row["rate"] = None
        weight = row["weight"] if isinstance(fw, ProjectFramework) else fmt(fw.by_id[row["id"]].weight)
        for key in texts:
            if row["score"] == weight and not (row[key] or "").strip():
                row[key] = FULL_MARK_MARK
    return doc


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Case]]:
    saved = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(restricted_fontconfig(tmp_path_factory.mktemp("fonts")))
    forms, staged = tmp_path_factory.mktemp("forms"), tmp_path_factory.mktemp("staged")
    rng = random.Random(20261127)
    found: list[Case] = []
    paths: list[Path] = []
    dept = load_any_by_id("gz-dept-overall-2022")
    assert isinstance(dept, Framework)
    fills: list[tuple[str, Any, Any, int | None]] = [
        (f"dept-{n:02d}", dept, department_fill(dept, rng, n), None) for n in range(N_DEPARTMENT)
    ]
    for fid, count in N_PROJECT.items():
        pfw = load_any_by_id(fid)
        assert isinstance(pfw, ProjectFramework)
        for n in range(count):
            sub, rows = project_fill(pfw, rng, n)
            fills.append((f"{fid}-{n:02d}", pfw, sub, rows))
    for name, fw, sub, rows in fills:
        path = forms / f"{name}.xlsx"
        perfscore.build_workbook(path, fw, submission=sub, rows=rows)
        result = perfscore.evaluate_file(path)
        found.append(Case(name, exported(result)))
        paths.append(stage_report(result, staged, len(paths), None))
    start = time.perf_counter()
    try:
        pdfs = libreoffice.convert_many(paths, "pdf", tmp_path_factory.mktemp("pdf"))
    finally:
        if saved is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = saved
    print(f"\nLibreOffice printed {len(paths)} reports in one run: {time.perf_counter() - start:.1f} s")
    for case, pdf in zip(found, pdfs, strict=True):
        case.pdf = pdf
    yield {c.name: c for c in found}


def read(case: Case) -> Digitised:
    assert case.pdf is not None
    return digitise(case.pdf)


def test_the_fills_are_varied(cases: dict[str, Case]) -> None:
    """What the round trip must carry is there: typed line breaks, reasons long enough to push rows
    over pages, scores with two places and halves, reports of several pages."""
    dept = [c.expected for n, c in cases.items() if n.startswith("dept")]
    reasons = [r["reason"] for d in dept for r in d["indicators"] if r["reason"] not in (None, "\\")]
    assert sum("\n" in r for r in reasons) >= 100
    assert sum(len(r) >= 150 for r in reasons) >= 60
    scores = [r["score"] for d in dept for r in d["indicators"]]
    assert {"0.97", "12.5"} <= set(scores)
    proj = [c.expected for n, c in cases.items() if not n.startswith("dept")]
    assert sum(len(d["indicators"]) for d in proj) >= 400
    assert sum(1 for d in proj for r in d["indicators"] if r["reason"] and "\n" in r["reason"]) >= 50


@pytest.mark.parametrize("kind", ["dept", "mof-project-2020", "sc-project-2023"])
def test_digitise_returns_the_submission_it_came_from(cases: dict[str, Case], kind: str) -> None:
    selected = [c for n, c in cases.items() if n.startswith(kind)]
    pages: Counter[int] = Counter()
    start = time.perf_counter()
    for case in selected:
        done = read(case)
        assert done.data == case.expected, case.name
        errors = [f for f in done.findings if f.severity.value != "info"]
        if kind == "dept":  # the seed framework's row 2.5.2 prints without its (lost) name
            assert [f.code for f in errors] == ["digitise-row-partial"], case.name
        else:
            assert errors == [], case.name
        from pypdf import PdfReader

        pages[len(PdfReader(case.pdf).pages)] += 1
    elapsed = time.perf_counter() - start
    print(
        f"\n{kind}: {len(selected)} PDFs, pages {dict(sorted(pages.items()))}, digitised in {elapsed:.1f} s"
    )
    assert len(selected) == (N_DEPARTMENT if kind == "dept" else N_PROJECT[kind])
    assert max(pages) >= 4  # long reasons pushed rows onto further pages
