"""``perfscore template copy/check/docs``: a shipped template to start from, every problem with its cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from perfscore.resources import templates_dir

from .test_framework_commands import variant
from .xlsx_helpers import run_cli


def test_check_the_shipped_templates() -> None:
    for name in ("report.xlsx", "report-simple.xlsx"):
        run = run_cli(["template", "check", templates_dir() / name])
        assert (run.exit_code, run.stderr) == (0, "")
        assert (
            run.stdout
            == f"{name}（内置模板）: 没有问题（用 gz-dept-overall-2022 的示例数据渲染了每个单元格）\n"
        )


def test_check_lists_every_problem(tmp_path: Path) -> None:
    assert run_cli(["template", "copy", "-o", tmp_path / "t.xlsx"]).exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    ws = wb["自评表"]
    ws["C3"] = "{{ departmnt }}"
    ws["E8"] = "{{ row.nme }}"
    ws["H8"] = "{{ row.score + }}"
    ws["C6"] = '{{ budget["专项资金"] }}'
    wb.save(tmp_path / "t.xlsx")
    other = variant(tmp_path, "other", lambda t: t.replace("专项资金", "专项经费"))
    run = run_cli(["template", "check", tmp_path / "t.xlsx", "--framework", other])
    assert run.exit_code == 1
    t = tmp_path / "t.xlsx"
    assert run.stdout.splitlines() == [
        f"{t}: 单元格 自评表!H8：模板语法错误：第 1 行，表达式没有写完（单元格在表达式中间结束）",
        f"{t}: 单元格 自评表!C3：没有名称 “departmnt”；最接近的：department（可用：title、framework_title、"
        "framework_id、region、department、year、header、header_fields、header_texts、budget、budget_fields、"
        "budget_unit、rows、groups、total、total_weight、grade、grade_line、bands、errors、warnings、check_lines）",
        f"{t}: 单元格 自评表!C6：没有名称 “专项资金”；最接近的：专项经费（可用：总预算、基本支出、项目支出、专项经费、"
        "其他事业发展支出、区本级资金、对下转移支付）",
        f"{t}: 单元格 自评表!E8：没有名称 “nme”；最接近的：name（可用：id、l1_id、l1_name、l1_weight、l1_score、"
        "l2_id、l2_name、l2_weight、l2_score、name、weight、explanation、score、full_mark、reason、measure、"
        "placeholder、sheet、cell）",
    ]
    assert run.stderr == f"perfscore: {t}: 4 个问题（用 other 的示例数据检查）\n"


def test_copy(tmp_path: Path) -> None:
    out = tmp_path / "简表.xlsx"
    run = run_cli(["template", "copy", "report-simple.xlsx", "-o", out])
    assert run.exit_code == 0, run.output
    assert out.read_bytes() == (templates_dir() / "report-simple.xlsx").read_bytes()
    again = run_cli(["template", "copy", "report-simple.xlsx", "-o", out])
    assert again.exit_code == 2 and "文件已存在" in again.stderr
    run = run_cli(["template", "copy", "nope.xlsx", "-o", tmp_path / "x.xlsx"])
    assert (run.exit_code, run.stderr) == (
        2,
        "perfscore: 没有内置模板 “nope.xlsx”；可用：report-project.xlsx、report-simple.xlsx、report.xlsx\n",
    )
    run = run_cli(["template", "copy", "-o", tmp_path / "x.txt"])
    assert run.exit_code == 2 and "报表模板须为 .xlsx 文件" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["简表.xlsx"]


def test_docs_print_the_shipped_guide() -> None:
    run = run_cli(["template", "docs"])
    assert run.exit_code == 0
    assert run.stdout == (templates_dir() / "README.md").read_text("utf-8")
    for name in ("report.xlsx", "report-simple.xlsx"):
        ws = openpyxl.load_workbook(templates_dir() / name)["自评表"]
        notes = [
            c.value
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and "模板说明" in c.value
        ]
        assert len(notes) == 1 and notes[0].startswith("← 模板说明：运行 perfscore template docs；"), name
