"""Limits on what a workbook may hold, checked from the zip package before openpyxl parses it.

openpyxl keeps the shared-string table, the styles and every part it does not stream in memory, and
``perfscore check`` loads a workbook twice (cached results, then formulas). A file of a few hundred
kilobytes can therefore unpack to one shared string of 300 MB or to millions of cells, strings or
styles and take gigabytes or many minutes. :func:`check_package` counts what the package holds, from
the zip itself and cheaply: the central directory first (entries and declared sizes, before a byte
is decompressed), then every part streamed through expat in 64 KiB chunks — nothing is kept, the
scan stops at the first limit exceeded, and a part that is not XML (a picture, the VBA project) stops
after its first chunk. zipfile never decompresses more than a part's declared size, and the declared
sizes are checked first, so the scan itself stays within a few megabytes.

What a real form holds (``perfscore new`` / ``perfscore import``, and the seed form re-saved by
LibreOffice): 14–22 parts, 70–120 KB unpacked, the largest part 26 KB, 5 or 6 sheets, about 590
cells, rows up to 69 (all sheets counted to their last row), about 160 shared strings, 6,400
characters of text, 670–1,600 other XML elements (styles, merged cells, validations …), 2,000–2,900
elements in all, 200 merged cells, nesting depth 9. Each limit below is at least ten times that (six
times the other elements of the re-saved form), most forty times or more, so a department may keep a
few sheets of its own data in the workbook. Together they keep ``perfscore check`` within 3.5–5 s of
CPU and 55 MB on a slow 2-core machine for the worst file that passes them all, against a ceiling of
10 s and 300 MB for any file under the 50 MB cap (``calc``, which loads it twice more and writes it:
9–10 s and 80 MB);
``tests/test_hostile_bombs.py`` builds that file and a bomb for each limit. The costs quoted are CPU
for ``check``, which loads a workbook twice:

=========================  ===========  =================================================================
limit                      value        why this value
=========================  ===========  =================================================================
parts in the zip           1,000        zipfile makes an object of each entry: 400,000 empty entries
                                        (36 MB) cost 230 MB and 6 s; the central directory is counted
                                        (and held to 1 MiB) before zipfile reads it
unpacked bytes, one part   32 MiB       openpyxl reads whole parts (styles, workbook, theme) into memory;
                                        one shared string of 299 MB took 934 MB
unpacked bytes, all parts  300 MiB      :data:`MAX_UNPACKED_BYTES`
sheets                     100          each sheet is opened and parsed (twice) by itself
cells                      25,000       all sheets together; about 40 µs each (1 s)
rows                       25,000       all sheets together, each counted to its last row: a sheet with
                                        one cell in row 1,048,576 is read as a million empty rows (15 s)
shared strings             20,000       about 30 µs each (more for ``calc``, which reads rich text);
                                        ten million took 1 GB and 8 minutes
characters of text         2,500,000    all text of all parts; kept as Python strings (up to 4 bytes
                                        a character, and twice)
characters in one cell     32,767       Excel's own limit for a cell (one shared string, one cell's text
                                        or formula): a longer one was not made by Excel
other XML elements         10,000       styles, merged cells, conditional formats, rich text runs, names
                                        …: openpyxl makes objects of each, up to 65 µs (0.65 s; ``calc``
                                        parses styles four times); 300,000 formats took 51 s and 523 MB
merged cells               20,000       the cells merged ranges cover: ``calc`` makes an object of each
                                        (30 µs), so one range A1:XFD1048576 would never end
XML elements in all        200,000      every element of every part, cell values included; bounds this
                                        scan too (about 4 µs an element)
nesting depth              100          a form nests 9 deep; a million nested elements took 300 MB
one tag, comment or PI     1 MiB        expat holds a tag whole, and re-reads it from its start at every
                                        chunk: a 20 MB attribute did not finish in a minute
DTD / entity declarations  none         Excel never writes them; entity expansion ("billion laughs") and
                                        external entities are refused before any is expanded
compression                deflate      or stored: the only methods of an Office package
=========================  ===========  =================================================================

Every refusal is an :class:`~perfscore.errors.UnusableInputError` (exit 2) with one Chinese line that
names the sheet or part, the limit and what to do. A part that is not well-formed XML is left alone:
openpyxl parses with the same expat and reports it as damaged if it needs the part.

Imports: the standard library and :mod:`perfscore.errors` only.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

from perfscore.errors import UnusableInputError

MiB = 1024 * 1024

#: Zip entries (parts) in the package.
MAX_PARTS = 1_000
#: Bytes of the zip central directory (read whole by zipfile before anything else).
MAX_DIRECTORY_BYTES = 1 * MiB
#: Declared unpacked size of the whole package.
MAX_UNPACKED_BYTES = 300 * MiB
#: Declared unpacked size of any one part.
MAX_PART_BYTES = 32 * MiB
#: Sheets listed in the workbook.
MAX_SHEETS = 100
#: Cells (``<c>`` elements) in all worksheets together.
MAX_CELLS = 25_000
#: Rows in all worksheets together, each sheet counted up to its last row.
MAX_ROWS = 25_000
#: Entries of the shared-string table.
MAX_SHARED_STRINGS = 20_000
#: Characters of one shared string, one cell's text or formula (Excel's limit for a cell).
MAX_CELL_CHARS = 32_767
#: Characters of text in all parts together.
MAX_TEXT_CHARS = 2_500_000
#: XML elements other than cells, their values, rows and plain shared strings (styles, merged cells, …).
MAX_STRUCTURE = 10_000
#: Cells covered by merged ranges in all worksheets together (openpyxl makes an object of each when it
#: opens a workbook to write it: one range A1:XFD1048576 would be 17 billion).
MAX_MERGED_CELLS = 20_000
#: XML elements of every kind in all parts together.
MAX_ELEMENTS = 200_000
#: Nesting depth of XML elements.
MAX_DEPTH = 100
#: Bytes of one XML tag with its attributes, one comment or processing instruction.
MAX_TAG_BYTES = 1 * MiB
#: Bytes decompressed and parsed at a time.
CHUNK = 64 * 1024

WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_R_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"

_REDO = "请在 Excel 中打开并另存为 .xlsx 后再试"
_TRIM = "不像是自评表；请删除无关的数据后再试"

# what a part is, by the local name of its root element
_SHEET, _STRINGS, _STYLES, _WORKBOOK, _RELS, _OTHER = range(6)
_ROOTS = {
    "worksheet": _SHEET,
    "macrosheet": _SHEET,
    "dialogsheet": _SHEET,
    "sst": _STRINGS,
    "styleSheet": _STYLES,
    "workbook": _WORKBOOK,
    "Relationships": _RELS,
}
_CELL_CONTENT = frozenset({"v", "f", "is"})
_RANGE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?")
#: How a part is named in a message when it is not a sheet (by its root element, else its usual path).
_LABELS = {_STRINGS: "共享字符串表", _STYLES: "样式表", _WORKBOOK: "工作簿结构"}
_USUAL = {"xl/sharedStrings.xml": _STRINGS, "xl/styles.xml": _STYLES, WORKBOOK_PART: _WORKBOOK}


class _Refused(Exception):
    """A limit is exceeded: the one-line Chinese reason."""


def check_directory(fh: BinaryIO, size: int) -> str | None:
    """Why the zip central directory is too big to let zipfile read it, or ``None``.

    zipfile reads the whole central directory and makes an object of every entry before anything
    else can be checked; a 36 MB file of 400,000 empty entries costs 230 MB and 6 s.
    """
    found = zip_directory(fh, size)
    if found is None:
        return None
    entries, directory = found
    if entries > MAX_PARTS:
        return _too_many_parts(entries)
    if directory > MAX_DIRECTORY_BYTES:
        return (
            f"工作簿的部件目录过大（{directory / MiB:.1f} MB，上限 {MAX_DIRECTORY_BYTES // MiB} MB），"
            f"不像是自评表；{_REDO}"
        )
    return None


def zip_directory(fh: BinaryIO, size: int) -> tuple[int, int] | None:
    """(entries, bytes) of a zip file's central directory, from its end record (and its zip64 form),
    found the way zipfile finds it; ``None`` for a file without one (left to zipfile)."""
    tail_len = min(size, 22 + 0xFFFF)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = len(tail) - 22 if tail[-22:-18] == b"PK\x05\x06" else tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries, directory = struct.unpack("<10xHL6x", tail[at : at + 22])
    if at >= 20 + 56 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        record = tail[at - 20 - 56 : at - 20]
        if record[:4] == b"PK\x06\x06":
            entries, directory = struct.unpack("<32xQQ8x", record)
    return int(entries), int(directory)


def _too_many_parts(count: int) -> str:
    return (
        f"工作簿包含 {count} 个内部部件（上限 {MAX_PARTS} 个），不像是自评表；"
        "请删除无关的工作表、图片和对象，或把内容复制到新的 perfscore 自评表后再试"
    )


@dataclass(frozen=True)
class Counts:
    """What a package holds, in the units of the limits (a package within them all)."""

    parts: int
    unpacked: int
    sheets: int
    cells: int
    rows: int
    strings: int
    text: int
    structure: int
    merged: int
    elements: int
    depth: int


def check_package(zf: zipfile.ZipFile, path: Path) -> Counts:
    """Count what the package at ``path`` holds; raise :class:`UnusableInputError` past any limit."""
    package = _Package(zf)
    try:
        package.check()
    except _Refused as exc:
        raise UnusableInputError(str(exc), path=str(path)) from None
    infos = zf.infolist()
    return Counts(
        parts=len(infos),
        unpacked=sum(i.file_size for i in infos),
        sheets=package.sheets,
        cells=package.cells,
        rows=package.rows,
        strings=package.strings,
        text=package.text,
        structure=package.structure,
        merged=package.merged,
        elements=package.elements,
        depth=package.depth,
    )


class _Package:
    """The workbook-wide counts, and the scan of each part in turn."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.sheet_names: dict[str, str] = {}  # part name -> sheet name
        self.listed: list[tuple[str, str]] = []  # (sheet name, relationship id) from the workbook
        self.targets: dict[str, str] = {}  # relationship id -> part name, from the workbook's rels
        self.sheets = self.cells = self.rows = self.strings = 0
        self.text = self.structure = self.elements = self.merged = self.depth = 0

    def check(self) -> None:
        infos = self.zf.infolist()
        if len(infos) > MAX_PARTS:
            raise _Refused(_too_many_parts(len(infos)))
        for info in infos:
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 1:
                raise _Refused(
                    f"工作簿中的部件 {_shown(info.filename)} 使用了 .xlsx 不支持的压缩或加密方式，"
                    f"文件已损坏或不是 Excel 保存的；{_REDO}"
                )
        first = [i for name in (WORKBOOK_PART, WORKBOOK_RELS) for i in infos if i.filename == name]
        for info in first:
            self.scan(info)
        for rid, target in self.targets.items():
            for name, listed_rid in self.listed:
                if listed_rid == rid:
                    self.sheet_names.setdefault(target, name)
        for info in infos:
            if info not in first:
                self.scan(info)

    def where(self, part: str, kind: int = -1) -> str:
        """The sheet or part in words: 工作表“履职效能”, 共享字符串表, 部件“xl/media/image1.png”."""
        name = self.sheet_names.get(part)
        if name is not None:
            return f"工作表“{_shown(name, 31)}”"
        if kind == _SHEET:
            return f"工作表部件“{_shown(part)}”"
        label = _LABELS.get(kind if kind >= 0 else _USUAL.get(part, _OTHER))
        return label if label else f"部件“{_shown(part)}”"

    def scan(self, info: zipfile.ZipInfo) -> None:
        if info.is_dir():
            return
        if info.file_size > MAX_PART_BYTES:
            raise _Refused(
                f"{self.where(info.filename)}解压后过大（{info.file_size / MiB:.0f} MB，"
                f"上限 {MAX_PART_BYTES // MiB} MB），不像是自评表；请删除无关的数据、图片或附件后再试"
            )
        part = _Part(self, info.filename)
        try:
            with self.zf.open(info) as fh:
                part.feed(fh.read)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise _Refused(
                f"文件已损坏，无法解压（部件 {_shown(info.filename)}：{_shown(str(exc))}）；请重新获取该文件"
            ) from None
        if part.kind == _SHEET:
            self.rows += part.last_row


class _Part:
    """One part streamed through expat: every handler counts, and refuses past a limit."""

    def __init__(self, package: _Package, name: str) -> None:
        self.package = package
        self.name = name
        self.kind = -1  # not known before the root element
        self.stack: list[str] = []
        self.events = 0
        self.run = 0  # characters of the current text run
        self.row = 0  # the current row number, as openpyxl counts it
        self.last_row = 0
        self.cell: str | None = None  # the current cell's reference
        self.string_chars = 0
        self.listing = name == WORKBOOK_PART
        self.relating = name == WORKBOOK_RELS

    def feed(self, read: Callable[[int], bytes]) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.buffer_size = CHUNK
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.doctype
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.CommentHandler = self.other
        parser.ProcessingInstructionHandler = self.other
        fed = 0
        mark = 0  # where the last chunk with an event began: nothing since is parsed yet
        while True:
            chunk = read(CHUNK)
            events = self.events
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError:
                return  # not XML (a picture, the VBA project) or broken XML: left to openpyxl
            if not chunk:
                return
            if self.events != events:
                mark = fed
            fed += len(chunk)
            if fed - mark > MAX_TAG_BYTES:
                raise _Refused(
                    f"{self.where()}含有超过 {MAX_TAG_BYTES // MiB} MB 的单个 XML 标记（属性值或注释过长），"
                    f"不是 Excel 保存的内容，文件可能已损坏或被篡改；{_REDO}"
                )

    def where(self) -> str:
        return self.package.where(self.name, self.kind)

    # ------------------------------------------------------------------------------ the handlers

    def doctype(self, *_: object) -> None:
        raise _Refused(
            f"{self.where()}含有 DTD 或实体声明（<!DOCTYPE>/<!ENTITY>），Excel 不会写入这种内容，"
            f"可能是恶意构造的文件（如实体膨胀攻击），已拒绝读取；{_REDO}"
        )

    def other(self, *_: object) -> None:
        """A comment or a processing instruction: counted as an element of structure."""
        self.events += 1
        self.count_structure()

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.events += 1
        self.run = 0
        local = name[name.rfind(" ") + 1 :]
        stack = self.stack
        parent = stack[-1] if stack else ""
        stack.append(local)
        package = self.package
        package.elements += 1
        if len(stack) > package.depth:
            package.depth = len(stack)
            if package.depth > MAX_DEPTH:
                raise _Refused(
                    f"{self.where()}的 XML 嵌套超过 {MAX_DEPTH} 层，不是 Excel 保存的内容，"
                    f"文件可能已损坏或被篡改；{_REDO}"
                )
        if package.elements > MAX_ELEMENTS:
            raise _Refused(f"工作簿的 XML 元素合计超过 {MAX_ELEMENTS} 个（超出于{self.where()}），{_TRIM}")
        kind = self.kind
        if kind < 0:
            self.kind = _ROOTS.get(local, _OTHER)
        elif kind == _SHEET:
            if local == "c" and parent == "row":
                self.cell = attrs.get("r")
                self.count_cell()
            elif (parent == "c" and local in _CELL_CONTENT) or (local == "t" and parent == "is"):
                pass
            elif local == "row":  # openpyxl reads a row wherever it is, not only in <sheetData>
                self.count_row(attrs.get("r"))
            else:
                self.count_structure()
                if local == "mergeCell":
                    self.count_merged(attrs.get("ref", ""))
        elif kind == _STRINGS:
            if local == "si" and parent == "sst":
                self.string_chars = 0
                package.strings += 1
                if package.strings > MAX_SHARED_STRINGS:
                    raise _Refused(f"{self.where()}有超过 {MAX_SHARED_STRINGS} 条文字，{_TRIM}")
            elif not (local == "t" and parent == "si"):
                self.count_structure()
        elif kind == _WORKBOOK and local == "sheet" and parent == "sheets":
            package.sheets += 1
            if package.sheets > MAX_SHEETS:
                raise _Refused(f"工作簿有超过 {MAX_SHEETS} 张工作表，不像是自评表；请删除无关的工作表后再试")
            if self.listing:
                package.listed.append((attrs.get("name", ""), attrs.get(_R_ID, "")))
        else:
            self.count_structure()
            if self.relating and local == "Relationship":
                target = attrs.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
                package.targets[attrs.get("Id", "")] = posixpath.normpath(part)

    def end(self, _name: str) -> None:
        self.events += 1
        self.run = 0
        self.stack.pop()

    def characters(self, data: str) -> None:
        self.events += 1
        n = len(data)
        self.run += n
        package = self.package
        package.text += n
        if package.text > MAX_TEXT_CHARS:
            raise _Refused(f"工作簿中的文字合计超过 {MAX_TEXT_CHARS} 个字符（超出于{self.where()}），{_TRIM}")
        if self.kind == _STRINGS:
            self.string_chars += n
            if self.string_chars > MAX_CELL_CHARS:
                raise _Refused(
                    f"{self.where()}中有一条文字超过 {MAX_CELL_CHARS} 个字符（Excel 单元格的上限），"
                    "不像是自评表；请缩短过长的文字后再试"
                )
        elif self.kind == _SHEET and self.run > MAX_CELL_CHARS:
            at = f"单元格 {self.cell} " if self.cell and "c" in self.stack else ""
            raise _Refused(
                f"{self.where()}的{at}含有超过 {MAX_CELL_CHARS} 个字符的内容（Excel 单元格的上限），"
                "不像是自评表；请缩短过长的内容后再试"
            )

    # ---------------------------------------------------------------------------------- counting

    def count_cell(self) -> None:
        package = self.package
        package.cells += 1
        if package.cells > MAX_CELLS:
            raise _Refused(
                f"各工作表合计超过 {MAX_CELLS} 个单元格（超出于{self.where()}），不像是自评表；"
                "请删除无关的工作表或数据（或移到另一个工作簿）后再试"
            )

    def count_row(self, ref: str | None) -> None:
        try:
            row = int(ref) if ref is not None else self.row + 1
        except ValueError:
            row = self.row + 1
        self.row = row
        if row > self.last_row:
            self.last_row = row
            if self.package.rows + row > MAX_ROWS:
                if row > MAX_ROWS:
                    raise _Refused(
                        f"{self.where()}的内容延伸到第 {row} 行（各工作表合计上限 {MAX_ROWS} 行），不像是自评表；"
                        "请删除下方无关的行（全选这些行后删除，而不是只清除内容）后再试"
                    )
                raise _Refused(
                    f"各工作表合计超过 {MAX_ROWS} 行（每张表计到最后一行，超出于{self.where()}），"
                    "不像是自评表；请删除无关的工作表或行后再试"
                )

    def count_merged(self, ref: str) -> None:
        found = _RANGE.fullmatch(ref.strip())
        if not found:
            return  # not a range openpyxl could expand either
        col1, row1, col2, row2 = found.groups()
        rows = abs(int(row2 or row1) - int(row1)) + 1
        cols = abs(_column(col2 or col1) - _column(col1)) + 1
        package = self.package
        package.merged += rows * cols
        if package.merged > MAX_MERGED_CELLS:
            raise _Refused(
                f"{self.where()}的合并单元格过大（{ref.strip()} 等合计覆盖超过 {MAX_MERGED_CELLS} 个单元格），"
                "不像是自评表；请取消无关的合并单元格后再试"
            )

    def count_structure(self) -> None:
        package = self.package
        package.structure += 1
        if package.structure > MAX_STRUCTURE:
            raise _Refused(
                f"工作簿中的格式和对象（样式、合并单元格、条件格式、数据验证、富文本等）合计超过 "
                f"{MAX_STRUCTURE} 项（超出于{self.where()}），不像是自评表；"
                "请删除无关的内容，或把内容复制到新的 perfscore 自评表后再试"
            )


def _column(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _shown(text: str, most: int = 100) -> str:
    """A name from the file as it may appear in a one-line message: printable, and not too long
    (Excel's sheet names have at most 31 characters; a zip entry name may have 65,535)."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in text[:most])
    return shown + "…" if len(text) > most else shown
