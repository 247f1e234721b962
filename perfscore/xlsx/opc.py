"""The package model of an ``.xlsx`` file (OPC): parts, relationships, content types, namespaces.

:class:`Package` reads the parts of an open zip on demand and collects the parts a caller changes
(``changed``: part name → new bytes; writing them out is the caller's). A :class:`Part` is an XML
part with its root's namespace declarations, the root's children (:class:`Element`: local name and
where its text is, found by expat without namespace processing) and its relationships (:class:`Rel`,
from its ``.rels``). The helpers read and write relationships (:func:`rels_name`, :func:`relative`,
:func:`free_id`, :func:`rel_line`), find and rename the relationship ids an element names
(:func:`rel_prefixes`, :func:`rel_ids`, :func:`renamed`), follow them (:func:`reachable`), edit
``[Content_Types].xml`` (:meth:`Package.content_type`, :meth:`Package.add_type`,
:func:`without_overrides`) and move an element under another root with the namespaces it uses
declared (:func:`fit`, :func:`with_root_ns`). Plain Python (zip, regular expressions, expat). Written
for :mod:`perfscore.xlsx.controls`: the one thing of form controls it knows is that the children scan
marks an element that is or holds a ``<controls>`` element (:attr:`Element.controls`).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote
from xml.parsers import expat
from xml.sax.saxutils import escape, unescape

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = "[Content_Types].xml"

_TAG = re.compile(rb"""<[^\s/>!?]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>|</[^\s>]+\s*>""")
_ROOT = re.compile(rb"<(?![?!])")
_XMLNS = re.compile(r"""\sxmlns(?::([\w.-]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_QNAME_PREFIX = re.compile(r"</?([\w.-]+):")
_ATTR = re.compile(r"""(\s)([\w.-]+):([\w.-]+)(\s*=\s*)(?:"([^"]*)"|'([^']*)')""")
_MCE = re.compile(r'\s(?:[\w.-]+:)?(?:Requires|Ignorable|ProcessContent|MustUnderstand)\s*=\s*"([^"]*)"')
_REL = re.compile(r"<(?:[\w.-]+:)?Relationship\b([^>]*?)/?>")
_REL_ATTR = re.compile(r"""([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
RELS_END = re.compile(r"</(?:[\w.-]+:)?Relationships\s*>")
_TYPES_ENTRY = re.compile(r"<(?:[\w.-]+:)?(Default|Override)\b([^>]*?)/?>")
_TYPES_END = re.compile(r"</(?:[\w.-]+:)?Types\s*>")
_RID = re.compile(r"^rId(\d+)$")
EMPTY_RELS = (
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
            (self.rels[r] for r in rel_ids(text, rel_prefixes(self.root_ns, text)) if r in self.rels), None
        )


class Package:
    """The parts of an open package, read on demand (as changed), and the parts a caller changes."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.names = frozenset(zf.namelist())
        self.changed: dict[str, bytes] = {}

    def read(self, name: str) -> bytes | None:
        if name in self.changed:
            return self.changed[name]
        return self.zf.read(name) if name in self.names else None

    def rels(self, part: str) -> dict[str, Rel]:
        return _parse_rels(part, self.read(rels_name(part)))

    def all_rels(self) -> dict[str, dict[str, Rel]]:
        """Every relationship in the package (as changed), by the part whose ``.rels`` holds it."""
        found: dict[str, dict[str, Rel]] = {}
        for name in self.names | set(self.changed):
            folder, _, file = name.rpartition("/")
            if file.endswith(".rels") and (folder == "_rels" or folder.endswith("/_rels")):
                source = posixpath.join(folder[: -len("_rels")], file[: -len(".rels")]).lstrip("/")
                found[source] = self.rels(source)
        return found

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


def reachable(parts: Iterable[str], pkg: Package) -> list[str]:
    """``parts`` and every part their own relationships lead to (e.g. an ActiveX part's binary)."""
    seen: list[str] = []
    todo = list(parts)
    while todo:
        part = todo.pop(0)
        if part and part not in seen and part in pkg.names:
            seen.append(part)
            todo.extend(r.part for r in pkg.rels(part).values() if not r.external)
    return seen


def without_overrides(types: bytes, parts: set[str]) -> bytes:
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
    end = root_end(xml)
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


def root_end(xml: bytes) -> int:
    """Where the root's end tag starts."""
    return xml.rfind(b"</")


def with_root_ns(xml: bytes, ns: Mapping[str, str]) -> bytes:
    root = _ROOT.search(xml)
    tag = _TAG.match(xml, root.start()) if root else None
    if not ns or tag is None:
        return xml
    close = tag.end() - (2 if tag.group(0).endswith(b"/>") else 1)
    decls = "".join(f' xmlns:{p}="{_esc(u)}"' for p, u in sorted(ns.items()))
    return xml[:close] + decls.encode("utf-8") + xml[close:]


def fit(text: str, source_ns: Mapping[str, str], target_ns: Mapping[str, str], needed: dict[str, str]) -> str:
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


def rel_prefixes(root_ns: Mapping[str, str], text: str) -> set[str]:
    """The prefixes bound to the relationships namespace, on the root or inside ``text``."""
    prefixes = {p for p, uri in root_ns.items() if uri == R_NS and p}
    prefixes.update(m.group(1) for m in _XMLNS.finditer(text) if m.group(1) and m.group(2) == R_NS)
    return prefixes


def rel_ids(text: str, prefixes: set[str]) -> list[str]:
    """The relationship ids named in ``text`` (attributes in the relationships namespace), in order."""
    ids: list[str] = []
    for m in _ATTR.finditer(text):
        value = unescape(m.group(5) if m.group(5) is not None else m.group(6))
        if m.group(2) in prefixes and value not in ids:
            ids.append(value)
    return ids


def renamed(text: str, prefixes: set[str], renamed: Mapping[str, str]) -> str:
    def rename(m: re.Match[str]) -> str:
        value = unescape(m.group(5) if m.group(5) is not None else m.group(6))
        if m.group(2) not in prefixes or value not in renamed:
            return m.group(0)
        return f'{m.group(1)}{m.group(2)}:{m.group(3)}{m.group(4)}"{_esc(renamed[value])}"'

    return _ATTR.sub(rename, text)


def free_id(taken: set[str]) -> str:
    n = max((int(m.group(1)) for rid in taken if (m := _RID.match(rid))), default=0) + 1
    while f"rId{n}" in taken:
        n += 1
    return f"rId{n}"


def rel_line(rid: str, kind: str, target: str, external: bool) -> str:
    """A ``<Relationship>``; ``target`` is XML-escaped already if ``external``, else a plain path."""
    mode = ' TargetMode="External"' if external else ""
    shown = target if external else _esc(target)
    return f'<Relationship Id="{_esc(rid)}" Type="{_esc(kind)}" Target="{shown}"{mode}/>'


def _esc(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def rels_name(part: str) -> str:
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


def relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")
