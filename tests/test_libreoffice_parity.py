"""Golden parity: LibreOffice recalculating the native-mode form agrees with the engine, exactly.

All forms (the seed, the grade boundaries and 200 random valid fills) are built first and then
recalculated in ONE soffice run — its startup dominates. Cached values are read back with openpyxl
(``data_only=True``) and compared with the engine's Decimals after exact float→Decimal conversion.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfscore.builder import build_workbook
from perfscore.engine import cells as C
from perfscore.engine import layout as L
from perfscore.engine import pipeline
from perfscore.engine.decimals import from_float
from perfscore.engine.framework import Framework
from perfscore.engine.submission import IndicatorInput, Submission
from perfscore.report import libreoffice
from tests.conftest import load_fw, seed_submission

pytestmark = pytest.mark.libreoffice

GRADES = {"59.99": "差", "60": "中", "79.99": "中", "80": "良", "89.99": "良", "90": "优", "100": "优"}
BOUNDARIES = tuple(GRADES)
N_RANDOM = 200
# Seed forms with one score changed: where the engine has no sub-total (a score missing, negative or
# above its weight) the native formulas show a blank, not a wrong number; 3 decimals round half-up.
INVALID: dict[str, dict[str, Decimal | str | None]] = {
    "missing": {"1.1.1": None},
    "negative": {"1.1.1": Decimal("-1")},
    "above-weight": {"2.5.5": Decimal("3.5")},
    "three-decimals": {"1.1.1": Decimal("12.505")},
}


def fill(fw: Framework, scores: dict[str, Decimal]) -> Submission:
    sub = Submission(fw.id, year=Decimal(2022), department="测试单位")
    for iid, score in scores.items():
        text = "\\" if score == fw.by_id[iid].weight else "未达标"
        sub.indicators[iid] = IndicatorInput(iid, score=score, reason=text, measure=text)
    return sub


def fill_reaching(fw: Framework, total: Decimal) -> Submission:
    """Full marks, then points taken off leaf by leaf until the total is exactly ``total``."""
    missing = fw.total_weight - total
    scores: dict[str, Decimal] = {}
    for leaf in fw.leaves():
        cut = min(leaf.weight, missing)
        scores[leaf.id] = leaf.weight - cut
        missing -= cut
    assert sum(scores.values()) == total
    return fill(fw, scores)


def random_fill(fw: Framework, rng: random.Random) -> Submission:
    return fill(fw, {leaf.id: Decimal(rng.randint(0, int(leaf.weight * 100))) / 100 for leaf in fw.leaves()})


@dataclass
class Case:
    name: str
    submission: Submission
    recalculated: Path | None = None


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    fw = load_fw()
    rng = random.Random(20221231)
    found = [Case("seed", seed_submission(fw))]
    found += [Case(f"boundary-{b}", fill_reaching(fw, Decimal(b))) for b in BOUNDARIES]
    found += [Case(f"random-{n:03d}", random_fill(fw, rng)) for n in range(N_RANDOM)]
    for name, changes in INVALID.items():
        sub = seed_submission(fw)
        for iid, score in changes.items():
            sub.indicators[iid].score = score
        found.append(Case(name, sub))
    src, out = tmp_path_factory.mktemp("forms"), tmp_path_factory.mktemp("recalculated")
    paths = []
    for case in found:
        paths.append(src / f"{case.name}.xlsx")
        build_workbook(paths[-1], fw, mode="native", submission=case.submission)
    start = time.perf_counter()
    results = libreoffice.convert_many(paths, "xlsx", out)
    print(f"\nLibreOffice recalculated {len(paths)} forms in one run: {time.perf_counter() - start:.1f} s")
    for case, path in zip(found, results, strict=True):
        case.recalculated = path
    return {c.name: c for c in found}


def _number(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    assert isinstance(value, (int, float)), value
    return from_float(value)


def assert_parity(fw: Framework, case: Case) -> pipeline.Result:
    content = C.static_cells(fw, "native")
    content.update(C.input_cells(fw, case.submission))
    result = pipeline.evaluate(C.to_grid(content, C.sheet_order(fw)), fw)
    assert case.recalculated is not None
    wb = openpyxl.load_workbook(case.recalculated, data_only=True)
    for sl in L.sheet_layouts(fw):
        for gid, row in sl.subtotal_rows.items():
            got = _number(wb[sl.name].cell(row, L.C_SCORE).value)
            assert got == result.node(gid).score, (case.name, sl.name, gid)
    cover, cl = wb[L.COVER], L.cover_layout(fw)
    for root in fw.roots:
        assert _number(cover[cl[f"root:{root.id}"]].value) == result.node(root.id).score, (case.name, root.id)
    assert _number(cover[cl["total"]].value) == result.total, case.name
    assert cover[cl["grade"]].value == result.grade, case.name
    assert cover[cl["grade_line"]].value == result.grade_line, case.name
    return result


def test_seed_parity(cases: dict[str, Case]) -> None:
    fw = load_fw()
    result = assert_parity(fw, cases["seed"])
    assert [result.node(r.id).score for r in fw.roots] == [Decimal("41.8"), Decimal("48.97")]
    assert (result.total, result.grade) == (Decimal("90.77"), "优")


@pytest.mark.parametrize("total", BOUNDARIES)
def test_grade_boundaries(cases: dict[str, Case], total: str) -> None:
    fw = load_fw()
    result = assert_parity(fw, cases[f"boundary-{total}"])
    assert result.total == Decimal(total)
    assert result.grade == GRADES[total]


def test_random_fills(cases: dict[str, Case]) -> None:
    fw = load_fw()
    grades: set[str | None] = set()
    for n in range(N_RANDOM):
        grades.add(assert_parity(fw, cases[f"random-{n:03d}"]).grade)
    assert len(grades) >= 2  # the fills are not all alike


@pytest.mark.parametrize("name", INVALID)
def test_invalid_scores_blank_the_native_totals(cases: dict[str, Case], name: str) -> None:
    fw = load_fw()
    result = assert_parity(fw, cases[name])
    if name == "three-decimals":
        assert (result.total, result.grade) == (Decimal("90.78"), "优")
    else:
        assert result.total is None and result.grade is None
