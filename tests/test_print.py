"""Printing does not depend on the machine's fonts: the seed's report and whole form, page by page.

Each PDF is made twice: with the machine's fonts, and under a fontconfig that sees only the Noto CJK
and DejaVu fonts (no Liberation, Carlito or WenQuanYi) — the bare set a fresh machine set up as the
README says has. The page counts are pinned exactly; the sentences of the seed's long texts must each
be found whole on one page.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from perfscore.engine.framework import Framework
from perfscore.errors import PerfscoreError
from perfscore.report import libreoffice
from perfscore.report.expressions import MAX_PARAGRAPH, Paragraphs, compile_cell

from .conftest import load_fw, seed_submission
from .test_report import build, pages, pdftotext, squash, write_report

COLUMNS = ("一级指标", "分值", "二级指标", "三级指标", "指标解释", "得分/自评分", "未达标原因", "改进措施")
#: The seed's report: A4 landscape, the published table's 3 pages plus the header block's texts.
REPORT_PAGES = 4
#: The whole seed form (基本情况 3, 自评表 4, 履职效能 1, 管理效率 2, 校验结果 1), plain soffice.
FORM_PAGES = 11


@pytest.fixture(scope="module")
def seed_form(fonts: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The seed form with its 自评表 sheet, and the report PDF perfscore printed (with ``fonts``)."""
    tmp = tmp_path_factory.mktemp(f"print-{fonts}")
    form = build(tmp / "seed.xlsx")
    write_report(form, pdf=tmp / "seed.pdf")
    return form, tmp / "seed.pdf"


def raw_text(pdf: Path, page: int) -> str:
    """A page's text in the order it was drawn (cell by cell), not sorted by position."""
    args = ["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def plain_pdf(form: Path, folder: Path) -> Path:
    """The form printed as a clerk would: plain ``soffice --convert-to pdf``, no perfscore settings."""
    exe = libreoffice.soffice_path()
    assert exe is not None
    subprocess.run(
        [exe, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), str(form)],
        capture_output=True, check=True, timeout=180,
    )  # fmt: skip
    return folder / f"{form.stem}.pdf"


def sentences(fw: Framework) -> list[str]:
    """Every sentence of the seed's long header texts (目标, 完成情况, 原因)."""
    sub = seed_submission(fw)
    out = []
    for h in fw.header:
        text = sub.header.get(h.key)
        if h.kind == "text" and isinstance(text, str):
            out += [s for s in re.split(r"(?<=[。；！？])|\n", text) if s.strip()]
    return out


@pytest.mark.libreoffice
def test_report_pdf_is_the_same_on_any_fonts(seed_form: tuple[Path, Path]) -> None:
    _, pdf = seed_form
    count, size = pages(pdf)
    w, h = (float(x) for x in re.findall(r"[\d.]+", size)[:2])
    assert (round(w), round(h)) == (842, 595), size  # A4 landscape
    assert count == REPORT_PAGES
    texts = [squash(raw_text(pdf, p)) for p in range(1, count + 1)]
    table = [t for t in texts if "三级指标" in t]
    assert len(table) == 3  # the table starts on page 2 and every table page has the whole header
    for page in table:
        assert all(label in page for label in COLUMNS), page[:80]
    found = [s for s in sentences(load_fw()) if any(squash(s) in t for t in texts)]
    assert found == sentences(load_fw())  # every sentence whole on one page
    assert len(found) == 28


@pytest.mark.libreoffice
def test_report_pdf_uses_perfscore_fonts(seed_form: tuple[Path, Path]) -> None:
    _, pdf = seed_form
    listed = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in listed.splitlines()[2:]}
    assert {n for n in names if "CJK" in n} == {"NotoSerifCJKjp-Regular-VKana", "NotoSerifCJKjp-Bold-VKana"}
    assert not any("Liberation" in n or "Carlito" in n for n in names), names


@pytest.mark.libreoffice
def test_whole_form_prints_one_page_wide(seed_form: tuple[Path, Path], tmp_path: Path) -> None:
    """The form as a clerk prints it: plain ``soffice --convert-to pdf``, no perfscore font settings."""
    form, _ = seed_form
    pdf = plain_pdf(form, tmp_path)
    count, _ = pages(pdf)
    assert count == FORM_PAGES
    for p in range(1, count + 1):
        page = squash(pdftotext(pdf, p))
        if "改进措施" in page:  # a table page: never a column printed alone
            assert all(label in page for label in COLUMNS), (p, page[:80])


def test_paragraphs_split_at_lines_and_long_sentences() -> None:
    cell = compile_cell("{{ text | paragraphs }}")
    assert cell({"text": "1.甲。\n\n 2.乙\r\n"}) == Paragraphs(("1.甲。", " 2.乙"))
    assert cell({"text": None}) == Paragraphs(())
    long = "这是一句话。" * 100  # 600 characters, no line break
    pieces = cell({"text": long}).items
    assert "".join(pieces) == long and all(len(p) <= MAX_PARAGRAPH for p in pieces) and len(pieces) == 2


@pytest.mark.libreoffice
def test_long_texts_typed_into_a_blank_form_show_whole_after_calc(tmp_path: Path) -> None:
    """A clerk types the seed's long texts into a blank form (rows keep the blank form's heights),
    then 计算/calc: the merged text rows grow to what the text needs, and print whole."""
    import openpyxl

    from perfscore.engine import layout as L
    from perfscore.engine.text import height_for, lines_needed

    from .xlsx_helpers import run_cli

    fw, sub = load_fw(), seed_submission()
    form = tmp_path / "typed.xlsx"
    assert run_cli(["new", "-o", form]).exit_code == 0
    cl = L.cover_layout(fw)
    wb = openpyxl.load_workbook(form)
    texts = {h.key: sub.header[h.key] for h in fw.header if h.kind == "text"}
    for key, text in texts.items():
        wb[L.COVER][cl[f"header:{key}"]] = text
    blank_heights = {k: wb[L.COVER].row_dimensions[int(cl[f"header:{k}"][1:])].height for k in texts}
    wb.save(form)
    run_cli(["calc", form])
    ws = openpyxl.load_workbook(form)[L.COVER]
    width = sum(L.COVER_WIDTHS[1:])
    for key, text in texts.items():
        row = int(cl[f"header:{key}"][1:])
        need = height_for(lines_needed(str(text), width))
        assert ws.row_dimensions[row].height == max(need, L.TEXT_FIELD_PT), key
    assert (
        ws.row_dimensions[int(cl["header:整体绩效目标完成情况"][1:])].height
        > 4 * blank_heights["整体绩效目标完成情况"]
    )
    pdf = plain_pdf(form, tmp_path)
    count, _ = pages(pdf)
    texts_on_pages = [squash(raw_text(pdf, p)) for p in range(1, count + 1)]
    missing = [s for s in sentences(fw) if not any(squash(s) in t for t in texts_on_pages)]
    assert missing == []


@pytest.mark.libreoffice
def test_no_pdf_without_the_noto_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Noto CJK the pages would depend on whatever the machine has: refuse, naming the package."""
    conf = tmp_path / "fonts.conf"
    dejavu = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, check=True)
    dirs = sorted({str(Path(f).parent) for f in dejavu.stdout.splitlines() if "DejaVu" in f})
    body = "".join(f"<dir>{d}</dir>" for d in dirs)
    conf.write_text(
        f'<?xml version="1.0"?><fontconfig>{body}<cachedir>{tmp_path}</cachedir></fontconfig>', "utf-8"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    form = build(tmp_path / "seed.xlsx")
    with pytest.raises(PerfscoreError, match="fonts-noto-cjk"):
        write_report(form, tmp_path / "out.xlsx", pdf=tmp_path / "seed.pdf")
    assert not (tmp_path / "seed.pdf").exists() and not (tmp_path / "out.xlsx").exists()  # nothing written
