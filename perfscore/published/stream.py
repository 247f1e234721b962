"""The department form read from plain extracted text (a ``.txt`` of a published PDF, like the seed).

Text has no columns: cells that share a printed line come out on one line separated by spaces, a
wrapped cell comes out over several lines, and page breaks repeat the column header and the 一级/二级
names. The framework's rows are therefore found in order by their names (whitespace ignored, so a
wrapped name is found whole), each followed by its printed 分值 and its 指标解释; what lies between
one row's 指标解释 and the next row's name is its 得分, 未达标原因 and 改进措施.

A row whose name is missing from the text (lost in extraction) is looked for where it must be: a
line beginning with its 分值 and a score, between its neighbours. What cannot be found is reported,
never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from perfscore.engine.decimals import fmt
from perfscore.engine.framework import Framework
from perfscore.engine.framework_model import Indicator
from perfscore.published.reading import DepartmentReading, Printed, RowReading
from perfscore.published.text import (
    Compact,
    compact,
    display_width,
    join_wrapped,
    printed_number,
    ticked_grades,
)

#: Cells printed as ``\`` (or ``/``, ``—``) say "nothing to explain"; they are kept as printed.
_SENTENCE_END = ("。", "；", "！", "？", ".", ";", "!", "?")
_TITLE = re.compile(r"^(\d{4})\s*年度?\s*(.*)$")


def where(line: int) -> str:
    return f"第 {line + 1} 行"


def read_text(lines: Sequence[str], fw: Framework) -> DepartmentReading:
    """Read the department form ``fw`` from the lines of an extracted text."""
    reading = DepartmentReading(framework=fw)
    text = Compact(lines)
    table = _table_start(lines)
    _title(lines, fw, reading)
    _header(lines, text, fw, reading, table)
    _budget(lines, fw, reading, table)
    if table is None:
        for leaf in fw.leaves():
            reading.note("digitise-row-unread", "", id=leaf.id, name=leaf.name, weight=fmt(leaf.weight),
                         found="未找到指标表（一行中的表头“一级指标 … 三级指标 …”）")  # fmt: skip
        return reading
    end = next((n for n in range(table, len(lines)) if compact(lines[n]).startswith("总分")), len(lines))
    _rows(lines, table, end, fw, reading)
    _total(lines, end, reading)
    return reading


# ---------------------------------------------------------------------------------------- header


def _title(lines: Sequence[str], fw: Framework, reading: DepartmentReading) -> None:
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    match = _TITLE.match(compact(lines[first])) if first is not None else None
    if first is not None and match:
        reading.year = int(match.group(1))
        rest = match.group(2)
        name = rest[: -len(fw.title)] if rest.endswith(fw.title) else ""
        reading.department = name or None
    for line in lines:
        flat = compact(line)
        if "部门名称" in flat:
            value = flat.split("部门名称", 1)[1]
            value = re.split(r"单位数[:：]?", value)[0]
            if value:
                reading.department = value
            count = re.search(r"单位数[:：]?\s*(\S+)", line)
            if count and (number := printed_number(count.group(1))) is not None:
                reading.header["单位数"] = number
            elif count:
                reading.header["单位数"] = count.group(1)
            break
    if reading.year is None:
        reading.note("digitise-field-missing", where(first or 0), what="标题中的年度")
    if reading.department is None:
        reading.note("digitise-field-missing", where(first or 0), what="部门名称")


def _header(
    lines: Sequence[str], text: Compact, fw: Framework, reading: DepartmentReading, table: int | None
) -> None:
    """Each text field runs from its label to the next label (or the budget table)."""
    limit = len(text.text) if table is None else _stream_pos(text, table)
    budget_at = text.find("年度部门预算情况", 0, limit)
    starts: list[tuple[int, int, str]] = []  # (label start, label end, key)
    cursor = 0
    for field in fw.header:
        if field.kind != "text":
            continue
        at = text.find(field.key, cursor, limit)
        if at < 0:
            reading.note("digitise-field-missing", "", what=f"基本情况“{field.key}”")
            continue
        starts.append((at, at + len(compact(field.key)), field.key))
        cursor = at + len(compact(field.key))
    bounds = [s for s, _, _ in starts[1:]] + [budget_at if budget_at >= 0 else limit] * bool(starts)
    for (_, end, key), stop in zip(starts, bounds, strict=True):
        reading.header[key] = join_wrapped(_between(lines, text, end, stop)) or None
    if "单位数" not in reading.header and any(f.key == "单位数" for f in fw.header):
        reading.note("digitise-field-missing", "", what="基本情况“单位数”")


def _stream_pos(text: Compact, line: int) -> int:
    return next((i for i, s in enumerate(text.spots) if s.line >= line), len(text.text))


def _between(lines: Sequence[str], text: Compact, start: int, stop: int) -> list[str]:
    """The source text from stream position ``start`` up to ``stop``, as lines."""
    a, b = text.spot(start, lines), text.spot(stop, lines)
    if a.line == b.line:
        return [lines[a.line][a.col : b.col]]
    out = [lines[a.line][a.col :]]
    out += list(lines[a.line + 1 : b.line])
    if b.line < len(lines):
        out.append(lines[b.line][: b.col])
    return out


def _budget(lines: Sequence[str], fw: Framework, reading: DepartmentReading, table: int | None) -> None:
    """The budget figures: the first line of as many numbers as the framework has budget fields."""
    stop = table if table is not None else len(lines)
    label = next((n for n in range(stop) if "预算情况" in compact(lines[n])), None)
    for n in range(label or 0, stop):
        tokens = lines[n].split()
        if len(tokens) == len(fw.budget_fields) and all(printed_number(t) is not None for t in tokens):
            for key, token in zip(fw.budget_fields, tokens, strict=True):
                reading.budget[key] = Printed(printed_number(token), where(n))
            return
    reading.note(
        "digitise-field-missing", where(label or 0),
        what=f"年度部门预算情况（应为一行 {len(fw.budget_fields)} 个金额）",
    )  # fmt: skip


# ----------------------------------------------------------------------------------------- table


def _table_start(lines: Sequence[str]) -> int | None:
    for n, line in enumerate(lines):
        flat = compact(line)
        if "一级指标" in flat and "三级指标" in flat:
            return n
    return None


def _clean(lines: Sequence[str], start: int, end: int, fw: Framework) -> list[str]:
    """The table's lines with what page breaks repeat blanked out: the column header and the
    一级/二级 name-and-分值 pairs (which also open each group). Line numbers stay as they were."""
    groups = {(compact(i.name), i.weight) for i in fw.walk() if not i.is_leaf}
    out = ["" for _ in lines]
    for n in range(start + 1, end):
        line = lines[n]
        flat = compact(line)
        if "一级指标" in flat and "三级指标" in flat:
            continue
        tokens = line.split()
        while len(tokens) >= 2 and (compact(tokens[0]), printed_number(tokens[1])) in groups:
            tokens = tokens[2:]
        out[n] = " ".join(tokens) if len(tokens) != len(line.split()) else line
    return out


@dataclass
class _Found:
    leaf: Indicator
    start: int  # stream position of the name
    body: int  # stream position where 得分 … begins (after the 指标解释)
    weight: Printed | None


def _rows(lines: Sequence[str], start: int, end: int, fw: Framework, reading: DepartmentReading) -> None:
    clean = _clean(lines, start, end, fw)
    text = Compact(clean)
    found: list[_Found] = []
    cursor = 0
    for leaf in fw.leaves():
        hit = None if leaf.placeholder else _find_row(clean, text, leaf, cursor)
        if hit is not None:
            found.append(hit)
            cursor = hit.body
    by_id = {f.leaf.id: f for f in found}
    leaves = fw.leaves()
    for k, hit in enumerate(found):
        stop = found[k + 1].start if k + 1 < len(found) else len(text.text)
        block = _lines_between(clean, text, hit.body, stop)
        # rows missing between this one and the next found one lie in this block
        after = leaves.index(hit.leaf) + 1
        missing = []
        while after < len(leaves) and leaves[after].id not in by_id:
            missing.append(leaves[after])
            after += 1
        parts = _split_missing(block, missing)
        _take(hit.leaf, hit.weight, parts[0], reading)
        for leaf, part in zip(missing, parts[1:], strict=True):
            _take_missing(leaf, part, reading)
    first = leaves.index(found[0].leaf) if found else len(leaves)
    for leaf in leaves[:first]:
        reading.note("digitise-row-unread", where(start), id=leaf.id, name=leaf.name,
                     weight=fmt(leaf.weight), found="表中未找到此行")  # fmt: skip


def _find_row(lines: Sequence[str], text: Compact, leaf: Indicator, cursor: int) -> _Found | None:
    """The row's name after ``cursor``, followed by a number (its 分值); then its 指标解释 if printed."""
    at = text.find(leaf.name, cursor)
    while at >= 0:
        end = at + len(compact(leaf.name))
        spot = text.spot(end, lines)
        rest = lines[spot.line][spot.col :].split() if spot.line < len(lines) else []
        nxt = rest[0] if rest else _next_token(lines, spot.line + 1)
        weight = printed_number(nxt) if nxt is not None else None
        if weight is not None:
            body = end + len(compact(nxt or ""))
            explanation = compact(leaf.explanation)
            if explanation and text.text.startswith(explanation, body):
                body += len(explanation)
            return _Found(leaf, at, body, Printed(weight, where(spot.line)))
        at = text.find(leaf.name, at + 1)
    return None


def _next_token(lines: Sequence[str], n: int) -> str | None:
    for line in lines[n:]:
        if line.split():
            return line.split()[0]
    return None


def _lines_between(lines: Sequence[str], text: Compact, start: int, stop: int) -> list[tuple[int, str]]:
    """The non-blank source lines from stream position ``start`` up to ``stop``, with line numbers."""
    a, b = text.spot(start, lines), text.spot(stop, lines)
    out: list[tuple[int, str]] = []
    for n in range(a.line, min(b.line, len(lines) - 1) + 1):
        line = lines[n]
        lo = a.col if n == a.line else 0
        hi = b.col if n == b.line else len(line)
        piece = line[lo:hi].strip()
        if piece:
            out.append((n, piece))
    return out


def _split_missing(block: list[tuple[int, str]], missing: list[Indicator]) -> list[list[tuple[int, str]]]:
    """``block`` cut before the line of each missing row: a line starting with its 分值 and a number."""
    parts: list[list[tuple[int, str]]] = [block]
    for leaf in missing:
        rest = parts[-1]
        cut = None
        for i, (_, line) in enumerate(rest):
            tokens = line.split()
            if (i > 0 and len(tokens) >= 2 and printed_number(tokens[0]) == leaf.weight
                    and printed_number(tokens[1]) is not None):  # fmt: skip
                cut = i
                break
        if cut is None:
            parts.append([])
            continue
        parts[-1] = rest[:cut]
        parts.append(rest[cut:])
    return parts


def _take(
    leaf: Indicator, weight: Printed | None, block: list[tuple[int, str]], reading: DepartmentReading
) -> None:
    if not block:
        reading.note("digitise-row-unread", weight.where if weight else "", id=leaf.id, name=leaf.name,
                     weight=fmt(leaf.weight), found="名称后没有得分")  # fmt: skip
        return
    line, first = block[0]
    tokens = first.split()
    score = printed_number(tokens[0])
    if score is None:
        reading.note("digitise-row-unread", where(line), id=leaf.id, name=leaf.name,
                     weight=fmt(leaf.weight), found=f"得分处为“{tokens[0]}”")  # fmt: skip
        return
    rest = [(line, " ".join(tokens[1:]))] if len(tokens) > 1 else []
    reason, measure, inferred = _explanations(rest + block[1:])
    reading.rows[leaf.id] = RowReading(
        leaf.id, where(line), score, reason, measure, weight.value if weight else None
    )
    if inferred:
        reading.note("digitise-text-split", where(line), id=leaf.id, name=leaf.name)


def _take_missing(leaf: Indicator, block: list[tuple[int, str]], reading: DepartmentReading) -> None:
    if not block:
        reading.note("digitise-row-unread", "", id=leaf.id, name=leaf.name, weight=fmt(leaf.weight),
                     found="名称、分值与得分均未找到")  # fmt: skip
        return
    line, first = block[0]
    tokens = first.split()
    rest = [(line, " ".join(tokens[1:])), *block[1:]]
    _take(leaf, Printed(printed_number(tokens[0]), where(line)), rest, reading)
    if leaf.id in reading.rows:
        row = reading.rows[leaf.id]
        reading.note("digitise-row-partial", where(line), id=leaf.id, name=leaf.name,
                     weight=fmt(leaf.weight), score=row.score)  # fmt: skip


def _explanations(block: list[tuple[int, str]]) -> tuple[str | None, str | None, bool]:
    """未达标原因 and 改进措施 from the lines after the score.

    Two texts on the first line are two cells side by side. Otherwise a wrapped 未达标原因 continues while its lines are
    as full as its fullest line and do not end a sentence; the lines after it are the 改进措施. That
    boundary is inferred (``True`` is returned) when both texts are real text over several lines.
    """
    reason: list[str] = []
    measure: list[str] = []
    by_line = False
    for _, line in block:
        tokens = line.split()
        if not reason:
            if len(tokens) >= 2:  # two cells side by side on the printed line
                reason, measure = [tokens[0]], [" ".join(tokens[1:])]
            else:
                reason = [line]
        elif measure:
            measure.append(line)
        elif _continues(reason, line):
            reason.append(line)
        else:
            measure = [line]
            by_line = True
    inferred = by_line and not _blank(reason[0]) and len(reason) + len(measure) > 2
    return _joined(reason), _joined(measure), inferred


def _blank(token: str) -> bool:
    return token in ("\\", "/", "—", "-", "无")


def _continues(reason: list[str], line: str) -> bool:
    last = reason[-1]
    if _blank(last) or last.endswith(_SENTENCE_END):
        return False
    fullest = max(display_width(x) for x in reason)
    if len(reason) == 1:
        return display_width(last) >= display_width(line)
    return display_width(last) >= fullest - 2


def _joined(parts: list[str]) -> str | None:
    return join_wrapped(parts).replace("\n", "") or None if parts else None


def _total(lines: Sequence[str], end: int, reading: DepartmentReading) -> None:
    if end >= len(lines):
        reading.note("digitise-field-missing", "", what="总分")
        return
    numbers = (printed_number(t) for t in lines[end].replace("总分", " ", 1).split())
    values = [v for v in numbers if v is not None]
    if len(values) >= 2:
        reading.total_weight = Printed(values[0], where(end))
        reading.total = Printed(values[-1], where(end))
    elif values:
        reading.total = Printed(values[0], where(end))
    rest = "\n".join(lines[end:])
    ticked = ticked_grades(rest)
    if len(ticked) == 1:
        grade_line = next(n for n in range(end, len(lines)) if ticked_grades(lines[n]))
        reading.ticked = Printed(ticked[0], where(grade_line))
    elif not ticked:
        reading.note("digitise-field-missing", where(end), what="评价等级的勾选（☑）")
    else:
        reading.note("digitise-grade-ambiguous", where(end), grades="、".join(ticked))
