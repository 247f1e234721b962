"""What a workbook package holds for its macros: the VBA project, its reference to xlwings, code names.

The engine's ``macros-lost`` rule (:mod:`perfscore.engine.macros`) judges a udf-mode form by what
:func:`read_macros` finds in its zip:

- the VBA project part (``xl/vbaProject.bin``, found through the workbook's relationships);
- whether that project references the xlwings add-in: the ``VBA/dir`` stream of the project (an OLE
  compound file, opened with ``olefile``, a runtime dependency) is decompressed (MS-OVBA 2.4.1) and
  its PROJECTREFERENCES records are walked for a project reference (REFERENCEPROJECT, 0x000E) named
  ``xlwings`` or pointing at ``xlwings.xlam`` (MS-OVBA 2.3.4.2.2). A project that cannot be read is
  not judged (None): it is not this reader's place to call a file damaged;
- the code names: ``<workbookPr codeName>`` of the workbook and ``<sheetPr codeName>`` of each sheet.

It runs after :func:`perfscore.xlsx.sniff.sniff` (the package is within the limits and has no DTD),
only for a form whose ``_perfscore`` sheet records ``formulas = udf``, and reads a few small parts:
pyopenvba (which builds the project) is not loaded, since importing it alone costs a quarter second.
"""

from __future__ import annotations

import posixpath
import struct
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from perfscore.engine.grid import Grid, Macros
from perfscore.engine.project.pipeline import meta_value

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

#: A VBA project's dir stream is a few KB; refuse to judge anything larger (compressed, decompressed).
MAX_DIR_STREAM = 1024 * 1024
MAX_DIR_DECOMPRESSED = 16 * 1024 * 1024
#: The project name and file name the add-in's reference carries (``xlwings addin install``).
XLWINGS_PROJECT = "xlwings"
XLWINGS_ADDIN = "xlwings.xlam"


def read_macros(path: Path, grid: Grid) -> None:
    """Set ``grid.macros`` for a form that records ``formulas = udf`` (others are not judged)."""
    if meta_value(grid, "formulas") != "udf":
        return
    try:
        grid.macros = macros_of(path)
    except (OSError, zipfile.BadZipFile, ET.ParseError, KeyError, ValueError):
        grid.macros = None  # the cell reader has read this package; what it cannot tell is not judged


def macros_of(path: Path) -> Macros:
    """The macro facts of the package at ``path``."""
    with zipfile.ZipFile(path) as zf:
        names = {info.filename for info in zf.infolist()}
        workbook = _office_document(zf, names)
        rels = _relationships(zf, names, workbook)
        root = ET.fromstring(zf.read(workbook))
        pr = root.find(f"{_MAIN}workbookPr")
        workbook_code = (pr.get("codeName") if pr is not None else None) or ""
        sheets: dict[str, str] = {}
        for sheet in root.iter(f"{_MAIN}sheet"):
            part = rels.get(sheet.get(_R_ID) or "", ("", ""))
            name = sheet.get("name") or ""
            if part[0].endswith("/worksheet") and part[1] in names:
                sheets[name] = _sheet_code_name(zf, part[1])
        vba = next((target for kind, target in rels.values() if kind.endswith("/vbaProject")), None)
        if vba is None or vba not in names:
            return Macros(False, None, workbook_code, sheets)
        return Macros(True, _references_xlwings(zf, vba), workbook_code, sheets)


def _office_document(zf: zipfile.ZipFile, names: set[str]) -> str:
    for rel in ET.fromstring(zf.read("_rels/.rels")).iter(_PKG_REL):
        if (rel.get("Type") or "").endswith("/officeDocument"):
            target = (rel.get("Target") or "").lstrip("/")
            if target in names:
                return target
    raise KeyError("no workbook part")


def _relationships(zf: zipfile.ZipFile, names: set[str], part: str) -> dict[str, tuple[str, str]]:
    """The relationships of ``part``: id → (type, target part name)."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in names:
        return {}
    out = {}
    for rel in ET.fromstring(zf.read(rels_name)).iter(_PKG_REL):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External":
            continue
        full = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[rel.get("Id") or ""] = (rel.get("Type") or "", full)
    return out


def _sheet_code_name(zf: zipfile.ZipFile, part: str) -> str:
    """``<sheetPr codeName>`` of a worksheet part: only its first element is parsed."""
    with zf.open(part) as fh:
        depth = 0
        for event, element in ET.iterparse(fh, events=("start", "end")):
            if event == "end":
                depth -= 1
                continue
            depth += 1
            if depth == 2:  # the worksheet's first child: sheetPr comes first when there is one
                return (element.get("codeName") or "") if element.tag == f"{_MAIN}sheetPr" else ""
    return ""


def _references_xlwings(zf: zipfile.ZipFile, part: str) -> bool | None:
    """Whether the VBA project in ``part`` references the xlwings add-in; None if it cannot be read."""
    import olefile

    try:
        with olefile.OleFileIO(zf.read(part)) as ole:
            if not ole.exists("VBA/dir") or ole.get_size("VBA/dir") > MAX_DIR_STREAM:
                return None
            raw = ole.openstream("VBA/dir").read(MAX_DIR_STREAM)
        return any(_is_xlwings(name, libid) for name, libid in project_references(decompress(raw)))
    except Exception:  # a damaged or unusual project: not judged
        return None


def _is_xlwings(name: str, libid: str) -> bool:
    return name.casefold() == XLWINGS_PROJECT or libid.replace("\\", "/").casefold().endswith(
        "/" + XLWINGS_ADDIN
    )


def project_references(dir_stream: bytes) -> list[tuple[str, str]]:
    """The project references (REFERENCEPROJECT) of a decompressed dir stream: (name, absolute libid).

    Every record of the stream up to the modules is ``id (u16), size (u32), data`` except
    PROJECTVERSION (0x0009), whose size field is followed by 6 bytes whatever it says.
    """
    out: list[tuple[str, str]] = []
    pos, name, unicode_name = 0, "", ""
    while pos + 6 <= len(dir_stream):
        rid, size = struct.unpack_from("<HI", dir_stream, pos)
        pos += 6
        if rid == 0x0009:
            size = 6
        data = dir_stream[pos : pos + size]
        if len(data) < size:
            raise ValueError("truncated dir stream")
        pos += size
        if rid == 0x000F:  # PROJECTMODULES: the references are behind us
            break
        if rid == 0x0016:  # REFERENCENAME (MBCS); its Unicode form follows as 0x003E
            name, unicode_name = data.decode("latin-1"), ""
        elif rid == 0x003E:
            unicode_name = data.decode("utf-16-le", "replace")
        elif rid == 0x000E:  # REFERENCEPROJECT: SizeOfLibidAbsolute, LibidAbsolute, …
            (length,) = struct.unpack_from("<I", data, 0)
            libid = data[4 : 4 + length].decode("latin-1")
            out.append((unicode_name or name, libid))
    return out


def decompress(data: bytes, limit: int = MAX_DIR_DECOMPRESSED) -> bytes:
    """MS-OVBA 2.4.1 decompression of a CompressedContainer; ValueError for a malformed one."""
    if not data or data[0] != 0x01:
        raise ValueError("not a compressed container")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise ValueError("truncated chunk header")
        (header,) = struct.unpack_from("<H", data, pos)
        end = min(pos + (header & 0x0FFF) + 3, len(data))
        pos += 2
        start = len(out)
        if not header & 0x8000:  # a raw chunk of 4096 bytes
            out += data[pos : pos + 4096]
            pos += 4096
        else:
            while pos < end:
                flags = data[pos]
                pos += 1
                for bit in range(8):
                    if pos >= end:
                        break
                    if not flags >> bit & 1:
                        out.append(data[pos])
                        pos += 1
                        continue
                    if pos + 2 > end:
                        raise ValueError("truncated copy token")
                    (token,) = struct.unpack_from("<H", data, pos)
                    pos += 2
                    done = len(out) - start
                    bits = max((done - 1).bit_length(), 4)
                    offset = (token >> (16 - bits)) + 1
                    length = (token & (0xFFFF >> bits)) + 3
                    if offset > done:
                        raise ValueError("copy token before the chunk")
                    for _ in range(length):
                        out.append(out[-offset])
        if len(out) > limit:
            raise ValueError("decompressed stream too large")
    return bytes(out)
