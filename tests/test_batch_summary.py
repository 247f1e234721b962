"""The finance bureau's summary workbook: every sheet read back cell by cell, memory, and print.

:func:`sample_records` makes 30 synthetic checked inputs (two frameworks, every status and grade, a
duplicate, integrity flags, a zip member, two unusable files); the expectations are computed here from
the records, independently of :mod:`perfscore.batch.summary`. ``scripts/render_batch_summary.py``
renders the README picture from the same records.
"""

from __future__ import annotations

import random
import re
import statistics
import subprocess
import tracemalloc
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from perfscore.batch.records import FAILED, PASSED, UNUSABLE, FindingRow, FormRecord, IndicatorScore
from perfscore.batch.summary import SummaryWriter
from perfscore.engine import framework, xml_text
from perfscore.errors import InternalError, WriteError
from perfscore.report import libreoffice

FW_A = framework.load("gz-dept-overall-2022")
#: A second, two-level framework (no 二级): id, name, weight, 一级.
FW_B_ID, FW_B_TITLE = "demo-project-2023", "项目支出绩效自评表"
FW_B_LEAVES = (
    ("1.1", "项目完成率", Decimal(40), "产出指标"),
    ("1.2", "项目完成及时性", Decimal(20), "产出指标"),
    ("2.1", "经济效益", Decimal(20), "效益指标"),
    ("2.2", "服务对象满意度", Decimal(20), "效益指标"),
)
SUMMARY_HEADER = ("文件", "部门", "年度", "指标体系", "总分", "等级", "错误", "警告", "完整性", "重复", "状态", "首个问题")  # fmt: skip
FINDINGS_HEADER = ("文件", "工作表", "单元格", "级别", "代码", "说明")
LEVELS = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_FILLS = {PASSED: "FFC6EFCE", FAILED: "FFFFC7CE", UNUSABLE: "FFFFEB9C"}
REASON = "“{name}”得分 {score} 低于分值 {weight}，请填写未达标原因"
DUPLICATES = {10: "与 收件/第01局.xlsx 内容完全相同", 11: "与 收件/第02局.xlsx 同一部门同一年度"}


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _grade(total: Decimal) -> str:
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def _a_leaves() -> list[tuple[str, str, Decimal, str, str]]:
    out = []
    for l1 in FW_A.roots:
        for l2 in l1.children:
            for leaf in l2.children:
                out.append((leaf.id, leaf.name, leaf.weight, l1.name, l2.name))
    return out


A_LEAVES = _a_leaves()


def sample_records(folder: Path) -> list[FormRecord]:
    """30 checked inputs whose forms lie in ``folder/收件`` (links are absolute paths there)."""
    rnd = random.Random(2022)
    records: list[FormRecord] = []
    levels = [0.97, 0.9, 0.8, 0.6, 0.4, 0.2]  # how well a form does: every grade comes out
    for n in range(24):
        level = levels[n % len(levels)]
        scores = []
        for leaf_id, name, weight, l1, l2 in A_LEAVES:
            if rnd.random() < level:
                score: Decimal | None = weight
            else:
                score = _half_up(
                    weight * Decimal(rnd.randint(int(level * 70), min(95, int(level * 100) + 10))) / 100
                )
            if n == 4 and leaf_id == "2.4.1":
                score = None  # an invalid score: no total, no grade
            scores.append(IndicatorScore(leaf_id, name, weight, score, l1, l2))
        findings = []
        short = [s for s in scores if s.score is not None and s.score < s.weight]
        for s in short[: n % 3]:  # some forms lack reasons for the points taken off
            message = REASON.format(name=s.name, score=s.score, weight=s.weight)
            findings.append(FindingRow("error", "reason-missing", "管理效率", f"I{10 + n}", message))
        if n == 4:
            findings.insert(0, FindingRow("error", "score-missing", "管理效率", "H15", "“绩效管理制度建设”的得分为空；请填写 0 至 5 之间的分数"))  # fmt: skip
        if n % 5 == 1:
            findings.append(FindingRow("warning", "score-precision", "履职效能", "H6", "“部门预算资金支出率”的得分 9.333 超过 2 位小数；合计按精确值计算后四舍五入到 0.01"))  # fmt: skip
        if n == 9:
            findings.append(
                FindingRow("info", "framework-note", "", "", "指标体系 gz-dept-overall-2022 的说明")
            )
        errors = sum(f.severity == "error" for f in findings)
        total = None if any(s.score is None for s in scores) else _half_up(sum(s.score or 0 for s in scores))
        file = f"收件/第{n:02d}局.xlsx"
        link: str | None = str(folder / file)
        if n == 3:
            file, link = "收件.zip/某街道办事处.xlsx", None  # a zip member: no link
        if n == 6:
            file = '收件/第06局 "终稿".xlsx'  # a quote in the name: doubled in the HYPERLINK formula
            link = str(folder / file)
        records.append(
            FormRecord(
                file=file,
                link=link,
                status=FAILED if errors else PASSED,
                reason=next((f.message for f in findings if f.severity == "error"), ""),
                department=f"广州市增城区第{n:02d}局" if n != 3 else "增城区某街道办事处",
                year=2022,
                framework=FW_A.id,
                framework_title=FW_A.title,
                total=total,
                grade=None if total is None else _grade(total),
                errors=errors,
                warnings=sum(f.severity == "warning" for f in findings),
                infos=sum(f.severity == "info" for f in findings),
                flags=("总分被改写", "缓存值过期") if n == 7 else ("分值被改动",) if n == 12 else (),
                duplicate=DUPLICATES.get(n, ""),
                scores=tuple(scores),
                findings=tuple(findings),
            )
        )
        if n == 15:  # the other framework's forms and the unusable files arrive in between
            records += _b_records(folder, rnd) + _unusable(folder)
    return records


def _b_records(folder: Path, rnd: random.Random) -> list[FormRecord]:
    out = []
    for n in range(4):
        scores = []
        for leaf_id, name, weight, l1 in FW_B_LEAVES:
            partial = _half_up(weight * Decimal(rnd.randint(50, 95)) / 100)
            scores.append(
                IndicatorScore(leaf_id, name, weight, weight if rnd.random() < 0.5 else partial, l1, "")
            )
        total = _half_up(sum(s.score or 0 for s in scores))
        file = f"收件/项目{n}.xlsx"
        out.append(
            FormRecord(
                file=file,
                link=str(folder / file),
                status=PASSED,
                reason="",
                department=f"增城区项目单位{n}",
                year=2023,
                framework=FW_B_ID,
                framework_title=FW_B_TITLE,
                total=total,
                grade=_grade(total),
                errors=0,
                warnings=0,
                infos=0,
                flags=(),
                duplicate="",
                scores=tuple(scores),
                findings=(),
            )
        )
    return out


def _unusable(folder: Path) -> list[FormRecord]:
    reasons = {
        "收件/说明.docx": "不是 Excel 工作簿（是 Word 文档）；请让填报单位提交自评表的 .xlsx 文件",
        "收件/加密.xlsx": "工作簿已加密（设置了打开密码）；请让填报单位去掉密码后重新提交",
    }
    return [
        FormRecord(f, str(folder / f), UNUSABLE, r, "", None, "", "", None, None, 0, 0, 0, (), "", (), ())
        for f, r in reasons.items()
    ]


def write_summary(path: Path, records: list[FormRecord]) -> Path:
    with SummaryWriter(path) as writer:
        for record in records:
            writer.add(record)
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[FormRecord]]:
    folder = tmp_path_factory.mktemp("batch")
    records = sample_records(folder)
    return write_summary(folder / "汇总.xlsx", records), records


@pytest.fixture(scope="module")
def book(batch: tuple[Path, list[FormRecord]]) -> Any:
    return openpyxl.load_workbook(batch[0])


def rows(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


# --------------------------------------------------------------------------------------- the sample


def test_the_sample_has_what_the_summary_must_show(batch: tuple[Path, list[FormRecord]]) -> None:
    records = batch[1]
    assert len(records) == 30
    assert {r.status for r in records} == {PASSED, FAILED, UNUSABLE}
    assert {r.grade for r in records} >= {"优", "良", "中", "差", None}
    assert {r.framework for r in records} == {FW_A.id, FW_B_ID, ""}
    assert any(r.duplicate for r in records) and any(r.flags for r in records)
    assert any(r.link is None for r in records) and any(r.total is None and r.scores for r in records)


def test_the_sheets_in_order(book: Any) -> None:
    assert book.sheetnames == ["汇总", "指标得分", "问题清单", "统计"]


# --------------------------------------------------------------------------------------- 汇总


def expected_summary_row(record: FormRecord, folder: Path) -> tuple[Any, ...]:
    if record.link:
        target = Path(record.link).relative_to(folder).as_posix().replace('"', '""')
        file: Any = f'=HYPERLINK("{target}","{record.file.replace(chr(34), chr(34) * 2)}")'
    else:
        file = record.file
    counts = record.status != UNUSABLE
    return (
        file,
        record.department or None,
        record.year,
        record.framework or None,
        None if record.total is None else float(record.total),
        record.grade,
        record.errors if counts else None,
        record.warnings if counts else None,
        "；".join(record.flags) or None,
        record.duplicate or None,
        record.status,
        record.reason or None,
    )


def test_summary_has_a_row_per_input_exactly(book: Any, batch: tuple[Path, list[FormRecord]]) -> None:
    path, records = batch
    ws = book["汇总"]
    got = rows(ws)
    assert got[0] == SUMMARY_HEADER
    assert got[1:] == [expected_summary_row(r, path.parent) for r in records]
    assert ws.max_row == len(records) + 1


def test_summary_numbers_are_numbers_and_statuses_are_coloured(
    book: Any, batch: tuple[Path, list[FormRecord]]
) -> None:
    ws = book["汇总"]
    for n, record in enumerate(batch[1], start=2):
        total = ws.cell(n, 5)
        if record.total is not None:
            assert isinstance(total.value, (int, float)) and total.data_type == "n"
            assert total.number_format == "General"  # shown as the form shows it: 88.5, 90.77
        if record.year is not None:
            assert ws.cell(n, 3).data_type == "n"
        assert ws.cell(n, 11).fill.fgColor.rgb == STATUS_FILLS[record.status]


def test_summary_links_to_the_forms(book: Any, batch: tuple[Path, list[FormRecord]]) -> None:
    path, records = batch
    ws = book["汇总"]
    assert ws["A2"].value == '=HYPERLINK("收件/第00局.xlsx","收件/第00局.xlsx")'
    zip_row = next(n for n, r in enumerate(records, start=2) if r.link is None)
    assert ws.cell(zip_row, 1).value == "收件.zip/某街道办事处.xlsx"
    quoted = next(n for n, r in enumerate(records, start=2) if '"' in r.file)
    assert ws.cell(quoted, 1).value == '=HYPERLINK("收件/第06局 ""终稿"".xlsx","收件/第06局 ""终稿"".xlsx")'
    cached = openpyxl.load_workbook(path, data_only=True)["汇总"]  # what a viewer shows without recalculating
    assert cached["A2"].value == "收件/第00局.xlsx"


def test_summary_sheet_setup(book: Any, batch: tuple[Path, list[FormRecord]]) -> None:
    ws = book["汇总"]
    n = len(batch[1]) + 1
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:L{n}"
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (
        ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    )  # 1 page wide (the default)
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGHIJKL"}
    assert all(5 <= w <= 50 for w in widths.values()), widths
    assert widths["L"] > widths["B"] > widths["C"]  # 首个问题 widest, 年度 narrow


# --------------------------------------------------------------------------------------- 问题清单


def test_findings_list_every_finding_of_every_form(book: Any, batch: tuple[Path, list[FormRecord]]) -> None:
    records = batch[1]
    ws = book["问题清单"]
    got = rows(ws)
    expected = [
        (r.file, f.sheet or None, f.cell or None, LEVELS[f.severity], f.code, f.message)
        for r in records
        for f in r.findings
    ]
    assert got[0] == FINDINGS_HEADER
    assert len(got) - 1 == sum(len(r.findings) for r in records) == len(expected) > 20
    assert got[1:] == expected
    assert {row[3] for row in got[1:]} == {"错误", "警告", "提示"}
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:F{len(got)}"


# --------------------------------------------------------------------------------------- 指标得分


def score_blocks(ws: Any) -> list[dict[str, Any]]:
    """The blocks of 指标得分 as read: heading, group table, shortfall table, indicator labels, form
    rows and the averages row."""
    table = rows(ws)
    blocks: list[dict[str, Any]] = []
    n = 0
    while n < len(table):
        a = table[n][0]
        if isinstance(a, str) and a.startswith("指标体系 "):
            block: dict[str, Any] = {"heading": a, "groups": [], "short": [], "forms": []}
            n += 2  # the group table's title, then its header
            assert table[n][:5] == ("一级指标", "二级指标", "分值", "平均得分", "平均得分率")
            n += 1
            while table[n][0] is not None:
                block["groups"].append(table[n][:5])
                n += 1
            n += 1
            assert table[n][0] == "最常未得满分的指标"
            n += 2
            while table[n][0] is not None:
                block["short"].append(table[n][:4])
                n += 1
            n += 1
            assert table[n][:2] == ("文件", "部门")
            block["header_row"] = n + 1
            block["labels"] = [v for v in table[n][2:] if v is not None]
            n += 2
            while table[n][0] != "平均":
                block["forms"].append(table[n])
                n += 1
            block["average"] = table[n]
            blocks.append(block)
        n += 1
    return blocks


def leaf_stats(records: list[FormRecord]) -> dict[str, dict[str, Any]]:
    """Per indicator, computed here: its valid scores (as floats), mean, mean rate, times short."""
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        for s in r.scores:
            d = out.setdefault(s.id, {"leaf": s, "valid": [], "short": 0})
            if s.score is not None:
                d["valid"].append(float(s.score))
                d["short"] += s.score < s.weight
    for d in out.values():
        d["mean"] = statistics.fmean(d["valid"]) if d["valid"] else None
        d["rate"] = None if d["mean"] is None else d["mean"] / float(d["leaf"].weight)
    return out


def approx(values: Any) -> Any:
    """``values`` with every number compared to 1e-9 (rows of text and numbers, nested)."""
    if isinstance(values, (list, tuple)):
        return type(values)(approx(v) for v in values)
    if isinstance(values, (int, float)) and not isinstance(values, bool):
        return pytest.approx(values, rel=1e-9)
    return values


@pytest.mark.parametrize("index", [0, 1])
def test_indicator_scores_block_per_framework(
    book: Any, batch: tuple[Path, list[FormRecord]], index: int
) -> None:
    records = batch[1]
    fw_id = (FW_A.id, FW_B_ID)[index]  # 24 forms of A, 4 of B: A first
    forms = [r for r in records if r.framework == fw_id]
    block = score_blocks(book["指标得分"])[index]
    title = (FW_A.title, FW_B_TITLE)[index]
    assert block["heading"] == f"指标体系 {fw_id}（{title}）：{len(forms)} 份"
    leaves = list(forms[0].scores)
    weight = {s.id: s.weight for s in leaves}
    assert block["labels"] == [f"{s.id} {s.name}（{s.weight.normalize():f}分）" for s in leaves]
    # a row per form: file, department, then each indicator's score and rate
    assert len(block["forms"]) == len(forms)
    for row, r in zip(block["forms"], forms, strict=True):
        expected: list[Any] = [r.file, r.department]
        for s in r.scores:
            expected += (
                [None, None] if s.score is None else [float(s.score), float(s.score) / float(s.weight)]
            )
        assert list(row[: len(expected)]) == approx(expected)
    # the averages row
    stats = leaf_stats(forms)
    expected_avg: list[Any] = ["平均", f"{len(forms)} 份"]
    for s in leaves:
        expected_avg += [stats[s.id]["mean"], stats[s.id]["rate"]]
    assert list(block["average"][: len(expected_avg)]) == approx(expected_avg)
    # 一级 (and 二级) average rates: sum of the indicators' means over the sum of their weights
    groups: dict[tuple[str, str], list[str]] = {}
    for s in leaves:
        groups.setdefault((s.l1_name, ""), []).append(s.id)
        if s.l2_name:
            groups.setdefault((s.l1_name, s.l2_name), []).append(s.id)
    expected_groups = []
    for (l1, l2), ids in sorted(groups.items(), key=lambda kv: [k[0] for k in groups].index(kv[0][0])):
        mean = sum(stats[i]["mean"] for i in ids)
        expected_groups.append((l1, l2 or "（合计）", float(sum(weight[i] for i in ids)), mean, mean / float(sum(weight[i] for i in ids))))  # fmt: skip
    assert block["groups"] == approx(expected_groups)
    # the 10 indicators most often below full marks, most often first (ties in framework order)
    order = [s.id for s in leaves]
    short = sorted(
        (i for i in order if stats[i]["short"]), key=lambda i: (-stats[i]["short"], order.index(i))
    )[:10]
    assert block["short"] == approx(
        [(i, stats[i]["leaf"].name, stats[i]["short"], stats[i]["short"] / len(forms)) for i in short]
    )


def test_the_missing_score_is_left_out_of_the_average(
    book: Any, batch: tuple[Path, list[FormRecord]]
) -> None:
    block = score_blocks(book["指标得分"])[0]
    col = 2 + 2 * [s.id for s in batch[1][0].scores].index("2.4.1")
    assert sum(row[col] is None for row in block["forms"]) == 1
    valid = [row[col] for row in block["forms"] if row[col] is not None]
    assert block["average"][col] == approx(statistics.fmean(valid))


def test_indicator_scores_sheet_setup(book: Any, batch: tuple[Path, list[FormRecord]]) -> None:
    ws = book["指标得分"]
    blocks = score_blocks(ws)
    assert ws.freeze_panes == "C1"  # 文件 and 部门 stay in view (two blocks: no frozen header rows)
    assert ws.print_title_cols == "$A:$B"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    breaks = [b.id for b in ws.col_breaks.brk]
    assert breaks == [14, 26, 38, 50]  # 6 indicators (12 columns) a printed page, never split
    rules = {str(cf.sqref): [r.type for r in cf.rules] for cf in ws.conditional_formatting}
    for block in blocks:
        first, last = block["header_row"] + 2, block["header_row"] + 2 + len(block["forms"])
        rate_cols = [openpyxl.utils.get_column_letter(4 + 2 * n) for n in range(len(block["labels"]))]
        sqref = " ".join(f"{c}{first}:{c}{last}" for c in rate_cols)
        assert rules[sqref] == ["colorScale"], sorted(rules)


def test_one_framework_freezes_and_repeats_its_header(tmp_path: Path) -> None:
    records = [r for r in sample_records(tmp_path) if r.framework == FW_A.id][:5]
    ws = openpyxl.load_workbook(write_summary(tmp_path / "s.xlsx", records))["指标得分"]
    header = score_blocks(ws)[0]["header_row"]
    assert ws.print_title_rows == f"${header}:${header + 1}"
    assert ws.freeze_panes == "C1"


# --------------------------------------------------------------------------------------- 统计


def stats_tables(ws: Any) -> dict[str, list[tuple[Any, Any]]]:
    """统计's tables (columns A:B) by the text of their header's first cell."""
    tables: dict[str, list[tuple[Any, Any]]] = {}
    current: list[tuple[Any, Any]] | None = None
    for n, (a, b, *_) in enumerate(ws.iter_rows(min_row=4, max_col=2, values_only=True), start=4):
        if a is None:
            current = None
        elif current is None:
            current = tables[a] = []
            tables[f"{a}@row"] = [(n, None)]
        else:
            current.append((a, b))
    return tables


def test_stats_counts(book: Any, batch: tuple[Path, list[FormRecord]]) -> None:
    records = batch[1]
    ws = book["统计"]
    status = {s: sum(r.status == s for r in records) for s in (PASSED, FAILED, UNUSABLE)}
    assert ws["A1"].value == "绩效自评表批量检查统计"
    assert ws["A2"].value == f"共收到 30 个文件：通过 {status[PASSED]} 个，未通过 {status[FAILED]} 个，无法读取 {status[UNUSABLE]} 个。"  # fmt: skip
    tables = stats_tables(ws)
    assert tables["项目"] == [
        ("收到的文件", 30),
        ("通过", status[PASSED]),
        ("未通过", status[FAILED]),
        ("无法读取", status[UNUSABLE]),
        ("无总分（有得分无效或缺失）", sum(r.total is None and r.status != UNUSABLE for r in records)),
        ("有完整性问题", sum(bool(r.flags) for r in records)),
        ("与其他文件重复", sum(bool(r.duplicate) for r in records)),
        ("错误（条）", sum(f.severity == "error" for r in records for f in r.findings)),
        ("警告（条）", sum(f.severity == "warning" for r in records for f in r.findings)),
        ("提示（条）", sum(f.severity == "info" for r in records for f in r.findings)),
    ]
    assert tables["等级"] == [(g, sum(r.grade == g for r in records)) for g in "优良中差"]
    totals = [r.total for r in records if r.total is not None]
    bands = [("0–59", 0, 60), ("60–69", 60, 70), ("70–79", 70, 80), ("80–89", 80, 90), ("90–100", 90, 101)]
    assert tables["总分分段"] == [(label, sum(lo <= t < hi for t in totals)) for label, lo, hi in bands]
    assert sum(c for _, c in tables["总分分段"]) == len(totals)
    # the average rate per 二级 indicator (framework A) and per 末级 (framework B, no 二级)
    forms_a = [r for r in records if r.framework == FW_A.id]
    stats_a = leaf_stats(forms_a)
    by_l2: dict[str, list[str]] = {}
    for s in forms_a[0].scores:
        by_l2.setdefault(s.l2_name, []).append(s.id)
    expected = [
        (l2, sum(stats_a[i]["mean"] for i in ids) / sum(float(stats_a[i]["leaf"].weight) for i in ids))
        for l2, ids in by_l2.items()
    ]
    assert tables[f"二级指标（{FW_A.id}）"] == approx(expected)
    stats_b = leaf_stats([r for r in records if r.framework == FW_B_ID])
    assert tables[f"末级指标（{FW_B_ID}）"] == approx(
        [(f"{i} {n}", stats_b[i]["rate"]) for i, n, _, _ in FW_B_LEAVES]
    )
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9


def test_stats_charts_are_native_and_read_their_tables(book: Any) -> None:
    ws = book["统计"]
    tables = stats_tables(ws)
    charts = ws._charts
    assert len(charts) == 4  # grades, totals, and a rate chart per framework

    def span(name: str) -> tuple[str, str]:
        first = tables[f"{name}@row"][0][0] + 1
        last = first + len(tables[name]) - 1
        return f"统计!$A${first}:$A${last}", f"统计!$B${first}:$B${last}"

    def refs(chart: Any) -> tuple[str, str]:
        (series,) = chart.series
        cat = series.cat.strRef or series.cat.numRef
        return cat.f.replace("'", ""), series.val.numRef.f.replace("'", "")

    kinds = [(type(c).__name__, c.barDir) for c in charts]
    assert kinds == [("BarChart", "col"), ("BarChart", "col"), ("BarChart", "bar"), ("BarChart", "bar")]
    assert refs(charts[0]) == span("等级")
    assert refs(charts[1]) == span("总分分段")
    assert refs(charts[2]) == span(f"二级指标（{FW_A.id}）")
    assert refs(charts[3]) == span(f"末级指标（{FW_B_ID}）")


# --------------------------------------------------------------------------------------- edges


def test_an_empty_batch_says_so(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_summary(tmp_path / "空.xlsx", []))
    assert rows(book["汇总"]) == [SUMMARY_HEADER, ("没有收到任何表格。", *[None] * 11)]
    assert rows(book["问题清单"])[1][0] == "没有收到任何表格。"
    assert book["指标得分"]["A1"].value.startswith("没有可计分的表格")
    ws = book["统计"]
    assert ws["A2"].value == "没有收到任何表格：共 0 个文件。"
    assert stats_tables(ws)["项目"][0] == ("收到的文件", 0)
    assert len(ws._charts) == 2  # grades and totals (all 0); no indicator to chart


def test_hostile_text_stays_text(tmp_path: Path) -> None:
    """Text from the inputs is written as it is: never a formula, never raw XML, never a crash."""
    base = sample_records(tmp_path)[0]
    texts = ["<r>x</r>", "<r><t>y</t></r>", "=SUM(1,2)", "caf\udce9.xlsx", "a\ufffeb", "_x0041_"]
    records = [
        FormRecord(**{**base.__dict__, "file": t, "department": t, "reason": t, "link": None}) for t in texts
    ]
    ws = openpyxl.load_workbook(write_summary(tmp_path / "h.xlsx", records))["汇总"]
    shown = ["<r>x</r>", "<r><t>y</t></r>", "=SUM(1,2)", "caf\ufffd.xlsx", "a\ufffdb", "_x0041_"]
    for n, text in enumerate(shown, start=2):
        assert ws.cell(n, 2).data_type == "s"
        # (openpyxl shows the stored _xHHHH_ escapes; Excel, LibreOffice and perfscore decode them)
        cells = (ws.cell(n, 1).value, ws.cell(n, 2).value, ws.cell(n, 12).value)
        assert tuple(xml_text.decode(c) for c in cells) == (text, text, text)


def test_an_exception_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old")
    records = sample_records(tmp_path)
    with pytest.raises(RuntimeError), SummaryWriter(target) as writer:
        writer.add(records[0])
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]
    with pytest.raises(InternalError):
        writer.add(records[1])


def test_an_unwritable_target_fails_before_any_form(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="不存在"):
        SummaryWriter(tmp_path / "没有这个文件夹" / "汇总.xlsx")


# --------------------------------------------------------------------------------------- memory


def light_record(n: int) -> FormRecord:
    """A small form (one indicator, a finding on every other one): what costs memory per form is the
    same, and the test stays quick under tracemalloc."""
    score = (IndicatorScore("1.1", "指标", Decimal(10), Decimal(n % 11), "一级", ""),)
    finding = (
        FindingRow("error", "score-missing", "表", "H5", "得分为空，请填写 0 至 10 之间的分数" * (1 + n % 4)),
    )
    return FormRecord(f"收件/第{n}局.xlsx", f"收件/第{n}局.xlsx" if n % 2 else None, FAILED, "得分为空" * (1 + n % 30),
                      f"第{n}局", 2022, "fw", "表", Decimal(n % 100), "良", 1, 0, 0, (), "", score,
                      finding if n % 2 else ())  # fmt: skip


def peak_memory(path: Path, count: int) -> tuple[int, int]:
    """Peak traced memory (bytes) while ``count`` forms are added, and while the workbook is saved."""
    records = [light_record(n) for n in range(count)]
    tracemalloc.start()
    try:
        with SummaryWriter(path) as writer:
            for record in records:
                writer.add(record)
            adding = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
        return adding, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat(tmp_path: Path) -> None:
    peak_memory(tmp_path / "warm.xlsx", 20)  # imports and first-use caches
    small, large = peak_memory(tmp_path / "100.xlsx", 100), peak_memory(tmp_path / "1000.xlsx", 1000)
    # Ten times the forms, the same memory while they come (anything kept per form would show: ~1 kB
    # for a native hyperlink, ~0.3 kB for each row height XlsxWriter remembers) ...
    assert large[0] < 1.3 * small[0] and large[0] < 400_000, (small, large)
    # ... and saving works in buffers of a fixed size (zip, 64 kB copies of the sheets' row files):
    # they fill up for the first few hundred forms, then stay as they are (measured: 0.55 MB for
    # 100 forms, 0.9 MB for 1,000 or 3,000)
    assert large[1] < 2_000_000, (small, large)
    assert openpyxl.load_workbook(tmp_path / "1000.xlsx", read_only=True)["汇总"].max_row == 1001


# --------------------------------------------------------------------------------------- print


def squash(text: str) -> str:
    return re.sub(r"\s", "", text)


def pdf_pages(pdf: Path) -> list[str]:
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert "841.89 x 595.3" in info  # A4 landscape
    return [
        subprocess.run(  # -raw: in drawing order, a cell's wrapped lines stay together
            ["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(p), "-l", str(p), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        for p in range(1, count + 1)
    ]


@pytest.mark.libreoffice
def test_libreoffice_prints_it(batch: tuple[Path, list[FormRecord]], tmp_path: Path) -> None:
    path, records = batch
    pages = [squash(p) for p in pdf_pages(libreoffice.to_pdf(path, tmp_path, timeout=180))]
    status = {s: sum(r.status == s for r in records) for s in (PASSED, FAILED, UNUSABLE)}
    by_sheet: dict[str, list[str]] = {}
    for page in pages:
        sheet = next(s for s in ("汇总", "指标得分", "问题清单", "统计") if page.startswith(s))
        by_sheet.setdefault(sheet, []).append(page)
    assert list(by_sheet) == ["汇总", "指标得分", "问题清单", "统计"]
    # 汇总 on one page, every column on it (fit to the width), every file and status there
    (summary,) = by_sheet["汇总"]
    assert all(squash(h) in summary for h in SUMMARY_HEADER)
    assert all(squash(r.file) in summary for r in records)
    assert "加密.xlsx" in summary and squash(records[-1].department) in summary
    # 指标得分: every indicator's label printed whole on some page, with the file column repeated
    scores = "".join(by_sheet["指标得分"])
    assert all(squash(f"{i} {n}") in scores for i, n, *_ in A_LEAVES)
    assert all(
        "文件" in p for p in by_sheet["指标得分"] if "得分得分率得分得分率" in p
    )  # header on each page
    assert "平均" in scores and "最常未得满分的指标" in scores
    # 问题清单 and 统计: the findings and the counts
    assert "reason-missing" in "".join(by_sheet["问题清单"])
    (stats,) = by_sheet["统计"]
    assert (
        f"共收到30个文件：通过{status[PASSED]}个，未通过{status[FAILED]}个，无法读取{status[UNUSABLE]}个。"
        in stats
    )
    assert all(label in stats for label in ("等级分布", "总分分布", "各二级指标平均得分率"))


def test_an_interrupted_batch_is_dropped_quickly(tmp_path: Path) -> None:
    """Ctrl-C after thousands of forms: nothing is saved, nothing is left behind, no file stays open."""
    target = tmp_path / "汇总.xlsx"
    with pytest.raises(KeyboardInterrupt), SummaryWriter(target) as writer:
        for n in range(300):
            writer.add(light_record(n))
        raise KeyboardInterrupt
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_links_are_relative_to_the_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A link given relative to the working folder still opens the form from the summary's folder."""
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    base = sample_records(tmp_path)[0]
    record = FormRecord(**{**base.__dict__, "file": "第00局.xlsx", "link": "收件/第00局.xlsx"})
    ws = openpyxl.load_workbook(write_summary(Path("out/汇总.xlsx"), [record]))["汇总"]
    assert ws["A2"].value == '=HYPERLINK("../收件/第00局.xlsx","第00局.xlsx")'
