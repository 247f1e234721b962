"""Framework files: the indicator system as data (one TOML file per system).

A framework names its indicators by dotted id (``2.5.2`` = 2nd 一级 › 5th 二级 › 2nd 三级), gives
their weights (分值), 指标解释 and optional reference rule, the header fields, budget fields and
identities, and the grade bands. Loading validates it and names the file and entry of any problem.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

from perfscore.engine.quoting import quote
from perfscore.errors import FrameworkError, UnknownFrameworkError
from perfscore.inputfile import require_regular_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: The framework ``perfscore new`` and the UDFs use when none is named (the seed's 2022 system).
DEFAULT_FRAMEWORK = "gz-dept-overall-2022"
RULE_KINDS = ("rate",)
HEADER_KINDS = ("text", "integer")
#: A dotted indicator id: ``2.5.2`` = 2nd 一级 › 5th 二级 › 2nd 三级 (each part from 1).
ID_PATTERN = re.compile(r"^[1-9]\d*(\.[1-9]\d*)*$")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    weight: Decimal
    explanation: str = ""
    rule: str | None = None
    rule_input: str | None = None
    placeholder: bool = False
    children: tuple[Indicator, ...] = ()

    @property
    def level(self) -> int:
        return self.id.count(".") + 1

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def leaves(self) -> Iterator[Indicator]:
        if self.is_leaf:
            yield self
        for child in self.children:
            yield from child.leaves()


@dataclass(frozen=True)
class Band:
    grade: str
    min: Decimal
    label: str


@dataclass(frozen=True)
class HeaderField:
    key: str
    kind: str


@dataclass(frozen=True)
class Identity:
    left: tuple[str, ...]
    right: tuple[str, ...]
    label: str


@dataclass(frozen=True, eq=False)
class Framework:
    """A loaded, validated indicator system. Compared by identity: each file is parsed once."""

    id: str
    version: str
    title: str
    region: str
    years: tuple[int, int]
    sheet_level: int
    header: tuple[HeaderField, ...]
    budget_fields: tuple[str, ...]
    budget_unit: str
    identities: tuple[Identity, ...]
    bands: tuple[Band, ...]
    roots: tuple[Indicator, ...]
    by_id: dict[str, Indicator] = field(repr=False, default_factory=dict)
    source: str = ""

    @property
    def total_weight(self) -> Decimal:
        return sum((r.weight for r in self.roots), Decimal(0))

    def leaves(self) -> list[Indicator]:
        """The 末级 indicators in framework order (a fresh list; the framework keeps its own)."""
        return list(self._leaves)

    @cached_property
    def _leaves(self) -> tuple[Indicator, ...]:
        return tuple(leaf for root in self.roots for leaf in root.leaves())

    def sheet_groups(self) -> list[Indicator]:
        """The indicators that each become one worksheet (level ``sheet_level``)."""
        return [i for i in self.walk() if i.level == self.sheet_level]

    def walk(self) -> Iterator[Indicator]:
        def rec(node: Indicator) -> Iterator[Indicator]:
            yield node
            for c in node.children:
                yield from rec(c)

        for r in self.roots:
            yield from rec(r)

    def grade(self, total: Decimal) -> str:
        for band in self.bands:
            if total >= band.min:
                return band.grade
        return self.bands[-1].grade

    def grade_line(self, grade: str | None) -> str:
        """The printed ☑/□ line, e.g. ``☑优 90分≤得分≤100分；□良 80分≤得分＜90分；…``."""
        return "；".join(f"{'☑' if b.grade == grade else '□'}{b.grade} {b.label}" for b in self.bands)


# --------------------------------------------------------------------------------------- loading


@cache
def _shipped_folder() -> Traversable:
    return resources.files("perfscore") / "frameworks"


def shipped_ids() -> list[str]:
    return sorted(p.name[:-5] for p in _shipped_folder().iterdir() if p.name.endswith(".toml"))


def load(ref: str | Path) -> Framework:
    """Load a framework by shipped id (``gz-dept-overall-2022``) or from a ``.toml`` path."""
    path = Path(ref)
    if path.suffix == ".toml" or path.exists():
        require_regular_file(path, "指标体系文件", lambda m: FrameworkError(m, path=str(path)))
        return _load_file(path, str(path))
    return load_by_id(str(ref))


#: Folders (separated by os.pathsep) of extra framework files, looked up by id: ``<dir>/<id>.toml``.
FRAMEWORKS_ENV = "PERFSCORE_FRAMEWORKS"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def load_by_id(fid: str) -> Framework:
    """Load a framework by id only — never a path, since the id may come from a file.

    Shipped frameworks first, then ``<dir>/<id>.toml`` in the folders of ``$PERFSCORE_FRAMEWORKS``
    (for a district's own indicator system). Each file is parsed and validated once per process and
    again only when it changes (see :func:`_load_file`).
    """
    if _SAFE_ID.match(fid) and ".." not in fid:
        shipped = _shipped_folder() / f"{fid}.toml"
        if shipped.is_file():
            return _load_file(shipped, f"{fid}.toml")
        for folder in filter(None, os.environ.get(FRAMEWORKS_ENV, "").split(os.pathsep)):
            path = Path(folder) / f"{fid}.toml"
            if path.is_file():
                fw = _load_file(path, str(path))
                if fw.id == fid:
                    return fw
    known = "、".join(shipped_ids())
    raise UnknownFrameworkError(
        f"未知的指标体系 “{quote(fid)}”（本版本已内置：{known}）；请升级 perfscore，"
        f"或把该指标体系文件放在环境变量 {FRAMEWORKS_ENV} 指定的文件夹中"
    )


#: Parsed frameworks by source, with the (mtime, size) they were read at: an edited file is re-read.
_LOADED: dict[str, tuple[tuple[int, int], Framework]] = {}


def _load_file(file: Traversable, source: str) -> Framework:
    """Parse ``file`` once; later calls return the same :class:`Framework` until the file changes."""
    stamp = _stamp(file)
    hit = _LOADED.get(source)
    if hit is not None and stamp is not None and hit[0] == stamp:
        return hit[1]
    fw = parse(file.read_bytes(), source=source)
    if stamp is not None:
        _LOADED[source] = (stamp, fw)
    return fw


def _stamp(file: Traversable) -> tuple[int, int] | None:
    """(modification time in ns, size) of a file on disk; None for one inside an archive."""
    try:
        st = os.stat(str(file))
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def parse(data: bytes, *, source: str = "<framework>") -> Framework:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FrameworkError(f"不是有效的 UTF-8 TOML 文件：{exc}", path=source) from None
    return _Builder(doc, source).build()


class _Builder:
    def __init__(self, doc: dict[str, Any], source: str) -> None:
        self.doc = doc
        self.source = source

    def fail(self, entry: str, message: str) -> FrameworkError:
        return FrameworkError(message, path=self.source, entry=entry)

    def text(self, table: dict[str, Any], key: str, entry: str, default: str | None = None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(entry, f"“{key}” 必须是非空文本")
        return value

    def number(self, table: dict[str, Any], key: str, entry: str) -> Decimal:
        value = table.get(key)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.fail(entry, f'“{key}” 必须是数字文本，如 "1.5"（避免二进制浮点）')
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.fail(entry, f"“{key}” 不是数字：{value!r}") from None
        if not number.is_finite() or number < 0:
            raise self.fail(entry, f"“{key}” 必须是非负数：{value!r}")
        return number

    def build(self) -> Framework:
        d = self.doc
        fid = self.text(d, "id", "id")
        years = d.get("years")
        if (
            not isinstance(years, list)
            or len(years) != 2
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
            or years[0] > years[1]
        ):
            raise self.fail("years", "必须是 [起始年度, 截止年度]，如 [2022, 2022]")
        sheet_level = d.get("sheet_level", 1)
        if sheet_level not in (1, 2):
            raise self.fail("sheet_level", "只能是 1（每个一级指标一个工作表）或 2")
        budget = d.get("budget", {})
        fields = tuple(budget.get("fields", ()))
        if len(set(fields)) != len(fields) or not all(isinstance(f, str) for f in fields):
            raise self.fail("budget.fields", "预算字段必须是互不重复的文本")
        identities = tuple(self.identity(i, n, fields) for n, i in enumerate(budget.get("identities", [])))
        roots, by_id = self.indicators(d.get("indicators", []))
        fw = Framework(
            id=fid,
            version=str(d.get("version", "1")),
            title=self.text(d, "title", "title"),
            region=self.text(d, "region", "region", default=""),
            years=(years[0], years[1]),
            sheet_level=sheet_level,
            header=tuple(self.header(h, n) for n, h in enumerate(d.get("header", []))),
            budget_fields=fields,
            budget_unit=str(budget.get("unit", "万元")),
            identities=identities,
            bands=self.bands(d.get("bands", [])),
            roots=roots,
            by_id=by_id,
            source=self.source,
        )
        if fw.total_weight != 100:
            raise self.fail("indicators", f"一级指标分值合计为 {fw.total_weight}，应为 100")
        if max(len(r.id.split(".")) for r in by_id.values()) <= sheet_level:
            raise self.fail("sheet_level", "工作表层级下没有可评分的指标")
        return fw

    def header(self, h: dict[str, Any], n: int) -> HeaderField:
        entry = f"header[{n}]"
        kind = h.get("kind", "text")
        if kind not in HEADER_KINDS:
            raise self.fail(entry, f"kind 只能是 {' / '.join(HEADER_KINDS)}")
        return HeaderField(self.text(h, "key", entry), kind)

    def identity(self, i: dict[str, Any], n: int, fields: tuple[str, ...]) -> Identity:
        entry = f"budget.identities[{n}]"
        left, right = tuple(i.get("left", ())), tuple(i.get("right", ()))
        for name in left + right:
            if name not in fields:
                raise self.fail(entry, f"“{name}” 不是预算字段")
        if not left or not right:
            raise self.fail(entry, "left 与 right 都不能为空")
        return Identity(left, right, str(i.get("label", f"{'+'.join(left)} = {'+'.join(right)}")))

    def bands(self, raw: list[dict[str, Any]]) -> tuple[Band, ...]:
        bands = tuple(
            Band(
                self.text(b, "grade", f"bands[{n}]"),
                self.number(b, "min", f"bands[{n}]"),
                self.text(b, "label", f"bands[{n}]", default=""),
            )
            for n, b in enumerate(raw)
        )
        if not bands:
            raise self.fail("bands", "至少需要一个评价等级")
        for a, b in itertools.pairwise(bands):
            if not a.min > b.min:
                raise self.fail(f"bands ({a.grade}, {b.grade})", "等级下限必须从高到低严格递减")
        if bands[-1].min != 0:
            raise self.fail(f"bands ({bands[-1].grade})", "最低等级的下限必须为 0")
        if len({b.grade for b in bands}) != len(bands):
            raise self.fail("bands", "等级名称重复")
        return bands

    def indicators(self, raw: list[dict[str, Any]]) -> tuple[tuple[Indicator, ...], dict[str, Indicator]]:
        """Check and link the indicators in one pass each (linear in their number)."""
        if not raw:
            raise self.fail("indicators", "没有指标")
        flat: dict[str, dict[str, Any]] = {}
        children: dict[str, list[str]] = {"": []}  # parent id ("" for the roots) -> child ids, in order
        for n, item in enumerate(raw):
            iid = item.get("id")
            entry = f"indicators[{n}] (id={iid!r})"
            if not isinstance(iid, str) or not ID_PATTERN.match(iid):
                raise self.fail(entry, 'id 必须是点分编号，如 "2.5.2"')
            if iid in flat:
                raise self.fail(entry, "id 重复")
            parent = iid.rpartition(".")[0]
            if parent not in children:
                raise self.fail(entry, f"上级指标 {parent} 必须写在它之前")
            expected = f"{parent + '.' if parent else ''}{len(children[parent]) + 1}"
            if iid != expected:
                raise self.fail(entry, f"编号应为 {expected}（同级编号从 1 连续递增）")
            rule = item.get("rule")
            if rule is not None and rule not in RULE_KINDS:
                raise self.fail(entry, f"rule 只能是 {' / '.join(RULE_KINDS)}")
            if rule is not None and not isinstance(item.get("rule_input"), str):
                raise self.fail(entry, "有 rule 的指标必须给出 rule_input（参考数据的名称）")
            flat[iid] = dict(item, _entry=entry)
            children[parent].append(iid)
            children[iid] = []
        by_id: dict[str, Indicator] = {}

        def make(iid: str) -> Indicator:
            item = flat[iid]
            entry = item["_entry"]
            kids = tuple(make(k) for k in children[iid])
            ind = Indicator(
                id=iid,
                name=self.text(item, "name", entry),
                weight=self.number(item, "weight", entry),
                explanation=str(item.get("explanation", "")),
                rule=item.get("rule"),
                rule_input=item.get("rule_input"),
                placeholder=bool(item.get("placeholder", False)),
                children=kids,
            )
            if kids:
                total = sum((k.weight for k in kids), Decimal(0))
                if total != ind.weight:
                    raise self.fail(entry, f"下级指标分值合计为 {total}，与本级分值 {ind.weight} 不一致")
                if ind.rule:
                    raise self.fail(entry, "只有末级指标可以有 rule")
            by_id[iid] = ind
            return ind

        roots = tuple(make(k) for k in children[""])
        depth = {k.count(".") for k, kids in children.items() if k and not kids}
        if len(depth) != 1:
            raise self.fail("indicators", "所有末级指标必须在同一层级（如都为三级指标）")
        return roots, by_id
