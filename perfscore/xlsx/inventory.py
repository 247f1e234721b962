"""What a workbook package holds besides cells, counted from the zip itself.

openpyxl rewrites a workbook from what it understood and silently drops the rest: pictures (without
Pillow, always), charts, embedded OLE objects, custom XML, slicers, a digital signature. A clerk's
pasted seal or signature must never vanish on ``calc`` or ``report``, so the writer counts these
things in the original and in the file it is about to put in place (:func:`inventory`), and
:func:`missing` says what the new file would lose. The counts come from part names and a byte count of
a few XML elements, not from openpyxl: what openpyxl cannot see, it cannot hide.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Kind:
    """One kind of content: its Chinese name, its counting word and how to count it."""

    name: str
    unit: str
    #: Which parts hold it (matched against the part name).
    parts: re.Pattern[str]
    #: What is counted in each such part (a regular expression over its bytes); ``None``: each part
    #: counts once.
    element: re.Pattern[bytes] | None = None


def _parts(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


KINDS: tuple[Kind, ...] = (
    Kind("图片", "张", _parts(r"^xl/media/[^/]+$")),
    Kind("图表", "个", _parts(r"^xl/charts/chart\d*\.xml$")),
    # pictures, shapes, text boxes and charts placed on a sheet, one anchor each
    Kind(
        "绘图对象（图片、形状、文本框）",
        "个",
        _parts(r"^xl/drawings/[^/]+\.xml$"),
        re.compile(rb"</(?:\w+:)?(?:twoCell|oneCell|absolute)Anchor>"),
    ),
    # form buttons and comment boxes of the legacy (VML) drawing layer
    Kind("按钮或批注框", "个", _parts(r"^xl/drawings/[^/]+\.vml$"), re.compile(rb"<(?:\w+:)?shape[\s>]")),
    Kind("嵌入对象（OLE）", "个", _parts(r"^xl/embeddings/[^/]+$")),
    Kind("ActiveX 控件", "个", _parts(r"^xl/activeX/[^/]+\.xml$")),
    Kind("表单控件", "个", _parts(r"^xl/ctrlProps/[^/]+\.xml$")),
    Kind("批注", "条", _parts(r"^xl/comments(?:[^/]*|/[^/]+)\.xml$"), re.compile(rb"<(?:\w+:)?comment[\s>]")),
    Kind(
        "线程批注",
        "条",
        _parts(r"^xl/threadedComments/[^/]+\.xml$"),
        re.compile(rb"<(?:\w+:)?threadedComment[\s>]"),
    ),
    Kind("自定义 XML", "个", _parts(r"^customXml/item\d+\.xml$")),
    Kind("VBA 宏工程", "个", _parts(r"^xl/vbaProject\.bin$")),
    Kind("数据透视表", "个", _parts(r"^xl/pivotTables/[^/]+\.xml$")),
    Kind("切片器或日程表", "个", _parts(r"^xl/(slicers|timelines)/[^/]+\.xml$")),
    Kind("表格（列表）", "个", _parts(r"^xl/tables/[^/]+\.xml$")),
    Kind("外部链接", "个", _parts(r"^xl/externalLinks/[^/]+\.xml$")),
    Kind("数字签名", "个", _parts(r"^_xmlsignatures/sig\d*\.xml$")),
)

#: An element count reads at most this much of one part (the reader's limits keep parts far smaller).
_READ_LIMIT = 64 * 1024 * 1024


def inventory(path: Path) -> Counter[str]:
    """How many of each :data:`KINDS` the package at ``path`` holds (kinds it lacks are absent)."""
    found: Counter[str] = Counter()
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            for kind in KINDS:
                if kind.parts.match(info.filename):
                    found[kind.name] += _count(zf, info, kind.element)
    return +found


def _count(zf: zipfile.ZipFile, info: zipfile.ZipInfo, element: re.Pattern[bytes] | None) -> int:
    if element is None:
        return 1
    with zf.open(info) as fh:
        data = fh.read(_READ_LIMIT)
    return sum(1 for _ in element.finditer(data))


def missing(before: Counter[str], after: Counter[str]) -> list[str]:
    """What ``after`` lacks of ``before``, in words: ``["图片 1 张", "批注 2 条"]`` (empty: nothing lost)."""
    units = {k.name: k.unit for k in KINDS}
    return [
        f"{name} {before[name] - after[name]} {units[name]}" for name in before if after[name] < before[name]
    ]


def describe(losses: Iterable[str]) -> str:
    return "、".join(losses)
