"""Reading a printed table back from a PDF: every cell, with its text exactly as the clerk typed it.

Workbooks are built with random texts from a seeded generator (Chinese sentences with punctuation,
numbers such as 105人, 100%, 0.97 or 12.5, Latin words, line breaks typed anywhere: after punctuation,
in the middle of a sentence or of a word), in cells of many widths, sizes, fonts and alignments, some
merged over rows and columns. LibreOffice prints them all in one run per font setup (the ``fonts``
fixture: the machine's fonts, then only Noto CJK and DejaVu), and :mod:`perfscore.published` must
give back every cell's text character for character.

A printed page cannot show everything a cell may hold, so the generator never makes these: blank
lines, spaces at the start or end of a line, double spaces (LibreOffice prints them, but a reader
only sees glyphs and gaps); nor a typed line break right after a line that is full, where
LibreOffice would have wrapped anyway: the page looks the same with and without the break, and it
reads as a wrap (:func:`test_a_typed_break_after_a_full_line_reads_as_a_wrap`). The generator finds
those breaks by laying each paragraph out as LibreOffice does (:func:`wrapping.wrap_points`, with the
fonts' advance widths below) and drops them, and the few it cannot be sure of; how many it dropped
is pinned with the other counts.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from pypdf import PdfReader, PdfWriter

from perfscore.errors import UnusableInputError
from perfscore.published import cells, wrapping
from perfscore.published.page import Glyph, Page, PageLayout, Rule
from perfscore.published.pdf import read_pages
from perfscore.report import libreoffice

SEED = 20240611
BOOKS = 6
SHEETS_PER_BOOK = 3


def _split(words: str) -> tuple[str, ...]:
    return tuple(words.split())


def _em(widths: str) -> dict[str, int]:
    """Advance widths (1/1000 em) of the printable ASCII characters, "!" to "~"."""
    values = [int(v) for v in widths.split()]
    assert len(values) == 94
    return dict(zip(map(chr, range(0x21, 0x7F)), values, strict=True))


#: Noto Serif CJK SC and Noto Sans CJK SC (what LibreOffice prints 宋体/仿宋 and Calibri/黑体 with)
#: as measured in LibreOffice's PDFs; a space is 256 and 224; CJK characters and full-width
#: punctuation (also “ ” ≥ ≤ in these fonts) are 1000.
SERIF = _em(
    "308 376 574 550 923 779 196 364 364 478 580 327 346 327 352 557 471 558 557 555 558 558 549 558 "
    "562 327 327 580 580 580 432 912 718 670 691 770 652 629 741 853 405 402 731 625 975 796 767 641 "
    "767 715 567 659 797 714 1053 700 687 605 344 352 344 580 563 435 557 638 538 629 546 388 566 663 "
    "332 311 607 334 974 661 596 638 607 462 473 367 653 548 838 564 552 498 374 316 374 580 "
)
SANS = _em(
    "323 474 555 555 921 680 278 338 338 467 555 278 347 278 392 555 555 555 555 555 555 555 555 555 "
    "555 278 278 555 555 555 474 946 608 657 638 688 589 552 689 728 293 535 646 543 812 723 742 633 "
    "742 635 596 599 721 575 878 573 531 603 338 392 338 555 559 606 563 618 510 620 554 325 564 607 "
    "275 275 552 284 926 610 606 620 620 388 468 377 607 521 802 498 521 475 338 270 338 555 "
)
FULL_WIDTH = frozenset("，。、；：！？（）《》“”「」≥≤")

SERIF_FONTS = ("宋体", "仿宋", "Times New Roman")
SANS_FONTS = ("Calibri", "黑体", "微软雅黑", "Arial")
#: Points per unit of an xlsx column width, as LibreOffice prints it.
POINTS_PER_CHAR = 6.0998
#: The height of a table on a page (points): A4 landscape less openpyxl's default margins.
TABLE_HEIGHT = 400.0

WORDS = _split(
    "项目 资金 绩效 目标 完成 情况 预算 执行 管理 制度 健全 使用 规范 效益 社会 经济 群众 满意度 指标 考核 "
    "评价 部门 单位 年度 计划 实施 进度 质量 成本 产出 服务 对象 覆盖 提升 保障 财政 支出 结构 优化 监督 "
    "整改 落实 问题 原因 措施 改进 加强 推进 开展 培训 宣传 信息 系统 建设 采购 合同 验收 资产 配置 政府 "
    "公共 基础 设施 环境 治理 能力 水平 有效 及时 准确 合理 的 了 和 在 对 与"
)
LATIN = ("KPI", "PPP", "GDP", "Excel", "WPS", "PDF", "data", "quality", "rate", "plan", "budget", "OK", "App", "IT",
         "online")  # fmt: skip
NUMBERS = ("105人", "100%", "0.97", "12.5", "2022年", "3", "1,234", "50万元", "98.6%", "第1季度", "≥ 50",
           "≤ 90%", "1.2万", "30天", "（一）")  # fmt: skip
MID, END = "，、；：", "。！？；"


# --------------------------------------------------------------------------------- the generator


@functools.cache
def advance(ch: str, serif: bool, size: float, tabular: bool = False) -> float:
    """How wide LibreOffice lays ``ch`` out (points) in Noto Serif/Sans CJK at ``size``. Noto Serif
    CJK has two sets of digits, and LibreOffice's shaping picks the ``tabular`` ones (0.549 em) in
    some places (mostly after Latin words); the reader measures the printed ones, the generator
    tries both."""
    if ch == " ":
        em = 256 if serif else 224
    elif serif and tabular and ch.isdigit():
        em = 549
    elif ch.isascii():
        em = (SERIF if serif else SANS)[ch]
    else:
        assert ch in FULL_WIDTH or "\u4e00" <= ch <= "\u9fff", ch
        em = 1000
    return wrapping.laid_out_advance(em * size / 1000, size)


def sentence(rng: random.Random) -> str:
    """A sentence of a 自评表: words, numbers, Latin words, brackets and punctuation."""
    parts = []
    for _ in range(rng.randint(2, 7)):
        r = rng.random()
        if r < 0.6:
            parts.append("".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))))
        elif r < 0.76:
            parts.append(rng.choice(NUMBERS))
        elif r < 0.88:
            parts.append(" ".join(rng.choice(LATIN) for _ in range(rng.randint(1, 3))))
        elif r < 0.95:
            opening, closing = rng.choice(("（）", "《》", "“”", "「」"))
            parts.append(opening + "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 2))) + closing)
        else:
            parts.append(f"({rng.choice(LATIN)})")
        if rng.random() < 0.3:
            parts.append(rng.choice(MID))
    out = ""
    for part in parts:
        latin_pair = (
            out and ((out[-1].isascii() and out[-1].isalnum()) or out[-1] == ")") and part[0].isascii()
        )
        if latin_pair or (
            out and rng.random() < 0.08 and out[-1] not in MID + "（《“「" and part[0] not in MID
        ):
            out += " "  # two Latin words need a space; some clerks put one between Chinese and Latin too
        out += part
    return out + rng.choice(END)


def paragraphs(rng: random.Random, sentences: int) -> list[str]:
    """Sentences cut into paragraphs by typed line breaks: between sentences, and at random places
    inside them (after punctuation, between two characters of a word, …)."""
    text = ""
    for _ in range(sentences):
        s = sentence(rng)
        if rng.random() < 0.3:
            k = rng.randint(1, len(s) - 1)
            if s[k - 1] != " " and s[k] != " ":
                s = s[:k] + "\n" + s[k:]
        if text and rng.random() < 0.4:
            text += "\n"
        text += s
    return text.split("\n")


@dataclass(frozen=True)
class Typed:
    """A cell's text, its printed lines, and how many typed breaks it keeps, and the generator
    dropped: after a full line, or where it cannot tell (see :func:`settle`)."""

    text: str
    lines: int
    kept: int
    full: int
    unsure: int


def settle(parts: Sequence[str], serif: bool, size: float, room: float) -> Typed:
    """Join paragraphs with typed breaks, except where the line before the break would be full:
    there the break is dropped and the paragraphs run on. Also where the layout is not known for
    sure: a line within 0.15 pt of the room (the room LibreOffice has is known to ±0.04 pt), or one
    that depends on which digits LibreOffice picks."""

    def points(text: str, width: float, tabular: bool) -> list[int]:
        return wrapping.wrap_points([(c, advance(c, serif, size, tabular)) for c in text], width)

    def steady(text: str) -> list[int] | None:
        found = points(text, room, False)
        variants = ((room + d, tab) for tab in (False, True) for d in (-0.15, 0.0, 0.15))
        return found if all(points(text, w, tab) == found for w, tab in variants) else None

    kept = full = unsure = 0
    done: list[str] = []
    current = parts[0]
    for nxt in parts[1:]:
        breaks = steady(current)
        last = current[breaks[-1] :] if breaks else current
        probe = steady(last + nxt)
        if breaks is None or probe is None:
            current += nxt
            unsure += 1
        elif probe and probe[0] == len(last):
            current += nxt
            full += 1
        else:
            done.append(current)
            current = nxt
            kept += 1
    done.append(current)
    lines = sum(len(points(p, room, False)) + 1 for p in done)
    return Typed("\n".join(done), lines, kept, full, unsure)


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    rows: int
    cols: int
    text: str
    font: str
    size: float
    horizontal: str
    vertical: str


@dataclass(frozen=True)
class Sheet:
    title: str
    widths: tuple[int, ...]
    height: float  # of every table row
    cells: tuple[Cell, ...]  # row by row, merged cells at their top-left cell
    kept: int
    full: int
    unsure: int


def make_sheet(rng: random.Random, number: int) -> Sheet:
    widths: list[int] = []
    while True:
        w = rng.choice((8, 10, 10, 12, 12, 15, 15, 20, 20, 25, 30, 40, 60))
        if sum(widths) + w > 118:
            break
        widths.append(w)
    nrows = rng.randint(4, 8)
    height = round(TABLE_HEIGHT / nrows, 1)
    first, last = 2, nrows + 1
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for _ in range(rng.randint(1, 3)):
        r, c = rng.randint(first, last - 1), rng.randint(1, len(widths))
        rows, cols = rng.choice(((2, 1), (3, 1), (1, 2), (2, 2)))
        rows, cols = min(rows, last - r + 1), min(cols, len(widths) - c + 1)
        area = {(r + i, c + j) for i in range(rows) for j in range(cols)}
        if rows * cols > 1 and not area & covered:
            merged[(r, c)] = (rows, cols)
            covered |= area
    out, kept, full, unsure = [], 0, 0, 0
    for r in range(first, last + 1):
        for c in range(1, len(widths) + 1):
            rows, cols = merged.get((r, c), (1, 1))
            if (r, c) in covered and (r, c) not in merged:
                continue
            font = rng.choice(SERIF_FONTS + SANS_FONTS)
            size = rng.choice((9, 10, 10.5, 11, 12))
            room = sum(widths[c - 1 : c - 1 + cols]) * POINTS_PER_CHAR - 2 * wrapping.PADDING
            most = int((height * rows - 4) / (1.5 * size))
            typed = Typed("", 0, 0, 0, 0)
            if rng.random() > 0.06:
                sentences = rng.randint(1, 6)
                for _ in range(100):  # shorter texts until one fits the cell's height
                    typed = settle(paragraphs(rng, sentences), font in SERIF_FONTS, size, room)
                    if typed.lines <= most:
                        break
                    sentences = max(1, sentences - 1)
                else:
                    typed = Typed(rng.choice(WORDS[:-6]), 1, 0, 0, 0)
            kept, full, unsure = kept + typed.kept, full + typed.full, unsure + typed.unsure
            align = rng.choice(("left", "center", "right", "general"))
            valign = rng.choice(("top", "center", "bottom"))
            out.append(Cell(r, c, rows, cols, typed.text, font, size, align, valign))
    return Sheet(f"表{number} 绩效自评 12.5 开展情况", tuple(widths), height, tuple(out), kept, full, unsure)


THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def write_book(sheets: Sequence[Sheet], path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for i, sheet in enumerate(sheets, 1):
        ws = wb.create_sheet(f"S{i}")
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.cell(1, 1, sheet.title)
        for c, w in enumerate(sheet.widths, 1):
            ws.column_dimensions[get_column_letter(c)].width = w
        last = max(cell.row + cell.rows - 1 for cell in sheet.cells)
        for r in range(2, last + 1):
            ws.row_dimensions[r].height = sheet.height
            for c in range(1, len(sheet.widths) + 1):
                ws.cell(r, c).border = BORDER
        for cell in sheet.cells:
            target = ws.cell(cell.row, cell.col, cell.text or None)
            target.font = Font(name=cell.font, size=cell.size)
            target.alignment = Alignment(horizontal=cell.horizontal, vertical=cell.vertical, wrap_text=True)
            if cell.rows > 1 or cell.cols > 1:
                ws.merge_cells(
                    start_row=cell.row, start_column=cell.col,
                    end_row=cell.row + cell.rows - 1, end_column=cell.col + cell.cols - 1,
                )  # fmt: skip
    wb.save(path)
    return path


@functools.cache
def generated() -> list[list[Sheet]]:
    rng = random.Random(SEED)
    return [
        [make_sheet(rng, b * SHEETS_PER_BOOK + s + 1) for s in range(SHEETS_PER_BOOK)] for b in range(BOOKS)
    ]


# ---------------------------------------------------------------------------- the special sheets

#: Single-line texts on a sheet without any border: all of them are text outside cells.
LOOSE_TEXTS = (
    "2022年度部门整体支出绩效自评表",
    "第 1 页，共 4 页",
    "12.5 开展绩效自评（一）",
    "KPI rate ≥ 50",
)


def full_line_book(path: Path) -> Path:
    """A sheet without borders (:data:`LOOSE_TEXTS`), and one whose cells hold a typed break after a
    line that is exactly full (12 characters of 10 pt in 12 × 10 + 2 + 3 points), and after one
    character less."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "无框线"
    for r, text in enumerate(LOOSE_TEXTS, 1):
        ws.cell(r, 1, text).font = Font(name="宋体", size=11)
    ws2 = wb.create_sheet("满行")
    ws2.column_dimensions["A"].width = (12 * 10 + 2 + 3) / POINTS_PER_CHAR
    for r, text in enumerate(FULL_LINE_TEXTS, 1):
        cell = ws2.cell(r, 1, text)
        cell.font = Font(name="宋体", size=10)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = BORDER
        ws2.row_dimensions[r].height = 60
    wb.save(path)
    return path


FULL_LINE_TEXTS = (
    "绩效目标完成情况良好资金\n使用规范",  # 12 characters: the line is full
    "绩效目标完成情况良好资\n金使用规范",  # 11: room for one more
    "项目资金使用规范KPI OK\n完成",  # 8 + "KPI OK": the next character would not fit
)
#: What a reader can know of :data:`FULL_LINE_TEXTS`.
FULL_LINE_READ = (
    "绩效目标完成情况良好资金使用规范",
    "绩效目标完成情况良好资\n金使用规范",
    "项目资金使用规范KPI OK完成",
)


# ---------------------------------------------------------------------------------- the fixtures


@dataclass(frozen=True)
class Printed:
    """The generated sheets with the pages read back, and the pages of the special workbook."""

    pages: list[tuple[Sheet, PageLayout]]
    special: list[PageLayout]


@pytest.fixture(scope="module")
def printed(fonts: str, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    """Every generated workbook and the special one, printed in one LibreOffice run, read back."""
    tmp = tmp_path_factory.mktemp(f"published-{fonts}")
    books = generated()
    sources = [write_book(sheets, tmp / f"book{i}.xlsx") for i, sheets in enumerate(books)]
    sources.append(full_line_book(tmp / "special.xlsx"))
    *pdfs, special = libreoffice.convert_many(sources, "pdf", tmp / "pdf")
    pages = []
    for sheets, pdf in zip(books, pdfs, strict=True):
        read = read_pages(pdf)
        assert len(read) == len(sheets), pdf  # one page per sheet
        pages += [(sheet, cells.layout(page)) for sheet, page in zip(sheets, read, strict=True)]
    return Printed(pages, [cells.layout(page) for page in read_pages(special)])


# ------------------------------------------------------------------------------------- the tests


def test_the_generator_is_pinned() -> None:
    """The texts the tests print: how many, and how many typed breaks they keep; and how many the
    generator dropped because the line before was full (read as a wrap: about one in ten), or too
    near the edge, or depending on LibreOffice's choice of digits, to tell."""
    books = generated()
    sheets = [s for b in books for s in b]
    all_cells = [c for s in sheets for c in s.cells]
    texts = [c.text for c in all_cells if c.text]
    assert len(sheets) == BOOKS * SHEETS_PER_BOOK == 18
    assert (len(all_cells), len(texts), sum(c.rows * c.cols > 1 for c in all_cells)) == (496, 465, 28)
    assert (sum(map(len, texts)), sum(t.count(" ") for t in texts)) == (14090, 530)
    assert sum(t.count("\n") for t in texts) == sum(s.kept for s in sheets) == 142
    assert (sum(s.full for s in sheets), sum(s.unsure for s in sheets)) == (15, 27)
    for text in texts:  # what a printed page can show
        assert text == text.strip() and "  " not in text and "\n\n" not in text
        assert " \n" not in text and "\n " not in text


@pytest.mark.libreoffice
def test_every_cell_reads_back_as_typed(printed: Printed) -> None:
    wrong, found = [], 0
    for sheet, page in printed.pages:
        assert len(page.cells) == len(sheet.cells), (sheet.title, page.number)
        for cell, box in zip(sheet.cells, page.cells, strict=True):
            found += 1
            if box.text != cell.text:
                wrong.append(
                    f"{sheet.title} {get_column_letter(cell.col)}{cell.row}: {cell.text!r} read {box.text!r}"
                )
        assert [b.text for b in page.loose][:1] == [sheet.title]
        assert re.fullmatch(r"第 \d+ 页，共 \d+ 页", page.loose[-1].text), page.loose
    assert not wrong, "\n".join(wrong)
    assert found == 496


@pytest.mark.libreoffice
def test_merged_cells_come_out_whole(printed: Printed) -> None:
    merged = 0
    for sheet, page in printed.pages:
        left, top = page.cells[0].x0, page.cells[0].top
        row = min(b.bottom - b.top for b in page.cells)  # LibreOffice rounds row heights a little
        assert row == pytest.approx(sheet.height, abs=1)
        for cell, box in zip(sheet.cells, page.cells, strict=True):
            width = sum(sheet.widths[cell.col - 1 : cell.col - 1 + cell.cols]) * POINTS_PER_CHAR
            assert box.x1 - box.x0 == pytest.approx(width, abs=0.1)
            assert box.x0 - left == pytest.approx(
                sum(sheet.widths[: cell.col - 1]) * POINTS_PER_CHAR, abs=0.2
            )
            assert box.bottom - box.top == pytest.approx(row * cell.rows, abs=0.1)
            assert box.top - top == pytest.approx(row * (cell.row - 2), abs=0.1)
            merged += cell.rows * cell.cols > 1
    assert merged == 28


@pytest.mark.libreoffice
def test_a_page_without_rules_is_all_loose_text(printed: Printed) -> None:
    page = printed.special[0]
    assert page.cells == ()
    assert tuple(b.text for b in page.loose) == LOOSE_TEXTS


@pytest.mark.libreoffice
def test_a_typed_break_after_a_full_line_reads_as_a_wrap(printed: Printed) -> None:
    """The one case the page cannot tell: the line before the break is full, LibreOffice would have
    wrapped there too. One character less, and the typed break shows."""
    page = printed.special[1]
    assert tuple(b.text for b in page.cells) == FULL_LINE_READ


# ------------------------------------------------------------------ pages of other PDF makers


def pdf_bytes(content: bytes) -> bytes:
    """A one-page PDF (300 × 200 pt, Helvetica as /F1) drawing ``content``."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


#: A 2 × 2 table drawn as thin filled rectangles (as Excel and WPS do), its first row merged, plus
#: a stroked box around a footer, and text in three places.
RECT_TABLE = (
    b"0 0 0 rg 20 149.75 200 0.5 re f 20 99.75 200 0.5 re f 20 49.75 200 0.5 re f 20 49.75 0.5 100.5 re f"
    b" 119.75 49.75 0.5 50 re f 219.75 49.75 0.5 100.5 re f 0.5 w 20 10 200 30 re S"
    b" BT /F1 10 Tf 25 120 Td (Budget rate 12.5) Tj ET BT /F1 10 Tf 125 70 Td (OK) Tj ET"
    b" BT /F1 8 Tf 30 20 Td (Page 1 of 1) Tj ET BT /F1 12 Tf 20 170 Td (Title line) Tj ET"
)


def test_thin_rectangles_and_boxes_are_rules(tmp_path: Path) -> None:
    pdf = tmp_path / "rects.pdf"
    pdf.write_bytes(pdf_bytes(RECT_TABLE))
    [page] = read_pages(pdf)
    assert (page.width, page.height) == (300, 200)
    layout = cells.layout(page)
    assert [(round(b.x0), round(b.top), round(b.x1), round(b.bottom), b.text) for b in layout.cells] == [
        (20, 50, 220, 100, "Budget rate 12.5"),
        (20, 100, 120, 150, ""),
        (120, 100, 220, 150, "OK"),
        (20, 160, 220, 190, "Page 1 of 1"),
    ]
    assert [b.text for b in layout.loose] == ["Title line"]


def test_cells_from_rules_merge_collinear_pieces() -> None:
    """Rules drawn in pieces, twice, or a double line: one grid; a region not closed is no cell."""
    h = [Rule(0, y, 50, y) for y in (0, 20, 40)] + [Rule(50.4, y, 100, y) for y in (0, 20, 40)]
    h += [Rule(0, 41.2, 100, 41.2), Rule(0, 60, 60, 60)]  # a double line; a rule closing nothing
    v = [Rule(x, 0, x, 20.5) for x in (0, 100)] + [Rule(x, 19.8, x, 41.2) for x in (0, 50, 100)]
    v += [Rule(50, 0, 50, 8)]  # a stub: the first row stays one merged cell
    glyph = Glyph("字", 60, 70, 25, 35, 10)
    page = Page(1, 200, 100, (glyph,), tuple(h + v))
    layout = cells.layout(page)
    assert [(b.x0, b.top, b.x1, b.bottom, b.text) for b in layout.cells] == [
        (0, 0, 100, 20, ""),
        (0, 20, 50, 40, ""),
        (50, 20, 100, 40, "字"),
    ]


def test_loose_lines_join_words_with_one_space() -> None:
    def word(text: str, x: float, top: float, size: float = 10) -> list[Glyph]:
        out, at = [], x
        for ch in text:
            width = size if ord(ch) > 0x2000 else size * 0.55
            out.append(Glyph(ch, at, at + width, top, top + size, size))
            at += width
        return out

    glyphs = (
        word("第", 10, 5)
        + word("1", 22.5, 5)
        + word("页，共", 30, 5)
        + word("4", 62.5, 5)
        + word("页", 70, 5)
    )
    glyphs += word("12.5", 10, 30) + word("开展…", 35, 30)
    layout = cells.layout(Page(1, 100, 100, tuple(glyphs), ()))
    assert [b.text for b in layout.loose] == ["第 1 页，共 4 页", "12.5 开展…"]


# --------------------------------------------------------------------------------- unusable files


def encrypted(user: str, owner: str | None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf_bytes(RECT_TABLE))))
    writer.encrypt(user_password=user, owner_password=owner)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"PK\x03\x04 an xlsx, say", "不是 PDF 文件", id="not-a-pdf"),
        pytest.param(b"", "文件是空的", id="empty"),
        pytest.param(b"%PDF-1.4\nthis is no PDF\n", "PDF 无法读取", id="damaged"),
        pytest.param(pdf_bytes(RECT_TABLE)[:500], "PDF 无法读取", id="truncated"),
        pytest.param(encrypted("secret", None), "PDF 已加密，请先解除密码后再读取", id="encrypted"),
        pytest.param(pdf_bytes(b"20 20 200 100 re S"), "没有文字层（可能是扫描件", id="no-text"),
    ],
)
def test_unusable_files_are_refused_in_chinese(tmp_path: Path, data: bytes, message: str) -> None:
    pdf = tmp_path / "公开.pdf"
    pdf.write_bytes(data)
    with pytest.raises(UnusableInputError, match=re.escape(message)) as err:
        read_pages(pdf)
    assert str(err.value).startswith(f"{pdf}: ")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(UnusableInputError, match="找不到文件"):
        read_pages(tmp_path / "无.pdf")


def test_an_owner_password_alone_does_not_stop_reading(tmp_path: Path) -> None:
    pdf = tmp_path / "owner.pdf"
    pdf.write_bytes(encrypted("", "owner"))
    [page] = read_pages(pdf)
    assert cells.layout(page).cells[0].text == "Budget rate 12.5"
