"""The shipped project report template (report-project.xlsx): the 项目支出绩效自评表 printed as a PDF.

The demo project form (perfscore/data/project-2022.json, national framework), the same with long texts,
and a filled Sichuan form are printed through LibreOffice — with the machine's fonts and under a
fontconfig that sees only the Noto CJK and DejaVu fonts (as in test_print) — and read back with
pdftotext: exact page counts, every figure and text whole, the table's header on every table page.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from perfscore.builder.workbook import build_workbook
from perfscore.engine import framework as F
from perfscore.engine.project.submission import ProjectSubmission
from perfscore.report.template import load_template
from perfscore.report.template_check import check_template
from perfscore.report.workbook import default_template, print_report, render_report
from perfscore.resources import templates_dir
from perfscore.xlsx.reader import evaluate_file

from .test_report import pages, squash

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "perfscore" / "data" / "project-2022.json"
NATIONAL, SICHUAN = "mof-project-2020", "sc-project-2023"

#: The demo form: header, funds, goals and the table's 产出指标 on page 1; 效益指标, 满意度指标, 总分
#: and 评价等级 on page 2.
DEMO_PAGES = 2
#: The demo with a 400-character reason on four rows and goals of eight paragraphs each: the goals run
#: on to page 2, the table fills pages 3–6 (a row with a long reason is about half a page tall; the
#: 产出指标 and 效益指标 groups are cut at page breaks and named again).
LONG_PAGES = 6
#: The filled Sichuan form (one funds row, a reason row for 执行率 < 90 %, the five footer fields).
SICHUAN_PAGES = 2


#: Sentences of the long texts; each ends with 。 and is unique, so it can be looked for whole.
REASON = "".join(
    f"第{n}项偏差原因：受施工季节、材料价格和审批进度等多方面因素影响，部分委托业务的实施进度较计划有所延后，"
    f"已于年底前督促相关单位加快进度并完成整改，后续将加强跟踪管理和绩效监控。"
    for n in range(1, 6)
)
GOAL = "\n".join(
    f"{n}.本项目第{n}阶段计划围绕基建工程委托业务开展全过程造价审核与咨询服务，覆盖年度内全部政府投资项目，"
    f"确保审核质量合格、报告按时提交、资金使用合规，并通过规范委托流程推动基建市场公平竞争，控制项目成本。"
    for n in range(1, 9)
)


def demo_doc() -> dict[str, Any]:
    return json.loads(DEMO.read_text("utf-8"))


def long_doc() -> dict[str, Any]:
    """The demo with long texts: a 400-character reason on four rows, goals of eight paragraphs."""
    doc = copy.deepcopy(demo_doc())
    assert len(REASON) >= 400
    for n in (0, 3, 6, 9):
        doc["indicators"][n]["reason"] = REASON
    doc["goals"] = {"预期目标": GOAL, "实际完成情况": GOAL.replace("计划", "已")}
    return doc


def sichuan_doc() -> dict[str, Any]:
    """A filled Sichuan form: 执行率 82.5 % (below 90 %, so a reason), a footer, ten rows."""
    rows = [
        (["产出指标", "数量指标"], "完成村道硬化里程", "≥12公里", "12.5", "10", "10", None),
        (
            ["产出指标", "数量指标"],
            "新建排水沟长度",
            "≥3000米",
            "2800",
            "10",
            "9",
            "部分路段因征地未完成，排水沟顺延至次年施工。",
        ),
        (["产出指标", "质量指标"], "工程验收合格率", "=100%", "100", "10", "10", None),
        (["产出指标", "时效指标"], "项目完工时间", "≤12月", "11", "10", "10", None),
        (["产出指标", "成本指标"], "每公里建设成本", "≤40万元", "38.6", "10", "10", None),
        (["效益指标", "社会效益指标"], "方便群众出行", "明显改善", "明显改善", "10", "10", None),
        (["效益指标", "可持续影响指标"], "道路设计使用年限", "≥10年", "10", "10", "10", None),
        (["效益指标", "生态效益指标"], "减少扬尘污染", "有效减少", "有效减少", "5", "5", None),
        (["满意度指标", "服务对象满意度指标"], "沿线群众满意度", "≥90%", "93", "5", "5", None),
        (["满意度指标", "服务对象满意度指标"], "施工单位满意度", "≥85%", "88", "10", "10", None),
    ]
    return {
        "framework": SICHUAN,
        "year": 2023,
        "department": "四川省某县交通运输局",
        "header": {
            "项目名称": "2023年农村公路建设项目",
            "主管部门": "某县交通运输局",
            "实施单位": "某县农村公路管理所",
        },
        "funds": {"预算资金": {"年初预算": "500", "调整后预算数": "480", "预算执行数": "396"}},
        "funds_reason": "部分路段征地协调滞后，工程款按进度支付，剩余资金将于次年结算后支付。",
        "goals": {
            "年度总体目标": "完成农村公路硬化12公里，新建排水沟3000米，改善沿线群众出行条件。",
            "实际完成情况": "完成农村公路硬化12.5公里，新建排水沟2800米，工程验收全部合格。",
        },
        "footer": {
            "评价结论": "项目总体完成较好，群众出行条件明显改善。",
            "存在问题": "预算执行率偏低，部分工程进度滞后。",
            "改进措施": "加强征地协调，按进度及时拨付资金。",
            "项目负责人": "张三",
            "财务负责人": "李四",
        },
        "indicators": [
            {"group": g, "name": n, "target": t, "actual": a, "weight": w, "score": s, "reason": r}
            for g, n, t, a, w, s, r in rows
        ],
    }


def form_of(folder: Path, doc: dict[str, Any]) -> Path:
    fw = F.load_any(doc["framework"])
    sub = ProjectSubmission.loads(json.dumps(doc, ensure_ascii=False), fw)
    path = folder / f"{doc['framework']}.xlsx"
    build_workbook(path, fw, submission=sub)
    return path


def printed(folder: Path, doc: dict[str, Any]) -> Path:
    form = form_of(folder, doc)
    print_report(form, folder / "report.pdf")
    return folder / "report.pdf"


def pdf_text(pdf: Path, page: int, mode: str) -> str:
    args = ["pdftotext", mode, "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(pdf), "-"]
    return squash(subprocess.run(args, capture_output=True, text=True, check=True).stdout)


@dataclass
class Printed:
    """A PDF's pages as text, whitespace removed: ``layout`` (pdftotext -layout: a row's one-line
    cells left to right) and ``raw`` (-raw: each cell's text in one piece, however it wraps)."""

    count: int
    layout: list[str]
    raw: list[str]

    @classmethod
    def of(cls, pdf: Path) -> Printed:
        count, size = pages(pdf)
        w, h = (float(x) for x in re.findall(r"[\d.]+", size)[:2])
        assert (round(w), round(h)) == (842, 595), size  # A4 landscape
        numbers = range(1, count + 1)
        return cls(
            count, [pdf_text(pdf, p, "-layout") for p in numbers], [pdf_text(pdf, p, "-raw") for p in numbers]
        )

    def whole(self, text: str) -> bool:
        """``text`` printed in one piece on one page (wrapped lines joined)."""
        return any(squash(text) in page for page in self.raw)

    def assert_table_pages_whole(self, last: str) -> None:
        """Every page of the table shows its header row, leftmost to rightmost column: no column is
        printed alone on a page of its own."""
        table = [t for t in self.layout if "三级指标" in t]
        assert table, self.layout
        for page in table:
            assert "一级指标二级指标三级指标" in page and last in page, page[:120]


def assert_rows_print(pdf: Printed, doc: dict[str, Any]) -> None:
    """Each row's 实际完成值, 分值, 得分 and (for a full mark) ``\\`` print side by side in its line."""
    lines = Counter(
        f"{ind['actual']}{ind['weight']}{ind['score']}" + ("\\" if ind["score"] == ind["weight"] else "")
        for ind in doc["indicators"]
    )
    text = "".join(pdf.layout)
    assert {line: text.count(line) for line in lines} == dict(lines)


@pytest.fixture(scope="module")
def demo_pdf(fonts: str, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    return Printed.of(printed(tmp_path_factory.mktemp(f"project-demo-{fonts}"), demo_doc()))


@pytest.fixture(scope="module")
def long_pdf(fonts: str, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    return Printed.of(printed(tmp_path_factory.mktemp(f"project-long-{fonts}"), long_doc()))


@pytest.fixture(scope="module")
def sichuan_pdf(fonts: str, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    return Printed.of(printed(tmp_path_factory.mktemp(f"project-sc-{fonts}"), sichuan_doc()))


# ------------------------------------------------------------------------------------ the template


def test_project_forms_use_the_project_template() -> None:
    path = templates_dir() / "report-project.xlsx"
    assert default_template(F.load_any(NATIONAL)) == path and path.is_file()
    t = load_template(path)
    assert t.page.landscape and t.n_cols == 8
    assert t.title_rows == (9, 9)  # the table's header row, below the header block
    assert [s.loop is not None for s in t.segments].count(True) == 7


@pytest.mark.parametrize("fw_id", [NATIONAL, SICHUAN])
def test_project_template_is_clean(fw_id: str) -> None:
    assert check_template(templates_dir() / "report-project.xlsx", F.load_any(fw_id)) == []


def test_demo_context_renders(tmp_path: Path) -> None:
    result = evaluate_file(form_of(tmp_path, demo_doc()))
    sheet = render_report(result)
    texts = [v for v in sheet.values.values() if isinstance(v, str)]
    assert "2022年度池州市贵池区棠溪镇人民政府项目支出绩效自评表" in texts
    assert {"99.97%", "其中：当年财政拨款", "偏差原因分析及改进措施", "年度指标值"} <= set(texts)
    assert sheet.print_title_rows is not None
    head = sheet.print_title_rows[0]
    assert [sheet.values.get((head, c)) for c in range(1, 9)] == [
        "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施",
    ]  # fmt: skip


def test_check_line_and_reason_row_print_only_when_due(tmp_path: Path) -> None:
    doc = demo_doc()
    doc["indicators"][0]["score"] = "12"  # above its weight of 8: an error
    result = evaluate_file(form_of(tmp_path, doc))
    assert result.errors
    texts = [v for v in render_report(result).values.values() if isinstance(v, str)]
    assert [t for t in texts if t.startswith("校验未通过")] == [
        f"校验未通过：错误 {result.errors} 项（见“校验结果”）"
    ]
    assert not any("原因说明" in t for t in texts)  # the national form has no 执行率 reason row
    sichuan = render_report(evaluate_file(form_of(tmp_path, sichuan_doc())))
    texts = [v for v in sichuan.values.values() if isinstance(v, str)]
    assert "预算执行率未达到90%的原因说明（100字以内）" in texts
    assert not any(t.startswith("校验未通过") for t in texts)


# ------------------------------------------------------------------------------------ printed


@pytest.mark.libreoffice
def test_demo_prints_whole(demo_pdf: Printed) -> None:
    pdf = demo_pdf
    assert pdf.count == DEMO_PAGES
    first = pdf.layout[0]
    assert first.startswith("2022年度池州市贵池区棠溪镇人民政府项目支出绩效自评表项目名称委托业务项目")
    for ind in demo_doc()["indicators"]:  # every figure and text of the ten rows, whole
        for key in ("name", "target", "actual", "weight", "score"):
            assert pdf.whole(ind[key]), (key, ind[key])
    for line in ("主管部门219-池州市贵池区棠溪镇人民政府", "实施单位池州市贵池区棠溪镇人民政府",
                 "项目资金（万元）资金来源年初预算数全年预算数全年执行数分值执行率得分",
                 "年度资金总额909089.9741099.97%10", "其中：当年财政拨款909089.974———",
                 "其中：上年结转资金000———", "其中：其他资金000———",
                 "年度总体目标预期目标本项目共申请预算资金90万元…实际完成情况本项目共完成预算资金89.97万元…",
                 "一级指标二级指标三级指标年度指标值实际完成值分值得分偏差原因分析及改进措施",
                 "数量指标基建工程委托业务项目数量≥50个5088\\"):  # fmt: skip
        assert line in first, line
    last = pdf.layout[-1]
    assert (
        "总分100100评价等级☑优90分≤得分≤100分；□良80分≤得分＜90分；□中60分≤得分＜80分；□差得分＜60分" in last
    )
    assert_rows_print(pdf, demo_doc())
    assert not any("校验未通过" in t for t in pdf.raw)
    pdf.assert_table_pages_whole("偏差原因分析及改进措施")
    assert len([t for t in pdf.layout if "三级指标" in t]) == DEMO_PAGES
    assert "成本指标单项业务成本符合相关规定达成预期指标1010" in first  # 产出指标 whole on page 1
    assert pdf.layout[1].startswith(
        "一级指标二级指标三级指标年度指标值实际完成值分值得分偏差原因分析及改进措施"
    )


@pytest.mark.libreoffice
def test_long_texts_print_whole(long_pdf: Printed) -> None:
    pdf = long_pdf
    assert pdf.count == LONG_PAGES
    goals = GOAL + "\n" + GOAL.replace("计划", "已")
    sentences = [s for s in re.split(r"(?<=。)|\n", REASON + "\n" + goals) if s]
    assert len(sentences) == 21
    for s in sentences:  # every sentence whole on one page
        assert pdf.whole(s), s
    assert sum(t.count(squash(REASON)) for t in pdf.raw) == 4  # each reason whole, on one page
    for line in goals.splitlines():  # each goal paragraph whole, on one page
        assert pdf.whole(line), line
    for ind in long_doc()["indicators"]:
        for key in ("name", "target", "actual", "weight", "score"):
            assert pdf.whole(ind[key]), (key, ind[key])
    assert "总分100100" in pdf.layout[-1]
    assert [[g in t for g in ("产出指标", "效益指标", "满意度指标")] for t in pdf.raw[2:]] == [
        [True, False, False],
        [True, True, False],  # 产出指标 named again after the break, 效益指标 begins
        [False, True, False],
        [False, False, True],
    ]
    starts = [t.startswith("一级指标二级指标三级指标") for t in pdf.layout]
    assert starts == [False, False, True, True, True, True]  # the header row on every table page
    pdf.assert_table_pages_whole("偏差原因分析及改进措施")


@pytest.mark.libreoffice
def test_sichuan_form_prints_its_columns_and_footer(sichuan_pdf: Printed) -> None:
    pdf = sichuan_pdf
    assert pdf.count == SICHUAN_PAGES
    first, everything = pdf.layout[0], "".join(pdf.layout)
    assert first.startswith("2023年度四川省某县交通运输局项目支出绩效自评表项目名称2023年农村公路建设项目")
    assert "资金来源年初预算调整后预算数预算执行数分值执行率得分预算资金5004803961082.5%8.25" in first
    assert "其中" not in first  # one funds row: it is the total
    assert pdf.whole("预算执行率未达到90%的原因说明（100字以内）")
    assert pdf.whole("部分路段征地协调滞后，工程款按进度支付，剩余资金将于次年结算后支付。")
    assert "年度总体目标年度总体目标完成农村公路硬化12公里" in first
    assert "一级指标二级指标三级指标年度指标值完成值权重得分未完成原因分析" in first
    for line in ("评价结论项目总体完成较好，群众出行条件明显改善。", "存在问题预算执行率偏低，部分工程进度滞后。",
                 "改进措施加强征地协调，按进度及时拨付资金。", "项目负责人张三", "财务负责人李四"):  # fmt: skip
        assert line in everything, line
    doc = sichuan_doc()
    for ind in doc["indicators"]:
        for key in ("name", "target", "actual", "weight", "score"):
            assert pdf.whole(ind[key]), (key, ind[key])
    assert pdf.whole(doc["indicators"][1]["reason"])
    assert_rows_print(pdf, doc)
    assert "总分10097.25评价等级☑优90分≤得分≤100分" in everything  # 8.25 for 执行率 + 89
    pdf.assert_table_pages_whole("未完成原因分析")
