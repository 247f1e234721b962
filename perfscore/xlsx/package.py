"""Finishing a saved workbook package where openpyxl and XlsxWriter cannot: cached results, row flags.

openpyxl saves a formula without the value it shows, so anything that does not recalculate — Excel's
Protected View (the default for e-mailed files), file previews, phone viewers, pandas or calamine —
shows blank totals. Both libraries mark every row whose height they write as a custom height, which
stops Excel and WPS from growing the row as the clerk types. :func:`finish` rewrites the sheets of a
saved file once: each formula cell named in ``values`` gets that value as its cached result (``<v>``),
and the rows named in ``auto_rows`` lose ``customHeight``. Plain Python (zip + the sheets' XML text);
nothing else in the package changes.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape, unescape

from perfscore.engine import xml_text
from perfscore.engine.decimals import fmt
from perfscore.engine.grid import CellValue, ErrorValue, parse_ref

#: Cached results to write: sheet name → {(row, col): value}. None leaves a cell as it is.
Values = Mapping[str, Mapping[tuple[int, int], CellValue]]

_SHEET = re.compile(r'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(r"<Relationship\b([^>]*)/?>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_FORMULA_CELL = re.compile(
    r'<c r="([A-Z]{1,3}\d+)"([^>]*?)>(<f\b[^>]*/>|<f\b[^>]*>.*?</f>)(<v\s*/>|<v>.*?</v>)?</c>', re.S
)
_ROW = re.compile(r'<row r="(\d+)"([^>]*)>')
_TYPE = re.compile(r'\s+t="[^"]*"')
_CUSTOM = re.compile(r'\s+customHeight="(1|true)"')


def finish(path: Path, values: Values, auto_rows: Mapping[str, Iterable[int]] | None = None) -> None:
    """Rewrite the package at ``path`` in place (call it on a temporary file before it replaces the
    target, so the save stays all or nothing)."""
    auto = {name: set(rows) for name, rows in (auto_rows or {}).items()}
    with zipfile.ZipFile(path) as zf:
        parts = sheet_parts(zf)
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    changed = False
    out: list[tuple[zipfile.ZipInfo, bytes]] = []
    for info, data in entries:
        name = next((n for n, part in parts.items() if part == info.filename), None)
        if name is not None and (values.get(name) or auto.get(name)):
            text = data.decode("utf-8")
            new = _rows(_cells(text, values.get(name, {})), auto.get(name, set()))
            if new != text:
                data, changed = new.encode("utf-8"), True
        out.append((info, data))
    if changed:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, data in out:
                zf.writestr(info, data)


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part in the package (``xl/worksheets/sheet1.xml``), from the workbook's rels."""
    workbook = zf.read("xl/workbook.xml").decode("utf-8")
    targets: dict[str, str] = {}
    for attrs in _REL.findall(zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")):
        a = dict(_ATTR.findall(attrs))
        if "Id" in a and "Target" in a:
            target = a["Target"]
            targets[a["Id"]] = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return {
        unescape(name, {"&quot;": '"'}): targets[rid]
        for name, rid in _SHEET.findall(workbook)
        if rid in targets
    }


def _cells(xml: str, values: Mapping[tuple[int, int], CellValue]) -> str:
    if not values:
        return xml

    def fill(m: re.Match[str]) -> str:
        ref, attrs, formula = m.group(1), m.group(2), m.group(3)
        pos = parse_ref(ref)
        if pos not in values or values[pos] is None:
            return m.group(0)
        kind, text = _cached(values[pos])
        attrs = _TYPE.sub("", attrs) + (f' t="{kind}"' if kind else "")
        return f'<c r="{ref}"{attrs}>{formula}<v>{text}</v></c>'

    return _FORMULA_CELL.sub(fill, xml)


def _cached(value: CellValue) -> tuple[str, str]:
    """(cell type, text of <v>) of a cached formula result."""
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, Decimal):
        return "", fmt(value)
    if isinstance(value, ErrorValue):
        return "e", escape(value.code)
    if isinstance(value, dt.datetime):
        return "str", escape(value.isoformat(" "))
    return "str", escape(xml_text.encode(str(value)))


def _rows(xml: str, rows: set[int]) -> str:
    if not rows:
        return xml

    def free(m: re.Match[str]) -> str:
        if int(m.group(1)) not in rows:
            return m.group(0)
        return f'<row r="{m.group(1)}"{_CUSTOM.sub("", m.group(2))}>'

    return _ROW.sub(free, xml)
