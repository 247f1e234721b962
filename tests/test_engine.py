"""The pipeline on grids built in the form's own terms: exact codes, cells and figures."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfscore.engine.decimals import fmt, round_half_up
from perfscore.engine.findings import CATALOGUE, Severity
from perfscore.engine.grid import ErrorValue
from perfscore.engine.pipeline import Result

from .conftest import evaluate, load_fw

D = Decimal
L1, L2 = "履职效能", "管理效率"
COVER = "基本情况"


def codes(result: Result) -> set[tuple[str, str, str]]:
    return {(f.code, f.sheet, f.cell) for f in result.findings if f.code != "placeholder-indicator"}


def test_seed_figures_exact() -> None:
    r = evaluate()
    assert [(n.indicator.name, fmt(n.score)) for n in r.groups] == [(L1, "41.8"), (L2, "48.97")]
    assert fmt(r.total) == "90.77"
    assert r.grade == "优"
    assert r.grade_line.startswith("☑优")
    assert codes(r) == set()
    assert r.errors == 0 and r.warnings == 0
    assert fmt(r.node("2.5").score) == "8.97"  # 0.5+1.5+1+2+2+1+0.97
    assert r.leaves["1.1.3"].suggestion == D("9.3")
    assert r.leaves["2.5.7"].suggestion == D("0.97")


@pytest.mark.parametrize(
    ("cell", "value", "code"),
    [
        ((L1, "H5"), None, "score-missing"),
        ((L1, "H5"), "abc", "score-not-number"),
        ((L1, "H5"), "93%", "score-not-number"),
        ((L1, "H5"), ErrorValue("#DIV/0!"), "score-formula-error"),
        ((L1, "H5"), D("-1"), "score-negative"),
        ((L1, "H5"), D("10.5"), "score-above-weight"),
        ((L2, "H11"), D("0.51"), "score-above-weight"),
    ],
)
def test_unusable_scores(cell: tuple[str, str], value: object, code: str) -> None:
    r = evaluate({cell: value})  # type: ignore[dict-item]
    assert (code, *cell) in codes(r)
    assert CATALOGUE[code].severity is Severity.ERROR
    # the group and the total are not computed from an unusable score
    assert r.total is None and r.grade is None
    sheet_group = r.groups[0] if cell[0] == L1 else r.groups[1]
    assert sheet_group.score is None


@pytest.mark.parametrize("text", ["９．３", " 9.3 ", "9.3分", "９.３分"])
def test_text_numbers_are_errors_and_not_counted(text: str) -> None:
    """The form's native SUM skips text: perfscore does not count it either, and says so."""
    r = evaluate({(L1, "H5"): text})
    assert codes(r) == {("score-text-number", L1, "H5")}
    assert r.errors == 1 and r.total is None and r.groups[0].score is None
    assert r.groups[1].score == Decimal("48.97")


def test_three_decimals_warn_and_total_rounds_half_up() -> None:
    # 12.5 → 12.505 makes the exact total 90.775, printed 90.78 (half-up, not banker's 90.78/90.77)
    r = evaluate({(L1, "H3"): D("12.505")})
    assert codes(r) == {("score-precision", L1, "H3")}
    assert fmt(r.total) == "90.78"
    assert fmt(r.groups[0].score) == "41.81"


def test_grade_is_decided_on_the_rounded_total() -> None:
    # make the exact total 89.995: rounds to 90.00 → 优
    r = evaluate({(L1, "H3"): D("11.725"), (L1, "H5"): D("9.3")})
    assert r.total == D("90.00") and r.grade == "优"


@pytest.mark.parametrize(("cell", "code"), [((L1, "I5"), "reason-missing"), ((L1, "J5"), "measure-missing")])
@pytest.mark.parametrize("blank", [None, "", "\\", "  "])
def test_shortfall_needs_reason_and_measure(cell: tuple[str, str], code: str, blank: object) -> None:
    r = evaluate({cell: blank})  # type: ignore[dict-item]
    assert codes(r) == {(code, *cell)}
    assert fmt(r.total) == "90.77"  # an explanation missing does not change the arithmetic


def test_full_marks_need_no_reason() -> None:
    assert codes(evaluate({(L1, "I4"): None, (L1, "J4"): None})) == set()


def test_structure_changes() -> None:
    r = evaluate({(L2, "F12"): D("2")})
    assert ("weight-changed", L2, "F12") in codes(r)
    r = evaluate({(L2, "E13"): "采购内控"})
    assert codes(r) == {("name-changed", L2, "E13")}
    r = evaluate({(L2, "C11"): "采购"})
    assert codes(r) == {("name-changed", L2, "C11")}
    r = evaluate({(L2, "D11"): D("9")})
    assert codes(r) == {("weight-changed", L2, "D11")}
    r = evaluate({(L1, "B3"): D("40")})
    assert codes(r) == {("weight-changed", L1, "B3")}


def test_deleted_and_duplicated_and_unknown_rows() -> None:
    r = evaluate({(L2, "N13"): None})  # the id of 2.5.3 removed: the row no longer counts
    assert ("row-missing", L2, "E13") in codes(r)
    assert r.total is None
    r = evaluate(
        {(L2, "N40"): "2.5.3", (L2, "E40"): "采购内控制度建设", (L2, "F40"): D(1), (L2, "H40"): D(1)}
    )
    assert ("row-duplicate", L2, "E40") in codes(r)
    r = evaluate({(L2, "N40"): "2.9.1", (L2, "E40"): "新指标"})
    assert ("row-unknown", L2, "E40") in codes(r)


def test_moved_rows() -> None:
    swap = {(L2, "N13"): "2.5.4", (L2, "N14"): "2.5.3", (L2, "E13"): "采购活动合规性", (L2, "E14"): "采购内控制度建设",
            (L2, "F13"): D(2), (L2, "F14"): D(1), (L2, "H13"): D(2), (L2, "H14"): D(1)}  # fmt: skip
    r = evaluate(swap)
    assert ("row-moved", L2, "E14") in codes(r)
    assert fmt(r.total) == "90.77"  # rows are matched by id, so the figures still add up


def test_missing_sheets() -> None:
    r = evaluate(drop_sheets=(L1,))
    assert codes(r) == {("sheet-missing", L1, "")}
    assert r.total is None
    r = evaluate(drop_sheets=(COVER,))
    assert ("sheet-missing", COVER, "") in codes(r)
    assert fmt(r.total) == "90.77"


def test_renamed_sheet_still_reads() -> None:
    from perfscore.engine import pipeline

    from .conftest import seed_grid

    grid = seed_grid()
    grid.sheets = {("履职" if name == L1 else name): sheet for name, sheet in grid.sheets.items()}
    grid.sheets["履职"].name = "履职"
    r = pipeline.evaluate(grid)
    assert fmt(r.total) == "90.77"
    assert codes(r) == {("sheet-renamed", "履职", "")}  # read by id, and the clerk is told
    assert (
        r.findings[0].message
        == "工作表“履职”应名为“履职效能”（已按指标编号读取）；请改回原名，以免表间公式失效"
    )


@pytest.mark.parametrize(
    ("cell", "value", "code", "severity"),
    [
        ((COVER, "B3"), None, "header-missing", "error"),
        ((COVER, "B3"), "广州市增城区工商业联合会\u3000", "department-padded", "warning"),
        ((COVER, "C9"), D("Infinity"), "budget-not-number", "error"),
        ((COVER, "G3"), None, "header-missing", "error"),
        ((COVER, "G3"), "二〇二二", "header-invalid", "error"),
        ((COVER, "G3"), D(2023), "year-outside-framework", "warning"),
        ((COVER, "B4"), D("1.5"), "header-invalid", "error"),
        ((COVER, "B4"), None, "header-missing", "error"),
        ((COVER, "B7"), "  ", "header-missing", "error"),
        ((COVER, "B9"), "五百", "budget-not-number", "error"),
        ((COVER, "E9"), D("-1"), "budget-negative", "error"),
        ((COVER, "E9"), None, "budget-missing", "warning"),
        ((COVER, "C9"), "441.13万元", "budget-text-number", "warning"),
        ((COVER, "B9"), D("536.59"), "budget-identity", "error"),
        ((COVER, "G9"), D("5"), "budget-identity", "error"),
    ],
)
def test_cover_checks(cell: tuple[str, str], value: object, code: str, severity: str) -> None:
    r = evaluate({cell: value})  # type: ignore[dict-item]
    found = {(f.code, f.sheet, f.cell, f.severity.value) for f in r.findings}
    expected_cell = "E9" if code == "budget-identity" and cell == (COVER, "G9") else cell[1]
    assert (code, COVER, expected_cell, severity) in found


def test_reference_rule_suggests_and_never_overwrites() -> None:
    r = evaluate({(L1, "H5"): D("9")})
    assert codes(r) == {("suggestion-differs", L1, "H5")}
    msg = next(f.message for f in r.findings if f.code == "suggestion-differs")
    assert "10 × 93% = 9.3" in msg and "自评分 9 " in msg
    assert r.leaves["1.1.3"].score == D("9")  # the typed score counts
    assert fmt(r.total) == "90.47"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("93%", "rate-text-number"),
        (D("93"), "rate-invalid"),
        ("很高", "rate-invalid"),
        (D("-0.1"), "rate-invalid"),
    ],
)
def test_rate_inputs(value: object, code: str) -> None:
    r = evaluate({(L1, "K5"): value})  # type: ignore[dict-item]
    assert (code, L1, "K5") in codes(r)


# ------------------------------------------------------------------- integrity of the workbook


@pytest.mark.parametrize(
    ("cell", "typed", "label"),
    [
        ((COVER, "C15"), Decimal("95.5"), "总分"),  # a typed total
        ((COVER, "B16"), "优", "评价等级"),  # a typed grade
        ((COVER, "C13"), Decimal("45"), "“履职效能”得分"),  # a typed group score on the cover
        ((L1, "H7"), Decimal("41.8"), "“小计：整体效能”"),  # a typed sub-total, even with the right figure
        ((L2, "H34"), "", "“合计：管理效率”"),  # a formula deleted
    ],
)
def test_a_typed_over_computed_cell_is_an_error(cell: tuple[str, str], typed: object, label: str) -> None:
    r = evaluate({cell: typed})  # type: ignore[dict-item]
    assert codes(r) == {("formula-changed", *cell)}
    (f,) = [f for f in r.findings if f.code == "formula-changed"]
    assert f.message.startswith(f"{label}应为公式“=") and "这是自动计算的单元格" in f.message


def test_a_stale_displayed_total_is_an_error() -> None:
    from perfscore.engine.cells import static_cells
    from perfscore.engine.grid import Formula

    total = static_cells(load_fw())[(COVER, "C15")]
    grade = static_cells(load_fw())[(COVER, "B16")]
    assert isinstance(total, Formula) and isinstance(grade, Formula)
    r = evaluate(
        {(COVER, "C15"): Formula(total.text, Decimal("95.5")), (COVER, "B16"): Formula(grade.text, "优")}
    )
    assert codes(r) == {("displayed-total-differs", COVER, "C15")}  # 优 is also right for 90.77
    assert r.errors == 1 and fmt(r.total) == "90.77"
    (f,) = r.findings[:1]
    assert f.message.startswith("总分显示为 95.5，按表中填写的得分应为 90.77")
    fresh = evaluate({(COVER, "C15"): Formula(total.text, Decimal("90.77"))})
    assert codes(fresh) == set()


def test_an_edited_explanation_or_subtotal_label_warns() -> None:
    r = evaluate({(L1, "G3"): "随便写的解释", (L1, "E7"): "小计：别的", (L2, "F27"): Decimal("4")})
    assert codes(r) == {("explanation-changed", L1, "G3"), ("explanation-changed", L1, "E7"),
                        ("explanation-changed", L2, "F27")}  # fmt: skip
    assert r.errors == 0 and fmt(r.total) == "90.77"


def test_every_catalogued_code_is_exercised_somewhere() -> None:
    """Keeps the catalogue honest: each code is produced by some check in this file's scenarios (or the
    project form's, in test_project.py)."""
    import ast
    import pathlib

    here = pathlib.Path(__file__)
    src = "".join(
        here.with_name(n).read_text("utf-8")
        for n in (
            here.name,
            "test_framework.py",
            "test_project.py",
            "test_rebuild.py",
            "test_digitise_text.py",
            "test_digitise_checks.py",
            "test_digitise_independent.py",
        )
    )
    mentioned = {
        n.value for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }
    untested = set(CATALOGUE) - mentioned - {"rule-failed", "placeholder-indicator"}
    assert untested == set()


def test_placeholder_is_reported_as_info() -> None:
    r = evaluate()
    info = [f for f in r.findings if f.code == "placeholder-indicator"]
    assert [(f.sheet, f.cell, f.severity) for f in info] == [(L2, "E12", Severity.INFO)]


def test_a_failing_rule_becomes_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    from perfscore.engine import checks

    def broken(ctx: checks.Context) -> list[object]:
        raise ValueError("boom")

    monkeypatch.setattr(checks.rule, "rules", [broken, *checks.rule.rules])
    r = evaluate()
    assert [f.code for f in r.findings if f.code == "rule-failed"] == ["rule-failed"]
    assert fmt(r.total) == "90.77"


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_totals_match_an_independent_fraction_sum(data: st.DataObject) -> None:
    fw = load_fw()
    from perfscore.engine import layout as L

    overrides = {}
    exact = Fraction(0)
    for sl in L.sheet_layouts(fw):
        for leaf in sl.group.leaves():
            cents = data.draw(st.integers(0, int(leaf.weight * 100)))
            overrides[(sl.name, f"H{sl.rows[leaf.id]}")] = D(cents) / 100
            exact += Fraction(cents, 100)
            overrides[(sl.name, f"I{sl.rows[leaf.id]}")] = "原因"
            overrides[(sl.name, f"J{sl.rows[leaf.id]}")] = "措施"
    overrides[(L.sheet_layouts(fw)[0].name, "K5")] = None
    overrides[(L.sheet_layouts(fw)[1].name, "K17")] = None
    r = evaluate(overrides)
    # half-up to cents, computed with integers only
    expected = D(int(exact * 100 + Fraction(1, 2)) if exact * 100 % 1 else int(exact * 100)) / 100
    assert r.total == round_half_up(expected)
    assert r.grade == fw.grade(r.total)
