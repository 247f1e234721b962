"""Terminal and JSON renderings of a :class:`~perfscore.engine.pipeline.Result` (for the CLI).

Finding lines follow the compiler convention ``FILE:Sheet!Cell: severity CODE message`` (a finding
about a whole sheet: ``FILE:Sheet: …``), so editors and scripts can jump to the cell.

Whatever comes from the input is shown through :mod:`perfscore.engine.quoting`: file paths escaped
(never shortened, so they can be copied), sheet and department names quoted (escaped, and cut after
:data:`~perfscore.engine.quoting.LIMIT` characters). The JSON document keeps every value whole — it is
for programs — and :func:`json_text` makes its text safe to print. :func:`for_encoding` fits text to
a console that cannot show every character (a Windows console in GBK has no ☑).
"""

from __future__ import annotations

from decimal import Decimal

from perfscore.engine.decimals import fmt
from perfscore.engine.findings import Finding, Severity, count
from perfscore.engine.pipeline import AnyResult
from perfscore.engine.project.pipeline import ProjectResult
from perfscore.engine.quoting import escape, json_safe, quote
from perfscore.engine.result_json import year_value
from perfscore.engine.text import display_width as width


def title(result: AnyResult) -> str:
    """``2022年度广州市增城区工商业联合会部门整体支出绩效自评表`` (as the form prints it)."""
    form = result.form
    year = year_value(form.year.value)
    dep = form.department.value
    department = "" if dep is None else quote(fmt(dep) if isinstance(dep, Decimal) else str(dep).strip())
    return f"{f'{quote(year)}年度' if year is not None else ''}{department}{result.framework.title}"


def shown_path(path: object) -> str:
    """A file path as echoed: escaped (one line, no control characters), never shortened."""
    return escape(str(path))


def finding_line(path: str, f: Finding) -> str:
    """``FILE:Sheet!Cell: severity CODE message`` (``FILE: …`` for a finding about the whole workbook)."""
    sheet = quote(f.sheet)
    location = f"{sheet}!{quote(f.cell)}" if f.cell else sheet
    where = f"{shown_path(path)}:{location}" if location else shown_path(path)
    return f"{where}: {f.severity.value} {f.code} {escape(f.message)}"


def summary_line(path: str, result: AnyResult) -> str:
    total = fmt(result.total) if result.total is not None else "—（无法核算）"
    grade = result.grade or "—"
    infos = count(result.findings, Severity.INFO)
    return (
        f"{shown_path(path)}: 总分 {total}，等级 {grade}；"
        f"错误 {result.errors}，警告 {result.warnings}，提示 {infos}"
    )


def lines(path: str, result: AnyResult) -> list[str]:
    return [finding_line(path, f) for f in result.findings] + [summary_line(path, result)]


# ------------------------------------------------------------------------------ console text

#: ASCII stand-ins for the marks perfscore prints, used only where the console's encoding lacks them
#: (GBK has no ☑, ✔, ✖ or ⚠; cp1252 has no □ or ≤ either).
PLAIN_MARKS = {
    "☑": "[x]",
    "□": "[ ]",
    "✔": "OK",
    "✖": "X",
    "⚠": "!",
    "ℹ": "i",
    "≤": "<=",
    "＜": "<",
    "—": "-",
    "…": "...",
}


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def for_encoding(text: str, encoding: str) -> str:
    """``text`` as a console in ``encoding`` can show it: unchanged when it can; else the marks it
    lacks become :data:`PLAIN_MARKS` and any other character it lacks a ``\\uXXXX`` escape."""
    if _encodable(text, encoding):
        return text
    plain = "".join(c if c not in PLAIN_MARKS or _encodable(c, encoding) else PLAIN_MARKS[c] for c in text)
    return plain.encode(encoding, "backslashreplace").decode(encoding)


def json_text(text: str, encoding: str = "utf-8") -> str:
    """JSON text made safe to print on a console in ``encoding``: the characters that are unsafe (see
    :func:`perfscore.engine.quoting.json_safe`) or that the encoding lacks become ``\\uXXXX`` escapes
    — the same JSON values, nothing shortened."""
    text = json_safe(text)
    if _encodable(text, encoding):
        return text
    return "".join(c if _encodable(c, encoding) else _json_escape(c) for c in text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


# ------------------------------------------------------------------------------- result table


def _pad(text: str, cols: int, *, right: bool = False) -> str:
    gap = " " * max(0, cols - width(text))
    return gap + text if right else text + gap


def table(result: AnyResult) -> str:
    """一级指标 | 分值 | 得分 (a project form: 预算执行率 and each 一级), then 总分 and 评价等级, aligned
    for a terminal."""
    rows = [("指标" if isinstance(result, ProjectResult) else "一级指标", "分值", "得分")]
    for g in result.groups:
        rows.append((g.indicator.name, fmt(g.indicator.weight), fmt(g.score) if g.score is not None else "—"))
    total = fmt(result.total) if result.total is not None else "—"
    rows.append(("总分", fmt(result.framework.total_weight), total))
    w0 = max(width(r[0]) for r in rows)
    w1 = max(width(r[1]) for r in rows)
    w2 = max(width(r[2]) for r in rows)
    out = []
    for n, (a, b, c) in enumerate(rows):
        out.append(f"{_pad(a, w0)}  {_pad(b, w1, right=True)}  {_pad(c, w2, right=True)}")
        if n == 0 or n == len(rows) - 2:
            out.append("-" * (w0 + w1 + w2 + 4))
    out.append(f"{_pad('评价等级', w0)}  {result.grade or '—'}")
    out.append(f"{' ' * w0}  {result.grade_line}")
    return "\n".join(out)
