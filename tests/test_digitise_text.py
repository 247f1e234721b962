"""``digitise`` of the published seed as its PDF's text came out (``../shared/seed/*.txt``), and of
that text altered the ways a published form can be wrong."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from perfscore.engine.submission import Submission
from perfscore.errors import UnusableInputError
from perfscore.published.digitise import Digitised, digitise

from .conftest import load_fw, seed_submission
from .xlsx_helpers import run_cli

SEED_TEXT = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_f2d04014988fe795.txt"


def seed_lines() -> str:
    return SEED_TEXT.read_text("utf-8")


def digitised(tmp_path: Path, text: str, name: str = "published.txt") -> Digitised:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return digitise(path)


def codes(done: Digitised) -> list[tuple[str, str]]:
    return [(f.code, f.sheet) for f in done.findings]


@pytest.fixture(scope="module")
def seed() -> Digitised:
    return digitise(SEED_TEXT)


def test_the_seed_reads_as_its_submission(seed: Digitised) -> None:
    """Every row, header text and budget figure equals the seed's hand-made submission (which has the
    two execution rates a printed form does not show: they come back empty)."""
    expected = seed_submission().to_json(load_fw())
    for row in expected["indicators"]:
        if "rate" in row:
            row["rate"] = None
    expected["header"]["单位数"] = "1"
    assert seed.data == expected
    assert seed.framework.id == "gz-dept-overall-2022"
    assert len(seed.data["indicators"]) == 26


def test_the_seed_reports_the_lost_row_and_the_inferred_splits_only(seed: Digitised) -> None:
    assert codes(seed) == [
        ("digitise-text-split", "第 108 行"),
        ("digitise-text-split", "第 127 行"),
        ("digitise-row-partial", "第 247 行"),
        ("digitise-text-split", "第 272 行"),
    ]
    partial = seed.findings[2]
    assert "2.5.2" in partial.message and "分值 1.5" in partial.message and "得分 1.5" in partial.message


def test_import_then_check_gives_the_published_figures(tmp_path: Path) -> None:
    data = tmp_path / "seed.json"
    assert run_cli(["digitise", SEED_TEXT, "-o", data]).exit_code == 0
    form = tmp_path / "form.xlsx"
    assert run_cli(["import", data, "-o", form]).exit_code == 0
    checked = run_cli(["check", "--json", form])
    doc = json.loads(checked.stdout)
    assert [(g["name"], g["score"]) for g in doc["groups"]] == [("履职效能", "41.8"), ("管理效率", "48.97")]
    assert (doc["total"], doc["grade"], doc["errors"], doc["warnings"]) == ("90.77", "优", 0, 0)


def test_the_cli_report_and_summary(tmp_path: Path) -> None:
    data = tmp_path / "out.json"
    run = run_cli(["digitise", SEED_TEXT, "-o", data])
    lines = run.stdout.splitlines()
    assert len(lines) == 5
    assert lines[2].endswith(
        "第 247 行: warning digitise-row-partial 2.5.2“〔名称待补〕采购管理第2项”的名称与指标解释在原表中缺失，"
        "按其位置和分值 1.5 读出得分 1.5；请对照原表核对"
    )
    assert "读出三级指标 26/26 行，原表总分 90.77、评价等级 优；错误 0，警告 1，提示 3；已写入" in lines[4]
    assert Submission.loads(data.read_text("utf-8"), load_fw()).indicators["2.5.7"].score == Decimal("0.97")


def test_the_cli_json_report(tmp_path: Path) -> None:
    run = run_cli(["digitise", SEED_TEXT, "-o", tmp_path / "d.json", "--json"])
    doc = json.loads(run.stdout)
    assert (doc["framework"], doc["read_as"], doc["rows_read"], doc["rows_expected"]) == (
        "gz-dept-overall-2022", "text", 26, 26,
    )  # fmt: skip
    assert (doc["errors"], doc["warnings"], doc["printed_total"], doc["ticked_grade"]) == (
        0,
        1,
        "90.77",
        "优",
    )
    assert [f["code"] for f in doc["findings"]].count("digitise-text-split") == 3


def test_an_existing_output_is_never_overwritten(tmp_path: Path) -> None:
    data = tmp_path / "mine.json"
    data.write_text("keep", encoding="utf-8")
    run = run_cli(["digitise", SEED_TEXT, "-o", data])
    assert run.exit_code != 0 and "已存在" in run.stderr
    assert data.read_text("utf-8") == "keep"


def test_the_default_output_is_beside_the_input(tmp_path: Path) -> None:
    src = tmp_path / "自评表.txt"
    src.write_text(seed_lines(), encoding="utf-8")
    assert run_cli(["digitise", src]).exit_code == 0
    assert (
        json.loads((tmp_path / "自评表.json").read_text("utf-8"))["department"] == "广州市增城区工商业联合会"
    )


# ------------------------------------------------------------------------- a form that is wrong


def test_an_altered_total_does_not_add_up(tmp_path: Path) -> None:
    done = digitised(tmp_path, seed_lines().replace("总分 100 90.77", "总分 100 92.77"))
    assert ("digitise-total-differs", "第 362 行") in codes(done)
    message = next(f.message for f in done.findings if f.code == "digitise-total-differs")
    assert message == "原表总分 92.77 与读出的各项得分之和 90.77 不符；原表可能有误或被改动"
    run = run_cli(["digitise", tmp_path / "published.txt", "-o", tmp_path / "x.json"])
    assert run.exit_code == 1


def test_an_altered_score_does_not_add_up_either(tmp_path: Path) -> None:
    done = digitised(tmp_path, seed_lines().replace("0.97 预算资金支出率", "0.87 预算资金支出率"))
    assert [f.message for f in done.findings if f.code == "digitise-total-differs"] == [
        "原表总分 90.77 与读出的各项得分之和 90.67 不符；原表可能有误或被改动"
    ]


def test_a_wrong_tick_a_wrong_weight_and_a_budget_that_does_not_balance(tmp_path: Path) -> None:
    text = seed_lines()
    text = text.replace("☑优", "□优").replace("□良", "☑良")
    text = text.replace("数据质量 2\n", "数据质量 3\n")
    text = text.replace("536.58 441.13 95.45", "536.58 441.13 95.54")
    done = digitised(tmp_path, text)
    by_code = {f.code: f.message for f in done.findings}
    assert by_code["digitise-grade-differs"] == "原表评价等级勾选“良”，按原表总分 90.77 应为“优”"
    assert by_code["digitise-weight-differs"] == (
        "2.6.4“数据质量”原表分值 3 与指标体系 gz-dept-overall-2022 的分值 2 不符；请确认所用指标体系"
    )
    assert by_code["digitise-budget-differs"] == (
        "原表预算：总预算 = 基本支出 + 项目支出 不成立（536.58 ≠ 536.67）"
    )


def test_a_row_whose_score_is_not_a_number_is_left_out_and_reported(tmp_path: Path) -> None:
    done = digitised(tmp_path, seed_lines().replace("9.3 年度平均执行率", "九点三 年度平均执行率"))
    assert "1.1.3" not in {r["id"] for r in done.data["indicators"]}
    unread = [f for f in done.findings if f.code == "digitise-row-unread"]
    assert [f.message for f in unread] == [
        "未能读出 1.1.3“部门预算资金支出率”（指标体系分值 10）：得分处为“九点三”；此行未写入数据，请对照原表补填"
    ]
    assert [f.code for f in done.findings if f.code.startswith("digitise-total")] == [
        "digitise-total-unchecked"
    ]


def test_a_lost_row_without_its_line_is_reported_unread(tmp_path: Path) -> None:
    done = digitised(tmp_path, seed_lines().replace("1.5 1.5 \\ \\\n", ""))
    assert "2.5.2" not in {r["id"] for r in done.data["indicators"]}
    assert [f.code for f in done.findings if f.severity.value == "error"] == ["digitise-row-unread"]
    assert len(done.data["indicators"]) == 25


# ----------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "未能识别所用的指标体系"),
        ("随便写的一段文字\n没有表格".encode(), "未能识别所用的指标体系"),
        (b"PK\x03\x04\x00\x00binary", "不是 PDF 也不是文本文件"),
        (b"\xff\xfe\xfd\x80\x81", "文本编码无法识别"),
    ],
)
def test_what_is_no_published_form_is_refused_in_chinese(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(content)
    with pytest.raises(UnusableInputError, match=message):
        digitise(path)
    run = run_cli(["digitise", path, "-o", tmp_path / "x.json"])
    assert run.exit_code == 2 and message in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "x.json").exists()


def test_a_gb18030_text_reads_the_same(tmp_path: Path, seed: Digitised) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(seed_lines().encode("gb18030"))
    assert digitise(path).data == seed.data


def test_a_missing_file_and_a_folder_are_refused(tmp_path: Path) -> None:
    for path in (tmp_path / "nope.pdf", tmp_path):
        run = run_cli(["digitise", path, "-o", tmp_path / "y.json"])
        assert run.exit_code == 2 and "Traceback" not in run.stderr


def test_for_year_keeps_the_texts_and_empties_every_result(tmp_path: Path, seed: Digitised) -> None:
    data = tmp_path / "2023.json"
    run = run_cli(["digitise", SEED_TEXT, "--for-year", "2023", "-o", data])
    assert run.exit_code == 0 and run.stdout.splitlines()[-1].startswith("已按 2023 年的起始数据写出")
    doc = json.loads(data.read_text("utf-8"))
    assert (doc["year"], doc["department"], doc["header"]) == (
        2023,
        seed.data["department"],
        seed.data["header"],
    )
    assert set(doc["budget"].values()) == {None}
    assert [r["name"] for r in doc["indicators"]] == [r["name"] for r in seed.data["indicators"]]
    assert {(r["score"], r["reason"], r["measure"], r.get("rate")) for r in doc["indicators"]} == {
        (None, None, None, None)
    }
    form = tmp_path / "2023.xlsx"
    assert run_cli(["import", data, "-o", form]).exit_code == 0
    checked = json.loads(run_cli(["check", "--json", form]).stdout)
    assert [f["code"] for f in checked["findings"]].count("score-missing") == 26
    assert checked["total"] is None
