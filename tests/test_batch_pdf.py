"""``perfscore batch --pdf DIR``: a PDF per form named after the department and year, and one combined
PDF with a bookmark per form, printed by LibreOffice in one run; the forms are not touched."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

import perfscore
from perfscore.batch.pdfs import COMBINED, safe_name, title_of

from .conftest import load_fw, seed_submission
from .test_print import REPORT_PAGES
from .xlsx_helpers import digest, run_cli

FORMS = 20


def test_twenty_forms_one_combined_pdf_with_twenty_bookmarks(tmp_path: Path) -> None:
    fw = load_fw()
    folder = tmp_path / "收件"
    folder.mkdir()
    for n in range(1, FORMS + 1):
        perfscore.build_workbook(
            folder / f"f{n:02d}.xlsx", fw, submission=replace(seed_submission(), department=f"部门{n:02d}")
        )
    (folder / "坏文件.xlsx").write_text("不是工作簿", "utf-8")
    before = {p.name: digest(p) for p in folder.iterdir()}
    out = tmp_path / "pdf"
    start = time.perf_counter()
    run = run_cli(["batch", folder, "-o", tmp_path / "汇总.xlsx", "--pdf", out, "--jobs", "2"])
    seconds = time.perf_counter() - start
    assert run.exit_code == 2, run.output  # the bad file
    assert f"perfscore: 已导出 {FORMS} 份自评表 PDF 与 {COMBINED}：{out}" in run.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([COMBINED, *(f"部门{n:02d}-2022.pdf" for n in range(1, FORMS + 1))])
    for n in range(1, FORMS + 1):
        assert len(PdfReader(out / f"部门{n:02d}-2022.pdf").pages) == REPORT_PAGES
    combined = PdfReader(out / COMBINED)
    assert len(combined.pages) == FORMS * REPORT_PAGES
    outline = combined.outline
    assert [item.title for item in outline] == [f"部门{n:02d}-2022" for n in range(1, FORMS + 1)]  # type: ignore[union-attr]
    assert [combined.get_destination_page_number(item) for item in outline] == [  # type: ignore[arg-type]
        n * REPORT_PAGES for n in range(FORMS)
    ]
    assert {p.name: digest(p) for p in folder.iterdir()} == before
    print(f"batch --pdf: {FORMS} forms in {seconds:.1f} s, {seconds / FORMS:.2f} s per form")


def test_pdf_names() -> None:
    taken: set[str] = set()
    assert safe_name(title_of("某局", 2022, "x.xlsx"), taken) == "某局-2022"
    assert safe_name(title_of("某局", 2022, "y.xlsx"), taken) == "某局-2022（2）"
    assert safe_name(title_of("", None, "收件/无名.xlsx"), taken) == "无名"
    assert safe_name('a/b\\c:d*e?"f<g>h|i\x01', taken) == "a_b_c_d_e_f_g_h_i_"
    assert safe_name(" . ", taken) == "自评表"
