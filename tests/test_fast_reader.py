"""The fast reader (``perfscore batch``) reads every form exactly as openpyxl's ``read_grid`` does.

Each form below is the seed damaged one way (with openpyxl as a clerk's program would, or in the
sheet XML as another writer or a script would) or written by another application (LibreOffice).
For each: :func:`fast_grid` reads it without falling back to openpyxl, its Grid equals
``read_grid``'s sheet by sheet and cell by cell (value and type: ``Decimal('5')`` is not
``Decimal('5.0')``) with the same formula texts, and the pipeline gives the same findings, total,
grade and shown figures. Files the fast path hands to openpyxl, and files sniffing refuses, give
the same Grid or the same one-line refusal.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl.chart import BarChart, Reference

from perfscore.engine.grid import Grid
from perfscore.engine.pipeline import evaluate
from perfscore.errors import UnusableInputError
from perfscore.report import libreoffice
from perfscore.xlsx.fast_reader import NotFast, evaluate_file_fast, fast_grid, read_grid_fast
from perfscore.xlsx.package import sheet_parts
from perfscore.xlsx.reader import evaluate_file, read_grid
from tests.test_bad_inputs import cells as set_cells
from tests.xlsx_helpers import build_seed, edit, run_cli

P, M, C = "履职效能", "管理效率", "基本情况"  # the seed's indicator sheets and the cover

Step = Callable[[Path], None]


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seed(tmp_path_factory.mktemp("seed") / "seed.xlsx")


# ---------------------------------------------------------------------------------------- damage


def cells(**values: Any) -> Step:
    """Set ``{"履职效能!H5": value}``-style cells with openpyxl (text stays text)."""
    change = set_cells(**values)
    return lambda path: edit(path, change)


def error_value(where: str, code: str) -> Step:
    def change(wb: Any) -> None:
        sheet, cell = where.split("!")
        wb[sheet][cell].value = code
        wb[sheet][cell].data_type = "e"

    return lambda path: edit(path, change)


def workbook(change: Callable[[Any], None]) -> Step:
    return lambda path: edit(path, change)


def insert_row(wb: Any) -> None:
    ws = wb[M]
    ws.insert_rows(6)
    for col, text in {"E": "补充说明", "G": "本行为单位自行插入", "I": "改进中"}.items():
        ws[f"{col}6"] = text


def delete_row(wb: Any) -> None:
    ws = wb[P]
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    ws.delete_rows(4)


def chart_sheet(wb: Any) -> None:
    chart = BarChart()
    chart.add_data(Reference(wb[P], min_col=8, min_row=3, max_row=5))
    wb.create_chartsheet("图表").add_chart(chart)


def xml(part: str, pattern: str, replacement: str, count: int = 1) -> Step:
    """Rewrite one part of the package (a sheet by its name, or a part's path) as another program
    would: ``pattern`` (a regex) must match ``count`` times."""

    def change(path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            name = sheet_parts(zf).get(part, part)
            entries = [(info, zf.read(info)) for info in zf.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, data in entries:
                if info.filename == name:
                    text, found = re.subn(pattern, replacement, data.decode("utf-8"), flags=re.S)
                    assert found == count, (part, pattern, found)
                    data = text.encode("utf-8")
                zf.writestr(info, data)

    return change


def imported(texts: Sequence[str]) -> Step:
    """The seed made by ``perfscore import`` with the first reasons and measure set to ``texts``."""

    def make(path: Path) -> None:
        doc = json.loads((Path(__file__).parent.parent / "perfscore/data/seed-2022.json").read_text("utf-8"))
        first, second = doc["indicators"][0], doc["indicators"][1]
        first["reason"], first["measure"], second["reason"] = texts
        data = path.with_suffix(".json")
        data.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
        path.unlink()
        assert run_cli(["import", data, "-o", path]).exit_code == 0

    return make


def built(**kw: Any) -> Step:
    """The seed built anew (blank, or in udf mode)."""

    def make(path: Path) -> None:
        path.unlink()
        build_seed(path, **kw)

    return make


def _row(n: int) -> str:
    return rf'(<row r="{n}"[^>]*>.*?)(</row>)'


#: (id, file name, steps applied to a copy of the seed). Each is read by the fast path itself, but
#: those in :data:`FALLBACKS`, which it hands to openpyxl.
FORMS: list[tuple[str, str, list[Step]]] = [
    ("seed", "seed.xlsx", []),
    ("blank", "blank.xlsx", [built(filled=False)]),
    ("udf-xlsm", "udf.xlsm", [built(mode="udf")]),
    ("score-missing", "f.xlsx", [cells(**{f"{M}!H3": None})]),
    ("typed-over-total", "f.xlsx", [cells(**{f"{C}!C15": 95.5})]),
    ("typed-over-grade", "f.xlsx", [cells(**{f"{C}!B16": "优"})]),
    ("typed-over-subtotal", "f.xlsx", [cells(**{f"{P}!H7": 41.8})]),
    ("stale-cached-total", "f.xlsx", [xml(P, r'(<c r="H4"[^>]*>)<v>20</v>', r"\g<1><v>18</v>")]),
    ("weight-changed", "f.xlsx", [cells(**{f"{P}!F3": 25})]),
    ("score-div0", "f.xlsx", [error_value(f"{P}!H4", "#DIV/0!")]),
    ("score-spill", "f.xlsx", [error_value(f"{M}!H10", "#SPILL!")]),
    ("score-text", "f.xlsx", [cells(**{f"{M}!H3": "abc", f"{P}!H5": "９．３", f"{M}!H4": "#N/A"})]),
    ("score-true", "f.xlsx", [cells(**{f"{M}!H3": True})]),
    (
        "score-date",
        "f.xlsx",
        [cells(**{f"{M}!H3": dt.datetime(2023, 1, 1, 12, 30), f"{C}!G3": dt.date(2022, 6, 30)})],
    ),
    ("score-time", "f.xlsx", [cells(**{f"{M}!H3": dt.time(6, 0), f"{M}!H4": dt.timedelta(days=1, hours=2)})]),
    ("score-formula", "f.xlsx", [cells(**{f"{M}!H5": "=1/0", f"{P}!H3": "=SUM(F3:F4)"})]),
    ("score-3-decimals", "f.xlsx", [cells(**{f"{P}!H3": 12.345, f"{P}!K5": "93%"})]),
    ("row-inserted", "f.xlsx", [workbook(insert_row)]),
    ("row-deleted", "f.xlsx", [workbook(delete_row)]),
    ("sheet-renamed", "f.xlsx", [workbook(lambda wb: setattr(wb[P], "title", "履职"))]),
    ("sheet-deleted", "f.xlsx", [workbook(lambda wb: wb.remove(wb[M]))]),
    (
        "explanation-edited",
        "f.xlsx",
        [cells(**{f"{P}!G4": "改写的指标解释", f"{C}!B3": " 广州市增城区工商业联合会 "})],
    ),
    # texts XlsxWriter stores escaped: a vertical tab (_x000B_), a typed "_x000B_" (_x005F_x000B_);
    # then the same form saved by openpyxl, which drops every "x005F_" of the shared strings
    ("vertical-tab-texts", "f.xlsx", [imported(["见附件_x000B_第二页", "换行\x0b之后", "x005F_保留"])]),
    (
        "vertical-tab-resaved",
        "f.xlsx",
        [imported(["见附件_x000B_第二页", "换行\x0b之后", "x005F_保留"]), workbook(lambda wb: None)],
    ),
    # what other writers and scripts put in the sheet XML
    (
        "cached-total-error",
        "f.xlsx",
        [xml(C, r'(<c r="C15" s="\d+")>(<f>.*?</f>)<v>[^<]*</v>', r'\1 t="e">\2<v>#DIV/0!</v>')],
    ),
    ("cached-grade-empty", "f.xlsx", [xml(C, r"(<c r=\"B16\"[^>]*>.*?)<v>[^<]*</v>", r"\1<v></v>")]),
    (
        "inline-strings",
        "f.xlsx",
        [
            xml(
                P,
                r'<c r="I3"([^>]*?) t="s"><v>\d+</v></c>',
                r'<c r="I3"\1 t="inlineStr"><is><t>原因_x000B_见附件</t></is></c>',
            ),
            xml(
                P,
                r'<c r="I4"([^>]*?) t="s"><v>\d+</v></c>',
                r'<c r="I4"\1 t="inlineStr"><is><r><t>甲</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 乙</t></r></is></c>',
            ),
            xml(
                P,
                r'<c r="I5"([^>]*?) t="s"><v>\d+</v></c>',
                r'<c r="I5"\1 t="inlineStr"><is><t></t></is></c>',
            ),
        ],
    ),
    (
        "shared-strings-unusual",
        "f.xlsx",
        [
            xml(
                "xl/sharedStrings.xml",
                r"<t>广州市增城区工商业联合会</t>",
                "<t>  广州市增城区工商业联合会 </t>",
            ),
            xml("xl/sharedStrings.xml", r"<t>年度</t>", "<t>年</t><t>度</t>"),
            xml(
                "xl/sharedStrings.xml",
                r"<t>单位数</t>",
                '<r><t>单位</t></r><r><t>数</t></r><rPh sb="0" eb="1"><t>PH</t></rPh>',
            ),
        ],
    ),
    (
        "shared-formulas",
        "f.xlsx",
        [
            xml(M, _row(3), r'\1<c r="P3"><f t="shared" ref="P3:P5" si="0">F3*2</f><v>6</v></c>\2'),
            xml(M, _row(4), r'\1<c r="P4"><f t="shared" si="0"/><v>4</v></c>\2'),
            xml(
                M,
                _row(5),
                r'\1<c r="P5"><f t="shared" si="0"/><v>4</v></c><c r="Q5"><f t="array" ref="Q5">SUM(F3:F5)</f><v>10</v></c><c r="R5"><f/><v>1</v></c>\2',
            ),
        ],
    ),
    (
        "number-forms",
        "f.xlsx",
        [
            xml(M, r'(<c r="F3"[^>]*>)<v>3</v>', r"\1<v>3.0</v>"),
            xml(M, r'(<c r="H4"[^>]*>)<v>2</v>', r"\1<v>2E0</v>"),
            xml(C, r'(<c r="G3"[^>]*>)<v>2022</v>', r"\1<v>2022.00</v>"),
        ],
    ),
    (
        "iso-date-and-empty-values",
        "f.xlsx",
        [
            xml(M, r'<c r="H3"([^>]*)><v>3</v>', r'<c r="H3"\1 t="d"><v>2023-01-01T08:30:00</v>'),
            xml(M, r'(<c r="H4"[^>]*>)<v>2</v>', r"\1<v></v>"),
            xml(M, r'(<c r="H5"[^>]*)><v>2</v>', r'\1 t="b"><f>TRUE()</f><v>1</v>'),
        ],
    ),
    (
        "date-1904",
        "f.xlsx",
        [
            cells(**{f"{M}!H3": dt.datetime(2023, 1, 1)}),
            xml("xl/workbook.xml", r"<workbookPr\b", '<workbookPr date1904="1"'),
        ],
    ),
    # a writer that leaves out empty cells and addresses: openpyxl counts columns from the last address
    (
        "cells-without-addresses",
        "f.xlsx",
        [xml(P, r'<c r="K3" s="\d+"/>', ""), xml(P, r'<c r="[L-N]3"', "<c", count=3)],
    ),
    ("rows-out-of-order", "f.xlsx", [xml(P, r'(<row r="4".*?</row>)(<row r="5".*?</row>)', r"\2\1")]),
    # a cell whose address names another row, a row repeated: openpyxl's counting decides
    (
        "duplicate-addresses",
        "f.xlsx",
        [
            xml(P, _row(5), r'\1<c r="H4"><f>1+1</f><v>2</v></c>\2'),
            xml(P, r'(<row r="4".*?</row>)(.*?</row>)', r"\1\2\1"),
        ],
    ),
    ("extra-columns", "f.xlsx", [cells(**{f"{P}!BL3": 1, f"{P}!BM3": "beyond", f"{P}!BM4": "=1/0"})]),
    ("chart-sheet", "f.xlsx", [workbook(chart_sheet)]),
]

#: Forms the fast path leaves to openpyxl (its own words for the same result).
FALLBACKS = {"chart-sheet"}


def make(seed: Path, tmp_path: Path, name: str, steps: Sequence[Step]) -> Path:
    path = tmp_path / name
    shutil.copy(seed, path)
    for step in steps:
        step(path)
    return path


def typed(grid: Grid) -> dict[str, tuple[list[list[tuple[str, str]]], list[tuple[tuple[int, int], str]]]]:
    """Each sheet's values (type and repr) and formulas (in the order read), in workbook order."""
    return {
        name: (
            [[(type(v).__name__, repr(v)) for v in row] for row in sheet.rows],
            list(sheet.formulas.items()),
        )
        for name, sheet in grid.sheets.items()
    }


def assert_same_reading(fast: Grid, slow: Grid) -> None:
    assert fast.source == slow.source
    assert list(fast.sheets) == list(slow.sheets)
    mine, theirs = typed(fast), typed(slow)
    for name in theirs:
        assert mine[name][1] == theirs[name][1], name  # formulas
        assert len(mine[name][0]) == len(theirs[name][0]), name
        for r, (a, b) in enumerate(zip(mine[name][0], theirs[name][0], strict=True), 1):
            assert a == b, (name, r)
    one, other = evaluate(slow), evaluate(fast)
    assert (other.findings, other.total, other.grade) == (one.findings, one.total, one.grade)
    assert other.shown_values() == one.shown_values()


@pytest.mark.parametrize(("ident", "name", "steps"), [pytest.param(*form, id=form[0]) for form in FORMS])
def test_the_fast_reader_reads_as_openpyxl(
    seed: Path, tmp_path: Path, ident: str, name: str, steps: list[Step]
) -> None:
    path = make(seed, tmp_path, name, steps)
    slow = read_grid(path)
    if ident in FALLBACKS:
        with pytest.raises(NotFast):
            fast_grid(path)
    else:
        assert_same_reading(fast_grid(path), slow)
    assert_same_reading(read_grid_fast(path), slow)


def test_the_forms_differ(seed: Path, tmp_path: Path) -> None:
    """Each form above reads differently (a step that silently did nothing would test nothing)."""
    seen: dict[str, str] = {}
    for ident, name, steps in FORMS:
        folder = tmp_path / ident
        folder.mkdir()
        reading = repr(typed(read_grid(make(seed, folder, name, steps))))
        assert reading not in seen, (ident, seen.get(reading))
        seen[reading] = ident
    assert len(seen) == len(FORMS) >= 20


def test_the_seed_checks_clean(seed: Path) -> None:
    result = evaluate_file_fast(seed)
    assert (str(result.total), result.grade, result.errors, result.warnings) == ("90.77", "优", 0, 0)
    assert result.findings == evaluate_file(seed).findings


# ------------------------------------------------------------------------- written by LibreOffice


@pytest.mark.libreoffice
def test_forms_resaved_by_libreoffice(seed: Path, tmp_path: Path) -> None:
    """LibreOffice writes its own XML (recalculated: ``t="e"`` error results, booleans, dates)."""
    sources = {
        "resaved": [],
        "div0": [cells(**{f"{M}!H5": "=1/0"})],
        "typed": [cells(**{f"{C}!C15": 95.5, f"{M}!H3": True})],
        "dated": [cells(**{f"{M}!H3": dt.datetime(2023, 1, 1), f"{P}!I3": "原因_x000B_见附件"})],
    }
    (tmp_path / "src").mkdir()
    paths = [make(seed, tmp_path / "src", f"{stem}.xlsx", steps) for stem, steps in sources.items()]
    for path in libreoffice.convert_many(paths, "xlsx", tmp_path / "lo"):
        assert_same_reading(fast_grid(path), read_grid(path))
    div0 = evaluate_file_fast(tmp_path / "lo" / "div0.xlsx")
    assert any(f.code == "score-formula-error" and "#DIV/0!" in f.message for f in div0.findings)


# ------------------------------------------------------------------------ left to openpyxl, refused


def _rows(count: int) -> Step:
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, count + 1))
    return xml("_perfscore", r"(<sheetData>)(.*)(</sheetData>)", rf"\1\2{body}\3")


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _encrypted(path: Path) -> None:
    plain = path.with_name("plain.xlsx")
    path.rename(plain)
    with plain.open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt("1234", out)


def _broken_sheet(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data[: len(data) // 2] if info.filename == "xl/worksheets/sheet2.xml" else data)


REFUSED: list[tuple[str, str, list[Step], str]] = [
    ("truncated", "cut.xlsx", [_truncated], "文件不完整或已损坏"),
    (
        "csv-renamed",
        "data.xlsx",
        [lambda p: p.write_text("一级指标,分值,得分\n履职效能,50,41.8\n", "utf-8")],
        "CSV/文本表格",
    ),
    ("encrypted", "locked.xlsx", [_encrypted], "设置了打开密码"),
    ("broken-sheet-xml", "xml.xlsx", [_broken_sheet], "工作簿已损坏"),
    ("too-many-rows", "rows.xlsx", [_rows(20_001)], "超过 20000 行数据"),
    ("not-an-xlsx-name", "form.zip", [], "openpyxl does not support .zip file format"),
]


@pytest.mark.parametrize(
    ("name", "steps", "phrase"), [pytest.param(*case[1:], id=case[0]) for case in REFUSED]
)
def test_refusals_are_the_same(seed: Path, tmp_path: Path, name: str, steps: list[Step], phrase: str) -> None:
    path = make(seed, tmp_path, name, steps)
    with pytest.raises(UnusableInputError) as slow:
        read_grid(path)
    with pytest.raises(UnusableInputError) as fast:
        read_grid_fast(path)
    assert (fast.value.path, fast.value.message) == (slow.value.path, slow.value.message)
    assert phrase in slow.value.message


def test_a_sheet_just_under_the_row_limit_is_read_fast(seed: Path, tmp_path: Path) -> None:
    path = make(seed, tmp_path, "rows.xlsx", [_rows(19_990)])
    assert_same_reading(fast_grid(path), read_grid(path))
