"""Test helpers that add what clerks put into forms — a pasted seal, a chart, an embedded document,
custom XML — by editing the xlsx package directly (openpyxl cannot add a picture without Pillow).

Each helper writes a new, valid package: the part, its relationships and its content type, the way
Excel stores them (LibreOffice reads the pictures and charts: a re-save keeps them, see
``tests/test_hostile_writes.py``; Excel was not available to try).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def png(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (200, 0, 0)) -> bytes:
    """A small solid-colour PNG, made with zlib (no Pillow)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def rewrite(path: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    """Let ``change`` edit the package's parts (name → bytes) and write it back in place."""
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    change(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def sheet_part(parts: dict[str, bytes], title: str) -> str:
    """The part name of the sheet called ``title`` (``xl/worksheets/sheet2.xml``)."""
    workbook = parts["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="(rId\d+)"', workbook)
    assert rid, title
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'<Relationship [^>]*Id="{rid[1]}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid[1]}"', rels
    )
    assert target
    name = target[1].lstrip("/")
    return name if name.startswith("xl/") else "xl/" + name


def _add_rel(parts: dict[str, bytes], rels_name: str, kind: str, target: str) -> str:
    """Add a relationship to a ``.rels`` part (created if absent); returns its id."""
    text = parts.get(
        rels_name,
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}"></Relationships>'.encode(),
    ).decode()
    ids = [int(n) for n in re.findall(r'Id="rId(\d+)"', text)]
    rid = f"rId{max(ids, default=0) + 1000}"
    rel = f'<Relationship Id="{rid}" Type="{R_NS}/{kind}" Target="{target}"/>'
    parts[rels_name] = text.replace("</Relationships>", rel + "</Relationships>").encode()
    return rid


def _content_type(
    parts: dict[str, bytes],
    *,
    default: tuple[str, str] | None = None,
    override: tuple[str, str] | None = None,
) -> None:
    text = parts["[Content_Types].xml"].decode()
    if default and f'Extension="{default[0]}"' not in text:
        text = text.replace(
            "</Types>", f'<Default Extension="{default[0]}" ContentType="{default[1]}"/></Types>'
        )
    if override:
        text = text.replace(
            "</Types>", f'<Override PartName="/{override[0]}" ContentType="{override[1]}"/></Types>'
        )
    parts["[Content_Types].xml"] = text.encode()


def _rels_of(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _next(parts: dict[str, bytes], pattern: str) -> int:
    """The first free number N of a part name pattern such as ``xl/media/image{}.png``."""
    n = 1
    while pattern.format(n) in parts:
        n += 1
    return n


def _sheet_drawing(parts: dict[str, bytes], sheet: str, anchors: str, number: int) -> str:
    """Put drawing part ``number`` holding ``anchors`` on ``sheet``; returns the drawing's part name."""
    drawing = f"xl/drawings/drawing{number}.xml"
    parts[drawing] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">{anchors}</xdr:wsDr>'
    ).encode()
    _content_type(parts, override=(drawing, "application/vnd.openxmlformats-officedocument.drawing+xml"))
    rid = _add_rel(parts, _rels_of(sheet), "drawing", f"../drawings/drawing{number}.xml")
    text = parts[sheet].decode()
    # <drawing> follows the print settings and precedes <legacyDrawing>, <tableParts>, <extLst>
    for follower in (
        "<legacyDrawing ",
        "<legacyDrawingHF",
        "<picture ",
        "<oleObjects",
        "<controls",
        "<tableParts",
        "<extLst",
        "</worksheet>",
    ):
        if follower in text:
            text = text.replace(follower, f'<drawing r:id="{rid}"/>' + follower, 1)
            break
    parts[sheet] = text.encode()
    return drawing


def _anchor(col: int, row: int, inner: str) -> str:
    return (
        f'<xdr:twoCellAnchor editAs="oneCell"><xdr:from><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff>'
        f"<xdr:row>{row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>{col + 2}</xdr:col>"
        f"<xdr:colOff>0</xdr:colOff><xdr:row>{row + 3}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
        f"{inner}<xdr:clientData/></xdr:twoCellAnchor>"
    )


def add_picture(path: Path, title: str, *, image: bytes | None = None) -> None:
    """Paste a picture (a PNG seal) onto sheet ``title``, as Excel stores it."""

    def change(parts: dict[str, bytes]) -> None:
        sheet = sheet_part(parts, title)
        number = max(_next(parts, "xl/media/image{}.png"), _next(parts, "xl/drawings/drawing{}.xml"))
        media = f"xl/media/image{number}.png"
        parts[media] = image or png()
        _content_type(parts, default=("png", "image/png"))
        drawing = f"xl/drawings/drawing{number}.xml"
        rid = _add_rel(parts, _rels_of(drawing), "image", f"../media/image{number}.png")
        pic = (
            f'<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="{number + 1}" name="公章 {number}"/><xdr:cNvPicPr/></xdr:nvPicPr>'
            f'<xdr:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
            '<xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>'
        )
        _sheet_drawing(parts, sheet, _anchor(3, 20, pic), number)

    rewrite(path, change)


def add_chart(path: Path, title: str) -> None:
    """Put a bar chart of the sheet's scores onto sheet ``title``."""

    def change(parts: dict[str, bytes]) -> None:
        sheet = sheet_part(parts, title)
        number = max(_next(parts, "xl/charts/chart{}.xml"), _next(parts, "xl/drawings/drawing{}.xml"))
        chart = f"xl/charts/chart{number}.xml"
        ref = f"'{title}'!$H$3:$H$6"
        parts[chart] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><c:chartSpace xmlns:c="{C_NS}" '
            f'xmlns:a="{A_NS}" xmlns:r="{R_NS}"><c:chart><c:plotArea><c:barChart><c:barDir val="col"/>'
            f'<c:grouping val="clustered"/><c:ser><c:idx val="0"/><c:order val="0"/><c:val><c:numRef>'
            f'<c:f>{ref}</c:f></c:numRef></c:val></c:ser><c:axId val="1"/><c:axId val="2"/></c:barChart>'
            '<c:catAx><c:axId val="1"/><c:scaling/><c:axPos val="b"/><c:crossAx val="2"/></c:catAx>'
            '<c:valAx><c:axId val="2"/><c:scaling/><c:axPos val="l"/><c:crossAx val="1"/></c:valAx>'
            "</c:plotArea></c:chart></c:chartSpace>"
        ).encode()
        _content_type(
            parts, override=(chart, "application/vnd.openxmlformats-officedocument.drawingml.chart+xml")
        )
        drawing = f"xl/drawings/drawing{number}.xml"
        rid = _add_rel(parts, _rels_of(drawing), "chart", f"../charts/chart{number}.xml")
        frame = (
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{number + 1}" name="图表 {number}"/>'
            "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm/><a:graphic>"
            f'<a:graphicData uri="{C_NS}"><c:chart xmlns:c="{C_NS}" r:id="{rid}"/></a:graphicData>'
            "</a:graphic></xdr:graphicFrame>"
        )
        _sheet_drawing(parts, sheet, _anchor(11, 2, frame), number)

    rewrite(path, change)


def add_custom_xml(
    path: Path, body: str = '<公文 xmlns="urn:oa"><文号>增工商联〔2023〕1号</文号></公文>'
) -> None:
    """Add a custom XML data part, as OA systems and document-management add-ins do."""

    def change(parts: dict[str, bytes]) -> None:
        number = 1 + sum(1 for name in parts if re.match(r"customXml/item\d+\.xml$", name))
        item = f"customXml/item{number}.xml"
        parts[item] = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>' + body).encode()
        _add_rel(parts, "xl/_rels/workbook.xml.rels", "customXml", f"../customXml/item{number}.xml")

    rewrite(path, change)


def add_embedded_file(
    path: Path, title: str, data: bytes = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
) -> None:
    """Embed an OLE object (e.g. a Word attachment) in sheet ``title``: the part and its relationship."""

    def change(parts: dict[str, bytes]) -> None:
        sheet = sheet_part(parts, title)
        part = "xl/embeddings/oleObject1.bin"
        parts[part] = data
        _content_type(parts, default=("bin", "application/vnd.openxmlformats-officedocument.oleObject"))
        rid = _add_rel(parts, _rels_of(sheet), "oleObject", "../embeddings/oleObject1.bin")
        text = parts[sheet].decode()
        ole = f'<oleObjects><oleObject progId="Word.Document.12" shapeId="1025" r:id="{rid}"/></oleObjects>'
        for follower in ("<controls", "<webPublishItems", "<tableParts", "<extLst", "</worksheet>"):
            if follower in text:
                text = text.replace(follower, ole + follower, 1)
                break
        parts[sheet] = text.encode()

    rewrite(path, change)
