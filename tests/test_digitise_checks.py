"""The cross-checks on real PDFs whose printed figures were altered: perfscore's own report of the
project demo, staged as ``report --pdf`` stages it, one printed cell changed with openpyxl before
LibreOffice prints it — as someone editing a published form would."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

import perfscore
from perfscore.batch.pdfs import stage_report
from perfscore.published.digitise import Digitised, digitise
from perfscore.report import libreoffice

from .conftest import load_fw, seed_submission
from .test_digitise_text import digitised, seed_lines

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "perfscore" / "data" / "project-2022.json"


def _replace(old: object, new: object, nth: int = 0) -> Callable[[Any], None]:
    """Change the ``nth`` cell of the report showing ``old`` to ``new``."""

    def edit(ws: Any) -> None:
        hits = [c for row in ws.iter_rows() for c in row if c.value == old]
        hits[nth].value = new

    return edit


EDITS: dict[str, Callable[[Any], None]] = {
    "as-printed": lambda ws: None,
    "rate": _replace("99.97%", "89.97%"),
    "funds-score": _replace(10, 9, 1),  # the 得分 of 年度资金总额 (its 分值 comes first)
    "funds-weight": _replace(10, 12, 0),
}


#: The seed printed with the shorter shipped template (report-simple.xlsx): 小计 rows, the grade stated.
SIMPLE_EDITS: dict[str, Callable[[Any], None]] = {
    "simple": lambda ws: None,
    "simple-subtotal": _replace(41.8, 42.8),
}


def _first_row(column_offset: int, value: object) -> Callable[[Any], None]:
    """The cell ``column_offset`` columns right of the first row's 年度指标值 (≥50个)."""

    def edit(ws: Any) -> None:
        target = next(c for row in ws.iter_rows() for c in row if c.value == "≥50个")
        ws.cell(target.row, target.column + column_offset).value = value

    return edit


EDITS["row-weight"] = _first_row(2, 9)
EDITS["row-score"] = _first_row(3, "八")


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Digitised]:
    folder = tmp_path_factory.mktemp("altered")
    doc = json.loads(DEMO.read_text("utf-8"))
    form = folder / "demo.xlsx"
    fw = perfscore.load_framework(doc["framework"])
    from perfscore.engine.project.submission import ProjectSubmission

    assert isinstance(fw, perfscore.ProjectFramework)
    perfscore.build_workbook(form, fw, submission=ProjectSubmission.from_json(doc, fw))
    result = perfscore.evaluate_file(form)
    staged = []
    for n, edit in enumerate(EDITS.values()):
        path = stage_report(result, folder, n, None)
        wb = load_workbook(path)
        edit(wb["自评表"])
        wb.save(path)
        staged.append(path)
    seed = folder / "seed.xlsx"
    perfscore.build_workbook(seed, perfscore.load_framework(), submission=seed_submission())
    simple = ROOT / "templates" / "report-simple.xlsx"
    for n, edit in enumerate(SIMPLE_EDITS.values(), start=len(staged)):
        path = stage_report(perfscore.evaluate_file(seed), folder, n, simple)
        wb = load_workbook(path)
        edit(wb["自评表"])
        wb.save(path)
        staged.append(path)
    pdfs = libreoffice.convert_many(staged, "pdf", folder / "pdf")
    return {name: digitise(pdf) for name, pdf in zip([*EDITS, *SIMPLE_EDITS], pdfs, strict=True)}


def messages(done: Digitised) -> list[tuple[str, str]]:
    return [(f.code, f.message) for f in done.findings]


def test_the_report_as_printed_has_no_findings(read: dict[str, Digitised]) -> None:
    assert messages(read["as-printed"]) == []


def test_an_altered_execution_rate(read: dict[str, Digitised]) -> None:
    assert messages(read["rate"]) == [
        ("digitise-funds-differs", "原表执行率 89.97% 与按资金数计算的 99.97% 不符")
    ]


def test_an_altered_funds_score(read: dict[str, Digitised]) -> None:
    assert messages(read["funds-score"]) == [
        ("digitise-funds-differs", "原表预算执行率得分 9 与按资金数计算的 10 不符")
    ]


def test_an_altered_funds_weight(read: dict[str, Digitised]) -> None:
    assert messages(read["funds-weight"]) == [
        ("digitise-weight-differs",
         "原表预算执行率的分值 12 与指标体系 mof-project-2020 的 10 不符；请确认所用指标体系"),
    ]  # fmt: skip


def test_an_altered_row_weight(read: dict[str, Digitised]) -> None:
    assert messages(read["row-weight"]) == [
        ("digitise-weight-differs",
         "原表三级指标分值合计 91 与指标体系 mof-project-2020 的 90 不符；请确认所用指标体系"),
    ]  # fmt: skip


def test_a_score_that_is_no_number_leaves_its_row_out(read: dict[str, Digitised]) -> None:
    done = read["row-score"]
    assert messages(done) == [
        ("digitise-row-unread",
         "未能读出“基建工程委托业务项目数量”一行（原表分值 8）：得分处为“八”；此行未写入数据，请对照原表补填"),
        ("digitise-total-unchecked", "有 1 行得分未读出，原表总分 100 无法与各项得分之和核对"),
    ]  # fmt: skip
    assert len(done.data["indicators"]) == 9


def test_two_ticked_grades_and_a_wrong_total_weight(tmp_path: Path) -> None:
    text = seed_lines().replace("□良", "☑良").replace("总分 100 90.77", "总分 110 90.77")
    assert messages(digitised(tmp_path, text))[-2:] == [
        ("digitise-grade-ambiguous", "原表评价等级勾选了多个（优、良）；请对照原表"),
        ("digitise-weight-differs",
         "原表总分值 110 与指标体系 gz-dept-overall-2022 的 100 不符；请确认所用指标体系"),
    ]  # fmt: skip


def test_the_simple_template_reads_its_scores_and_checks_its_subtotals(read: dict[str, Digitised]) -> None:
    """report-simple.xlsx prints no budget, no header texts, 小计 rows, 评价等级：优 and one column
    for 未达标原因及改进措施 (read whole into 未达标原因)."""
    done = read["simple"]
    scores = [(r["id"], r["score"]) for r in done.data["indicators"]]
    assert scores == [(r["id"], r["score"]) for r in seed_submission().to_json(load_fw())["indicators"]]
    assert (done.total, done.grade) == (Decimal("90.77"), "优")
    assert [f.code for f in done.findings if f.severity.value == "error"] == []
    assert (
        done.data["indicators"][0]["reason"]
        == "开展一期企业家培训班，培训人数为105人。；提前筹划准备，做好应急预案，加强项目进度管理"
    )


def test_an_altered_subtotal(read: dict[str, Digitised]) -> None:
    assert [m for m in messages(read["simple-subtotal"]) if m[0] == "digitise-subtotal-differs"] == [
        (
            "digitise-subtotal-differs",
            "原表“履职效能”小计 42.8 与读出的各项得分之和 41.8 不符；原表可能有误或被改动",
        )
    ]
