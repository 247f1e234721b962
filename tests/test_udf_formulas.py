"""udf mode: the template's formulas, evaluated with the UDFs themselves, give the engine's figures.

Excel (which would call the UDFs) is not available here; this resolves each generated ``=PS_…(…)``
formula's references against the filled form's cells and calls the Python UDF as xlwings would
(ranges as lists of rows, single cells as scalars, numbers as floats).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from perfscore import udfs
from perfscore.engine import cells, layout
from perfscore.engine.grid import Formula, parse_ref, ref

from .conftest import evaluate, load_fw, seed_submission

CALL = re.compile(r"^=(PS_[A-Z_]+)\((.*)\)$")


def as_excel(value: object) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def resolve(
    arg: str, sheet: str, content: dict[tuple[str, str], Any], computed: dict[tuple[str, str], Any]
) -> Any:
    if "!" in arg:
        sheet, arg = arg.rsplit("!", 1)
        sheet = sheet.strip("'").replace("''", "'")

    def value(cell: str) -> Any:
        key = (sheet, cell)
        return computed[key] if key in computed else as_excel(content.get(key))

    if ":" not in arg:
        return value(arg)
    (r1, c1), (r2, c2) = parse_ref(arg.split(":")[0]), parse_ref(arg.split(":")[1])
    return [[value(ref(r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


def calculate(content: dict[tuple[str, str], Any]) -> dict[tuple[str, str], Any]:
    """Evaluate every udf formula, sheets in dependency order (indicator sheets, then the cover)."""
    computed: dict[tuple[str, str], Any] = {}
    fw = load_fw()
    order = [sl.name for sl in layout.sheet_layouts(fw)] + [layout.COVER]
    for sheet in order:
        formulas = sorted(
            (
                (k, v)
                for k, v in content.items()
                if k[0] == sheet and isinstance(v, Formula) and v.text.startswith("=PS_")
            ),
            key=lambda kv: parse_ref(kv[0][1]),
        )
        for key, formula in formulas:
            match = CALL.match(formula.text)
            assert match, formula.text
            name, args = match.groups()
            values = [resolve(a, sheet, content, computed) for a in args.split(",")]
            computed[key] = getattr(udfs, name)(*values)
    return computed


@pytest.mark.parametrize(
    ("changes", "total"),
    [
        ({}, "90.77"),
        ({"1.1.1": Decimal("12.505")}, "90.78"),
        ({"2.5.5": Decimal("3.5")}, None),
        ({"1.1.1": None}, None),
    ],
)
def test_udf_template_matches_the_engine(changes: dict[str, Decimal | None], total: str | None) -> None:
    fw = load_fw()
    sub = seed_submission(fw)
    for iid, score in changes.items():
        sub.indicators[iid].score = score
    content: dict[tuple[str, str], Any] = dict(cells.static_cells(fw, "udf"))
    content.update(cells.input_cells(fw, sub))
    computed = calculate(content)
    result = evaluate(cells.input_cells(fw, sub))
    cl = layout.cover_layout(fw)
    got_total = computed[(layout.COVER, cl["total"])]
    if total is None:
        assert result.total is None
        assert got_total == "" or str(got_total).startswith("#得分无效")
        grade = computed[(layout.COVER, cl["grade"])]
        assert grade == "" or str(grade).startswith("#总分无效")
    else:
        assert got_total == float(total) and result.total == Decimal(total)
        assert computed[(layout.COVER, cl["grade"])] == result.grade == "优"
        assert computed[(layout.COVER, cl["grade_line"])] == result.grade_line
    for sl in layout.sheet_layouts(fw):
        for gid, row in sl.subtotal_rows.items():
            got = computed[(sl.name, f"H{row}")]
            want = result.node(gid).score
            assert (got == float(want)) if want is not None else (got == "" or str(got).startswith("#")), gid
    # the reference suggestions (weight × rate)
    assert computed[("履职效能", "L5")] == 9.3
    assert computed[("管理效率", "L17")] == 0.97
