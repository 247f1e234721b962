"""A submission: the content a department fills in, independent of any workbook.

This is the documented JSON exchange form (``perfscore import`` / ``export``)::

    {"framework": "gz-dept-overall-2022", "year": 2022, "department": "…",
     "header": {"单位数": 1, "年度整体绩效目标": "…", …},
     "budget": {"总预算": 536.58, "基本支出": 441.13, …},
     "indicators": [{"id": "1.1.3", "name": "部门预算资金支出率", "score": 9.3,
                     "reason": "…", "measure": "…", "rate": "0.93"}]}

Numbers may be JSON numbers or decimal strings; export writes decimal strings (exact). Text that is
not a plain decimal (``"９．３"``) is kept as text, exactly as typed, so export → import is lossless.
Whatever a workbook cell cannot hold exactly (NaN, 1e400, 17 significant digits, text over 32,767
characters, a NUL; see :func:`perfscore.engine.xml_text.cell_text_problem`), a wrong JSON type, an
unknown or repeated key is refused: an :class:`InputDataError` naming the key path and what to do.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from perfscore.engine.decimals import fmt, from_float, parse_decimal
from perfscore.engine.form import Form
from perfscore.engine.framework import Framework
from perfscore.engine.grid import CellValue, ErrorValue
from perfscore.engine.quoting import quote
from perfscore.engine.xml_text import cell_text_problem
from perfscore.errors import InputDataError
from perfscore.inputfile import require_regular_file

Value = Decimal | str | None


@dataclass
class IndicatorInput:
    id: str
    score: Value = None
    reason: Value = None
    measure: Value = None
    rate: Value = None


@dataclass
class Submission:
    framework: str
    year: Value = None
    department: Value = None
    header: dict[str, Value] = field(default_factory=dict)
    budget: dict[str, Value] = field(default_factory=dict)
    indicators: dict[str, IndicatorInput] = field(default_factory=dict)

    # ------------------------------------------------------------------------------- JSON in
    @classmethod
    def from_json(cls, doc: Any, fw: Framework, *, source: str = "JSON") -> Submission:
        """A submission from a parsed JSON document (:func:`load_json`), every key and value checked.

        Anything unusable is an :class:`InputDataError` naming the key path (``indicators[0].id``)
        and what to write instead; nothing is dropped or guessed.
        """
        check = _Check(source)
        top = check.object(doc, "")
        for key in TOP_KEYS:
            if key not in top:
                raise check.fail(key, f"缺少此键（必需键：{', '.join(TOP_KEYS)}）")
        check.known(top, TOP_KEYS, "")
        framework = check.typed(top["framework"], "framework", str, f"指标体系编号，如 {fw.id}")
        if framework != fw.id:
            raise check.fail("framework", f"“{_quote(framework)}”与所用指标体系 {fw.id} 不一致")
        sub = cls(fw.id, check.value(top["year"], "year"), check.text(top["department"], "department"))
        header = check.object(top["header"], "header")
        kinds = {h.key: h.kind for h in fw.header}
        for k, v in header.items():
            key = f"header.{_quote(k)}"
            if k not in kinds:
                raise check.fail(key, f"未知的基本情况字段（可用：{'、'.join(sorted(kinds))}）")
            sub.header[k] = check.value(v, key) if kinds[k] == "integer" else check.text(v, key)
        budget = check.object(top["budget"], "budget")
        for k, v in budget.items():
            key = f"budget.{_quote(k)}"
            if k not in fw.budget_fields:
                raise check.fail(key, f"未知的预算字段（可用：{'、'.join(fw.budget_fields)}）")
            sub.budget[k] = check.value(v, key)
        items = check.typed(top["indicators"], "indicators", list, "数组 […]")
        by_name = {leaf.name: leaf.id for leaf in fw.leaves()}
        for n, item in enumerate(items):
            key = f"indicators[{n}]"
            entry = check.object(item, key)
            check.known(entry, INDICATOR_KEYS, key)
            iid = check.indicator(entry, key, fw, by_name)
            if iid in sub.indicators:
                raise check.fail(key, f"指标 {iid} 出现了两次")
            if entry.get("rate") is not None and not fw.by_id[iid].rule:
                raise check.fail(f"{key}.rate", f"指标 {iid} 没有参考数据（rate）；请删除此键")
            sub.indicators[iid] = IndicatorInput(
                iid,
                score=check.value(entry.get("score"), f"{key}.score"),
                reason=check.text(entry.get("reason"), f"{key}.reason"),
                measure=check.text(entry.get("measure"), f"{key}.measure"),
                rate=check.value(entry.get("rate"), f"{key}.rate"),
            )
        return sub

    @classmethod
    def loads(cls, text: str, fw: Framework, *, source: str = "JSON") -> Submission:
        return cls.from_json(load_json(text, source=source), fw, source=source)

    # ------------------------------------------------------------------------------ JSON out
    @classmethod
    def from_form(cls, form: Form, fw: Framework) -> Submission:
        first: dict[str, IndicatorInput] = {}
        for row in form.rows:
            if row.id in fw.by_id and row.id not in first:
                first[row.id] = IndicatorInput(
                    row.id, _cell(row.score.value), _cell(row.reason.value), _cell(row.measure.value),
                    _cell(row.rate.value) if fw.by_id[row.id].rule else None,
                )  # fmt: skip
        return cls(
            framework=fw.id,
            year=_cell(form.year.value),
            department=_cell(form.department.value),
            header={k: _cell(v.value) for k, v in form.header.items()},
            budget={k: _cell(v.value) for k, v in form.budget.items()},
            indicators={leaf.id: first[leaf.id] for leaf in fw.leaves() if leaf.id in first},
        )

    def to_json(self, fw: Framework) -> dict[str, Any]:
        def out(v: Value) -> Any:
            return fmt(v) if isinstance(v, Decimal) else v

        year = self.year
        inds = []
        for iid, ind in self.indicators.items():
            item: dict[str, Any] = {"id": iid, "name": fw.by_id[iid].name, "score": out(ind.score),
                                    "reason": out(ind.reason), "measure": out(ind.measure)}  # fmt: skip
            if fw.by_id[iid].rule:
                item["rate"] = out(ind.rate)
            inds.append(item)
        return {
            "framework": self.framework,
            "year": int(year)
            if isinstance(year, Decimal) and year == year.to_integral_value()
            else out(year),
            "department": out(self.department),
            "header": {k: out(v) for k, v in self.header.items()},
            "budget": {k: out(v) for k, v in self.budget.items()},
            "indicators": inds,
        }

    def dumps(self, fw: Framework) -> str:
        return json.dumps(self.to_json(fw), ensure_ascii=False, indent=2) + "\n"


#: The keys of a submission and of one of its indicators, in the order export writes them.
TOP_KEYS = ("framework", "year", "department", "header", "budget", "indicators")
INDICATOR_KEYS = ("id", "name", "score", "reason", "measure", "rate")
#: Refuse a JSON submission larger than this before reading it. A filled form is a few dozen KB;
#: every text field at Excel's 32,767-character limit is about 6 MB. Parsing costs up to ~20 times
#: the file's size in memory (``[{},{},…]``), so the cap also bounds that (~240 MB).
MAX_JSON_BYTES = 8 * 1024 * 1024
#: Integer literals longer than this are parsed as Decimal (Python's int refuses 4300 digits and more).
_LONG_INT = 4000
#: Characters of a value from the file quoted in a message (a key, an id, a name).
_QUOTED = 40


def read_json_file(path: Path) -> Any:
    """Read and parse the JSON file at ``path`` (UTF-8, a BOM allowed); a file larger than
    :data:`MAX_JSON_BYTES` is refused before it is read. Every problem is an :class:`InputDataError`."""
    source = str(path)
    try:
        size = require_regular_file(path, "JSON 数据文件", lambda m: InputDataError(m, path=source)).st_size
        if size > MAX_JSON_BYTES:
            raise InputDataError(_too_large(size / 1024 / 1024), path=source)
        data = path.read_bytes()
    except OSError as exc:
        raise InputDataError(f"无法读取文件（{exc.strerror or exc}）；请检查文件权限", path=source) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputDataError("不是 UTF-8 编码的 JSON 文件；请以 UTF-8 保存", path=source) from None
    return load_json(text, source=source)


def _too_large(megabytes: float) -> str:
    limit = MAX_JSON_BYTES // 1024 // 1024
    return f"文件过大（{math.ceil(megabytes)} MB，上限 {limit} MB），不像是自评表的 JSON 数据；请确认文件是否正确"


def load_json(text: str, *, source: str = "JSON") -> Any:
    """Parse JSON text with exact decimals; a syntax error names the line and column (exit 2).

    Fractions become Decimal, integers int (Decimal beyond 4000 digits, which int refuses), ``NaN``
    and ``Infinity`` Decimal NaN and infinities; :meth:`Submission.from_json` refuses what a cell
    cannot hold, naming its key. Deep nesting is refused, not a RecursionError. An object with a repeated
    key is marked (:class:`_Repeated`) and refused where it is read; a repeated top-level key, which
    the caller reads before anything else, is refused here.
    """
    if len(text) > MAX_JSON_BYTES:
        raise InputDataError(
            f"JSON 文本过长（超过 {MAX_JSON_BYTES // 1024 // 1024} MB），不像是自评表的 JSON 数据；"
            "请确认文件是否正确",
            path=source,
        )
    try:
        doc = json.loads(
            text,
            parse_float=Decimal,
            parse_int=_parse_int,
            parse_constant=Decimal,
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as exc:
        raise InputDataError(
            f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}", path=source
        ) from None
    except RecursionError:
        raise InputDataError(
            "JSON 的数组或对象嵌套层数过多，不是自评表数据；请确认文件是否正确", path=source
        ) from None
    if isinstance(doc, _Repeated):
        raise InputDataError(f"{_quote(doc.repeated)}: {_REPEATED}", path=source)
    return doc


_REPEATED = "此键在同一个 JSON 对象中出现了两次；请只保留一个"


class _Repeated(dict[str, Any]):
    """A JSON object in which a key occurs more than once (the first such key: ``repeated``)."""

    repeated: str = ""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _Repeated(obj)
    seen: set[str] = set()
    for k, _ in pairs:
        if k in seen:
            marked.repeated = k
            break
        seen.add(k)
    return marked


def _parse_int(literal: str) -> int | Decimal:
    return int(literal) if len(literal) <= _LONG_INT else Decimal(literal)


class _Check:
    """Reads a parsed JSON submission: each accessor checks one value and names its key path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, msg: str) -> InputDataError:
        return InputDataError(f"{key}: {msg}" if key else msg, path=self.source)

    def wrong(self, v: Any, key: str, expected: str) -> InputDataError:
        return self.fail(key, f"不能是{_kind(v)}；请填写{expected}")

    def typed(self, v: Any, key: str, kind: type[Any], expected: str) -> Any:
        if not isinstance(v, kind) or isinstance(v, bool):
            raise self.wrong(v, key, expected)
        return v

    def object(self, v: Any, key: str) -> dict[str, Any]:
        if not isinstance(v, dict):
            if not key:
                raise self.fail("", "顶层必须是 JSON 对象 {…}")
            raise self.wrong(v, key, " JSON 对象 {…}")
        if isinstance(v, _Repeated):
            raise self.fail(f"{key}.{_quote(v.repeated)}" if key else _quote(v.repeated), _REPEATED)
        return v

    def known(self, obj: dict[str, Any], keys: tuple[str, ...], key: str) -> None:
        unknown = [k for k in obj if k not in keys]
        if unknown:
            where = f"{key}.{_quote(unknown[0])}" if key else _quote(unknown[0])
            raise self.fail(where, f"未知的键（可用：{', '.join(keys)}）")

    def indicator(self, entry: dict[str, Any], key: str, fw: Framework, by_name: dict[str, str]) -> str:
        """The framework id an indicator entry names: by ``id``, else by exact ``name``."""
        iid, name = entry.get("id"), entry.get("name")
        if name is not None:
            self.typed(name, f"{key}.name", str, "文本（三级指标名称）")
        if iid is None:
            if name is None:
                raise self.fail(key, '缺少 id（或 name）；请填写三级指标编号，如 "1.1.3"')
            if name not in by_name:
                raise self.fail(key, f"没有 id，且名称“{_quote(name)}”不是指标体系中的三级指标")
            return by_name[name]
        self.typed(iid, f"{key}.id", str, '文本形式的三级指标编号，如 "1.1.3"')
        leaf = fw.by_id.get(iid)
        if leaf is None or leaf.children:
            raise self.fail(key, f"id “{_quote(iid)}”不是指标体系 {fw.id} 的三级指标编号")
        if name is not None and name != leaf.name:
            raise self.fail(
                f"{key}.name",
                f"“{_quote(name)}”不是指标 {iid} 的名称“{leaf.name}”；请核对 id 与 name（name 可省略）",
            )
        return str(iid)

    def value(self, v: Any, key: str) -> Value:
        """A number field: a JSON number or a decimal string becomes Decimal, other text stays text."""
        if v is None:
            return None
        if isinstance(v, str):
            self.storable(v, key)
            number = parse_decimal(v) if v == v.strip() else None
            return v if number is None else self.number(number, key)
        if isinstance(v, float):  # a document parsed without load_json
            v = from_float(v) if math.isfinite(v) else Decimal(repr(v))
        if isinstance(v, int) and not isinstance(v, bool):
            v = Decimal(v)
        if isinstance(v, Decimal) and v.is_finite():
            return self.number(v, key)
        raise self.wrong(v, key, "数字或文本（空白用 null）")

    def text(self, v: Any, key: str) -> Value:
        """A text field: a string, kept exactly as it is (``"9.3"`` too), or null."""
        if v is None:
            return None
        if not isinstance(v, str):
            raise self.wrong(v, key, "文本（空白用 null）")
        self.storable(v, key)
        return v

    def storable(self, text: str, key: str) -> None:
        problem = cell_text_problem(text)
        if problem:
            raise self.fail(key, problem)

    def number(self, d: Decimal, key: str) -> Decimal:
        """``d`` if the built workbook holds it exactly, else refused: a spreadsheet number is a
        double, and the builder (XlsxWriter) stores it with 16 significant digits."""
        if d and not -307 <= d.adjusted() <= 307:
            raise self.fail(key, "数字超出 Excel 能保存的范围（绝对值须小于 1E+308 且不小于 1E-307，或为 0）")
        if from_float(float(format(float(d), ".16G"))) != d:
            raise self.fail(
                key, "数字的有效位数太多，Excel 无法精确保存（约 15 位有效数字）；请四舍五入后再填写"
            )
        return d


def _quote(text: str) -> str:
    return quote(text, _QUOTED)


def _kind(v: Any) -> str:
    """What a JSON value is, in the words of a message (``不能是{kind}``)."""
    if v is None:
        return " null"
    if isinstance(v, bool):
        return " true/false"
    if isinstance(v, Decimal) and not v.is_finite():
        return f" {'NaN' if v.is_nan() else str(v)}"
    if isinstance(v, float) and not math.isfinite(v):
        return " NaN" if math.isnan(v) else (" Infinity" if v > 0 else " -Infinity")
    if isinstance(v, (int, float, Decimal)):
        return "数字"
    if isinstance(v, str):
        return "文本"
    if isinstance(v, list):
        return "数组"
    return " JSON 对象"


def _cell(v: CellValue) -> Value:
    if v is None or isinstance(v, (Decimal, str)):
        return v
    if isinstance(v, ErrorValue):
        return v.code
    return str(v)
