"""Hostile and careless input: memory and time bombs under the size caps, and paths that never end.

Each bomb is built at run time from the real seed form (a zip of a few hundred kilobytes at most
that unpacks to hundreds of megabytes, millions of cells or strings, entity expansion, …), then
``perfscore check`` runs on it as a child process. The test pins the exit code (2) and the exact
one-line reason, and holds the child to the issue's ceiling: a peak RSS under 300 MB and under 10 s
(wall clock and CPU). The limits are those of :mod:`perfscore.xlsx.limits`; a form at all of them at
once is still read, within the same ceiling.

A named pipe, a device, a socket or a folder given as the input is refused before it is opened
(opening a pipe blocks forever): every such run has a timeout, so a hang fails instead of waiting.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from perfscore.errors import InputDataError, UnusableInputError
from perfscore.inputfile import require_regular_file
from perfscore.xlsx import limits
from perfscore.xlsx.sniff import MAX_FILE_BYTES
from tests.xlsx_helpers import build_seed

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="peak RSS in kilobytes from wait4, named pipes and Unix sockets: Linux"
)

#: The issue's ceiling for any input up to the 50 MB file cap.
MAX_RSS_MB = 300
MAX_SECONDS = 10
#: A child still running after this is a hang: it is killed and the test fails.
TIMEOUT = 60

MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
WORKSHEET_TYPE = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_CT = b"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
P_SHEET = "xl/worksheets/sheet2.xml"  # 履职效能 in the seed form
META_SHEET = "xl/worksheets/sheet5.xml"  # _perfscore
SST = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"
WORKBOOK = "xl/workbook.xml"
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seed(tmp_path_factory.mktemp("seed") / "seed.xlsx")


# ----------------------------------------------------------------------- running a child, measured


@dataclass
class Child:
    exit_code: int
    stdout: str
    stderr: str
    rss_mb: float
    cpu_s: float
    wall_s: float

    def within_ceiling(self) -> bool:
        return self.rss_mb < MAX_RSS_MB and self.cpu_s < MAX_SECONDS and self.wall_s < MAX_SECONDS


def _address_space_guard() -> None:  # pragma: no cover - runs in the child before exec
    """A regression must fail the test, not swap the machine: 2 GiB of address space at most."""
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 * MiB, 2 * 1024 * MiB))


def run_child(args: Sequence[str | Path], tmp_path: Path, timeout: float = TIMEOUT) -> Child:
    """Run ``perfscore ARGS`` in a child process; its own peak RSS and CPU come from ``os.wait4``."""
    env = {k: v for k, v in os.environ.items() if k != "PERFSCORE_DEBUG"}
    out_path, err_path = tmp_path / "child.out", tmp_path / "child.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "perfscore.cli", *map(str, args)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            preexec_fn=_address_space_guard,
        )
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                pytest.fail(f"perfscore {' '.join(map(str, args))} still running after {timeout} s: a hang")
            time.sleep(0.005)
        wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Child(
        exit_code=proc.returncode,
        stdout=out_path.read_text("utf-8"),
        stderr=err_path.read_text("utf-8"),
        rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        cpu_s=usage.ru_utime + usage.ru_stime,
        wall_s=wall,
    )


# --------------------------------------------------------------------- building a package, streamed

#: A piece of a part: bytes, or (unit, count) for ``unit`` repeated ``count`` times, written in blocks.
Piece = bytes | tuple[bytes, int]
#: The new content of a part, from its original bytes (``b""`` for a new part).
Edit = Callable[[bytes], Iterable[Piece]]


def _write(out: IO[bytes], pieces: Iterable[Piece]) -> None:
    for piece in pieces:
        if isinstance(piece, bytes):
            out.write(piece)
            continue
        unit, count = piece
        per = max(1, (64 * 1024) // len(unit))
        block = unit * per
        full, rest = divmod(count, per)
        for _ in range(full):
            out.write(block)
        out.write(unit * rest)


def before(marker: bytes, *pieces: Piece) -> Edit:
    """Insert ``pieces`` just before the first ``marker`` of the part."""

    def edit(original: bytes) -> list[Piece]:
        at = original.index(marker)
        return [original[:at], *pieces, original[at:]]

    return edit


def inside(tag: bytes, *pieces: Piece) -> Edit:
    """Insert ``pieces`` just after the opening tag ``<tag …>`` of the part."""

    def edit(original: bytes) -> list[Piece]:
        at = original.index(b">", original.index(b"<" + tag)) + 1
        return [original[:at], *pieces, original[at:]]

    return edit


def whole(*pieces: Piece) -> Edit:
    return lambda _original: pieces


def package(seed: Path, dst: Path, edits: dict[str, Edit], methods: dict[str, int] | None = None) -> Path:
    """Copy the seed form's package to ``dst``, each part in ``edits`` rewritten (or added), streamed."""
    methods = methods or {}
    with zipfile.ZipFile(seed) as src, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        names = src.namelist()
        for name in names + [n for n in edits if n not in names]:
            original = src.read(name) if name in names else b""
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = methods.get(name, zipfile.ZIP_DEFLATED)
            with out.open(info, "w") as fh:
                _write(fh, edits[name](original) if name in edits else [original])
    return dst


def sheets(
    count: int,
    body: Callable[[int], Sequence[Piece]],
    tail: Callable[[int], Sequence[Piece]] = lambda i: [],
    name: Callable[[int], bytes] = lambda i: "数据%d".encode() % i,
) -> dict[str, Edit]:
    """Edits that add ``count`` worksheets ``name(i)`` (数据1, 数据2, …) holding ``<sheetData>``
    ``body(i)`` and then ``tail(i)``."""
    numbers = range(1, count + 1)
    edits: dict[str, Edit] = {
        WORKBOOK: before(
            b"</sheets>",
            *(b'<sheet name="%s" sheetId="%d" r:id="rX%d"/>' % (name(i), 100 + i, i) for i in numbers),
        ),
        "xl/_rels/workbook.xml.rels": before(
            b"</Relationships>",
            *(
                b'<Relationship Id="rX%d" Type="%s" Target="worksheets/data%d.xml"/>' % (i, WORKSHEET_TYPE, i)
                for i in numbers
            ),
        ),
        "[Content_Types].xml": before(
            b"</Types>",
            *(
                b'<Override PartName="/xl/worksheets/data%d.xml" ContentType="%s"/>' % (i, WORKSHEET_CT)
                for i in numbers
            ),
        ),
    }
    for i in numbers:
        edits[f"xl/worksheets/data{i}.xml"] = whole(
            b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet ' + MAIN + b"><sheetData>",
            *body(i),
            b"</sheetData>",
            *tail(i),
            b"</worksheet>",
        )
    return edits


def sst(*pieces: Piece) -> dict[str, Edit]:
    """Shared strings added after the form's own."""
    return {SST: before(b"</sst>", *pieces)}


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
)


def laughs(part: bytes) -> Edit:
    """The part behind a billion-laughs DTD (its first entity used where text may go)."""

    def edit(original: bytes) -> list[Piece]:
        body = original[original.index(b"?>") + 2 :] if original.startswith(b"<?xml") else original
        return [LAUGHS, body.replace(part, part + b"&lol9;", 1)]

    return edit


# ----------------------------------------------------------------------------------------- bombs

Build = Callable[[Path, Path], Path]
_DO_AGAIN = "请在 Excel 中打开并另存为 .xlsx 后再试"
_NOT_A_FORM = "不像是自评表；请删除无关的数据后再试"


def _edits(edits: Callable[[], dict[str, Edit]], methods: dict[str, int] | None = None) -> Build:
    return lambda seed, dst: package(seed, dst, edits(), methods)


def _many_empty_parts(seed: Path, dst: Path) -> Path:
    package(seed, dst, {})
    with zipfile.ZipFile(dst, "a") as zf:
        for i in range(100_000):
            zf.writestr(f"xl/media/e{i}.bin", b"")
    return dst


# (id, build, exact reason after "perfscore: PATH: ")
BOMBS: list[tuple[str, Build, str]] = [
    # --- shared strings: the two cases, then each limit on its own
    (
        "sst-one-string-299MiB",
        _edits(lambda: sst(b"<si><t>", (b"A" * 1024, 299 * 1024), b"</t></si>")),
        "共享字符串表解压后过大（299 MB，上限 32 MB），不像是自评表；请删除无关的数据、图片或附件后再试",
    ),
    (
        "sst-ten-million-strings",
        _edits(lambda: sst((b"<si><t>x</t></si>", 10_000_000))),
        "共享字符串表解压后过大（162 MB，上限 32 MB），不像是自评表；请删除无关的数据、图片或附件后再试",
    ),
    (
        "sst-million-strings-in-16MB",
        _edits(lambda: sst((b"<si><t>x</t></si>", 1_000_000))),
        f"共享字符串表有超过 20000 条文字，{_NOT_A_FORM}",
    ),
    (
        "sst-one-string-30MiB",
        _edits(lambda: sst(b"<si><t>", (b"A" * 1024, 30 * 1024), b"</t></si>")),
        "共享字符串表中有一条文字超过 32767 个字符（Excel 单元格的上限），不像是自评表；请缩短过长的文字后再试",
    ),
    (
        "sst-text-30M-characters",
        _edits(lambda: sst((b"<si><t>" + b"A" * 30_000 + b"</t></si>", 1_000))),
        f"工作簿中的文字合计超过 2500000 个字符（超出于共享字符串表），{_NOT_A_FORM}",
    ),
    (
        "sst-rich-text-million-runs",
        _edits(lambda: sst(b"<si>", (b"<r><rPr><b/></rPr><t>a</t></r>", 1_000_000), b"</si>")),
        "工作簿中的格式和对象（样式、合并单元格、条件格式、数据验证、富文本等）合计超过 10000 项"
        "（超出于共享字符串表），不像是自评表；请删除无关的内容，或把内容复制到新的 perfscore 自评表后再试",
    ),
    # --- cells and rows
    (
        "rows-million-one-cell-each",
        _edits(lambda: {P_SHEET: before(b"</sheetData>", (b"<row><c><v>1</v></c></row>", 1_000_000))}),
        "各工作表合计超过 25000 个单元格（超出于工作表“履职效能”），不像是自评表；"
        "请删除无关的工作表或数据（或移到另一个工作簿）后再试",
    ),
    (
        "one-row-million-cells",
        _edits(lambda: sheets(1, lambda i: [b'<row r="1">', (b"<c><v>1</v></c>", 1_000_000), b"</row>"])),
        "各工作表合计超过 25000 个单元格（超出于工作表“数据1”），不像是自评表；"
        "请删除无关的工作表或数据（或移到另一个工作簿）后再试",
    ),
    (
        "one-cell-in-row-1048576",
        _edits(lambda: sheets(1, lambda i: [b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'])),
        "工作表“数据1”的内容延伸到第 1048576 行（各工作表合计上限 25000 行），不像是自评表；"
        "请删除下方无关的行（全选这些行后删除，而不是只清除内容）后再试",
    ),
    (
        "million-empty-rows",
        _edits(lambda: sheets(1, lambda i: [(b"<row/>", 1_000_000)])),
        "各工作表合计超过 25000 行（每张表计到最后一行，超出于工作表“数据1”），不像是自评表；"
        "请删除无关的工作表或行后再试",
    ),
    (
        "ten-sheets-of-5000-cells",
        _edits(lambda: sheets(10, lambda i: [(b"<row>" + b"<c><v>1</v></c>" * 50 + b"</row>", 100)])),
        "各工作表合计超过 25000 个单元格（超出于工作表“数据5”），不像是自评表；"
        "请删除无关的工作表或数据（或移到另一个工作簿）后再试",
    ),
    (
        "inline-string-20MiB",
        _edits(
            lambda: sheets(
                1,
                lambda i: [
                    b'<row r="1"><c r="B1" t="inlineStr"><is><t>',
                    (b"A" * 1024, 20 * 1024),
                    b"</t></is></c></row>",
                ],
            )
        ),
        "工作表“数据1”的单元格 B1 含有超过 32767 个字符的内容（Excel 单元格的上限），不像是自评表；请缩短过长的内容后再试",
    ),
    (
        "far-row-hidden-outside-sheetData",
        _edits(
            lambda: {
                P_SHEET: before(
                    b"</worksheet>",
                    b'<extLst><ext uri="{perfscore}"><row r="1048576"><c r="A1048576"><v>1</v></c></row></ext></extLst>',
                )
            }
        ),
        "工作表“履职效能”的内容延伸到第 1048576 行（各工作表合计上限 25000 行），不像是自评表；"
        "请删除下方无关的行（全选这些行后删除，而不是只清除内容）后再试",
    ),
    (
        "far-row-in-a-sheet-named-with-a-line-break",
        _edits(
            lambda: sheets(
                1,
                lambda i: [b'<row r="99999"><c r="A99999"><v>1</v></c></row>'],
                name=lambda i: "坏&#10;".encode() + "名".encode() * 40,
            )
        ),
        f"工作表“坏?{'名' * 29}…”的内容延伸到第 99999 行（各工作表合计上限 25000 行），不像是自评表；"
        "请删除下方无关的行（全选这些行后删除，而不是只清除内容）后再试",
    ),
    (
        "merged-whole-sheet",
        _edits(
            lambda: {
                META_SHEET: before(
                    b"<pageMargins", b'<mergeCells count="1"><mergeCell ref="C1:XFD1048576"/></mergeCells>'
                )
            }
        ),
        "工作表“_perfscore”的合并单元格过大（C1:XFD1048576 等合计覆盖超过 20000 个单元格），不像是自评表；"
        "请取消无关的合并单元格后再试",
    ),
    # --- parts
    (
        "5000-sheets",
        _edits(lambda: sheets(5_000, lambda i: [b'<row r="1"><c r="A1"><v>1</v></c></row>'])),
        "工作簿包含 5014 个内部部件（上限 1000 个），不像是自评表；"
        "请删除无关的工作表、图片和对象，或把内容复制到新的 perfscore 自评表后再试",
    ),
    (
        "150-sheets",
        _edits(lambda: sheets(150, lambda i: [b'<row r="1"><c r="A1"><v>1</v></c></row>'])),
        "工作簿有超过 100 张工作表，不像是自评表；请删除无关的工作表后再试",
    ),
    (
        "100000-empty-parts",
        _many_empty_parts,
        "工作簿包含 100014 个内部部件（上限 1000 个），不像是自评表；"
        "请删除无关的工作表、图片和对象，或把内容复制到新的 perfscore 自评表后再试",
    ),
    (
        "800-long-part-names",
        _edits(lambda: {f"xl/media/{'n' * 1500}{i}.bin": whole(b"") for i in range(800)}),
        "工作簿的部件目录过大（1.2 MB，上限 1 MB），不像是自评表；" + _DO_AGAIN,
    ),
    (
        "picture-40MiB",
        _edits(lambda: {"xl/media/image1.png": whole(b"\x89PNG\r\n\x1a\n", (b"\0" * 1024, 40 * 1024))}),
        "部件“xl/media/image1.png”解压后过大（40 MB，上限 32 MB），不像是自评表；请删除无关的数据、图片或附件后再试",
    ),
    (
        "ten-parts-of-31MiB",
        _edits(lambda: {f"xl/media/image{i}.png": whole((b"\0" * 1024, 31 * 1024)) for i in range(10)}),
        "工作簿解压后过大（310 MB，上限 300 MB），不像是自评表；请删除无关的数据后再试",
    ),
    (
        "bzip2-part",
        _edits(lambda: {}, {SST: zipfile.ZIP_BZIP2}),
        "工作簿中的部件 xl/sharedStrings.xml 使用了 .xlsx 不支持的压缩或加密方式，文件已损坏或不是 Excel 保存的；"
        + _DO_AGAIN,
    ),
    # --- XML: entities, attributes, comments, nesting, styles, names
    (
        "billion-laughs-sheet",
        _edits(lambda: {P_SHEET: laughs(b"<v>")}),
        "工作表“履职效能”含有 DTD 或实体声明（<!DOCTYPE>/<!ENTITY>），Excel 不会写入这种内容，"
        "可能是恶意构造的文件（如实体膨胀攻击），已拒绝读取；" + _DO_AGAIN,
    ),
    (
        "billion-laughs-shared-strings",
        _edits(lambda: {SST: laughs(b"<t>")}),
        "共享字符串表含有 DTD 或实体声明（<!DOCTYPE>/<!ENTITY>），Excel 不会写入这种内容，"
        "可能是恶意构造的文件（如实体膨胀攻击），已拒绝读取；" + _DO_AGAIN,
    ),
    (
        "billion-laughs-workbook",
        _edits(lambda: {WORKBOOK: laughs(b'<definedName name="_xlnm.Print_Area" localSheetId="0">')}),
        "工作簿结构含有 DTD 或实体声明（<!DOCTYPE>/<!ENTITY>），Excel 不会写入这种内容，"
        "可能是恶意构造的文件（如实体膨胀攻击），已拒绝读取；" + _DO_AGAIN,
    ),
    (
        "external-entity-content-types",
        _edits(
            lambda: {
                "[Content_Types].xml": lambda original: [
                    b'<?xml version="1.0"?>\n<!DOCTYPE Types [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n',
                    original[original.index(b"?>") + 2 :],
                ]
            }
        ),
        "部件“[Content_Types].xml”含有 DTD 或实体声明（<!DOCTYPE>/<!ENTITY>），Excel 不会写入这种内容，"
        "可能是恶意构造的文件（如实体膨胀攻击），已拒绝读取；" + _DO_AGAIN,
    ),
    (
        "attribute-20MiB-in-sheet",
        _edits(
            lambda: {P_SHEET: inside(b"worksheet ", b'<sheetPr codeName="', (b"A" * 1024, 20 * 1024), b'"/>')}
        ),
        "工作表“履职效能”含有超过 1 MB 的单个 XML 标记（属性值或注释过长），不是 Excel 保存的内容，"
        "文件可能已损坏或被篡改；" + _DO_AGAIN,
    ),
    (
        "attribute-20MiB-in-styles",
        _edits(
            lambda: {
                STYLES: inside(
                    b"numFmts", b'<numFmt numFmtId="200" formatCode="', (b"0" * 1024, 20 * 1024), b'"/>'
                )
            }
        ),
        "样式表含有超过 1 MB 的单个 XML 标记（属性值或注释过长），不是 Excel 保存的内容，文件可能已损坏或被篡改；"
        + _DO_AGAIN,
    ),
    (
        "comment-20MiB-in-workbook",
        _edits(lambda: {WORKBOOK: before(b"<sheets>", b"<!--", (b"x" * 1024, 20 * 1024), b"-->")}),
        "工作簿结构含有超过 1 MB 的单个 XML 标记（属性值或注释过长），不是 Excel 保存的内容，"
        "文件可能已损坏或被篡改；" + _DO_AGAIN,
    ),
    (
        "nesting-million-deep-sheet",
        _edits(lambda: {P_SHEET: before(b"</sheetData>", (b"<x>", 1_000_000), (b"</x>", 1_000_000))}),
        f"工作表“履职效能”的 XML 嵌套超过 100 层，不是 Excel 保存的内容，文件可能已损坏或被篡改；{_DO_AGAIN}",
    ),
    (
        "nesting-million-deep-shared-string",
        _edits(lambda: sst(b"<si>", (b"<r>", 1_000_000), (b"</r>", 1_000_000), b"</si>")),
        f"共享字符串表的 XML 嵌套超过 100 层，不是 Excel 保存的内容，文件可能已损坏或被篡改；{_DO_AGAIN}",
    ),
    (
        "styles-300000-formats",
        _edits(
            lambda: {
                STYLES: inside(
                    b"cellXfs",
                    (
                        b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"><alignment wrapText="1"/></xf>',
                        300_000,
                    ),
                )
            }
        ),
        "工作簿中的格式和对象（样式、合并单元格、条件格式、数据验证、富文本等）合计超过 10000 项"
        "（超出于样式表），不像是自评表；请删除无关的内容，或把内容复制到新的 perfscore 自评表后再试",
    ),
    (
        "workbook-300000-names",
        _edits(
            lambda: {
                WORKBOOK: before(b"</definedNames>", (b'<definedName name="n">1</definedName>', 300_000))
            }
        ),
        "工作簿中的格式和对象（样式、合并单元格、条件格式、数据验证、富文本等）合计超过 10000 项"
        "（超出于工作簿结构），不像是自评表；请删除无关的内容，或把内容复制到新的 perfscore 自评表后再试",
    ),
    (
        "cell-with-million-values",
        _edits(
            lambda: {
                P_SHEET: before(
                    b"</sheetData>", b'<row r="999"><c r="A999">', (b"<v>1</v>", 1_000_000), b"</c></row>"
                )
            }
        ),
        f"工作簿的 XML 元素合计超过 200000 个（超出于工作表“履职效能”），{_NOT_A_FORM}",
    ),
]


@pytest.mark.parametrize(("build", "reason"), [pytest.param(*case[1:], id=case[0]) for case in BOMBS])
def test_bomb_is_refused_cheaply(seed_file: Path, tmp_path: Path, build: Build, reason: str) -> None:
    path = build(seed_file, tmp_path / "bomb.xlsx")
    assert path.stat().st_size < MAX_FILE_BYTES  # most are a few hundred kilobytes
    child = run_child(["check", path], tmp_path)
    assert (child.exit_code, child.stdout, child.stderr) == (2, "", f"perfscore: {path}: {reason}\n")
    assert child.within_ceiling(), child


def test_the_writer_refuses_a_bomb_too(seed_file: Path, tmp_path: Path) -> None:
    """``calc`` loads the whole workbook (a merged range becomes an object per cell): refused first,
    the file left as it was."""
    _, build, reason = next(case for case in BOMBS if case[0] == "merged-whole-sheet")
    path = build(seed_file, tmp_path / "bomb.xlsx")
    before_calc = path.read_bytes()
    child = run_child(["calc", path], tmp_path)
    assert (child.exit_code, child.stdout, child.stderr) == (2, "", f"perfscore: {path}: {reason}\n")
    assert child.within_ceiling(), child
    assert path.read_bytes() == before_calc


def _at_the_limits(seed: limits.Counts) -> tuple[dict[str, Edit], dict[str, int]]:
    """Edits that bring the seed form, all at once, to just under every limit of the check: 100
    sheets, 25,000 cells, 25,000 rows, 20,000 shared strings, 2,500,000 characters, 10,000 other
    elements (formats) and 20,000 merged cells; and the counts expected."""
    extra, cols = limits.MAX_SHEETS - seed.sheets, 5
    rows = (limits.MAX_CELLS - seed.cells) // (extra * cols)
    step = (limits.MAX_ROWS - seed.rows) // (extra * rows)
    last = (limits.MAX_ROWS - seed.rows) // extra  # an empty row closes each sheet
    strings = limits.MAX_SHARED_STRINGS - seed.strings
    digits = 5  # of each cell's string index, and of each new string's own number
    length = (limits.MAX_TEXT_CHARS * 99 // 100 - seed.text - extra * rows * cols * digits) // strings
    formats = (limits.MAX_STRUCTURE - seed.structure - 3 * extra - 2) // 2  # 3 a sheet, 2 the merge
    merged = limits.MAX_MERGED_CELLS - seed.merged

    def body(i: int) -> list[Piece]:
        out: list[Piece] = []
        for r in range(rows):
            first = ((i - 1) * rows + r) * cols
            cells = b"".join(
                b'<c r="%s%d" t="s"><v>%05d</v></c>'
                % (b"ABCDE"[c : c + 1], (r + 1) * step, seed.strings + (first + c) % strings)
                for c in range(cols)
            )
            out.append(b'<row r="%d">%s</row>' % ((r + 1) * step, cells))
        return [*out, b'<row r="%d"/>' % last]

    def tail(i: int) -> list[Piece]:  # one merged range in the first extra sheet
        return [b'<mergeCells count="1"><mergeCell ref="G1:G%d"/></mergeCells>' % merged] if i == 1 else []

    edits = sheets(extra, body, tail=tail)
    text = ("一二三四五六七八九十" * length)[: length - digits].encode()
    edits.update(sst(*(b"<si><t>%05d%s</t></si>" % (i, text) for i in range(strings))))
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"><alignment wrapText="1"/></xf>'
    edits[STYLES] = inside(b"cellXfs", (xf, formats))
    expected = {
        "sheets": limits.MAX_SHEETS,
        "cells": seed.cells + extra * rows * cols,
        "rows": seed.rows + extra * last,
        "strings": limits.MAX_SHARED_STRINGS,
        "text": seed.text + extra * rows * cols * digits + strings * length,
        "structure": seed.structure + 3 * extra + 2 + 2 * formats,
        "merged": limits.MAX_MERGED_CELLS,
    }
    return edits, expected


def test_a_form_at_every_limit_is_read_within_the_ceiling(seed_file: Path, tmp_path: Path) -> None:
    """The worst file ``check`` accepts: every limit nearly reached at once, still read in time."""
    with zipfile.ZipFile(seed_file) as zf:
        seed = limits.check_package(zf, seed_file)
    edits, expected = _at_the_limits(seed)
    path = package(seed_file, tmp_path / "big.xlsx", edits)
    with zipfile.ZipFile(path) as zf:
        counts = limits.check_package(zf, path)
    assert {key: getattr(counts, key) for key in expected} == expected
    for key, limit in [
        ("cells", limits.MAX_CELLS),
        ("rows", limits.MAX_ROWS),
        ("text", limits.MAX_TEXT_CHARS),
        ("structure", limits.MAX_STRUCTURE),
    ]:
        assert getattr(counts, key) >= limit * 0.98, key
    child = run_child(["check", path], tmp_path)
    assert child.exit_code == 0, child.stderr
    assert "总分 90.77，等级 优；错误 0，警告 0" in child.stdout
    # CPU time, not wall time: this one takes seconds, and a busy CI machine must not fail it
    assert child.rss_mb < MAX_RSS_MB and child.cpu_s < MAX_SECONDS, child


def test_a_real_form_is_far_under_every_limit(seed_file: Path) -> None:
    """Each limit is at least ten times what the form itself needs."""
    with zipfile.ZipFile(seed_file) as zf:
        counts = limits.check_package(zf, seed_file)
    assert counts.parts * 10 <= limits.MAX_PARTS and counts.sheets * 10 <= limits.MAX_SHEETS
    assert counts.cells * 10 <= limits.MAX_CELLS and counts.rows * 10 <= limits.MAX_ROWS
    assert counts.strings * 10 <= limits.MAX_SHARED_STRINGS and counts.text * 10 <= limits.MAX_TEXT_CHARS
    assert counts.structure * 10 <= limits.MAX_STRUCTURE and counts.merged * 10 <= limits.MAX_MERGED_CELLS
    assert counts.elements * 10 <= limits.MAX_ELEMENTS and counts.depth * 10 <= limits.MAX_DEPTH
    assert counts.unpacked * 10 <= limits.MAX_PART_BYTES


# ------------------------------------------------------------------ paths that are not regular files


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.xlsx"
    os.mkfifo(path)
    return path


def _fifo_link(tmp_path: Path) -> Path:
    link = tmp_path / "link.xlsx"
    link.symlink_to(_fifo(tmp_path))
    return link


def _socket(tmp_path: Path) -> Path:
    path = tmp_path / "s.xlsx"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()
    return path


def _dangling(tmp_path: Path) -> Path:
    link = tmp_path / "gone.xlsx"
    link.symlink_to(tmp_path / "nothing.xlsx")
    return link


_ASK = "不是 Excel 工作簿；请给出 Excel 工作簿的文件路径"
NOT_FILES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("fifo", _fifo, f"这是一个命名管道（FIFO），读取它会一直等待，{_ASK}"),
    ("symlink-to-fifo", _fifo_link, f"这是一个命名管道（FIFO），读取它会一直等待，{_ASK}"),
    ("dev-zero", lambda tmp: Path("/dev/zero"), f"这是一个字符设备（如 /dev/zero），读取它不会结束，{_ASK}"),
    ("directory", lambda tmp: tmp, f"这是一个文件夹，{_ASK}"),
    ("socket", _socket, f"这是一个套接字（socket），{_ASK}"),
    (
        "dangling-symlink",
        _dangling,
        "这是一个失效的符号链接（指向的文件不存在），不是 Excel 工作簿；请给出实际文件的路径",
    ),
]


@pytest.mark.parametrize(("make", "reason"), [pytest.param(*case[1:], id=case[0]) for case in NOT_FILES])
@pytest.mark.parametrize("command", ["check", "calc"])
def test_a_path_that_is_not_a_regular_file_is_refused_without_opening_it(
    tmp_path: Path, make: Callable[[Path], Path], reason: str, command: str
) -> None:
    path = make(tmp_path)
    child = run_child([command, path], tmp_path, timeout=30)
    assert (child.exit_code, child.stdout, child.stderr) == (2, "", f"perfscore: {path}: {reason}\n")


def test_a_symlink_to_a_form_is_read(seed_file: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.xlsx"
    link.symlink_to(seed_file)
    child = run_child(["check", link], tmp_path, timeout=30)
    assert child.exit_code == 0, child.stderr
    assert "总分 90.77，等级 优；错误 0，警告 0" in child.stdout


def test_require_regular_file_for_other_inputs(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    data.write_text("{}", "utf-8")
    assert require_regular_file(data, "JSON 数据文件").st_size == 2
    pipe = _fifo(tmp_path)
    with pytest.raises(UnusableInputError) as refused:
        require_regular_file(pipe, "报表模板")
    assert (
        str(refused.value)
        == f"{pipe}: 这是一个命名管道（FIFO），读取它会一直等待，不是报表模板；请给出报表模板的文件路径"
    )
    with pytest.raises(InputDataError) as bad_data:
        require_regular_file(tmp_path, "JSON 数据文件", lambda m: InputDataError(m, path=str(tmp_path)))
    assert (
        str(bad_data.value)
        == f"{tmp_path}: 这是一个文件夹，不是 JSON 数据文件；请给出 JSON 数据文件的文件路径"
    )
    with pytest.raises(UnusableInputError) as missing:
        require_regular_file(tmp_path / "none.json", "JSON 数据文件")
    assert str(missing.value) == f"{tmp_path / 'none.json'}: 文件不存在；请检查文件名和路径"


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["import", "{pipe}", "-o", "{tmp}/out.xlsx"], "JSON 数据文件"),
        (["new", "--framework", "{pipe}", "-o", "{tmp}/out.xlsx"], "指标体系文件"),
        (["report", "{seed}", "--template", "{pipe}", "-o", "{tmp}/out.xlsx"], "报表模板"),
    ],
    ids=["json", "framework", "template"],
)
def test_other_inputs_that_are_pipes_are_refused_without_opening_them(
    seed_file: Path, tmp_path: Path, args: list[str], what: str
) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    filled = [a.format(pipe=pipe, tmp=tmp_path, seed=seed_file) for a in args]
    child = run_child(filled, tmp_path, timeout=30)
    word = f" {what}" if what.startswith("JSON") else what
    reason = f"这是一个命名管道（FIFO），读取它会一直等待，不是{word}；请给出{word}的文件路径"
    assert (child.exit_code, child.stderr) == (2, f"perfscore: {pipe}: {reason}\n")
    assert not (tmp_path / "out.xlsx").exists()
