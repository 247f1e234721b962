"""The published-layout fixture builder (tests/published_layouts.py) itself: its workbooks' structure,
and what LibreOffice prints of them — exact page counts for three column-width sets, every score
and the total in the text, and no glyph cut by a cell's border."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTCurve, LTLine, LTRect

from perfscore.engine.framework import Framework, ProjectFramework, load_any_by_id

from . import published_layouts as P

ROOT = Path(__file__).resolve().parent.parent
SEED = json.loads((ROOT / "perfscore" / "data" / "seed-2022.json").read_text("utf-8"))
PROJECT = json.loads((ROOT / "perfscore" / "data" / "project-2022.json").read_text("utf-8"))
WIDTHS = {"default": 1.0, "narrow": 0.7, "wide": 1.4}
#: Pages of the seed's department PDF per width set. default: the header texts on page 1, the budget
#: and the table on pages 2–4 (after 绩效信息公开情况, and after 资产收益上缴的及时性 as in the published
#: PDF, whose table starts on page 1 and breaks first after 结转结余率); narrow: the texts on pages 1–2, budget and table on 3–7; wide: the table
#: starts on page 1 and 总分/评价等级 stand alone on page 3.
SEED_PAGES = {"default": 4, "narrow": 7, "wide": 3}
#: The seed with 300+ character reasons on its four rows that lose points, default widths.
LONG_PAGES = 7
PROJECT_PAGES = 2


def department_fw() -> Framework:
    fw = load_any_by_id("gz-dept-overall-2022")
    assert isinstance(fw, Framework)
    return fw


def project_fw() -> ProjectFramework:
    fw = load_any_by_id("mof-project-2020")
    assert isinstance(fw, ProjectFramework)
    return fw


def table_header_row(ws: Any) -> int:
    return next(
        r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "一级指标" and ws.cell(r, 7).value
    )


# ------------------------------------------------------------------------------ workbooks


def test_department_workbook_structure(tmp_path: Path) -> None:
    fw = department_fw()
    ws = load_workbook(P.department_workbook(SEED, fw, tmp_path / "d.xlsx")).active
    merges = {str(m) for m in ws.merged_cells.ranges}
    assert ws["A1"].value == "2022年度广州市增城区工商业联合会部门整体支出绩效自评表" and "A1:J1" in merges
    head = table_header_row(ws)
    assert [ws.cell(head, c).value for c in range(1, 11)] == list(P.DEPARTMENT_COLUMNS)
    assert ws.print_title_rows == f"${head}:${head}"
    leaves = fw.leaves()
    rows = range(head + 1, head + 1 + len(leaves))
    assert [ws.cell(r, 5).value for r in rows] == [leaf.name for leaf in leaves]
    assert [ws.cell(r, 8).value for r in rows] == [float(i["score"]) for i in SEED["indicators"]]
    assert ws.cell(rows[-1] + 1, 1).value == "总分" and ws.cell(rows[-1] + 1, 8).value == 90.77
    assert ws.cell(rows[-1] + 2, 2).value == (
        "☑优  90分≤得分≤100分； □良  80分≤得分＜90分；\n□中  60分≤得分＜80分；  □差  得分＜60分"
    )
    # the budget block: label and 总预算 merged down, the values as numbers
    budget = next(r for r in range(1, head) if ws.cell(r, 1).value == "年度部门\n预算情况")
    assert f"A{budget}:A{budget + 3}" in merges and f"B{budget}:C{budget + 2}" in merges
    assert [ws.cell(budget + 3, c).value for c in (2, 4, 6, 7, 8, 9, 10)] == [
        536.58,
        441.13,
        95.45,
        0,
        0,
        0,
        0,
    ]
    # 一级 names merged down their rows, split at page breaks, every piece showing the name
    breaks = sorted(b.id for b in ws.row_breaks.brk)
    assert len(breaks) == SEED_PAGES["default"] - 1
    pieces = sorted((m.min_row, m.max_row) for m in ws.merged_cells.ranges if m.min_col == m.max_col == 1)
    pieces = [p for p in pieces if p[0] > head]
    assert [p[0] for p in pieces] == sorted({rows[0], rows[3], *(b + 1 for b in breaks if b + 1 in rows)})
    assert all(ws.cell(a, 1).value in ("履职效能", "管理效率") for a, _ in pieces)
    # page setup: A4 landscape, one page wide, every row with its height
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert all(ws.row_dimensions[r].height for r in range(1, ws.max_row + 1))


def test_department_overrides_and_widths(tmp_path: Path) -> None:
    fw = department_fw()
    widths = P.scaled(P.DEPARTMENT_WIDTHS, 0.7)
    path = P.department_workbook(
        SEED, fw, tmp_path / "d.xlsx", widths=widths, total="95.00", grade_box="良", blank_placeholders=True
    )
    ws = load_workbook(path).active
    assert [ws.column_dimensions[c].width for c in "ABCDEFGHIJ"] == list(widths)
    total = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    assert ws.cell(total, 8).value == "95.00"
    assert ws.cell(total + 1, 2).value.startswith("□优  90分≤得分≤100分； ☑良")
    placeholder = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 6).value == 1.5)
    assert ws.cell(placeholder, 5).value in (None, "") and ws.cell(placeholder, 7).value in (None, "")
    with pytest.raises(ValueError, match="widths"):
        P.department_workbook(SEED, fw, tmp_path / "x.xlsx", widths=(10.0,) * 9)


def test_project_workbook_prints_perfscores_figures(tmp_path: Path) -> None:
    fw = project_fw()
    assert P.project_figures(PROJECT, fw) == P.ProjectFigures("99.97%", "10.00", "100.00", "优")
    ws = load_workbook(P.project_workbook(PROJECT, fw, tmp_path / "p.xlsx")).active
    values = [[ws.cell(r, c).value for c in range(1, 10)] for r in range(1, ws.max_row + 1)]
    assert values[0][0] == "2022年度项目支出绩效自评表"
    total_row = next(v for v in values if v[1] == "年度资金总额")
    assert total_row[3:] == [90, 90, 89.974, 10, "99.97%", "10.00"]
    assert any(v[1] == "其中：当年财政拨款" for v in values)
    head = next(r for r, v in enumerate(values, start=1) if v[1] == "一级指标")
    assert values[head - 1][1:] == list(P.PROJECT_COLUMNS) and ws.print_title_rows == f"${head}:${head}"
    rows = values[head : head + len(PROJECT["indicators"])]
    assert [v[3] for v in rows] == [i["name"] for i in PROJECT["indicators"]]
    assert {v[8] for v in rows} == {"\\"}  # no reason: printed as the published forms do
    assert next(v for v in values if v[0] == "总分")[6:8] == [100, "100.00"]


def test_long_reasons() -> None:
    data = P.long_reasons(SEED)
    long = [i for i in data["indicators"] if len(i["reason"]) >= 300]
    assert len(long) == 4 and all("\n" in i["reason"] for i in long)
    assert SEED["indicators"][0]["reason"] == "开展一期企业家培训班，培训人数为105人。"  # a copy
    assert P.department_total(data) == Decimal("90.77")


def test_wrapped_lines() -> None:
    assert P.wrapped_lines("反映年度预算编报时确定的部门整体", 160, 10) == 2  # 15 characters a line
    assert P.wrapped_lines("a\nb", 100, 10) == 2
    assert P.wrapped_lines("", 100, 10) == 1


# ------------------------------------------------------------------------------ printed


@pytest.fixture(scope="module")
def printed(fonts: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed department form at three width sets, the seed with long reasons and the project demo,
    printed in one LibreOffice run (with ``fonts``)."""
    tmp = tmp_path_factory.mktemp(f"published-{fonts}")
    fw = department_fw()
    books = {
        tag: P.department_workbook(
            SEED, fw, tmp / f"seed-{tag}.xlsx", widths=P.scaled(P.DEPARTMENT_WIDTHS, f)
        )
        for tag, f in WIDTHS.items()
    }
    books["long"] = P.department_workbook(P.long_reasons(SEED), fw, tmp / "long.xlsx")
    books["project"] = P.project_workbook(PROJECT, project_fw(), tmp / "project.xlsx")
    pdfs = P.convert(list(books.values()), tmp / "pdf")
    return dict(zip(books, pdfs, strict=True))


def pdftotext(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.libreoffice
@pytest.mark.parametrize("tag", list(WIDTHS))
def test_department_pdf(printed: dict[str, Path], tag: str) -> None:
    pdf = printed[tag]
    assert P.page_count(pdf) == SEED_PAGES[tag]
    text = pdftotext(pdf)
    words = set(text.split())
    assert {i["score"] for i in SEED["indicators"]} <= words
    assert "90.77" in words and "536.58" in text and "☑优" in text


@pytest.mark.libreoffice
def test_long_and_project_pdfs(printed: dict[str, Path]) -> None:
    assert P.page_count(printed["long"]) == LONG_PAGES
    assert P.page_count(printed["project"]) == PROJECT_PAGES
    text = pdftotext(printed["project"])
    assert all(f in text for f in ("99.97%", "10.00", "100.00", "89.974", "☑优"))


def cut_glyphs(pdf: Path) -> list[str]:
    """Glyphs a cell border runs through: text LibreOffice clipped (it still draws it, then clips)."""
    out = []
    for page in extract_pages(str(pdf)):
        glyphs: list[LTChar] = []
        rules: list[tuple[float, float, float, float]] = []
        stack: list[Any] = [page]
        while stack:
            item = stack.pop()
            if isinstance(item, LTChar):
                glyphs.append(item)
            elif isinstance(item, (LTRect, LTLine, LTCurve)):
                rules.append((item.x0, item.y0, item.x1, item.y1))
            elif hasattr(item, "__iter__"):
                stack.extend(item)
        for g in glyphs:
            if not g.get_text().strip():
                continue
            cx, cy = (g.x0 + g.x1) / 2, (g.y0 + g.y1) / 2
            for x0, y0, x1, y1 in rules:
                across = y1 - y0 < 1.5 and x0 <= cx <= x1 and g.y0 + 0.8 < (y0 + y1) / 2 < g.y1 - 0.8
                down = x1 - x0 < 1.5 and y0 <= cy <= y1 and g.x0 + 0.8 < (x0 + x1) / 2 < g.x1 - 0.8
                if across or down:
                    out.append(f"page {page.pageid}: {g.get_text()}")
                    break
    return out


@pytest.mark.libreoffice
def test_nothing_is_cut(printed: dict[str, Path]) -> None:
    for pdf in printed.values():
        assert cut_glyphs(pdf) == [], pdf.name
        assert "#" not in pdftotext(pdf), pdf.name
