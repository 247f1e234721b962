"""``digitise`` of PDFs laid out independently of perfscore's report: workbooks built with openpyxl
in the published layouts (tests/published_layouts.py: the seed's department table, the 10号 project
table; another font, other column widths so every text wraps elsewhere), printed by LibreOffice —
and of such PDFs whose printed figures were altered."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from perfscore.published.digitise import Digitised, digitise

from . import published_layouts as P
from .test_published_layouts import department_fw, project_fw
from .xlsx_helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
SEED = json.loads((ROOT / "perfscore" / "data" / "seed-2022.json").read_text("utf-8"))
PROJECT = json.loads((ROOT / "perfscore" / "data" / "project-2022.json").read_text("utf-8"))
FACTORS = {"default": 1.0, "narrow": 0.7, "wide": 1.4}


@dataclass(frozen=True)
class Printed:
    data: dict[str, Any]
    pdf: Path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Printed]:
    """Every variant built, then printed in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("layouts")
    dept, proj = department_fw(), project_fw()
    long_seed = P.long_reasons(SEED)
    jobs: dict[str, tuple[dict[str, Any], Path]] = {}
    for name, factor in FACTORS.items():
        widths = P.scaled(P.DEPARTMENT_WIDTHS, factor)
        path = P.department_workbook(
            SEED, dept, folder / f"dept-{name}.xlsx", widths=widths, blank_placeholders=True
        )
        jobs[f"dept-{name}"] = (SEED, path)
        pwidths = P.scaled(P.PROJECT_WIDTHS, factor)
        jobs[f"proj-{name}"] = (
            PROJECT,
            P.project_workbook(PROJECT, proj, folder / f"proj-{name}.xlsx", widths=pwidths),
        )
    jobs["dept-long"] = (long_seed, P.department_workbook(long_seed, dept, folder / "dept-long.xlsx"))
    jobs["dept-altered"] = (
        SEED,
        P.department_workbook(SEED, dept, folder / "dept-altered.xlsx", total="92.77"),
    )
    jobs["dept-ticked"] = (
        SEED,
        P.department_workbook(SEED, dept, folder / "dept-ticked.xlsx", grade_box="良"),
    )
    jobs["proj-altered"] = (
        PROJECT,
        P.project_workbook(PROJECT, proj, folder / "proj-altered.xlsx", total="98.00"),
    )
    pdfs = P.convert([p for _, p in jobs.values()], folder / "pdf")
    return {name: Printed(data, pdf) for (name, (data, _)), pdf in zip(jobs.items(), pdfs, strict=True)}


def codes(done: Digitised) -> list[str]:
    return [f.code for f in done.findings]


def department_expected(data: dict[str, Any]) -> dict[str, Any]:
    """The submission as digitise writes it: names added, the unprinted rates empty, 单位数 as text."""
    fw = department_fw()
    doc = copy.deepcopy(data)
    doc["header"]["单位数"] = str(doc["header"]["单位数"])
    doc["indicators"] = [
        {"id": r["id"], "name": fw.by_id[r["id"]].name, "score": r["score"], "reason": r["reason"],
         "measure": r["measure"], **({"rate": None} if "rate" in r else {})}
        for r in data["indicators"]
    ]  # fmt: skip
    return doc


@pytest.mark.parametrize("width", list(FACTORS))
def test_department_layout_reads_whole(printed: dict[str, Printed], width: str) -> None:
    """Every score, reason, measure, header text and budget figure, at three column widths."""
    case = printed[f"dept-{width}"]
    done = digitise(case.pdf)
    assert done.framework.id == "gz-dept-overall-2022"
    assert done.data == department_expected(case.data)
    assert codes(done) == ["digitise-row-partial"]  # 2.5.2 printed without its lost name


def test_department_long_reasons_over_pages(printed: dict[str, Printed]) -> None:
    case = printed["dept-long"]
    assert P.page_count(case.pdf) == 7
    done = digitise(case.pdf)
    assert done.data == department_expected(case.data)
    assert [r["score"] for r in done.data["indicators"]] == [r["score"] for r in SEED["indicators"]]


def test_department_altered_total_is_reported(printed: dict[str, Printed], tmp_path: Path) -> None:
    case = printed["dept-altered"]
    done = digitise(case.pdf)
    assert [r["score"] for r in done.data["indicators"]] == [r["score"] for r in SEED["indicators"]]
    found = [f for f in done.findings if f.code == "digitise-total-differs"]
    assert [f.message for f in found] == [
        "原表总分 92.77 与读出的各项得分之和 90.77 不符；原表可能有误或被改动"
    ]
    run = run_cli(["digitise", case.pdf, "-o", tmp_path / "a.json"])
    assert run.exit_code == 1
    assert "error digitise-total-differs 原表总分 92.77 与读出的各项得分之和 90.77 不符" in run.stdout


def test_department_wrong_tick_is_reported(printed: dict[str, Printed]) -> None:
    done = digitise(printed["dept-ticked"].pdf)
    assert [f.message for f in done.findings if f.code == "digitise-grade-differs"] == [
        "原表评价等级勾选“良”，按原表总分 90.77 应为“优”"
    ]


@pytest.mark.parametrize("width", list(FACTORS))
def test_project_layout_reads_whole(printed: dict[str, Printed], width: str) -> None:
    """The 10号 table at three widths: every row, funds figure, goal and header text. Its title has
    no department (the national form has none), which is reported and left empty."""
    case = printed[f"proj-{width}"]
    done = digitise(case.pdf)
    assert done.framework.id == "mof-project-2020"
    expected = copy.deepcopy(case.data)
    expected["department"] = None
    for row in expected["indicators"]:  # an empty 偏差原因 prints as \ (published forms do)
        row["reason"] = row["reason"] or "\\"
    assert done.data == expected
    assert codes(done) == ["digitise-field-missing"]


def test_project_altered_total_is_reported(printed: dict[str, Printed]) -> None:
    done = digitise(printed["proj-altered"].pdf)
    assert [f.message for f in done.findings if f.code == "digitise-total-differs"] == [
        "原表总分 98 与读出的各项得分之和 100 不符；原表可能有误或被改动"
    ]
