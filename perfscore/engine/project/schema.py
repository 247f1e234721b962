"""The checks of a ``kind = "project"`` framework document, collected in one pass like a department one's.

:class:`ProjectChecker` reuses the department checker's key, text, number and band checks
(:class:`~perfscore.engine.framework_checks.Checker`) and adds the project form's own tables: ``[goals]``,
``[footer]``, ``[funds]`` and ``[indicators]`` with its ``[[indicators.groups]]`` and ``[indicators.columns]``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from perfscore.engine.framework_checks import Checker
from perfscore.engine.project.model import (
    DEFAULT_OVERSHOOT,
    Category,
    Columns,
    Funds,
    Group,
    ProjectFramework,
    TextField,
)
from perfscore.engine.quoting import quote
from perfscore.engine.toml_lines import DocPath

TOP_KEYS = ("kind", "id", "version", "title", "region", "years", "overshoot", "header", "goals", "footer", "funds", "indicators", "bands")  # fmt: skip
HEADER_KEYS = ("key", "required")
FIELDS_KEYS = ("fields",)
FUNDS_KEYS = ("name", "weight", "unit", "rows", "columns", "budget", "actual", "reason_below", "reason_label")  # fmt: skip
INDICATORS_KEYS = ("weight", "columns", "groups")
GROUP_KEYS = ("id", "name", "weight", "required", "moves_to", "categories")
COLUMN_KEYS = tuple(Columns.__dataclass_fields__)


class ProjectChecker(Checker):
    """Checks a project framework document; builds the :class:`ProjectFramework` when there is no problem."""

    def build_project(self) -> ProjectFramework | None:
        d = self.doc
        self.unknown_keys(d, TOP_KEYS, "", ())
        fid, version, title, region, years = self.identity_keys()
        overshoot = self.number(d, "overshoot", "overshoot", ()) if "overshoot" in d else DEFAULT_OVERSHOOT
        header = self.text_fields(d.get("header"))
        goals = self.field_list(d.get("goals", {}), "goals", required=True)
        footer = self.field_list(d.get("footer", {}), "footer", required=False)
        funds = self.funds(d.get("funds"))
        weight, columns, groups = self.indicator_groups(d.get("indicators"))
        bands = self.bands(d.get("bands"))
        if funds is not None and weight is not None and funds.weight + weight != 100:
            self.problem(
                ("indicators", "weight"),
                "indicators",
                f"绩效指标分值 {weight} 与 {funds.name}分值 {funds.weight} 合计应为 100",
            )
        keys = [f.key for f in (*header, *goals, *footer)]
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            self.problem(("header",), "header", f"字段 “{quote(key)}” 在 header、goals、footer 中重复")
        if self.found or funds is None or weight is None or overshoot is None:
            return None
        return ProjectFramework(
            id=fid,
            version=version,
            title=title,
            region=region,
            years=years,
            header=header,
            goals=goals,
            footer=footer,
            funds=funds,
            indicator_weight=weight,
            groups=groups,
            columns=columns,
            overshoot=overshoot,
            bands=bands,
            source=self.source,
        )

    def flag(self, table: dict[str, Any], key: str, entry: str, at: DocPath, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem((*at, key), entry, f"“{key}” 必须是 true 或 false")
            return default
        return value

    def names(self, table: dict[str, Any], key: str, entry: str, at: DocPath) -> tuple[str, ...]:
        """``table[key]``: a non-empty array of distinct non-blank texts."""
        value = table.get(key)
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
            or len(set(value)) != len(value)
        ):
            self.problem((*at, key), entry, f'“{key}” 必须是互不重复的非空文本数组，如 ["数量指标"]', table)
            return ()
        return tuple(value)

    def text_fields(self, raw: object) -> tuple[TextField, ...]:
        out: list[TextField] = []
        for n, h in self.tables(raw, "header") or ():
            entry, at = f"header[{n}]", ("header", n)
            self.unknown_keys(h, HEADER_KEYS, entry, at)
            key = self.text(h, "key", entry, at)
            required = self.flag(h, "required", entry, at, True)
            if key:
                out.append(TextField(key, required))
        if not out:
            self.problem(("header",), "header", "至少需要一个表头字段（如项目名称）")
        return tuple(out)

    def field_list(self, raw: object, name: str, *, required: bool) -> tuple[TextField, ...]:
        if not isinstance(raw, dict):
            self.problem((name,), name, f"必须是表，即 [{name}] 段")
            return ()
        self.unknown_keys(raw, FIELDS_KEYS, name, (name,))
        if "fields" not in raw:
            return ()
        return tuple(TextField(k, required) for k in self.names(raw, "fields", name, (name,)))

    def funds(self, raw: object) -> Funds | None:
        at: DocPath = ("funds",)
        if not isinstance(raw, dict):
            self.problem(at, "funds", "必须是表，即 [funds] 段（项目资金）")
            return None
        before = len(self.found)
        self.unknown_keys(raw, FUNDS_KEYS, "funds", at)
        name = self.text(raw, "name", "funds", at, default="预算执行率")
        weight = self.number(raw, "weight", "funds", at)
        unit = self.text(raw, "unit", "funds", at, default="万元")
        rows = self.names(raw, "rows", "funds", at)
        columns = self.names(raw, "columns", "funds", at)
        picked = []
        for key in ("budget", "actual"):
            column = self.text(raw, key, "funds", at)
            if column and columns and column not in columns:
                self.problem((*at, key), "funds", f"“{quote(column)}” 不是 columns 中的列")
            picked.append(column)
        if picked[0] and picked[0] == picked[1]:
            self.problem((*at, "actual"), "funds", "budget 与 actual 不能是同一列")
        below = self.number(raw, "reason_below", "funds", at) if "reason_below" in raw else None
        if below is not None and below > 1:
            self.problem((*at, "reason_below"), "funds", '“reason_below” 是执行率，如 "0.9"（90%）')
        label = self.text(raw, "reason_label", "funds", at, default="预算执行率偏低的原因说明")
        if len(self.found) > before or weight is None:
            return None
        return Funds(name, weight, unit, rows, columns, picked[0], picked[1], below, label)

    def indicator_groups(self, raw: object) -> tuple[Decimal | None, Columns, tuple[Group, ...]]:
        at: DocPath = ("indicators",)
        if not isinstance(raw, dict):
            self.problem(at, "indicators", "必须是表，即 [indicators] 段及其 [[indicators.groups]]")
            return None, Columns(), ()
        self.unknown_keys(raw, INDICATORS_KEYS, "indicators", at)
        weight = self.number(raw, "weight", "indicators", at)
        columns = self.columns(raw.get("columns", {}))
        groups: list[Group] = []
        seen_ids: set[str] = set()
        tables = self.tables(raw.get("groups"), "indicators.groups") or []
        if not tables:
            self.problem((*at, "groups"), "indicators", "至少需要一个一级指标 [[indicators.groups]]")
        for n, g in tables:
            entry, where = f"indicators.groups[{n}]", ("indicators", "groups", n)
            self.unknown_keys(g, GROUP_KEYS, entry, where)
            gid = g.get("id")
            if gid != str(n + 1):
                self.problem((*where, "id"), entry, f'编号应为 "{n + 1}"（一级指标从 1 连续编号）', g)
            name = self.text(g, "name", entry, where)
            gw = self.number(g, "weight", entry, where) if "weight" in g else None
            required = self.flag(g, "required", entry, where, True)
            moves_to = g.get("moves_to")
            if moves_to is not None and not isinstance(moves_to, str):
                self.problem((*where, "moves_to"), entry, '“moves_to” 必须是一级指标编号，如 "2"')
                moves_to = None
            if moves_to is not None and required:
                self.problem((*where, "moves_to"), entry, "必填的一级指标不会空缺，不能有 moves_to")
            cats = self.names(g, "categories", entry, where)
            seen_ids.add(str(n + 1))
            groups.append(
                Group(
                    str(n + 1),
                    name,
                    gw,
                    required,
                    moves_to,
                    tuple(Category(f"{n + 1}.{k}", c) for k, c in enumerate(cats, 1)),
                )
            )
        self.group_rules(groups, weight)
        return weight, columns, tuple(groups)

    def group_rules(self, groups: list[Group], weight: Decimal | None) -> None:
        ids = {g.id for g in groups}
        for n, g in enumerate(groups):
            where = ("indicators", "groups", n, "moves_to")
            entry = f"indicators.groups[{n}]"
            if g.moves_to is not None and (g.moves_to not in ids or g.moves_to == g.id):
                self.problem(where, entry, f"moves_to “{quote(g.moves_to)}” 不是另一个一级指标的编号")
            elif g.moves_to is not None and (g.weight is None) != (
                groups[int(g.moves_to) - 1].weight is None
            ):
                self.problem(where, entry, "移出与接收分值的一级指标须都规定分值（或都不规定）")
        fixed = [g.weight for g in groups]
        if weight is not None and fixed and all(w is not None for w in fixed):
            total = self.sum(fixed)
            if total != weight:
                self.problem(
                    ("indicators", "weight"),
                    "indicators",
                    f"一级指标分值合计为 {total}，与绩效指标分值 {weight} 不一致",
                )
        elif any(w is not None for w in fixed) and not all(w is not None for w in fixed):
            self.problem(
                ("indicators", "groups"), "indicators", "一级指标须都规定分值，或都不规定（只规定合计）"
            )

    def columns(self, raw: object) -> Columns:
        at: DocPath = ("indicators", "columns")
        if not isinstance(raw, dict):
            self.problem(at, "indicators.columns", "必须是表，即 [indicators.columns] 段")
            return Columns()
        self.unknown_keys(raw, COLUMN_KEYS, "indicators.columns", at)
        names = {k: self.text(raw, k, "indicators.columns", at) for k in raw if k in COLUMN_KEYS}
        return Columns(**{k: v for k, v in names.items() if v})
