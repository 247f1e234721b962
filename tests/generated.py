"""Generated frameworks of any size, for call-count tests and the engine benchmark."""

from __future__ import annotations

from decimal import Decimal

from perfscore.engine import framework


def generated_framework(per_second: int, fid: str = "gen") -> str:
    """10 一级 (10 each) × 2 二级 (5 each) × ``per_second`` 三级 whose weights sum to 5."""
    unit = (Decimal(5) / per_second).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    last = Decimal(5) - unit * (per_second - 1)
    lines = [f'id = "{fid}"', 'title = "测试指标体系"', "years = [2022, 2022]", "sheet_level = 1"]
    # the seed's header and budget fields (any would do: the shipped report templates loop over them)
    seed = framework.load("gz-dept-overall-2022")
    for h in seed.header:
        lines += ["[[header]]", f'key = "{h.key}"', f'kind = "{h.kind}"']
    lines += ["[budget]", "fields = [" + ", ".join(f'"{f}"' for f in seed.budget_fields) + "]"]
    for grade, low in (("优", 90), ("良", 80), ("中", 60), ("差", 0)):
        lines += ["[[bands]]", f'grade = "{grade}"', f'min = "{low}"']
    for a in range(1, 11):
        lines += ["[[indicators]]", f'id = "{a}"', f'name = "一级{a}"', 'weight = "10"']
        for b in (1, 2):
            lines += ["[[indicators]]", f'id = "{a}.{b}"', f'name = "二级{a}.{b}"', 'weight = "5"']
            for c in range(1, per_second + 1):
                w = last if c == per_second else unit
                lines += [
                    "[[indicators]]",
                    f'id = "{a}.{b}.{c}"',
                    f'name = "三级{a}.{b}.{c}"',
                    f'weight = "{w}"',
                ]
    return "\n".join(lines) + "\n"
