"""The project form (项目支出绩效自评表): frameworks with open levels, scoring, findings, both dialects.

Forms are made from their cells (:func:`perfscore.engine.project.cells.static_cells` +
:func:`~perfscore.engine.project.cells.input_cells`) without files, except where the file itself is
the point (the CLI, the JSON round trip). Cell addresses are those of the default layout: five rows
per 二级 category, so on 产出指标 数量 is rows 3–7, 质量 8–12, 时效 13–17, 成本 18–22, the 小计 rows
24–27 and 合计 28.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from perfscore.builder.project_forms import slots_for
from perfscore.engine import framework as frameworks
from perfscore.engine.cells import to_grid
from perfscore.engine.form import read_meta
from perfscore.engine.grid import Formula, parse_ref, ref
from perfscore.engine.project.cells import computed_cells, input_cells, static_cells
from perfscore.engine.project.layout import layout, parse_slots
from perfscore.engine.project.model import ProjectFramework
from perfscore.engine.project.pipeline import ProjectResult, evaluate
from perfscore.engine.project.submission import ProjectSubmission, RowInput
from perfscore.xlsx.reader import read_grid

from .xlsx_helpers import run_cli

DEMO = Path(__file__).resolve().parent.parent / "perfscore" / "data" / "project-2022.json"
OUT, BEN, SAT = "产出指标", "效益指标", "满意度指标"
COVER = "基本情况"


def fw_of(fid: str) -> ProjectFramework:
    fw = frameworks.load_any(fid)
    assert isinstance(fw, ProjectFramework)
    return fw


NATIONAL = fw_of("mof-project-2020")
SICHUAN = fw_of("sc-project-2023")
#: The blank national form's cells (formulas included).
BLANK_FORM = static_cells(layout(NATIONAL, slots_for(NATIONAL, None, None)))


def demo() -> ProjectSubmission:
    return ProjectSubmission.loads(DEMO.read_text("utf-8"), NATIONAL, source=DEMO.name)


def cells_of(
    fw: ProjectFramework, sub: ProjectSubmission, mode: str = "native", rows: int | None = None
) -> dict[Any, Any]:
    lay = layout(fw, slots_for(fw, rows, sub))
    content: dict[Any, Any] = dict(static_cells(lay, mode))
    content.update(input_cells(lay, sub))
    return content


def run(
    sub: ProjectSubmission, fw: ProjectFramework = NATIONAL, edits: dict[tuple[str, str], Any] | None = None
) -> ProjectResult:
    content = cells_of(fw, sub)
    content.update(edits or {})
    lay = layout(fw, slots_for(fw, None, sub))
    grid = to_grid(content, lay.sheet_order())
    return evaluate(grid, fw, read_meta(grid))


def found(result: ProjectResult) -> list[tuple[str, str, str]]:
    return [(f.code, f.sheet, f.cell) for f in result.findings]


# ------------------------------------------------------------------------------ the demo form


def test_the_demo_scores_as_hand_computed() -> None:
    """池州 2022 委托业务项目: 执行率 89.974 / 90 = 99.97 %, 10 × 0.99971 = 9.9971 → 10.00; rows 50 + 30 + 10."""
    result = run(demo())
    assert result.findings == ()
    assert result.scores.funds_rate == Decimal("0.9997")
    assert result.scores.funds_score == Decimal("10.00")
    assert result.scores.group_scores == {"1": Decimal(50), "2": Decimal(30), "3": Decimal(10)}
    assert result.scores.group_weights == {"1": Decimal(50), "2": Decimal(30), "3": Decimal(10)}
    assert (result.total, result.grade) == (Decimal("100.00"), "优")
    assert [(g.indicator.name, g.indicator.weight, g.score) for g in result.groups] == [
        ("预算执行率", Decimal(10), Decimal("10.00")),
        ("产出指标", Decimal(50), Decimal(50)),
        ("效益指标", Decimal(30), Decimal(30)),
        ("满意度指标", Decimal(10), Decimal(10)),
    ]
    shown = result.shown_values()
    assert shown[(OUT, "J3")] == Decimal("8.00")  # ≥50个 → 50: 8 × 1
    assert shown[(OUT, "J8")] == Decimal("8.00")  # ≥100百分比 → 100
    assert shown[(OUT, "J18")] == Decimal("8.00")  # ≤90万元 → 90
    assert shown[(OUT, "K9")] == "达成"  # 经费支出合规性: qualitative, 8 of 8
    assert shown[(OUT, "H24")] == Decimal(8) and shown[(OUT, "G25")] == Decimal(16)
    assert shown[(COVER, "A1")] == "2022年度项目支出绩效自评表"


def test_check_json_has_the_funds_group_and_reference_scores(tmp_path: Path) -> None:
    form = tmp_path / "p.xlsx"
    assert run_cli(["import", str(DEMO), "-o", str(form)]).exit_code == 0
    out = run_cli(["check", "--json", str(form)])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert (doc["total"], doc["grade"], doc["errors"], doc["warnings"]) == ("100", "优", 0, 0)
    assert [(g["id"], g["name"], g["weight"], g["score"]) for g in doc["groups"]] == [
        ("funds", "预算执行率", "10", "10"),
        ("1", "产出指标", "50", "50"),
        ("2", "效益指标", "30", "30"),
        ("3", "满意度指标", "10", "10"),
    ]
    assert doc["groups"][0]["rate"] == "0.9997"
    first = doc["groups"][1]["children"][0]["children"][0]
    assert first == {"id": "1.1.1", "name": "基建工程委托业务项目数量", "weight": "8", "score": "8",
                     "children": [], "reference": "8", "band": None}  # fmt: skip
    qualitative = doc["groups"][1]["children"][1]["children"][1]
    assert (qualitative["name"], qualitative["reference"], qualitative["band"]) == (
        "经费支出合规性",
        None,
        "达成",
    )


def test_export_import_round_trip(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert run_cli(["import", str(DEMO), "-o", str(first)]).exit_code == 0
    exported = tmp_path / "a.json"
    assert run_cli(["export", str(first), "-o", str(exported)]).exit_code == 0
    assert json.loads(exported.read_text("utf-8")) == json.loads(DEMO.read_text("utf-8"))
    assert run_cli(["import", str(exported), "-o", str(second)]).exit_code == 0
    a, b = read_grid(first), read_grid(second)
    for name in a.sheets:
        assert a.sheets[name].rows == b.sheets[name].rows, name
    check = run_cli(["check", str(second)])
    assert check.stdout.strip().endswith("总分 100，等级 优；错误 0，警告 0，提示 0")


def test_calc_writes_status_and_findings(tmp_path: Path) -> None:
    form = tmp_path / "p.xlsx"
    sub = demo()
    sub.rows[0].score = Decimal(7)  # below 8 without a reason
    from perfscore.builder.workbook import build_workbook

    build_workbook(form, NATIONAL, submission=sub)
    out = run_cli(["calc", str(form)])
    assert out.exit_code == 1
    assert (
        f"{form}:{OUT}!I3: error deviation-missing “基建工程委托业务项目数量”得分 7 低于分值 8" in out.stdout
    )
    grid = read_grid(form)
    assert str(grid.sheets[OUT].get("L3")).startswith("✖ “基建工程委托业务项目数量”得分 7")
    assert grid.sheets[OUT].get("H28") == Decimal(49)
    findings = grid.sheets["校验结果"]
    assert [findings.get(f"C{r}") for r in (3, 4, 5)] == ["suggestion-differs", "deviation-missing", None]
    assert grid.sheets[COVER].get("B27") == Decimal(1) and grid.sheets[COVER].get("D27") == Decimal(1)


# ------------------------------------------------------------------------------------ findings


def _row(sub: ProjectSubmission, n: int, **changes: Any) -> ProjectSubmission:
    for key, value in changes.items():
        setattr(sub.rows[n], key, value)
    return sub


def _with(**changes: Any) -> ProjectSubmission:
    return _row(demo(), 0, **changes)


#: (submission, cell edits, the findings expected: code, sheet, cell).
CASES: list[tuple[str, ProjectSubmission, dict[tuple[str, str], Any], list[tuple[str, str, str]]]] = [
    ("score above weight", _with(score=Decimal(9)), {}, [("score-above-weight", OUT, "H3")]),
    ("score missing", _with(score=None), {}, [("score-missing", OUT, "H3")]),
    ("score as text", _with(score="八"), {}, [("score-not-number", OUT, "H3")]),
    ("weight missing", _with(weight=None, score=None), {},
     [("row-weight-invalid", OUT, "G3"), ("group-weight", OUT, "G28")]),
    ("weight as text", _with(weight="八分"), {}, [("row-weight-invalid", OUT, "G3"), ("group-weight", OUT, "G28")]),
    ("name missing", _with(name=None), {}, [("row-name-missing", OUT, "B3")]),
    ("reason missing", _with(score=Decimal("7.5"), actual=Decimal(50)), {},
     [("suggestion-differs", OUT, "H3"), ("deviation-missing", OUT, "I3")]),
    ("target missing", _with(op=None, value=None, unit=None), {}, [("target-missing", OUT, "D3")]),
    ("operator invalid", _with(op="大于"), {}, [("target-op-invalid", OUT, "C3")]),
    ("target not a number", _with(value="五十"), {}, [("target-not-number", OUT, "D3")]),
    ("target typed whole", _with(op=None, value="≥50个", unit=None), {}, [("target-unsplit", OUT, "D3")]),
    ("number without operator", _with(op=None), {}, [("target-op-missing", OUT, "C3")]),
    ("actual missing", _with(actual=None), {}, [("actual-missing", OUT, "F3")]),
    ("actual as text", _with(actual="五十"), {}, [("actual-not-number", OUT, "F3")]),
    ("actual with its unit", _with(actual="50个"), {}, [("actual-not-number", OUT, "F3")]),
    ("actual in another unit", _with(actual="50万元"), {}, [("unit-mismatch", OUT, "F3")]),
    ("反向, nothing spent", _row(demo(), 4, actual=Decimal(0)), {}, [("reference-undefined", OUT, "F18")]),
    ("正向 target 0", _with(value=Decimal(0)), {}, [("reference-undefined", OUT, "F3")]),
    ("negative actual", _with(actual=Decimal(-1)), {}, [("reference-undefined", OUT, "F3")]),
    ("far above target", _with(actual=Decimal(61)), {}, [("target-overshoot", OUT, "I3")]),
    ("far above target, explained", _with(actual=Decimal(61), reason="年中追加任务"), {}, []),
    ("exactly 20 % above", _with(actual=Decimal(60)), {}, []),
    ("score far from reference", _with(actual=Decimal(40)), {}, [("suggestion-differs", OUT, "H3")]),
    ("funds identity", demo(), {(COVER, "C12"): Decimal(91)}, [("budget-identity", COVER, "C11")]),
    ("funds missing", demo(), {(COVER, "D12"): None}, [("budget-missing", COVER, "D12")]),
    ("executed funds missing", demo(), {(COVER, "D11"): None}, [("funds-missing", COVER, "D11")]),
    ("funds not a number", demo(), {(COVER, "B13"): "九十"}, [("budget-not-number", COVER, "B13")]),
    ("funds negative", demo(), {(COVER, "B14"): Decimal(-1)}, [("budget-negative", COVER, "B14")]),
    ("budget zero", demo(), {(COVER, "C11"): Decimal(0), (COVER, "C12"): Decimal(0)}, [("funds-budget-zero", COVER, "C11")]),
    ("header missing", demo(), {(COVER, "B4"): None}, [("header-missing", COVER, "B4")]),
    ("year missing", demo(), {(COVER, "G3"): None}, [("header-missing", COVER, "G3")]),
    ("goal missing", demo(), {(COVER, "B17"): ""}, [("header-missing", COVER, "B17")]),
    ("row copied", demo(), {(OUT, "M4"): "1.1.1"}, [("row-duplicate", OUT, "B4")]),
    ("total overwritten", demo(), {(COVER, "C25"): Decimal(99)}, [("formula-changed", COVER, "C25")]),
    ("stale figure", demo(), {(OUT, "H24"): Formula(BLANK_FORM[(OUT, "H24")].text, Decimal(7))},
     [("displayed-total-differs", OUT, "H24")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "sub", "edits", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_finding_at_its_cell(
    name: str, sub: ProjectSubmission, edits: dict[tuple[str, str], Any], expected: list[tuple[str, str, str]]
) -> None:
    assert found(run(copy.deepcopy(sub), NATIONAL, edits)) == expected


def test_the_cover_addresses_used_above() -> None:
    """The cover cells the cases edit (a change of layout must change them knowingly)."""
    cov = layout(NATIONAL, slots_for(NATIONAL, None, None)).cover
    assert (cov["funds:年度资金总额:全年预算数"], cov["funds:当年财政拨款:全年预算数"]) == ("C11", "C12")
    assert (cov["funds:当年财政拨款:全年执行数"], cov["funds:上年结转资金:年初预算数"]) == ("D12", "B13")
    assert (cov["funds:其他资金:年初预算数"], cov["header:项目名称"], cov["goal:实际完成情况"]) == (
        "B14",
        "B4",
        "B17",
    )
    assert (cov["summary_weight:2"], cov["summary_weight:3"], cov["total"]) == ("B23", "B24", "C25")


def test_a_finding_message_names_what_to_do() -> None:
    result = run(_with(actual="50万元"))
    assert [f.message for f in result.findings] == [
        "“基建工程委托业务项目数量”的实际完成值“50万元”的单位“万元”与指标值的单位“个”不同；请换算为相同单位后只填数字"
    ]
    result = run(_with(op=None, value="≥50个", unit=None))
    assert result.findings[0].message == (
        "“基建工程委托业务项目数量”的指标值“≥50个”含有指标性质或单位；请把指标性质 ≥、指标值 50、度量单位 个 "
        "分别填入三列，才能计算参考得分"
    )


# --------------------------------------------------------------------- reference scores and bands


@pytest.mark.parametrize(
    ("op", "target", "actual", "reference"),
    [
        ("≥", "50", "0", "0.00"),
        ("≥", "50", "49", "7.84"),
        ("≥", "50", "50", "8.00"),
        ("≥", "50", "75", "8.00"),
        (">", "50", "50", "8.00"),
        ("≤", "90", "100", "7.20"),
        ("≤", "90", "90", "8.00"),
        ("≤", "90", "45", "8.00"),
        ("≤", "90", "0", ""),  # undefined: a finding, not a division error
        ("<", "90", "120", "6.00"),
        ("=", "100", "100", "8.00"),
        ("=", "100", "98", "7.84"),
        ("=", "100", "102", "7.84"),
        ("=", "0", "0", "8.00"),
        ("=", "0", "5", "0.00"),
        ("≥", "24", "5", "1.67"),
    ],
)
def test_reference_rule_edges(op: str, target: str, actual: str, reference: str) -> None:
    sub = _with(op=op, value=Decimal(target), actual=Decimal(actual), reason="说明")
    shown = run(sub).shown_values()
    assert shown[(OUT, "J3")] == ("" if reference == "" else Decimal(reference))


@pytest.mark.parametrize(
    ("score", "band"),
    [
        ("10", "达成"),
        ("8", "达成"),
        ("7.99", "部分达成"),
        ("6", "部分达成"),
        ("5.99", "未达成"),
        ("0", "未达成"),
        ("10.5", ""),
    ],
)
def test_qualitative_bands(score: str, band: str) -> None:
    sub = _row(demo(), 5, score=Decimal(score), reason="说明")  # 单项业务成本: 符合相关规定, weight 10
    assert run(sub).shown_values()[(OUT, "K19")] == band


# ----------------------------------------------------------------------------------- weight rules


def test_an_unset_satisfaction_weight_moves_to_benefit() -> None:
    """10号: 如未设置满意度指标，则其权重相应调增给效益指标 — 效益 then weighs 40."""
    sub = demo()
    sub.rows = [r for r in sub.rows if not r.category.startswith("3.")]
    result = run(sub)
    assert result.scores.group_weights == {"1": Decimal(50), "2": Decimal(40), "3": Decimal(0)}
    assert found(result) == [("group-weight", BEN, "G28")]
    assert result.findings[0].message == "“效益指标”下各三级指标分值合计 30，应为 40；请调整各指标的分值"
    assert result.total == Decimal("90.00")
    sub.rows[-1].weight = sub.rows[-1].score = Decimal(20)
    result = run(sub)
    assert result.findings == () and result.total == Decimal("100.00")
    shown = result.shown_values()
    assert (shown[(COVER, "B23")], shown[(COVER, "B24")]) == (Decimal(40), Decimal(0))


def test_a_required_group_needs_a_row() -> None:
    sub = demo()
    sub.rows = [r for r in sub.rows if not r.category.startswith("1.")]
    assert ("group-empty", OUT, "B3") in found(run(sub))


def test_blank_rows_are_ignored_and_more_rows_fit() -> None:
    sub = demo()
    sub.rows += [RowInput("1.1", name=f"数量{n}", op="≥", value=Decimal(1), unit="个", actual=Decimal(1),
                          weight=Decimal(0), score=Decimal(0)) for n in range(7)]  # fmt: skip
    slots = slots_for(NATIONAL, None, sub)
    assert slots["1.1"] == 8 and slots["1.2"] == 5
    assert run(sub).findings == ()


# ------------------------------------------------------------------------------------- Sichuan


def sichuan(rate_actual: str = "251.89", reason: str | None = None) -> ProjectSubmission:
    sub = ProjectSubmission("sc-project-2023", year=Decimal(2023), department="青神县发展和改革局")
    sub.header = {
        "项目名称": "工资性支出",
        "主管部门": "青神县发展和改革局",
        "实施单位": "青神县发展和改革局",
    }
    sub.goals = {"年度总体目标": "保障在职人员工资按时足额发放。", "实际完成情况": "已按时足额发放。"}
    sub.footer = {
        "评价结论": "优",
        "存在问题": "无",
        "改进措施": "无",
        "项目负责人": "张三",
        "财务负责人": "李四",
    }
    sub.funds = {
        "预算资金": {
            "年初预算": Decimal("238.93"),
            "调整后预算数": Decimal("251.89"),
            "预算执行数": Decimal(rate_actual),
        }
    }
    sub.funds_reason = reason
    sub.rows = [
        RowInput("1.1", name="发放(缴纳)覆盖率", op="=", value=Decimal(100), unit="%", actual=Decimal(100), weight=Decimal(60), score=Decimal(60)),
        RowInput("2.2", name="足额保障率(参保率)", op="=", value=Decimal(100), unit="%", actual=Decimal(100), weight=Decimal(30), score=Decimal(30)),
    ]  # fmt: skip
    return sub


def test_sichuan_variant_built_filled_and_checked(tmp_path: Path) -> None:
    result = run(sichuan(), SICHUAN)
    assert result.findings == ()
    assert (result.scores.funds_rate, result.total, result.grade) == (
        Decimal("1.0000"),
        Decimal("100.00"),
        "优",
    )
    assert result.scores.group_weights == {"1": Decimal(60), "2": Decimal(30), "3": Decimal(0)}
    low = run(sichuan("214.11"), SICHUAN)  # 85.00 %: below 90 %, no reason
    cov = low.form.layout.cover
    assert found(low) == [("funds-reason-missing", COVER, cov["funds_reason"])]
    assert low.findings[0].message == "预算执行率 85% 未达到 90%，请说明原因"
    assert low.scores.funds_score == Decimal("8.50")
    assert run(sichuan("214.11", "年底有项目未完成结算"), SICHUAN).findings == ()
    heavy = sichuan()
    heavy.rows[1].weight = Decimal(20)
    assert found(run(heavy, SICHUAN)) == [
        ("indicators-weight", "产出指标", "G28"),
        ("score-above-weight", "效益指标", "H8"),
    ]
    # the file and the CLI
    data = tmp_path / "sc.json"
    data.write_text(sichuan().dumps(SICHUAN), "utf-8")
    form = tmp_path / "sc.xlsx"
    assert run_cli(["import", str(data), "-o", str(form)]).exit_code == 0
    out = run_cli(["check", str(form)])
    assert out.exit_code == 0 and out.stdout.strip() == f"{form}: 总分 100，等级 优；错误 0，警告 0，提示 0"
    labels = read_grid(form).sheets["产出指标"].rows[1]
    assert labels[:9] == [
        "二级指标",
        "三级指标",
        "指标性质",
        "指标值",
        "度量单位",
        "完成值",
        "权重",
        "得分",
        "未完成原因分析",
    ]


# ---------------------------------------------------------------------------------------- the CLI


def test_new_with_rows_and_refusals(tmp_path: Path) -> None:
    form = tmp_path / "blank.xlsx"
    out = run_cli(["new", "--framework", "mof-project-2020", "--rows", "8", "-o", str(form)])
    assert out.exit_code == 0, out.output
    grid = read_grid(form)
    rows = next(str(r[1]) for r in grid.sheets["_perfscore"].rows if r and r[0] == "rows")
    assert parse_slots(rows, NATIONAL) == {c.id: 8 for c in NATIONAL.categories()}
    check = run_cli(["check", str(form)])
    assert check.exit_code == 1
    codes = re.findall(r": (error|warning) ([a-z-]+) ", check.stdout)
    assert sorted(set(codes)) == [
        ("error", "funds-missing"), ("error", "group-empty"), ("error", "header-missing"), ("warning", "budget-missing")
    ]  # fmt: skip
    dept = run_cli(["new", "--rows", "8", "-o", str(tmp_path / "d.xlsx")])
    assert dept.exit_code == 2
    assert "--rows 只用于项目支出表" in dept.stderr


# ---------------------------------------------------------------------------------------- udf mode


CALL = re.compile(r"^=(PS_[A-Z_]+)\((.*)\)$")
SIMPLE = re.compile(r"^=(PS_[A-Z_]+\(.*\)|('[^']+'!)?[A-Z]+[0-9]+)$")


def _udf_values(content: dict[Any, Any]) -> dict[tuple[str, str], Any]:
    """Evaluate each ``=PS_…`` formula with the UDFs, as xlwings would pass cells (floats, lists)."""
    from perfscore import udfs

    def excel(v: Any) -> Any:
        return float(v) if isinstance(v, Decimal) else v

    computed: dict[tuple[str, str], Any] = {}
    pending = {k: v.text for k, v in content.items() if isinstance(v, Formula) and SIMPLE.match(v.text)}

    def value(sheet: str, cell: str) -> Any:
        if (sheet, cell) in pending and (sheet, cell) not in computed:
            raise KeyError
        return computed.get((sheet, cell), excel(content.get((sheet, cell))))

    def resolve(arg: str, sheet: str) -> Any:
        if arg.startswith('"'):
            return arg.strip('"')
        if re.fullmatch(r"-?\d+(\.\d+)?", arg):
            return float(arg)
        if "!" in arg:
            sheet, arg = arg.rsplit("!", 1)
            sheet = sheet.strip("'")
        if ":" not in arg:
            return value(sheet, arg)
        (r1, c1), (r2, c2) = (parse_ref(a) for a in arg.split(":"))
        return [[value(sheet, ref(r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    while len(computed) < len(pending):
        for key, text in pending.items():
            if key in computed:
                continue
            match = CALL.match(text)
            try:
                if match is None:  # a plain reference (=G11): what the cell shows
                    computed[key] = resolve(text[1:], key[0])
                    continue
                name, args = match.groups()
                values = [resolve(a, key[0]) for a in args.split(",")]
            except KeyError:
                continue
            computed[key] = getattr(udfs, name)(*values)
    return computed


@pytest.mark.parametrize("change", ["none", "missing score", "moved weight", "low execution"])
def test_udf_formulas_give_the_engines_figures(change: str) -> None:
    sub = demo()
    if change == "missing score":
        sub.rows[2].score = None
    elif change == "moved weight":
        sub.rows = [r for r in sub.rows if not r.category.startswith("3.")]
    elif change == "low execution":
        sub.funds["年度资金总额"]["全年执行数"] = Decimal("61.234")
    content = cells_of(NATIONAL, sub, "udf")
    got = _udf_values(content)
    result = run(sub)
    lay = result.form.layout
    udf_formulas = {(c.sheet, c.cell) for c in computed_cells(lay, "udf") if SIMPLE.match(c.formula)}
    assert len(udf_formulas) == len(computed_cells(lay, "udf")) - 1  # all but the title
    assert udf_formulas == set(got)
    for key, want in result.shown_values().items():
        if key not in got:
            continue
        have = got[key]
        if isinstance(want, Decimal):
            assert isinstance(have, float) and Decimal(repr(have)) == want, key
        else:
            assert have == want, (key, have, want)


# ------------------------------------------------------------------------------------------ batch


def test_batch_checks_project_and_department_forms_together(tmp_path: Path) -> None:
    import openpyxl

    from perfscore.builder.workbook import build_workbook
    from tests.conftest import load_fw, seed_submission

    inbox = tmp_path / "in"
    inbox.mkdir()
    build_workbook(inbox / "a-project.xlsx", NATIONAL, submission=demo())
    low = demo()
    for row in ("年度资金总额", "当年财政拨款"):
        low.funds[row]["全年执行数"] = Decimal("45")  # 执行率 50 %: 预算执行率 5.00
    low.rows[0].score = Decimal(7)  # no reason: an error
    build_workbook(inbox / "b-project.xlsx", NATIONAL, submission=low)
    build_workbook(inbox / "c-sichuan.xlsx", SICHUAN, submission=sichuan())
    build_workbook(inbox / "d-seed.xlsx", load_fw(), submission=seed_submission(load_fw()))
    summary = tmp_path / "汇总.xlsx"
    run = run_cli(["batch", str(inbox), "-o", str(summary), "--json", "--jobs", "1"])
    assert run.exit_code == 1
    doc = json.loads(run.stdout)
    assert [(f["file"].split("/")[-1], f["status"], f["framework"], f["total"], f["grade"], f["errors"])
            for f in doc["forms"]] == [
        ("a-project.xlsx", "通过", "mof-project-2020", "100", "优", 0),
        ("b-project.xlsx", "未通过", "mof-project-2020", "94", "优", 1),
        ("c-sichuan.xlsx", "通过", "sc-project-2023", "100", "优", 0),
        ("d-seed.xlsx", "通过", "gz-dept-overall-2022", "90.77", "优", 0),
    ]  # fmt: skip
    b = doc["forms"][1]
    assert [(f["code"], f["sheet"], f["cell"]) for f in b["findings"]] == [
        ("suggestion-differs", OUT, "H3"),
        ("deviation-missing", OUT, "I3"),
    ]
    assert b["groups"][0] == {
        "id": "funds",
        "name": "预算执行率",
        "weight": "10",
        "score": "5",
        "children": [],
        "rate": "0.5",
    }
    wb = openpyxl.load_workbook(summary, read_only=True)
    assert "汇总" in wb.sheetnames and "指标得分" in wb.sheetnames
    wb.close()


def test_template_check_of_the_project_template() -> None:
    from perfscore.resources import templates_dir

    shipped = templates_dir() / "report-project.xlsx"
    run = run_cli(["template", "check", str(shipped)])
    assert (run.exit_code, run.stdout) == (
        0,
        "report-project.xlsx（内置模板）: 没有问题（用 mof-project-2020 的示例数据渲染了每个单元格）\n",
    )
    run = run_cli(["template", "check", str(shipped), "--framework", "sc-project-2023"])
    assert run.exit_code == 0, run.output
    run = run_cli(["template", "check", str(shipped), "--framework", "gz-dept-overall-2022"])
    assert run.exit_code == 1
    assert run.stderr.endswith("个问题（用 gz-dept-overall-2022 的示例数据检查）\n")


def test_demo_project(tmp_path: Path) -> None:
    run = run_cli(["demo", "--project", "--out", str(tmp_path)])
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    assert lines[0] == "2022年度池州市贵池区棠溪镇人民政府项目支出绩效自评表（mof-project-2020）"
    assert lines[4:8] == [
        "预算执行率    10    10",
        "产出指标      50    50",
        "效益指标      30    30",
        "满意度指标    10    10",
    ]
    assert lines[9] == "总分         100   100" and lines[10] == "评价等级    优"
    grid = read_grid(tmp_path / "project-2022.xlsx")
    assert "自评表" in grid.sheets and grid.sheets[COVER].get("B28") == Decimal(100)
