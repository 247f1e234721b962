"""What both forms print the same way: the title (year, department), a text printed beside its label,
the 总分 row and the 评价等级 line with its ticked box."""

from __future__ import annotations

import re
from collections.abc import Sequence

from perfscore.published.page import Box
from perfscore.published.reading import Common, Printed
from perfscore.published.table import Cells, where
from perfscore.published.text import compact, printed_number, ticked_grades


def title(cells: Cells, name: str, reading: Common) -> None:
    """Year (and department, when printed before the form's name) from the title line. The
    department is taken as printed (not normalised: ``（本级）`` stays full-width)."""
    pattern = re.compile(r"^\s*(\d{4})\s*年度?\s*(.*?)\s*" + re.escape(name))
    for box in (*cells.loose_lines(), *cells.all):
        m = pattern.match(box.text.replace("\n", ""))
        if m:
            reading.year = int(m.group(1))
            reading.department = m.group(2) or reading.department
            return
    reading.note("digitise-field-missing", "", what="标题中的年度")


def text_field(cells: Cells, key: str, reading: Common, siblings: Sequence[str] = ()) -> str | None:
    """A text printed beside its label, maybe one paragraph per row and continued on the next page
    under the label printed again: the paragraphs joined by line breaks. Where the label heads a
    column instead (the cell beside it is one of its ``siblings``' labels, as 预期目标 | 实际完成情况),
    the text is the cell below it."""
    labels = cells.labelled(key)
    if not labels:
        reading.note("digitise-field-missing", "", what=f"“{key}”")
        return None
    others = {compact(s) for s in siblings} - {compact(key)}
    parts: list[str] = []
    for label in labels:
        beside = cells.right_of(label)
        if not beside or compact(beside[0].text) in others:
            below = cells.below(label)
            if below is not None and below.text and below not in labels:  # not a section's heading
                parts.append(below.text)
        else:
            parts += [c.text for c in beside if c.text]
    return "\n".join(parts) or None


def is_total(box: Box) -> bool:
    return compact(box.text) in ("总分", "合计", "总计")


def totals(cells: Cells, reading: Common) -> None:
    """The printed 总分 (and its 分值) and the ticked grade."""
    labels = [c for c in cells.all if is_total(c)]
    if not labels:
        reading.note("digitise-field-missing", "", what="总分")
    else:
        label = labels[-1]
        numbers = [(c, printed_number(c.text)) for c in cells.right_of(label) if c.top < label.bottom - 0.5]
        values = [(c, v) for c, v in numbers if v is not None]
        if len(values) >= 2:
            reading.total_weight = Printed(values[0][1], where(values[0][0]))
        if values:
            reading.total = Printed(values[-1][1], where(values[-1][0]))
        else:
            reading.note("digitise-field-missing", where(label), what="总分的数值")
    boxes = [c for c in (*cells.all, *cells.loose_lines()) if ticked_grades(c.text)]
    ticked = [g for c in boxes for g in ticked_grades(c.text)]
    if len(ticked) == 1:
        reading.ticked = Printed(ticked[0], where(boxes[0]))
    elif not ticked:
        reading.note("digitise-field-missing", "", what="评价等级的勾选（☑）")
    else:
        reading.note("digitise-grade-ambiguous", where(boxes[0]), grades="、".join(ticked))
