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
a sheet after its cells) on the package model of :mod:`perfscore.xlsx.opc`; everything else in the
package is left as it is.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from perfscore.xlsx.opc import (
    CONTENT_TYPES,
    EMPTY_RELS,
    R_NS,
    RELS_END,
    Element,
    Package,
    Part,
    fit,
    free_id,
    reachable,
    rel_ids,
    rel_line,
    rel_prefixes,
    relative,
    rels_name,
    renamed,
    root_end,
    with_root_ns,
    without_overrides,
)
from perfscore.xlsx.package import sheet_parts

CTRL_PROP = f"{R_NS}/ctrlProp"
ACTIVEX = f"{R_NS}/control"
DRAWING = f"{R_NS}/drawing"
#: Relationship types of the parts a ``<controls>`` block names.
CONTROL_RELS = frozenset({CTRL_PROP, ACTIVEX})
CTRL_PROP_TYPE = "application/vnd.ms-excel.controlproperties+xml"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
_PARTS = ("xl/ctrlProps/", "xl/activeX/")
_CTRL_PART = re.compile(r"^xl/ctrlProps/[^/]+\.xml$", re.IGNORECASE)

#: Elements a sheet may have after ``<controls>`` (CT_Worksheet): the block goes before the first.
_AFTER_CONTROLS = frozenset({"webPublishItems", "tableParts", "extLst"})

_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>|<(?:[\w.-]+:)?sheetData\s*/>")
_SHAPE_ID = re.compile(r"""\sshapeId\s*=\s*["'](\d+)["']""")
_VML_ID = re.compile(rb"""["']_x0000_s(\d+)["']""")
_DRAWN_ID = re.compile(r"""<(?:[\w.-]+:)?cNvPr\b[^>]*?\sid\s*=\s*["'](\d+)["']""")


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
            ids.extend(r for r in rel_ids(text, rel_prefixes(self.root_ns, text)) if r not in ids)
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
            after.changed[CONTENT_TYPES] = without_overrides(after.read(CONTENT_TYPES) or b"", dropped)
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
    if RELS_END.search((after.read(rels_name(new.part)) or EMPTY_RELS).decode("utf-8", "replace")) is None:
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
    new_ids: dict[str, str] = {}
    lines: list[str] = []
    carried = [r for r in old.rels.values() if r.type in CONTROL_RELS]
    carried += [old.rels[r] for r in old.named_rels() if old.rels[r] not in carried]
    for rel in carried:
        new_ids[rel.id] = rid = rel.id if rel.id not in taken else free_id(taken)
        taken.add(rid)
        lines.append(
            rel_line(
                rid, rel.type, rel.target if rel.external else relative(new.part, rel.part), rel.external
            )
        )

    needed: dict[str, str] = {}
    texts = [
        fit(
            renamed(old.text(b), rel_prefixes(old.root_ns, old.text(b)), new_ids),
            old.root_ns,
            new.root_ns,
            needed,
        )
        for b in old.blocks()
    ]
    xml = new.xml
    at = next((e.start for e in new.children or () if e.name in _AFTER_CONTROLS), root_end(xml))
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
            first = source.children[0].start if source.children else root_end(source.xml)
            after.changed[part] = (
                source.xml[:first] + "".join(anchors).encode("utf-8") + source.xml[root_end(source.xml) :]
            )
            rid = free_id(taken)
            taken.add(rid)
            lines.append(rel_line(rid, DRAWING, relative(new.part, part), False))
            legacy = new.child("legacyDrawing")
            assert legacy is not None
            r = "r" if new.root_ns.get("r", R_NS) == R_NS else None
            if r:
                needed["r"] = R_NS
            tag = f'<drawing r:id="{rid}"/>' if r else f'<drawing xmlns:rr="{R_NS}" rr:id="{rid}"/>'
            xml = xml[: legacy.start] + tag.encode("utf-8") + xml[legacy.start :]
            after.add_type(part, before.content_type(source.part) or DRAWING_TYPE)

    after.changed[new.part] = with_root_ns(xml, {p: u for p, u in needed.items() if p not in new.root_ns})
    rels_part = rels_name(new.part)
    rels = (after.read(rels_part) or EMPTY_RELS).decode("utf-8")
    end = RELS_END.search(rels)
    assert end is not None  # see _restorable
    after.changed[rels_part] = (rels[: end.start()] + "".join(lines) + rels[end.start() :]).encode("utf-8")
    for part in reachable([r.part for r in carried if not r.external], before):
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
        if set(_DRAWN_ID.findall(text)) & ids and not rel_ids(text, rel_prefixes(drawing.root_ns, text)):
            anchors.append(text)
    return anchors


def _into_drawing(drawing: Part, anchors: list[str], source_ns: Mapping[str, str]) -> bytes:
    """``drawing`` with ``anchors`` (declared against ``source_ns``) added at its end."""
    needed: dict[str, str] = {}
    texts = [fit(a, source_ns, drawing.root_ns, needed) for a in anchors]
    end = root_end(drawing.xml)
    xml = drawing.xml[:end] + "".join(texts).encode("utf-8") + drawing.xml[end:]
    return with_root_ns(xml, {p: u for p, u in needed.items() if p not in drawing.root_ns})


def _drawn_ids(drawing: Part | None) -> set[str]:
    return set(_DRAWN_ID.findall(drawing.xml.decode("utf-8", "replace"))) if drawing is not None else set()


class _Package(Package):
    """The package as :func:`restore` and :func:`check` see it (``changed``: the parts :func:`restore`
    changes): its sheets with their ``<controls>`` blocks, a sheet's drawing, its VML shapes."""

    def any_control_rels(self) -> bool:
        return any(r.type in CONTROL_RELS for rels in self.all_rels().values() for r in rels.values())

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
