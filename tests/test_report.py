"""The print-ready report sheet (自评表): context, template renderer, workbook regeneration, PDF."""

from __future__ import annotations

import copy
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell

from perfscore import builder
from perfscore.engine import layout as L
from perfscore.engine.decimals import fmt
from perfscore.engine.framework import Framework
from perfscore.engine.submission import Submission
from perfscore.errors import PerfscoreError
from perfscore.report.context import build_context
from perfscore.report.render import render
from perfscore.report.template import load_template
from perfscore.report.workbook import default_template, render_report, write_report
from perfscore.resources import templates_dir
from tests.conftest import evaluate, load_fw, seed_submission

INJECTIONS = ("=1+1", "+SUM(A1)", "-2", "@x", "{{ 7*7 }}", "{% for %}")
HEADER_LABELS = ("一级指标", "二级指标", "三级指标", "指标解释", "得分/自评分", "未达标原因", "改进措施")


def build(path: Path, sub: Submission | None = None, fw: Framework | None = None) -> Path:
    fw = fw or load_fw()
    builder.build_workbook(path, fw, submission=sub or seed_submission(fw))
    return path


def injected_submission(fw: Framework) -> Submission:
    """The seed with formula-like and Jinja-like text in every free-text field."""
    sub = copy.deepcopy(seed_submission(fw))
    sub.department = "{{ 7*7 }}"
    texts = [h.key for h in fw.header if h.kind == "text"]
    for n, key in enumerate(texts):
        sub.header[key] = INJECTIONS[n % len(INJECTIONS)]
    for n, ind in enumerate(sub.indicators.values()):
        ind.reason = INJECTIONS[n % len(INJECTIONS)]
        ind.measure = INJECTIONS[(n + 3) % len(INJECTIONS)]
    return sub


def squash(text: str) -> str:
    return re.sub(r"\s", "", text)


def pdftotext(pdf: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pages(pdf: Path) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+(.*)$", info, re.M).group(1)  # type: ignore[union-attr]
    return count, size


# ------------------------------------------------------------------------------------ context


def test_context_is_typed() -> None:
    ctx = build_context(evaluate())
    assert ctx["title"] == "2022年度广州市增城区工商业联合会部门整体支出绩效自评表"
    assert ctx["total"] == Decimal("90.77") and isinstance(ctx["total"], Decimal)
    assert ctx["grade"] == "优"
    assert ctx["grade_line"].startswith("☑优 90分≤得分≤100分；□良")
    assert [g["score"] for g in ctx["groups"]] == [Decimal("41.8"), Decimal("48.97")]
    assert ctx["budget"]["总预算"] == Decimal("536.58")
    assert ctx["header"]["单位数"] == 1 and type(ctx["header"]["单位数"]) is int
    assert ctx["year"] == 2022 and type(ctx["year"]) is int
    rows = {r["id"]: r for r in ctx["rows"]}
    assert len(rows) == len(load_fw().leaves())
    assert (rows["1.1.1"]["score"], rows["1.1.1"]["l1_name"], rows["1.1.1"]["l2_weight"]) == (
        Decimal("12.5"),
        "履职效能",
        Decimal("50"),
    )
    assert (rows["2.5.1"]["weight"], rows["2.6.7" if "2.6.7" in rows else "2.5.7"]["score"]) == (
        Decimal("0.5"),
        Decimal("0.97"),
    )
    assert rows["1.1.1"]["reason"] == "开展一期企业家培训班，培训人数为105人。"


def test_full_mark_rows_show_backslash_when_empty() -> None:
    fw = load_fw()
    sheet, row = next(
        (sl.name, r) for sl in L.sheet_layouts(fw) for iid, r in sl.rows.items() if iid == "1.1.2"
    )
    ctx = build_context(evaluate({(sheet, f"I{row}"): None, (sheet, f"J{row}"): None}))
    r = next(r for r in ctx["rows"] if r["id"] == "1.1.2")
    assert (r["score"], r["reason"], r["measure"]) == (Decimal("20"), "\\", "\\")


# ------------------------------------------------------------------------------------ workbook


def snapshot(path: Path, skip: str) -> dict[str, Any]:
    """Everything of a workbook except the ``skip`` sheet: values, types, styles, merges, setup."""
    wb = load_workbook(path, keep_vba=path.suffix == ".xlsm")
    out: dict[str, Any] = {"order": wb.sheetnames, "names": sorted(wb.defined_names)}
    for ws in wb.worksheets:
        if ws.title == skip:
            continue
        out[ws.title] = (
            ws.sheet_state,
            sorted(str(m) for m in ws.merged_cells.ranges),
            # (openpyxl re-derives the borders of cells hidden under a merge on load: not compared)
            [
                (c.coordinate, c.value, c.data_type, None if isinstance(c, MergedCell) else style(c))
                for row in ws.iter_rows()
                for c in row
            ],
            [(str(dv.sqref), dv.formula1, dv.type) for dv in ws.data_validations.dataValidation],
            ws.print_area,
            ws.print_title_rows,
            ws.protection.sheet,
            {k: d.width for k, d in ws.column_dimensions.items()},
        )
    return out


def style(c: Any) -> tuple[Any, ...]:
    return tuple(repr(x) for x in (c.font, c.border, c.fill, c.number_format, c.alignment, c.protection))


def test_write_report_replaces_only_the_report_sheet(tmp_path: Path) -> None:
    src = build(tmp_path / "form.xlsx")
    before = snapshot(src, L.REPORT)
    result = write_report(src)
    assert result.total is not None and str(result.total) == "90.77"
    first = load_workbook(src)
    assert L.REPORT in first.sheetnames
    after = snapshot(src, L.REPORT)
    assert after.pop("order") == [*before.pop("order")[:1], L.REPORT, *before_order_rest(src, first)]
    assert after == before
    # regenerating replaces the sheet and nothing else; the same data gives the same sheet
    ws1 = [(c.coordinate, c.value) for row in first[L.REPORT].iter_rows() for c in row]
    write_report(src)
    again = load_workbook(src)
    assert again.sheetnames.count(L.REPORT) == 1
    assert again.sheetnames == first.sheetnames
    assert [(c.coordinate, c.value) for row in again[L.REPORT].iter_rows() for c in row] == ws1
    assert (
        snapshot(src, L.REPORT) == snapshot(src, L.REPORT)
        and snapshot(src, L.REPORT)["order"] == first.sheetnames
    )


def before_order_rest(src: Path, wb: Any) -> list[str]:
    return [n for n in wb.sheetnames[1:] if n != L.REPORT]


def test_report_sheet_layout(tmp_path: Path) -> None:
    src = build(tmp_path / "form.xlsx")
    out = tmp_path / "out.xlsx"
    write_report(src, out)
    ws = load_workbook(out)[L.REPORT]
    assert ws["A1"].value == "2022年度广州市增城区工商业联合会部门整体支出绩效自评表"
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    total = next(c for c in ws["H"] if c.value == 90.77)
    assert total.data_type == "n"
    assert any(str(v).startswith("☑优 90分≤得分≤100分；□良") for v in cells)
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows and ws.print_area
    assert (
        ws.column_dimensions["G"].width
        == load_workbook(default_template())["自评表"].column_dimensions["G"].width
    )
    # group cells merge over their rows; merges never cross a manual page break
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks
    group_merges = [m for m in ws.merged_cells.ranges if m.min_col == 1 and m.max_row > m.min_row]
    names = {ws.cell(m.min_row, 1).value for m in group_merges}
    assert {"履职效能", "管理效率"} <= names
    for m in ws.merged_cells.ranges:
        assert not any(m.min_row <= b < m.max_row for b in breaks), m.coord
    # a group that spans a break shows its name again on the first row of the next page
    header_row = int(ws.print_title_rows.split(":")[0].strip("$"))
    for b in breaks:
        if b > header_row:
            assert ws.cell(b + 1, 1).value in ("履职效能", "管理效率")
            assert ws.cell(b + 1, 3).value is not None
    # the source workbook is untouched when writing elsewhere
    assert L.REPORT not in load_workbook(src).sheetnames


def test_injection_is_data_in_the_sheet(tmp_path: Path) -> None:
    fw = load_fw()
    src = build(tmp_path / "inj.xlsx", injected_submission(fw), fw)
    write_report(src)
    ws = load_workbook(src)[L.REPORT]
    values = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    for text in INJECTIONS:
        hits = [c for c in values if c.value == text]
        assert hits, text
        assert all(c.data_type == "s" for c in hits)
    assert ws["A1"].value == "2022年度{{ 7*7 }}部门整体支出绩效自评表"
    assert not any("49" in c.value for c in values)


# ------------------------------------------------------------------------------------ templates


def tiny_template(path: Path, cells: dict[str, str], *, title_rows: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    for ref, value in cells.items():
        ws[ref] = value
    if title_rows:
        ws.print_title_rows = title_rows
    wb.save(path)
    return path


def test_custom_template_variant(tmp_path: Path) -> None:
    """A district's own header and columns: a small custom template renders from the same context."""
    tpl = tiny_template(
        tmp_path / "district.xlsx",
        {
            "A1": "{{ region }}·{{ department }}（{{ year }}）",
            "A2": "序号", "B2": "指标", "C2": "得分",
            "A3": "{{ loop.index }}", "B3": "{{ row.l1_name | group(row.l1_id) }}", "C3": "{{ row.score | number }}",
            "E3": "{% for row in rows if row.l1_id == '1' %}", "F3": "{% endfor %}",
            "A4": "总分 {{ total }}，{{ grade }}",
        },
        title_rows="2:2",
    )  # fmt: skip
    sheet = render_report(evaluate(), tpl)
    m = sheet.matrix()
    assert m[0][0] == "广州市增城区·广州市增城区工商业联合会（2022）"
    assert [str(r[2]) for r in m[2:5]] == ["12.5", "20", "9.3"]
    assert [r[0] for r in m[2:5]] == [1, 2, 3]
    assert (3, 2, 5, 2) in sheet.merges and m[2][1] == "履职效能" and m[3][1] is None
    assert m[5][0] == "总分 90.77，优"
    assert sheet.print_title_rows == (2, 2)


def test_shipped_simple_template(tmp_path: Path) -> None:
    sheet = render_report(evaluate(), templates_dir() / "report-simple.xlsx")
    flat = [v for row in sheet.matrix() for v in row if v is not None]
    assert "履职效能 小计" in flat and "管理效率 小计" in flat
    assert "评价等级：优" in flat
    assert sum(1 for v in flat if v == "—") == sum(
        1 for r in build_context(evaluate())["rows"] if r["full_mark"]
    )


@pytest.mark.parametrize(
    ("cells", "where", "what"),
    [
        ({"B2": "{{ title "}, "自评表!B2", "语法"),
        ({"C3": "{{ no_such_key }}"}, "自评表!C3", "no_such_key"),
        ({"A1": "{{ row.nope }}", "B1": "{% for row in rows %}", "C1": "{% endfor %}"}, "自评表!A1", "nope"),
        ({"A1": "x {{ department.__class__.__mro__ }}"}, "自评表!A1", "安全限制：不允许访问 “__class__”"),
        ({"A2": "{% for row in rows %}"}, "自评表!A2", "endfor"),
        ({"A2": "=SUM(1,2)"}, "自评表!A2", "公式"),
    ],
)
def test_template_errors_name_file_and_cell(
    tmp_path: Path, cells: dict[str, str], where: str, what: str
) -> None:
    tpl = tiny_template(tmp_path / "bad.xlsx", cells)
    with pytest.raises(PerfscoreError) as info:
        render(load_template(tpl), build_context(evaluate()))
    message = str(info.value)
    assert str(tpl) in message and where in message and what in message


def test_default_template_is_the_shipped_file() -> None:
    assert default_template() == templates_dir() / "report.xlsx" and default_template().is_file()


# ------------------------------------------------------------------------------------ PDF


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report-pdf")
    src = build(tmp / "seed.xlsx")
    write_report(src, pdf=tmp / "seed.pdf")
    return tmp / "seed.pdf"


@pytest.mark.libreoffice
def test_pdf_of_the_seed_has_the_whole_table(seed_pdf: Path) -> None:
    fw = load_fw()
    text = squash(pdftotext(seed_pdf))
    for leaf in fw.leaves():
        if leaf.placeholder:  # printed blank, as the published table does
            assert squash(leaf.name) not in text
            continue
        assert squash(leaf.name) in text, leaf.name
        assert squash(leaf.explanation) in text, leaf.explanation
    ctx = build_context(evaluate())
    for row in ctx["rows"]:
        assert fmt(row["score"]) in text
    assert "90.77" in text
    assert squash(ctx["grade_line"]) in text and "☑优" in text and "☑良" not in text
    count, size = pages(seed_pdf)
    w, h = (float(x) for x in re.findall(r"[\d.]+", size)[:2])
    assert abs(w - 842) < 2 and abs(h - 595) < 2, size
    assert count == 4  # pinned in tests/test_print.py too, with and without the machine's fonts
    # the table header is on the page where the table starts and on every page after it
    first = next(
        p for p in range(1, count + 1) if squash(fw.leaves()[0].name) in squash(pdftotext(seed_pdf, p))
    )
    for p in range(first, count + 1):
        page = squash(pdftotext(seed_pdf, p))
        assert all(label in page for label in HEADER_LABELS), p
        assert page.count("一级指标") == 1, p


@pytest.mark.libreoffice
def test_pdf_shows_injected_text_literally(tmp_path: Path) -> None:
    fw = load_fw()
    src = build(tmp_path / "inj.xlsx", injected_submission(fw), fw)
    write_report(src, tmp_path / "out.xlsx", pdf=tmp_path / "inj.pdf")
    text = pdftotext(tmp_path / "inj.pdf")
    for needle in INJECTIONS:
        assert needle in text, needle
    assert "49" not in text


# ---------------------------------------------------------------------------- honest reports


def failing_submission(fw: Framework) -> Submission:
    """The seed with two scores left empty: two error findings (score-missing)."""
    sub = copy.deepcopy(seed_submission(fw))
    sub.indicators["1.1.3"].score = None
    sub.indicators["2.2.1"].score = None
    return sub


def sheet_texts(path: Path) -> list[str]:
    ws = load_workbook(path)[L.REPORT]
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_a_report_of_a_failing_form_says_so(tmp_path: Path) -> None:
    fw = load_fw()
    clean = build(tmp_path / "clean.xlsx")
    failing = build(tmp_path / "failing.xlsx", failing_submission(fw), fw)
    write_report(clean)
    write_report(failing)
    assert not any("校验未通过" in v for v in sheet_texts(clean))
    assert sheet_texts(failing).count("校验未通过：错误 2 项（见“校验结果”）") == 1


def test_the_placeholder_row_prints_blank_as_published(tmp_path: Path) -> None:
    fw = load_fw()
    row = next(r for r in build_context(evaluate())["rows"] if r["id"] == "2.5.2")
    assert (row["name"], row["explanation"], row["weight"], row["score"]) == (
        "",
        "",
        Decimal("1.5"),
        Decimal("1.5"),
    )
    form = build(tmp_path / "form.xlsx")
    write_report(form)
    assert not any("名称待补" in v for v in sheet_texts(form))
    assert any("名称待补" in str(c.value) for r in load_workbook(form)["管理效率"].iter_rows() for c in r)
    assert fw.by_id["2.5.2"].placeholder


@pytest.mark.libreoffice
def test_pdf_only_leaves_the_form_unchanged_and_shows_the_failure(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from perfscore.cli import cli

    fw = load_fw()
    form = build(tmp_path / "failing.xlsx", failing_submission(fw), fw)
    before = form.read_bytes()
    run = CliRunner().invoke(cli, ["report", str(form), "--pdf", str(tmp_path / "r.pdf")])
    assert run.exit_code == 1, run.output  # error findings
    assert "工作簿未改动" in run.output and form.read_bytes() == before
    assert "校验未通过：错误2项（见“校验结果”）" in squash(pdftotext(tmp_path / "r.pdf"))
