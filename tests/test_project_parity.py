"""Golden parity of the project form: LibreOffice recalculating its native formulas agrees with the engine.

The demo project form and random fills of both project frameworks (national ``mof-project-2020`` and
Sichuan ``sc-project-2023``) are built first and then recalculated in ONE soffice run — its startup
dominates. Cached values are read back with openpyxl (``data_only=True``) and compared, for EVERY
computed cell, with what the engine says that cell shows (:meth:`ProjectResult.shown_values` of the
built file as ``perfscore`` reads it): numbers exactly after float→Decimal conversion, text as text,
and the engine's "" (a blank) as an empty cell.

The random department rows cover: 0–4 rows per category, a whole 一级 left empty (满意度 empty moves
its weight to 效益), blank slots between and after rows, every operator and qualitative rows, targets
and actuals with 0–3 decimals (0, equal, above, below), weights with up to 2 decimals, scores valid and
invalid (above the weight, negative, missing, "八", "8" as text), and funds figures with up to 3
decimals (budget 0, actual above budget, a cell left empty). A few more forms hold the figures where
float arithmetic and exact Decimals could part: reference scores and funds figures lying exactly on a
half cent (or a half of the rate's 4th decimal), scores on the 定性档次 boundaries (80 % and 60 % of the
weight) and cells holding numbers as text or negative numbers.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

from perfscore.builder.workbook import build_workbook
from perfscore.engine.decimals import from_float
from perfscore.engine.form import read_meta
from perfscore.engine.framework import load_any_by_id
from perfscore.engine.grid import CellValue
from perfscore.engine.project import pipeline
from perfscore.engine.project.cells import computed_cells
from perfscore.engine.project.model import ProjectFramework
from perfscore.engine.project.submission import ProjectSubmission, RowInput
from perfscore.report import libreoffice
from perfscore.xlsx.reader import read_grid

pytestmark = pytest.mark.libreoffice

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "perfscore" / "data" / "project-2022.json"
NATIONAL, SICHUAN = "mof-project-2020", "sc-project-2023"
N_RANDOM = {NATIONAL: 110, SICHUAN: 30}
N_EDGES = 8
OPS = ("≥", ">", "≤", "<", "=")
QUALITATIVE = ("效果明显", "严格执行相关制度规定", "在项目计划完成时间内完成", "符合相关规定", "有所提升")
ACHIEVED = ("达成预期指标", "基本达成", "未达成", "效果明显")
UNITS = (None, "个", "%", "万元", "百分比", "天")
#: Scores a clerk may type that no formula counts: each blanks its category's 小计 and every total.
INVALID_SCORES = ("above", "negative", "missing", "八", "8")


def project_fw(fid: str) -> ProjectFramework:
    fw = load_any_by_id(fid)
    assert isinstance(fw, ProjectFramework)
    return fw


# ----------------------------------------------------------------------------- random fills


def decimal(rng: random.Random, high: int, places: int) -> Decimal:
    """A number in 0..high with ``places`` decimals (exactly as typed: 12.5 stays 12.5)."""
    return Decimal(rng.randint(0, high * 10**places)).scaleb(-places)


def some_places(rng: random.Random, most: int) -> int:
    return rng.randint(0, most)


def quantity(rng: random.Random) -> Decimal:
    """A target value: 0 now and then, else 0–3 decimals of various sizes."""
    if rng.random() < 0.08:
        return Decimal(0)
    return decimal(rng, rng.choice((1, 10, 100, 1000)), some_places(rng, 3)) or Decimal(1)


def actual_for(rng: random.Random, target: Decimal) -> Decimal:
    """An actual value: 0, equal to the target, above it, below it or anything."""
    kind = rng.choice(("zero", "equal", "equal", "above", "below", "any"))
    places = some_places(rng, 3)
    if kind == "zero":
        return Decimal(0)
    if kind == "equal":
        return target
    if kind == "above":
        return target + decimal(rng, max(1, int(target)), places) + Decimal(1).scaleb(-places)
    if kind == "below":
        below = target - decimal(rng, max(1, int(target)), places)
        return below if below >= 0 else Decimal(0)
    return decimal(rng, rng.choice((1, 10, 100, 1000)), places)


def weight(rng: random.Random) -> Decimal:
    if rng.random() < 0.05:
        return Decimal(0)
    return decimal(rng, 20, some_places(rng, 2))


def score_for(rng: random.Random, w: Decimal, invalid: float) -> Decimal | str | None:
    """A score within 0..weight (0, full marks or between), or — with chance ``invalid`` — one no
    formula counts."""
    if rng.random() < invalid:
        kind = rng.choice(INVALID_SCORES)
        if kind == "above":
            return w + decimal(rng, 5, some_places(rng, 2)) + Decimal("0.01")
        if kind == "negative":
            return -decimal(rng, 5, some_places(rng, 2)) - Decimal("0.01")
        if kind == "missing":
            return None
        return kind
    kind = rng.random()
    if kind < 0.15:
        return Decimal(0)
    if kind < 0.45:
        return w
    places = some_places(rng, 2)
    cents = int(w * 10**places)
    return Decimal(rng.randint(0, cents)).scaleb(-places)


def random_row(rng: random.Random, cid: str, n: int, invalid: float) -> RowInput:
    w = weight(rng)
    row = RowInput(cid, name=f"指标{cid}.{n}", weight=w, score=score_for(rng, w, invalid))
    if rng.random() < 0.3:  # a qualitative row: no operator, the target as text
        row.value = rng.choice(QUALITATIVE)
        row.actual = rng.choice(ACHIEVED) if rng.random() < 0.85 else quantity(rng)
        if rng.random() < 0.1:
            row.value = quantity(rng)  # a number without an operator: still no reference score
    else:
        row.op = rng.choice(OPS)
        row.value = quantity(rng)
        row.unit = rng.choice(UNITS)
        row.actual = actual_for(rng, row.value)
        if rng.random() < 0.04:
            row.actual = None  # not reported: no reference score
    if rng.random() < 0.25:
        row.reason = "受多方面因素影响，部分指标未达预期，后续将加强管理"
    if rng.random() < 0.03:
        row.name = None  # still in use: its other cells hold something
    return row


def random_funds(rng: random.Random, fw: ProjectFramework) -> dict[str, dict[str, Decimal | None]]:
    out: dict[str, dict[str, Decimal | None]] = {}
    for name in fw.funds.rows:
        places = some_places(rng, 3)
        budget = Decimal(0) if rng.random() < 0.08 else decimal(rng, 500, places)
        kind = rng.random()
        if kind < 0.2:
            actual = budget + decimal(rng, 50, some_places(rng, 3)) + Decimal("0.001")  # above budget
        elif kind < 0.3:
            actual = budget
        elif kind < 0.35:
            actual = Decimal(0)
        else:
            actual = decimal(rng, int(budget) + 1, some_places(rng, 3))
        values: dict[str, Decimal | None] = {
            fw.funds.columns[0]: decimal(rng, 500, places),
            fw.funds.budget: budget,
            fw.funds.actual: actual,
        }
        for column in values:
            if rng.random() < 0.05:
                values[column] = None  # left empty
        out[name] = values
    return out


def random_fill(fw: ProjectFramework, rng: random.Random) -> tuple[ProjectSubmission, int | None]:
    """A random form and the rows per category to build it with (None: the default)."""
    year = Decimal(fw.years[0] + rng.randint(0, 3)) if rng.random() > 0.05 else None
    sub = ProjectSubmission(fw.id, year=year, department="测试单位")
    sub.header = {h.key: f"测试{h.key}" for h in fw.header}
    sub.goals = {g.key: f"测试{g.key}" for g in fw.goals}
    sub.footer = {g.key: f"测试{g.key}" for g in fw.footer}
    sub.funds = random_funds(rng, fw)
    if fw.funds.reason_below is not None and rng.random() < 0.5:
        sub.funds_reason = "资金拨付滞后"
    invalid = rng.choice((0.0, 0.0, 0.03, 0.1))  # most forms total; some blank a 小计 or two
    empty = {g.id for g in fw.groups if rng.random() < (0.35 if not g.required else 0.1)}
    most = 0
    for g in fw.groups:
        for cat in g.categories:
            count = 0 if g.id in empty else rng.randint(0, 4)
            slots: list[RowInput] = []
            for n in range(1, count + 1):
                if rng.random() < 0.12:
                    slots.append(RowInput(cat.id))  # a blank slot between department rows
                slots.append(random_row(rng, cat.id, n, invalid))
            sub.rows += slots
            most = max(most, len(slots))
    rows = rng.choice((None, None, 1, most + 1, most + 3))  # 1: just as many as needed
    return sub, rows


# ------------------------------------------------------------------------------ edge fills


def _half(x: Fraction, places: int) -> bool:
    """``x`` lies exactly halfway between two multiples of 10**-places."""
    return (x * 10**places).denominator == 2


def _rate(op: str, value: Decimal, actual: Decimal) -> Fraction:
    v, a = Fraction(value), Fraction(actual)
    if op in ("≥", ">"):
        return min(a / v, Fraction(1))
    if op in ("≤", "<"):
        return min(v / a, Fraction(1))
    return min(a, v) / max(a, v)


def half_cent_row(rng: random.Random, cid: str) -> RowInput:
    """A quantitative row whose reference score weight × rate lies exactly on a half cent (rate < 1)."""
    while True:
        op = rng.choice(OPS)
        value, actual = (decimal(rng, rng.choice((1, 10, 100, 1000)), rng.randint(0, 3)) for _ in "va")
        w = decimal(rng, 20, rng.randint(0, 2))
        if value == 0 or actual == 0 or w == 0:
            continue
        rate = _rate(op, value, actual)
        if rate < 1 and _half(Fraction(w) * rate, 2):
            return RowInput(cid, name="半分", op=op, value=value, actual=actual, weight=w, score=w)


def boundary_row(rng: random.Random, cid: str) -> RowInput:
    """A qualitative row scored on (or a hair beside) 80 % or 60 % of its weight."""
    w = decimal(rng, 20, rng.randint(0, 2)) or Decimal(1)
    s = w * rng.choice((Decimal("0.8"), Decimal("0.6")))
    s += rng.choice((Decimal(0), Decimal(0), Decimal("0.01"), Decimal("-0.01")))
    return RowInput(cid, name="档次", value=rng.choice(QUALITATIVE), actual="达成", weight=w, score=max(s, Decimal(0)))  # fmt: skip


ODD_CELLS: tuple[Decimal | str, ...] = ("8", "50", " ", Decimal(-1), Decimal("-0.5"), Decimal("1234567.891"))


def odd_row(rng: random.Random, cid: str) -> RowInput:
    """A row with numbers typed as text, a blank-looking space or negative numbers among its figures."""
    w = decimal(rng, 20, 2)
    row = RowInput(cid, name="异常", op=rng.choice(OPS), value=quantity(rng), actual=quantity(rng), weight=w, score=w)  # fmt: skip
    setattr(row, rng.choice(("value", "actual", "weight", "score")), rng.choice(ODD_CELLS))
    return row


def half_funds(rng: random.Random) -> tuple[Decimal, Decimal]:
    """Budget and actual whose rate (4 decimals) or score (10 × rate, 2 decimals) lies on a half."""
    while True:
        budget, actual = (decimal(rng, rng.choice((1, 10, 100, 1000)), rng.randint(0, 3)) for _ in "ba")
        if budget == 0:
            continue
        rate = Fraction(actual) / Fraction(budget)
        if rate < 1 and (_half(rate, 4) or _half(10 * rate, 2)):
            return budget, actual


def edge_fill(fw: ProjectFramework, rng: random.Random, n: int) -> ProjectSubmission:
    sub = ProjectSubmission(fw.id, year=Decimal(2022), department="测试单位")
    budget, actual = half_funds(rng)
    sub.funds = {fw.funds.rows[0]: {fw.funds.budget: budget, fw.funds.actual: actual}}
    make = (half_cent_row, half_cent_row, boundary_row, odd_row if n % 2 else boundary_row)
    for cat in fw.categories():
        sub.rows += [rng.choice(make)(rng, cat.id) for _ in range(6)]
    return sub


# ---------------------------------------------------------------------------------- the run


@dataclass
class Case:
    name: str
    fw: ProjectFramework
    submission: ProjectSubmission
    rows: int | None
    built: Path | None = None
    recalculated: Path | None = None


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    national = project_fw(NATIONAL)
    found = [Case("demo", national, ProjectSubmission.loads(DEMO.read_text("utf-8"), national), None)]
    rng = random.Random(20230630)
    for fid, n_forms in N_RANDOM.items():
        fw = project_fw(fid)
        for n in range(n_forms):
            sub, rows = random_fill(fw, rng)
            found.append(Case(f"{fid}-{n:03d}", fw, sub, rows))
    found += [Case(f"edge-{n}", national, edge_fill(national, rng, n), None) for n in range(N_EDGES)]
    src, out = tmp_path_factory.mktemp("forms"), tmp_path_factory.mktemp("recalculated")
    for case in found:
        case.built = src / f"{case.name}.xlsx"
        build_workbook(case.built, case.fw, mode="native", submission=case.submission, rows=case.rows)
    paths = [c.built for c in found if c.built is not None]
    start = time.perf_counter()
    results = libreoffice.convert_many(paths, "xlsx", out)
    print(
        f"\nLibreOffice recalculated {len(paths)} project forms in one run: {time.perf_counter() - start:.1f} s"
    )
    for case, path in zip(found, results, strict=True):
        case.recalculated = path
    return {c.name: c for c in found}


def _shown(value: object) -> CellValue:
    """A cached LibreOffice value as the engine gives it: a Decimal, text, or "" for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise AssertionError(f"a boolean where a figure or text was expected: {value!r}")
    if isinstance(value, (int, float)):
        return from_float(value)
    return value if isinstance(value, str) else repr(value)


def _same(engine: CellValue, office: CellValue) -> bool:
    if isinstance(engine, Decimal) and isinstance(office, Decimal):
        return engine == office
    return type(engine) is type(office) and engine == office


def assert_parity(case: Case) -> pipeline.ProjectResult:
    """Every computed cell as LibreOffice computed it equals what the engine says it shows."""
    assert case.built is not None and case.recalculated is not None
    grid = read_grid(case.built)
    result = pipeline.evaluate(grid, case.fw, read_meta(grid))
    shown = result.shown_values()
    formulas = {(c.sheet, c.cell): c.formula for c in computed_cells(result.form.layout, "native")}
    assert shown.keys() == formulas.keys()
    wb = openpyxl.load_workbook(case.recalculated, data_only=True)
    wrong = []
    for (sheet, cell), engine in shown.items():
        office = _shown(wb[sheet][cell].value)
        if not _same(engine, office):
            wrong.append(
                f"{case.name} {sheet}!{cell}: LibreOffice {office!r}, engine {engine!r}; "
                f"formula {formulas[(sheet, cell)]}"
            )
    assert not wrong, f"{len(wrong)} of {len(shown)} computed cells differ:\n" + "\n".join(wrong[:40])
    return result


def test_demo_parity(cases: dict[str, Case]) -> None:
    result = assert_parity(cases["demo"])
    assert (result.total, result.grade) == (Decimal(100), "优")


@pytest.mark.parametrize("fid", list(N_RANDOM))
def test_random_fills(cases: dict[str, Case], fid: str) -> None:
    results = [assert_parity(cases[f"{fid}-{n:03d}"]) for n in range(N_RANDOM[fid])]
    # The fills are not all alike: some total, some leave it blank; several grades; 满意度 left empty.
    totals = [r.total for r in results]
    assert sum(t is None for t in totals) >= 3
    assert sum(t is not None for t in totals) >= 3
    assert len({r.grade for r in results}) >= 3
    assert any(not any(row.used for row in r.form.rows if row.category == "3.1") for r in results)
    if fid == NATIONAL:  # 满意度 empty: its 10 moves to 效益
        assert {r.scores.group_weights["2"] for r in results} == {Decimal(30), Decimal(40)}


def test_rounding_edges(cases: dict[str, Case]) -> None:
    bands: set[object] = set()
    for n in range(N_EDGES):
        result = assert_parity(cases[f"edge-{n}"])
        bands |= {v for k, v in result.scores.values.items() if k.startswith("band:")}
    assert {"达成", "部分达成", "未达成"} <= bands
