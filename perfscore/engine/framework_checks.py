"""The checks of a framework document: every problem collected in one pass, the framework built if none.

:class:`Checker` walks the parsed TOML document (:mod:`perfscore.engine.framework_file` parses it and
turns each problem's place into a line): the keys each table may have (an unknown one with the key
probably meant), the types and values of each entry, and the rules between them — ids consecutive
under their parent, weights that add up, bands descending to 0. What only follows from a problem
already reported is not reported again.
"""

from __future__ import annotations

import difflib
import itertools
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, InvalidOperation
from typing import Any

from perfscore.engine.framework_model import (
    HEADER_KINDS,
    ID_PATTERN,
    RULE_KINDS,
    Band,
    Framework,
    HeaderField,
    Identity,
    Indicator,
    usable_id,
)
from perfscore.engine.quoting import quote
from perfscore.engine.toml_lines import DocPath

#: The keys each table of a framework file may have.
TOP_KEYS = ("kind", "id", "version", "title", "region", "years", "sheet_level", "header", "budget", "bands", "indicators")  # fmt: skip
HEADER_KEYS = ("key", "kind")
#: The kinds of framework file: department-overall forms (the default) and project forms.
KINDS = ("department", "project")
BUDGET_KEYS = ("unit", "fields", "identities")
IDENTITY_KEYS = ("left", "right", "label")
BAND_KEYS = ("grade", "min", "label")
INDICATOR_KEYS = ("id", "name", "weight", "explanation", "rule", "rule_input", "placeholder")
#: Sums of weights: exact as long as 28 digits do, and no overflow for a weight like "1e999999".
_SUMS = Context(prec=28, Emax=MAX_EMAX, Emin=MIN_EMIN)


# ---------------------------------------------------------------------------------- the checks


class Checker:
    """Checks a parsed document, collecting the problems; builds the framework when there are none."""

    def __init__(self, doc: dict[str, Any], source: str) -> None:
        self.doc = doc
        self.source = source
        #: (where in the document, entry, message) of each problem, in the order found
        self.found: list[tuple[DocPath, str, str]] = []
        #: id(table) -> the keys meant by its unknown keys (a missing one of those is not reported)
        self.meant: dict[int, set[str]] = {}
        #: how many levels the indicator tree has (None until it is known to be sound)
        self.depth: int | None = None

    def problem(self, where: DocPath, entry: str, message: str, table: dict[str, Any] | None = None) -> None:
        """Report a problem at ``where`` — unless ``table`` lacks the key and a misspelling of it was
        reported (as an unknown key, with this one as the key meant)."""
        if table is None or where[-1] in table or where[-1] not in self.meant.get(id(table), ()):
            self.found.append((where, entry, message))

    def text(
        self, table: dict[str, Any], key: str, entry: str, at: DocPath, default: str | None = None
    ) -> str:
        """``table[key]``: text, not blank unless there is a ``default`` (then it may be missing)."""
        value = table.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            self.problem((*at, key), entry, f"“{key}” 必须是非空文本", table)
            return ""
        return value

    def maybe_text(self, table: dict[str, Any], key: str, entry: str, at: DocPath) -> None:
        if not isinstance(table.get(key, ""), str):
            self.problem((*at, key), entry, f"“{key}” 必须是文本")

    def number(self, table: dict[str, Any], key: str, entry: str, at: DocPath) -> Decimal | None:
        value = table.get(key)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.problem((*at, key), entry, f'“{key}” 必须是数字文本，如 "1.5"（避免二进制浮点）', table)
            return None
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            self.problem((*at, key), entry, f"“{key}” 不是数字：{quote(repr(value))}")
            return None
        if not number.is_finite() or number < 0:
            self.problem((*at, key), entry, f"“{key}” 必须是非负数：{quote(repr(value))}")
            return None
        return number

    def unknown_keys(self, table: dict[str, Any], allowed: tuple[str, ...], entry: str, at: DocPath) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key.lower(), allowed, n=1)
                hint = f"是否应为 “{close[0]}”？" if close else f"此处可用的键：{'、'.join(allowed)}"
                self.problem((*at, key), entry, f"未知的键 “{quote(key)}”；{hint}")
                self.meant.setdefault(id(table), set()).update(close)

    def tables(self, raw: object, name: str) -> list[tuple[int, dict[str, Any]]] | None:
        """The tables of the array of tables ``name`` (``[[name]]``); None if it is not one."""
        at: DocPath = tuple(name.split("."))
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(at, name, f"必须是表数组，即一个或多个 [[{name}]] 段")
            return None
        for n, item in enumerate(raw):
            if not isinstance(item, dict):
                self.problem((*at, n), f"{name}[{n}]", f"必须是表，即一个 [[{name}]] 段")
        return [(n, item) for n, item in enumerate(raw) if isinstance(item, dict)]

    def build(self) -> Framework | None:
        d = self.doc
        self.unknown_keys(d, TOP_KEYS, "", ())
        fid, version, title, region, years = self.identity_keys()
        sheet_level = d.get("sheet_level", 1)
        level_ok = (
            isinstance(sheet_level, int) and not isinstance(sheet_level, bool) and sheet_level in (1, 2)
        )
        if not level_ok:
            self.problem(("sheet_level",), "sheet_level", "只能是 1（每个一级指标一个工作表）或 2")
        header = self.header(d.get("header"))
        budget = self.budget(d.get("budget", {}))
        bands = self.bands(d.get("bands"))
        tree = self.indicators(d.get("indicators"))
        if self.depth is not None and level_ok and self.depth <= sheet_level:
            self.problem(("sheet_level",), "sheet_level", "工作表层级下没有可评分的指标")
        if self.found:
            return None
        return Framework(
            id=fid,
            version=version,
            title=title,
            region=region,
            years=years,
            sheet_level=sheet_level,
            header=header,
            budget_fields=budget[1],
            budget_unit=budget[0],
            identities=budget[2],
            bands=bands,
            roots=tree[0],
            by_id=tree[1],
            source=self.source,
        )

    def identity_keys(self) -> tuple[str, str, str, str, tuple[int, int]]:
        """The keys every framework file has: id, version, title, region and years (checked)."""
        d = self.doc
        kind = d.get("kind", "department")
        if kind not in KINDS:
            self.problem(("kind",), "kind", f"kind 只能是 {' / '.join(KINDS)}（部门整体支出 / 项目支出）")
        fid = self.text(d, "id", "id", ())
        if fid and not usable_id(fid):
            self.problem(
                ("id",),
                "id",
                f"编号 “{quote(fid)}” 不可用：只能由字母、数字和“-”“_”“.”组成（不超过 100 个字符），"
                "因为表单按编号查找文件“<编号>.toml”；如 zc-2023",
            )
        version = d.get("version", "1")
        if isinstance(version, bool) or not isinstance(version, (str, int)):
            self.problem(("version",), "version", '“version” 必须是文本或整数，如 "1"')
        title = self.text(d, "title", "title", ())
        region = self.text(d, "region", "region", (), default="")
        years: Any = d.get("years")
        if (
            not isinstance(years, list)
            or len(years) != 2
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
            or years[0] > years[1]
        ):
            self.problem(("years",), "years", "必须是 [起始年度, 截止年度]，如 [2022, 2022]")
            years = [0, 0]
        return fid, str(version), title, region, (years[0], years[1])

    def header(self, raw: object) -> tuple[HeaderField, ...]:
        out: list[HeaderField] = []
        seen: dict[str, int] = {}
        for n, h in self.tables(raw, "header") or ():
            entry, at = f"header[{n}]", ("header", n)
            self.unknown_keys(h, HEADER_KEYS, entry, at)
            kind = h.get("kind", "text")
            if kind not in HEADER_KINDS:
                self.problem((*at, "kind"), entry, f"kind 只能是 {' / '.join(HEADER_KINDS)}")
            key = self.text(h, "key", entry, at)
            if key in seen:
                self.problem(
                    (*at, "key"), entry, f"表头字段 “{quote(key)}” 重复（与 header[{seen[key]}] 相同）"
                )
            elif key:  # (else reported)
                seen[key] = n
                out.append(HeaderField(key, kind))
        return tuple(out)

    def budget(self, raw: object) -> tuple[str, tuple[str, ...], tuple[Identity, ...]]:
        if not isinstance(raw, dict):
            self.problem(("budget",), "budget", "必须是表，即 [budget] 段")
            return "", (), ()
        self.unknown_keys(raw, BUDGET_KEYS, "budget", ("budget",))
        unit = self.text(raw, "unit", "budget", ("budget",), default="万元")
        fields = raw.get("fields", [])
        if (
            not isinstance(fields, list)
            or not all(isinstance(f, str) for f in fields)
            or len(set(fields)) != len(fields)
        ):
            self.problem(("budget", "fields"), "budget.fields", "预算字段必须是互不重复的文本")
            fields = None
        tables = self.tables(raw.get("identities"), "budget.identities") or ()
        return unit, tuple(fields or ()), tuple(self.identity(i, n, fields) for n, i in tables)

    def identity(self, i: dict[str, Any], n: int, fields: list[str] | None) -> Identity:
        entry, at = f"budget.identities[{n}]", ("budget", "identities", n)
        self.unknown_keys(i, IDENTITY_KEYS, entry, at)
        sides: list[tuple[str, ...]] = []
        for side in ("left", "right"):
            names = i.get(side, [])
            if not isinstance(names, list):
                self.problem((*at, side), entry, f'“{side}” 必须是预算字段名称的数组，如 ["总预算"]')
                continue
            for name in names:
                if fields is not None and name not in fields:
                    self.problem((*at, side), entry, f"“{quote(name)}” 不是预算字段")
            sides.append(tuple(names))
        if len(sides) == 2 and not (sides[0] and sides[1]):
            self.problem((*at, "right" if sides[0] else "left"), entry, "left 与 right 都不能为空")
        left, right = [*sides, (), ()][:2]
        label = self.text(
            i, "label", entry, at, default=f"{'+'.join(map(str, left))} = {'+'.join(map(str, right))}"
        )
        return Identity(left, right, label)

    def bands(self, raw: object) -> tuple[Band, ...]:
        tables = self.tables(raw, "bands")
        if raw is None or raw == []:
            self.problem(("bands",), "bands", "至少需要一个评价等级")
        bands: list[Band] = []
        for n, table in tables or ():
            entry, at, before = f"bands[{n}]", ("bands", n), len(self.found)
            self.unknown_keys(table, BAND_KEYS, entry, at)
            grade, low = self.text(table, "grade", entry, at), self.number(table, "min", entry, at)
            label = self.text(table, "label", entry, at, default="")
            if low is not None and len(self.found) == before:
                bands.append(Band(grade, low, label))
        if not isinstance(raw, list) or not bands or len(bands) != len(raw):
            return ()  # (not checked against each other)
        for n, (a, b) in enumerate(itertools.pairwise(bands)):
            if not a.min > b.min:
                self.problem(
                    ("bands", n + 1, "min"), f"bands ({a.grade}, {b.grade})", "等级下限必须从高到低严格递减"
                )
        if bands[-1].min != 0:
            self.problem(
                ("bands", len(bands) - 1, "min"), f"bands ({bands[-1].grade})", "最低等级的下限必须为 0"
            )
        grades = [b.grade for b in bands]
        if len(set(grades)) != len(grades):
            twice = next(n for n, g in enumerate(grades) if g in grades[:n])
            self.problem(("bands", twice, "grade"), "bands", "等级名称重复")
        return tuple(bands)

    def indicators(self, raw: object) -> tuple[tuple[Indicator, ...], dict[str, Indicator]]:
        """Check the indicators and link them into a tree (one pass each: linear in their number).

        A weight sum is checked only where it means something: not for a parent with a child whose
        weight is invalid, whose id is in doubt or whose own children's weights do not add up to its
        (that child's weight is reported already), nor at all when an entry cannot be placed."""
        if raw is None or raw == []:
            self.problem(("indicators",), "indicators", "没有指标")
        tables = self.tables(raw, "indicators")
        if not tables:
            return (), {}
        tree = _Tree(placed=isinstance(raw, list) and len(tables) == len(raw))
        for n, item in tables:
            iid = item.get("id")
            entry, at = f"indicators[{n}] (id={quote(repr(iid))})", ("indicators", n)
            self.unknown_keys(item, INDICATOR_KEYS, entry, at)
            message = tree.place(iid, (n, entry, item, self.indicator_fields(item, entry, at)))
            if message:
                self.problem((*at, "id"), entry, message, item)
        items, children = tree.items, tree.children
        for iid, kids in children.items():
            if iid and kids and items[iid][2].get("rule") in RULE_KINDS:
                self.problem(("indicators", items[iid][0], "rule"), items[iid][1], "只有末级指标可以有 rule")
        if not tree.placed:
            return (), {}
        if not tree.doubtful:
            depth = {k.count(".") for k, kids in children.items() if k and not kids}
            if len(depth) != 1:
                self.problem(("indicators",), "indicators", "所有末级指标必须在同一层级（如都为三级指标）")
            self.depth = max(depth, default=0) + 1
        wrong: set[str] = set()  # parents whose children's weights do not add up to theirs
        for iid in reversed(children):  # (children before their parent; the roots last)
            kids = children[iid]
            total = self.sum([items[k][3] for k in kids])
            if total is None or iid in tree.doubtful or any(k in wrong for k in kids):
                continue  # (the sum is not known, or a wrong child's weight is already reported)
            if not iid and total != 100:
                self.problem(("indicators",), "indicators", f"一级指标分值合计为 {total}，应为 100")
            elif iid and kids and items[iid][3] not in (None, total):
                wrong.add(iid)
                where, weight = ("indicators", items[iid][0], "weight"), items[iid][3]
                self.problem(where, items[iid][1], f"下级指标分值合计为 {total}，与本级分值 {weight} 不一致")
        return ((), {}) if self.found else tree.build()

    @staticmethod
    def sum(weights: list[Decimal | None]) -> Decimal | None:
        """The sum of ``weights``; None if one of them is not known."""
        total = Decimal(0)
        for weight in weights:
            if weight is None:
                return None
            total = _SUMS.add(total, weight)
        return total

    def indicator_fields(self, item: dict[str, Any], entry: str, at: DocPath) -> Decimal | None:
        """Check an indicator's own keys (all but its id); its weight if valid."""
        self.text(item, "name", entry, at)
        weight = self.number(item, "weight", entry, at)
        self.maybe_text(item, "explanation", entry, at)
        rule = item.get("rule")
        if rule is not None and rule not in RULE_KINDS:
            self.problem((*at, "rule"), entry, f"rule 只能是 {' / '.join(RULE_KINDS)}")
        if rule is not None and not isinstance(item.get("rule_input"), str):
            where = (*at, "rule_input" if "rule_input" in item else "rule")
            self.problem(where, entry, "有 rule 的指标必须给出 rule_input（参考数据的名称）")
        elif rule is None:
            self.maybe_text(item, "rule_input", entry, at)
        if not isinstance(item.get("placeholder", False), bool):
            self.problem((*at, "placeholder"), entry, "“placeholder” 必须是 true 或 false")
        return weight


#: An indicator entry as placed: its index, entry name, table and weight (None if invalid).
_Item = tuple[int, str, dict[str, Any], Decimal | None]


class _Tree:
    """The indicators placed by id as they come (a parent before its children)."""

    def __init__(self, placed: bool) -> None:
        #: False once an entry cannot be placed (then no weight sum is checked)
        self.placed = placed
        self.items: dict[str, _Item] = {}
        self.children: dict[str, list[str]] = {"": []}  # parent id ("" for the roots) -> child ids
        self.last: dict[str, int] = {}  # parent id -> the number of its last child so far
        self.doubtful: set[str] = set()  # parents with a child in doubt: their weight sum is not checked
        self.orphans: set[str] = set()
        self.gaps: set[str] = set()  # parents ("*": any) with a child whose id is invalid

    def place(self, iid: object, item: _Item) -> str | None:
        """Place an indicator; the problem with its id, if there is one."""
        if not isinstance(iid, str) or not ID_PATTERN.match(iid):
            guess = iid.rpartition(".")[0] if isinstance(iid, str) else None
            self.placed = self.placed and guess in self.children
            self.doubtful.add(guess or "")
            self.gaps.add(guess if guess in self.children else "*")  # its siblings' numbers skip it
            return 'id 必须是点分编号，如 "2.5.2"'
        parent, _, own = iid.rpartition(".")
        if iid in self.items:
            self.doubtful.add(parent)
            return "id 重复"
        if parent not in self.children:  # (where it belongs is unknown)
            self.placed, reported = False, parent not in self.orphans  # (not again for its children)
            self.orphans.add(iid)
            return f"上级指标 {parent} 必须写在它之前" if reported else None
        problem = None
        number = self.last.get(parent, 0) + 1
        if iid != f"{parent + '.' if parent else ''}{number}":
            known = int(own) if len(own) < 10 else None  # (the next one is to follow this one)
            if not (known and known > number and {parent, "*"} & self.gaps):  # (skips an invalid id)
                problem = f"编号应为 {parent + '.' if parent else ''}{number}（同级编号从 1 连续递增）"
            number = known or number
        self.last[parent] = number
        self.items[iid] = item
        self.children[parent].append(iid)
        self.children[iid] = []
        return problem

    def build(self) -> tuple[tuple[Indicator, ...], dict[str, Indicator]]:
        """The roots and the indicators by id, linked from the last one up (each after its children)."""
        built: dict[str, Indicator] = {}
        for iid in reversed(self.items):
            _, _, item, weight = self.items[iid]
            assert weight is not None
            built[iid] = Indicator(
                id=iid,
                name=item["name"],
                weight=weight,
                explanation=item.get("explanation", ""),
                rule=item.get("rule"),
                rule_input=item.get("rule_input"),
                placeholder=item.get("placeholder", False),
                children=tuple(built[k] for k in self.children[iid]),
            )
        return tuple(built[k] for k in self.children[""]), {iid: built[iid] for iid in self.items}
