"""Form controls that openpyxl drops from a sheet, put back into the package it saved.

Excel 2010 and later (and LibreOffice) save each form button of a sheet in four places: the legacy
VML shape (``xl/drawings/vmlDrawingN.vml``, ``o:spid="_x0000_s1025"``); a form-control part
(``xl/ctrlProps/ctrlPropN.xml``) reached by a sheet relationship of type ``…/ctrlProp``; a
``<controls>`` block in the sheet XML, inside an ``mc:AlternateContent`` that requires ``x14``,
whose ``<control shapeId="1025" r:id="rId3">`` ties shape and part together; and a DrawingML twin of
the shape in the sheet's drawing (``xl/drawings/drawingN.xml``: ``<xdr:cNvPr id="1025">`` with
``<a14:compatExt spid="_x0000_s1025"/>``). openpyxl 3.1 (with ``keep_vba``) writes the VML back and
copies ``xl/ctrlProps/*`` unchanged, but drops the ``<controls>`` block, the sheet's ``ctrlProp``
relationships, the parts' content types and the drawing: the parts are left orphaned, and nothing
counted them as lost.

:func:`restore` runs on the file openpyxl saved, before it replaces anything. For each sheet of the
original with a ``<controls>`` block it puts the block back (at its place in the sheet's element
order, with the namespaces it uses declared), adds the relationships it names under ids openpyxl did
not use, gives the parts their content types back, and puts the controls' DrawingML twins back into
the sheet's drawing (a new drawing part if openpyxl wrote none). A sheet whose block cannot be put
back (a shape or part it names is gone) loses it, and its form-control parts are removed too, so that
:mod:`perfscore.xlsx.inventory` counts the controls as lost. ActiveX controls share the ``<controls>``
block and are put back the same way when their parts survived. :func:`check` lists what makes a
package's controls inconsistent. Plain Python (zip, regular expressions, and expat over the part of
a sheet after its cells); everything else in the package is left as it is.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote
from xml.parsers import expat
from xml.sax.saxutils import escape, unescape

from perfscore.xlsx.package import sheet_parts

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CTRL_PROP = f"{R_NS}/ctrlProp"
ACTIVEX = f"{R_NS}/control"
DRAWING = f"{R_NS}/drawing"
#: Relationship types of the parts a ``<controls>`` block names.
CONTROL_RELS = frozenset({CTRL_PROP, ACTIVEX})
CTRL_PROP_TYPE = "application/vnd.ms-excel.controlproperties+xml"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CONTENT_TYPES = "[Content_Types].xml"
_PARTS = ("xl/ctrlProps/", "xl/activeX/")
_CTRL_PART = re.compile(r"^xl/ctrlProps/[^/]+\.xml$", re.IGNORECASE)

#: Elements a sheet may have after ``<controls>`` (CT_Worksheet): the block goes before the first.
_AFTER_CONTROLS = frozenset({"webPublishItems", "tableParts", "extLst"})

_TAG = re.compile(rb"""<[^\s/>!?]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>|</[^\s>]+\s*>""")
_ROOT = re.compile(rb"<(?![?!])")
_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>|<(?:[\w.-]+:)?sheetData\s*/>")
_XMLNS = re.compile(r"""\sxmlns(?::([\w.-]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_QNAME_PREFIX = re.compile(r"</?([\w.-]+):")
_ATTR = re.compile(r"""(\s)([\w.-]+):([\w.-]+)(\s*=\s*)(?:"([^"]*)"|'([^']*)')""")
_MCE = re.compile(r'\s(?:[\w.-]+:)?(?:Requires|Ignorable|ProcessContent|MustUnderstand)\s*=\s*"([^"]*)"')
_SHAPE_ID = re.compile(r"""\sshapeId\s*=\s*["'](\d+)["']""")
_VML_ID = re.compile(rb"""["']_x0000_s(\d+)["']""")
_DRAWN_ID = re.compile(r"""<(?:[\w.-]+:)?cNvPr\b[^>]*?\sid\s*=\s*["'](\d+)["']""")
_REL = re.compile(r"<(?:[\w.-]+:)?Relationship\b([^>]*?)/?>")
_REL_ATTR = re.compile(r"""([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RELS_END = re.compile(r"</(?:[\w.-]+:)?Relationships\s*>")
_TYPES_ENTRY = re.compile(r"<(?:[\w.-]+:)?(Default|Override)\b([^>]*?)/?>")
_TYPES_END = re.compile(r"</(?:[\w.-]+:)?Types\s*>")
_RID = re.compile(r"^rId(\d+)$")
_EMPTY_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
)


@dataclass
class Rel:
    """One relationship as a ``.rels`` part stores it (``target`` still XML-escaped)."""

    id: str
    type: str
    target: str
    external: bool
    #: The part it points at (``xl/ctrlProps/ctrlProp1.xml``); empty for an external target.
    part: str


@dataclass
class Element:
    """One child of a part's root element: its local name and where its text is."""

    name: str
    start: int
    end: int
    #: Whether it is, or holds, a ``<controls>`` element.
    controls: bool = False


@dataclass
class Part:
    """An XML part, its root's namespace declarations and the root's children (after ``<sheetData>``
    in a sheet; ``None`` if they are not well-formed)."""

    part: str
    xml: bytes
    #: Prefix → namespace declared on the root element ("" for the default namespace).
    root_ns: dict[str, str]
    children: list[Element] | None
    rels: dict[str, Rel] = field(default_factory=dict)

    def text(self, element: Element) -> str:
        return self.xml[element.start : element.end].decode("utf-8")

    def child(self, name: str) -> Element | None:
        return next((e for e in self.children or () if e.name == name), None)

    def related(self, element: Element | None) -> Rel | None:
        """The relationship an element such as ``<legacyDrawing r:id>`` names."""
        if element is None:
            return None
        text = self.text(element)
        return next(
            (self.rels[r] for r in _rel_ids(text, _rel_prefixes(self.root_ns, text)) if r in self.rels), None
        )


@dataclass
class Sheet(Part):
    name: str = ""

    def blocks(self) -> list[Element]:
        return [e for e in self.children or () if e.controls]

    def shape_ids(self) -> set[str]:
        return {s for block in self.blocks() for s in _SHAPE_ID.findall(self.text(block))}

    def named_rels(self) -> list[str]:
        """The relationship ids the ``<controls>`` blocks name, in order."""
        ids: list[str] = []
        for block in self.blocks():
            text = self.text(block)
            ids.extend(r for r in _rel_ids(text, _rel_prefixes(self.root_ns, text)) if r not in ids)
        return ids


def restore(original: Path, written: Path) -> None:
    """Put back into ``written`` (the package openpyxl saved from ``original``) the ``<controls>``
    blocks of ``original``'s sheets with their relationships, content types and drawing shapes; where
    that is not possible, remove the form-control parts that would be left orphaned."""
    with zipfile.ZipFile(original) as old_zf, zipfile.ZipFile(written) as zf:
        if not any(n.startswith(_PARTS) for n in old_zf.namelist()):
            return
        before = _Package(old_zf)
        sources = [before.sheet(name, part) for name, part in sheet_parts(old_zf).items()]
        sources = [sheet for sheet in sources if sheet.blocks()]
        if not sources:
            return
        after = _Package(zf)
        new_parts = sheet_parts(zf)
        dropped: set[str] = set()
        for old in sources:
            new = after.sheet(old.name, new_parts[old.name]) if old.name in new_parts else None
            anchors = _control_anchors(before.drawing(old), old.shape_ids())
            if new is not None and _restorable(old, new, anchors, before, after):
                _put_back(old, new, anchors, before, after)
            else:
                dropped.update(r.part for r in old.rels.values() if r.type == CTRL_PROP and r.part)
        referenced = {r.part for rels in after.all_rels().values() for r in rels.values()}
        dropped = {p for p in dropped if p in after.names and p not in referenced}
        if dropped:
            after.changed[CONTENT_TYPES] = _without_overrides(after.read(CONTENT_TYPES) or b"", dropped)
        if not after.changed:
            return
        changed = dict(after.changed)
        entries = [(info, changed.pop(info.filename, b"") or zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            if info.filename not in dropped:
                out.writestr(info, data)
        for name, data in changed.items():  # new parts: a drawing, a sheet's first .rels
            out.writestr(name, data)


def check(path: Path) -> list[str]:
    """What makes the form controls of the package at ``path`` inconsistent (empty: nothing).

    Every form-control part is the target of a relationship and has its content type; every control
    relationship of a sheet points at an existing part and is named by one of the sheet's controls;
    every ``r:id`` of a ``<controls>`` block names a relationship of its sheet, and every ``shapeId``
    a shape of the sheet's VML drawing or of its drawing.
    """
    problems: list[str] = []
    with zipfile.ZipFile(path) as zf:
        pkg = _Package(zf)
        if not any(n.startswith(_PARTS) for n in pkg.names) and not pkg.any_control_rels():
            return problems
        targets = {r.part for rels in pkg.all_rels().values() for r in rels.values()}
        for name in sorted(pkg.names):
            if _CTRL_PART.match(name):
                if name not in targets:
                    problems.append(f"{name}：没有任何关系指向这个表单控件部件（孤立）")
                kind = pkg.content_type(name)
                if kind != CTRL_PROP_TYPE:
                    problems.append(f"{name}：内容类型为 {kind or '（无）'}，应为 {CTRL_PROP_TYPE}")
        for name, part in sheet_parts(zf).items():
            if part in pkg.names:
                problems.extend(_check_sheet(pkg.sheet(name, part), pkg))
    return problems


def _check_sheet(sheet: Sheet, pkg: _Package) -> list[str]:
    problems: list[str] = []
    if sheet.children is None:
        if any(r.type in CONTROL_RELS for r in sheet.rels.values()):
            problems.append(f"{sheet.name}：工作表 XML 无法解析，控件无法核对")
        return problems
    named = sheet.named_rels()
    problems.extend(f"{sheet.name}：控件引用的关系 {rid} 不存在" for rid in named if rid not in sheet.rels)
    drawn = pkg.vml_ids(sheet) | _drawn_ids(pkg.drawing(sheet))
    problems.extend(
        f"{sheet.name}：控件 shapeId={shape} 在 VML 绘图和绘图中都没有对应的形状"
        for shape in sorted(sheet.shape_ids() - drawn, key=int)
    )
    for rel in sheet.rels.values():
        if rel.type in CONTROL_RELS:
            if rel.part not in pkg.names:
                problems.append(f"{sheet.name}：控件关系 {rel.id} 指向的部件 {rel.part} 不存在")
            if rel.id not in named:
                problems.append(f"{sheet.name}：控件关系 {rel.id}（{rel.part}）没有控件使用")
    return problems


def _restorable(old: Sheet, new: Sheet, anchors: list[str], before: _Package, after: _Package) -> bool:
    """Whether ``old``'s blocks can go into ``new``: the new sheet (and its drawing, if the drawing
    shapes are to go into it) parses and holds no controls of its own, every relationship the blocks
    name existed and its part survived, and every shape they name is where it was: in the new sheet's
    VML drawing if it was in the original's, else among the drawing shapes put back."""
    if new.children is None or new.blocks():
        return False
    if _RELS_END.search((after.read(_rels_name(new.part)) or _EMPTY_RELS).decode("utf-8", "replace")) is None:
        return False
    drawing = after.drawing(new)
    if anchors and ((drawing is not None and drawing.children is None) or new.child("legacyDrawing") is None):
        return False
    for rid in old.named_rels():
        rel = old.rels.get(rid)
        if rel is None or not (rel.external or rel.part in after.names):
            return False
    if not all(rel.part in after.names for rel in old.rels.values() if rel.type in CONTROL_RELS):
        return False
    shapes, vml = old.shape_ids(), after.vml_ids(new)
    return shapes & before.vml_ids(old) <= vml and shapes <= vml | {
        i for a in anchors for i in _DRAWN_ID.findall(a)
    }


def _put_back(old: Sheet, new: Sheet, anchors: list[str], before: _Package, after: _Package) -> None:
    """Add to ``new`` (in ``after.changed``) ``old``'s control relationships, its blocks (ids renamed),
    the drawing shapes ``anchors``, and the content types of the parts they name."""
    taken = set(new.rels)
    renamed: dict[str, str] = {}
    lines: list[str] = []
    carried = [r for r in old.rels.values() if r.type in CONTROL_RELS]
    carried += [old.rels[r] for r in old.named_rels() if old.rels[r] not in carried]
    for rel in carried:
        renamed[rel.id] = rid = rel.id if rel.id not in taken else _free_id(taken)
        taken.add(rid)
        lines.append(
            _rel_line(
                rid, rel.type, rel.target if rel.external else _relative(new.part, rel.part), rel.external
            )
        )

    needed: dict[str, str] = {}
    texts = [
        _fit(
            _renamed(old.text(b), _rel_prefixes(old.root_ns, old.text(b)), renamed),
            old.root_ns,
            new.root_ns,
            needed,
        )
        for b in old.blocks()
    ]
    xml = new.xml
    at = next((e.start for e in new.children or () if e.name in _AFTER_CONTROLS), _root_end(xml))
    xml = xml[:at] + "".join(texts).encode("utf-8") + xml[at:]

    if anchors:
        drawing = after.drawing(new)
        source = before.drawing(old)
        assert source is not None
        if drawing is not None:  # openpyxl wrote a drawing (its pictures, charts): the shapes join it
            after.changed[drawing.part] = _into_drawing(drawing, anchors, source.root_ns)
        else:
            part = after.free_name("xl/drawings/drawing{}.xml")
            assert source.children is not None
            first = source.children[0].start if source.children else _root_end(source.xml)
            after.changed[part] = (
                source.xml[:first] + "".join(anchors).encode("utf-8") + source.xml[_root_end(source.xml) :]
            )
            rid = _free_id(taken)
            taken.add(rid)
            lines.append(_rel_line(rid, DRAWING, _relative(new.part, part), False))
            legacy = new.child("legacyDrawing")
            assert legacy is not None
            r = "r" if new.root_ns.get("r", R_NS) == R_NS else None
            if r:
                needed["r"] = R_NS
            tag = f'<drawing r:id="{rid}"/>' if r else f'<drawing xmlns:rr="{R_NS}" rr:id="{rid}"/>'
            xml = xml[: legacy.start] + tag.encode("utf-8") + xml[legacy.start :]
            after.add_type(part, before.content_type(source.part) or DRAWING_TYPE)

    after.changed[new.part] = _with_root_ns(xml, {p: u for p, u in needed.items() if p not in new.root_ns})
    rels_name = _rels_name(new.part)
    rels = (after.read(rels_name) or _EMPTY_RELS).decode("utf-8")
    end = _RELS_END.search(rels)
    assert end is not None  # see _restorable
    after.changed[rels_name] = (rels[: end.start()] + "".join(lines) + rels[end.start() :]).encode("utf-8")
    for part in _reachable([r.part for r in carried if not r.external], before):
        want = before.content_type(part)
        if want is not None and after.content_type(part) != want:
            after.add_type(part, want)


def _control_anchors(drawing: Part | None, ids: set[str]) -> list[str]:
    """The texts of the children of ``drawing``'s root that draw the controls ``ids`` (``<xdr:cNvPr
    id>``) and need no relationship of their own."""
    if drawing is None or not drawing.children or not ids:
        return []
    anchors: list[str] = []
    for child in drawing.children:
        text = drawing.text(child)
        if set(_DRAWN_ID.findall(text)) & ids and not _rel_ids(text, _rel_prefixes(drawing.root_ns, text)):
            anchors.append(text)
    return anchors


def _into_drawing(drawing: Part, anchors: list[str], source_ns: Mapping[str, str]) -> bytes:
    """``drawing`` with ``anchors`` (declared against ``source_ns``) added at its end."""
    needed: dict[str, str] = {}
    texts = [_fit(a, source_ns, drawing.root_ns, needed) for a in anchors]
    end = _root_end(drawing.xml)
    xml = drawing.xml[:end] + "".join(texts).encode("utf-8") + drawing.xml[end:]
    return _with_root_ns(xml, {p: u for p, u in needed.items() if p not in drawing.root_ns})


def _fit(
    text: str, source_ns: Mapping[str, str], target_ns: Mapping[str, str], needed: dict[str, str]
) -> str:
    """``text`` (an element written under a root declaring ``source_ns``) ready to go under a root
    declaring ``target_ns``: prefixes the target root can declare are added to ``needed``; the rest
    (a prefix bound to another namespace there, a different default namespace) are declared on it."""
    local: dict[str, str] = {}
    for prefix in sorted(_used_prefixes(text)):
        uri = source_ns.get(prefix)
        if uri is None:
            continue  # declared inside the element itself
        if target_ns.get(prefix, uri) == uri and needed.get(prefix, uri) == uri:
            needed[prefix] = uri
        else:
            local[prefix] = uri
    default = source_ns.get("")
    if default is not None and target_ns.get("") != default:
        local[""] = default
    return _declare(text, local)


def _reachable(parts: Iterable[str], pkg: _Package) -> list[str]:
    """``parts`` and every part their own relationships lead to (an ActiveX part's binary)."""
    seen: list[str] = []
    todo = list(parts)
    while todo:
        part = todo.pop(0)
        if part and part not in seen and part in pkg.names:
            seen.append(part)
            todo.extend(r.part for r in pkg.rels(part).values() if not r.external)
    return seen


def _without_overrides(types: bytes, parts: set[str]) -> bytes:
    lower = {p.lower() for p in parts}

    def keep(m: re.Match[str]) -> str:
        name = unquote(unescape(_attrs(m.group(2)).get("PartName", ""))).lstrip("/").lower()
        return "" if m.group(1) == "Override" and name in lower else m.group(0)

    return _TYPES_ENTRY.sub(keep, types.decode("utf-8")).encode("utf-8")


def _content_types(types: bytes | None) -> tuple[dict[str, str], dict[str, str]]:
    """(extension → type, lower-case part name → type) of a ``[Content_Types].xml``."""
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for kind, raw in _TYPES_ENTRY.findall((types or b"").decode("utf-8", "replace")):
        attrs = _attrs(raw)
        value = unescape(attrs.get("ContentType", ""))
        if kind == "Default":
            defaults[unescape(attrs.get("Extension", "")).lower()] = value
        else:
            overrides[unquote(unescape(attrs.get("PartName", ""))).lstrip("/").lower()] = value
    return defaults, overrides


class _Package:
    """The parts of an open package, read on demand, and the parts :func:`restore` changes."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.names = frozenset(zf.namelist())
        self.changed: dict[str, bytes] = {}
        self._rels: dict[str, dict[str, Rel]] = {}

    def read(self, name: str) -> bytes | None:
        if name in self.changed:
            return self.changed[name]
        return self.zf.read(name) if name in self.names else None

    def rels(self, part: str) -> dict[str, Rel]:
        return _parse_rels(part, self.read(_rels_name(part)))

    def all_rels(self) -> dict[str, dict[str, Rel]]:
        """Every relationship in the package (as changed), by the part whose ``.rels`` holds it."""
        found: dict[str, dict[str, Rel]] = {}
        for name in self.names | set(self.changed):
            folder, _, file = name.rpartition("/")
            if file.endswith(".rels") and (folder == "_rels" or folder.endswith("/_rels")):
                source = posixpath.join(folder[: -len("_rels")], file[: -len(".rels")]).lstrip("/")
                found[source] = self.rels(source)
        return found

    def any_control_rels(self) -> bool:
        return any(r.type in CONTROL_RELS for rels in self.all_rels().values() for r in rels.values())

    def content_type(self, part: str) -> str | None:
        defaults, overrides = _content_types(self.read(CONTENT_TYPES))
        return overrides.get(part.lower(), defaults.get(posixpath.splitext(part)[1][1:].lower()))

    def add_type(self, part: str, kind: str) -> None:
        """Give ``part`` the content type ``kind`` (an ``<Override>``)."""
        text = (self.read(CONTENT_TYPES) or b"").decode("utf-8")
        end = _TYPES_END.search(text)
        if end is not None:
            entry = f'<Override PartName="/{_esc(part)}" ContentType="{_esc(kind)}"/>'
            self.changed[CONTENT_TYPES] = (text[: end.start()] + entry + text[end.start() :]).encode("utf-8")

    def free_name(self, pattern: str) -> str:
        taken = {n.lower() for n in self.names | set(self.changed)}
        n = 1
        while pattern.format(n).lower() in taken:
            n += 1
        return pattern.format(n)

    def part(self, part: str, begin: re.Pattern[bytes] | None = None) -> Part:
        xml = self.read(part) or b""
        return Part(part, xml, _root_ns(xml), _children(xml, begin), self.rels(part))

    def sheet(self, name: str, part: str) -> Sheet:
        p = self.part(part, _SHEET_DATA_END)
        return Sheet(p.part, p.xml, p.root_ns, p.children, p.rels, name)

    def drawing(self, sheet: Part) -> Part | None:
        """The drawing of ``sheet`` (its ``<drawing r:id>``), if it has one in this package."""
        rel = sheet.related(sheet.child("drawing"))
        return self.part(rel.part) if rel is not None and rel.part in self.names else None

    def vml_ids(self, sheet: Part) -> set[str]:
        """The shape ids (``_x0000_s1025`` → ``1025``) of the VML drawing of ``sheet``."""
        rel = sheet.related(sheet.child("legacyDrawing"))
        vml = self.read(rel.part) if rel is not None and not rel.external else None
        return {n.decode() for n in _VML_ID.findall(vml or b"")}


def _root_ns(xml: bytes) -> dict[str, str]:
    root = _ROOT.search(xml)
    tag = _TAG.match(xml, root.start()) if root else None
    if tag is None:
        return {}
    return {
        m.group(1) or "": unescape(m.group(2) if m.group(2) is not None else m.group(3))
        for m in _XMLNS.finditer(tag.group(0).decode("utf-8", "replace"))
    }


def _children(xml: bytes, begin_after: re.Pattern[bytes] | None = None) -> list[Element] | None:
    """The children of the root element (only those after ``begin_after``, e.g. ``</sheetData>``),
    found by expat without namespace processing (only local names matter); ``None`` if the part has
    no such place or is not well-formed there."""
    if begin_after is None:
        root = _ROOT.search(xml)
        mark = _TAG.match(xml, root.start()) if root else None
    else:
        mark = begin_after.search(xml)
    end = _root_end(xml)
    if mark is not None and begin_after is None and mark.group(0).endswith(b"/>"):
        return []  # an empty root
    if mark is None or end < mark.end():
        return None
    begin = mark.end()
    wrap = b"<w>"
    elements: list[Element] = []
    depth = 0
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def offset() -> int:
        return begin + parser.CurrentByteIndex - len(wrap)

    def start(name: str, _attrs: Mapping[str, str]) -> None:
        nonlocal depth
        depth += 1
        local = name.rpartition(":")[2]
        if depth == 2:
            elements.append(Element(local, offset(), -1))
        if local == "controls" and depth >= 2:
            elements[-1].controls = True

    def finish(_name: str) -> None:
        nonlocal depth
        if depth == 2:
            tag = _TAG.match(xml, offset())
            elements[-1].end = tag.end() if tag else -1
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = finish
    try:
        parser.Parse(wrap + xml[begin:end] + b"</w>", True)
    except expat.ExpatError:
        return None
    if any(e.end < 0 for e in elements):
        return None
    return elements


def _root_end(xml: bytes) -> int:
    """Where the root's end tag starts."""
    return xml.rfind(b"</")


def _with_root_ns(xml: bytes, ns: Mapping[str, str]) -> bytes:
    root = _ROOT.search(xml)
    tag = _TAG.match(xml, root.start()) if root else None
    if not ns or tag is None:
        return xml
    close = tag.end() - (2 if tag.group(0).endswith(b"/>") else 1)
    decls = "".join(f' xmlns:{p}="{_esc(u)}"' for p, u in sorted(ns.items()))
    return xml[:close] + decls.encode("utf-8") + xml[close:]


def _declare(element: str, ns: Mapping[str, str]) -> str:
    """``element`` with ``ns`` declared on its start tag."""
    name = re.match(r"<[^\s/>]+", element)
    if not ns or name is None:
        return element
    decls = "".join(f' xmlns{":" + p if p else ""}="{_esc(u)}"' for p, u in sorted(ns.items()))
    return element[: name.end()] + decls + element[name.end() :]


def _used_prefixes(text: str) -> set[str]:
    used = set(_QNAME_PREFIX.findall(text))
    used.update(m.group(2) for m in _ATTR.finditer(text))
    for value in _MCE.findall(text):
        used.update(value.split())
    return used - {"xml", "xmlns"}


def _rel_prefixes(root_ns: Mapping[str, str], text: str) -> set[str]:
    """The prefixes bound to the relationships namespace, on the root or inside ``text``."""
    prefixes = {p for p, uri in root_ns.items() if uri == R_NS and p}
    prefixes.update(m.group(1) for m in _XMLNS.finditer(text) if m.group(1) and m.group(2) == R_NS)
    return prefixes


def _rel_ids(text: str, prefixes: set[str]) -> list[str]:
    """The relationship ids named in ``text`` (attributes in the relationships namespace), in order."""
    ids: list[str] = []
    for m in _ATTR.finditer(text):
        value = unescape(m.group(5) if m.group(5) is not None else m.group(6))
        if m.group(2) in prefixes and value not in ids:
            ids.append(value)
    return ids


def _renamed(text: str, prefixes: set[str], renamed: Mapping[str, str]) -> str:
    def rename(m: re.Match[str]) -> str:
        value = unescape(m.group(5) if m.group(5) is not None else m.group(6))
        if m.group(2) not in prefixes or value not in renamed:
            return m.group(0)
        return f'{m.group(1)}{m.group(2)}:{m.group(3)}{m.group(4)}"{_esc(renamed[value])}"'

    return _ATTR.sub(rename, text)


def _drawn_ids(drawing: Part | None) -> set[str]:
    return set(_DRAWN_ID.findall(drawing.xml.decode("utf-8", "replace"))) if drawing is not None else set()


def _free_id(taken: set[str]) -> str:
    n = max((int(m.group(1)) for rid in taken if (m := _RID.match(rid))), default=0) + 1
    while f"rId{n}" in taken:
        n += 1
    return f"rId{n}"


def _rel_line(rid: str, kind: str, target: str, external: bool) -> str:
    """A ``<Relationship>``; ``target`` is XML-escaped already if ``external``, else a plain path."""
    mode = ' TargetMode="External"' if external else ""
    shown = target if external else _esc(target)
    return f'<Relationship Id="{_esc(rid)}" Type="{_esc(kind)}" Target="{shown}"{mode}/>'


def _esc(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _parse_rels(source: str, data: bytes | None) -> dict[str, Rel]:
    rels: dict[str, Rel] = {}
    for raw in _REL.findall((data or b"").decode("utf-8", "replace")):
        attrs = _attrs(raw)
        if "Id" not in attrs or "Target" not in attrs:
            continue
        external = attrs.get("TargetMode", "") == "External"
        part = "" if external else _resolve(source, unquote(unescape(attrs["Target"])))
        rel_id = unescape(attrs["Id"])
        rels[rel_id] = Rel(rel_id, unescape(attrs.get("Type", "")), attrs["Target"], external, part)
    return rels


def _attrs(raw: str) -> dict[str, str]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _REL_ATTR.finditer(raw)}


def _resolve(source: str, target: str) -> str:
    """The part name a relationship ``target`` of part ``source`` points at."""
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def _relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")
