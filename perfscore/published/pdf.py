"""Reading a PDF's pages as glyphs and ruling lines: the only module of perfscore that talks to pdfminer.

pdfminer's aggregator runs without layout analysis (``laparams=None``): it hands back each page's raw
characters, lines, rectangles and paths, which is all :mod:`perfscore.published.cells` needs and much
faster than grouping them into text boxes. Coordinates are turned to the top-left origin of
:mod:`perfscore.published.page`.

LibreOffice draws each cell border as a stroked line (``LTLine``), a double border as two of them;
other producers draw borders as thin filled rectangles or as the outline of a rectangle. All of them
become :class:`~perfscore.published.page.Rule` segments here; large filled rectangles (cell shading),
curves and slanted lines are not borders and are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from io import BytesIO
from itertools import pairwise
from pathlib import Path

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTItem, LTLine, LTPage, LTRect
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

from perfscore.errors import UnusableInputError
from perfscore.published.page import Glyph, Page, Rule

# pdfminer logs its complaints about damaged files; without a handler Python would print them.
logging.getLogger("pdfminer").addHandler(logging.NullHandler())

#: A filled rectangle at most this thick (points) is a line drawn as a rectangle.
THIN = 2.0
#: Shorter segments (points) are dots or glyph parts, not borders.
MIN_RULE = 1.0
#: How far (points) a segment may slant and still count as horizontal or vertical.
SLANT = 0.1


def read_pages(path: Path) -> list[Page]:
    """Every page of the PDF at ``path``: its glyphs (in content order) and its ruling lines.

    Raises :class:`~perfscore.errors.UnusableInputError` when the file is not a readable PDF, is
    protected by a password, or has no text at all (a scan).
    """
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise UnusableInputError("找不到文件", path=name) from None
    except IsADirectoryError:
        raise UnusableInputError("这是一个文件夹，不是 PDF 文件", path=name) from None
    except OSError as err:
        raise UnusableInputError(f"无法打开文件（{err.strerror or err}）", path=name) from None
    if not data.strip():
        raise UnusableInputError("文件是空的，不是 PDF 文件", path=name)
    if b"%PDF-" not in data[:1024]:
        raise UnusableInputError("不是 PDF 文件：请提供部门公开的自评表 PDF", path=name)
    try:
        pages = _read(data)
    except PDFPasswordIncorrect:
        raise UnusableInputError("PDF 已加密，请先解除密码后再读取", path=name) from None
    except PDFEncryptionError as err:
        raise UnusableInputError(f"PDF 已加密且无法解密（{err}），请先解除加密后再读取", path=name) from None
    except Exception as err:  # pdfminer fails on damaged files with errors of any kind
        detail = (str(err).strip() or type(err).__name__)[:200]
        raise UnusableInputError(
            f"PDF 无法读取（{detail}），文件可能已损坏：请确认文件完整，或用 PDF 软件另存后再试", path=name
        ) from None
    if not pages:
        raise UnusableInputError("PDF 没有任何页面", path=name)
    if not any(p.glyphs for p in pages):
        raise UnusableInputError(
            "PDF 没有文字层（可能是扫描件或图片），请先用 OCR 软件识别为可检索文字的 PDF 后再读取", path=name
        )
    return pages


def _read(data: bytes) -> list[Page]:
    parser = PDFParser(BytesIO(data))
    document = PDFDocument(parser)
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    pages = []
    for number, pdf_page in enumerate(PDFPage.create_pages(document), start=1):
        interpreter.process_page(pdf_page)
        pages.append(_page(number, device.get_result()))
    return pages


def _page(number: int, lt: LTPage) -> Page:
    left, top = lt.x0, lt.y1
    glyphs: list[Glyph] = []
    rules: list[Rule] = []

    def visit(items: Iterable[LTItem]) -> None:
        for item in items:
            if isinstance(item, LTChar):
                text = item.get_text()
                if not text or text.isspace():
                    if glyphs and text and abs(glyphs[-1].top - (top - item.y1)) < 0.5 * item.size:
                        last = glyphs[-1]
                        glyphs[-1] = replace(
                            last, space_after=last.space_after + max(item.x1 - item.x0, 0.01)
                        )
                    continue
                glyphs.append(
                    Glyph(text, item.x0 - left, item.x1 - left, top - item.y1, top - item.y0, item.size)
                )
            elif isinstance(item, (LTLine, LTRect, LTCurve)):
                rules.extend(_rules(item, left, top))
            elif isinstance(item, LTContainer):
                visit(item)

    visit(lt)
    return Page(number, lt.width, lt.height, tuple(glyphs), tuple(rules))


def _rules(item: LTCurve, left: float, top: float) -> list[Rule]:
    """The horizontal and vertical segments a line, rectangle or path draws (top-left origin)."""
    x0, x1, y0, y1 = item.x0 - left, item.x1 - left, top - item.y1, top - item.y0
    width, height = x1 - x0, y1 - y0
    if max(width, height) < MIN_RULE or not (item.fill or item.stroke):
        return []
    if min(width, height) <= THIN and (item.fill or not isinstance(item, LTLine)):
        # a thin filled rectangle or a thin closed path: its centre line
        if width >= height:
            mid = (y0 + y1) / 2
            return [Rule(x0, mid, x1, mid)]
        mid = (x0 + x1) / 2
        return [Rule(mid, y0, mid, y1)]
    if not item.stroke:
        return []  # shading, a filled shape
    out = []
    points = [(x - left, top - y) for x, y in item.pts]
    if isinstance(item, LTRect) and len(points) == 4:
        points.append(points[0])  # the rectangle's closing side
    for (ax, ay), (bx, by) in pairwise(points):
        if abs(ay - by) <= SLANT and abs(ax - bx) >= MIN_RULE:
            y = (ay + by) / 2
            out.append(Rule(min(ax, bx), y, max(ax, bx), y))
        elif abs(ax - bx) <= SLANT and abs(ay - by) >= MIN_RULE:
            x = (ax + bx) / 2
            out.append(Rule(x, min(ay, by), x, max(ay, by)))
    return out
