"""The project form's formulas in the two dialects of :mod:`perfscore.engine.formulas`.

``native``: plain functions (IF/ROUND/SUMPRODUCT/ISNUMBER/LEN) that Excel, WPS and LibreOffice all
compute. ``udf``: each computed cell is one call of an add-in function (:mod:`perfscore.udfs`).
Both give what :mod:`perfscore.engine.project.scoring` computes, and a blank where it has no value.

A department row is *in use* when any of its input cells (三级指标 … 偏差原因分析) holds something;
it *counts* when its 得分 and 分值 are numbers with 0 ≤ 得分 ≤ 分值. A category's 小计 is blank until
every row in use counts.
"""

from __future__ import annotations

from typing import Protocol

from perfscore.engine.formulas import Native as DepartmentNative
from perfscore.engine.grid import column_letter, string_literal
from perfscore.engine.project import layout as PL
from perfscore.engine.project.model import ProjectFramework


def _col(c: int) -> str:
    return column_letter(c)


def rows_block(prefix: str, first: int, last: int) -> str:
    """The input block B..I of rows ``first..last`` (``prefix`` is ``'Sheet'!`` or empty)."""
    return f"{prefix}{_col(PL.C_NAME)}{first}:{_col(PL.C_REASON)}{last}"


def used_count(prefix: str, first: int, last: int) -> str:
    """How many rows of ``first..last`` are in use (native)."""
    joined = "&".join(f"{prefix}{_col(c)}{first}:{_col(c)}{last}" for c in PL.INPUT_COLUMNS)
    return f"SUMPRODUCT(--(LEN({joined})>0))"


class ProjectDialect(Protocol):
    name: str

    def reference(self, r: int) -> str: ...
    def band(self, r: int) -> str: ...
    def category_score(self, first: int, last: int) -> str: ...
    def sum_weights(self, first: int, last: int) -> str: ...
    def all_or_blank(self, cells: list[str]) -> str: ...
    def funds_rate(self, actual: str, budget: str) -> str: ...
    def funds_score(self, weight: str, actual: str, budget: str) -> str: ...
    def group_weight(
        self,
        weight: str,
        own: tuple[str, int, int],
        moves: bool,
        moved: list[tuple[str, tuple[str, int, int]]],
    ) -> str: ...
    def grade(self, total: str, fw: ProjectFramework) -> str: ...
    def grade_line(self, grade: str, total: str, fw: ProjectFramework) -> str: ...


class Native:
    name = "native"

    def reference(self, r: int) -> str:
        op, value, actual, weight = (f"{_col(c)}{r}" for c in (PL.C_OP, PL.C_VALUE, PL.C_ACTUAL, PL.C_WEIGHT))
        up = f'IF({value}>0,ROUND({weight}*MIN({actual}/{value},1),2),"")'
        down = f'IF({actual}>0,ROUND({weight}*MIN({value}/{actual},1),2),"")'
        equal = (
            f"IF({actual}={value},ROUND({weight},2),"
            f"ROUND({weight}*MIN({actual},{value})/MAX({actual},{value}),2))"
        )
        pick = f'IF(OR({op}="≥",{op}=">"),{up},IF(OR({op}="≤",{op}="<"),{down},IF({op}="=",{equal},"")))'
        numbers = f"AND(ISNUMBER({weight}),ISNUMBER({value}),ISNUMBER({actual}))"
        return f'=IF({numbers},IF(AND({weight}>=0,{value}>=0,{actual}>=0),{pick},""),"")'

    def band(self, r: int) -> str:
        op, weight, score = (f"{_col(c)}{r}" for c in (PL.C_OP, PL.C_WEIGHT, PL.C_SCORE))
        tenth = f"ROUND({score}*10,6)"
        inner = (
            f'IF({tenth}>=ROUND({weight}*8,6),"达成",IF({tenth}>=ROUND({weight}*6,6),"部分达成","未达成"))'
        )
        fits = f"AND({weight}>0,{score}>=0,{score}<={weight})"
        return f'=IF(AND({op}="",ISNUMBER({weight}),ISNUMBER({score})),IF({fits},{inner},""),"")'

    def category_score(self, first: int, last: int) -> str:
        h = f"{_col(PL.C_SCORE)}{first}:{_col(PL.C_SCORE)}{last}"
        g = f"{_col(PL.C_WEIGHT)}{first}:{_col(PL.C_WEIGHT)}{last}"
        joined = "&".join(f"{_col(c)}{first}:{_col(c)}{last}" for c in PL.INPUT_COLUMNS)
        used = f"(LEN({joined})>0)"
        counts = f"SUMPRODUCT(ISNUMBER({h})*ISNUMBER({g})*({h}>=0)*({h}<={g})*{used})"
        return f'=IF(SUMPRODUCT(--{used})={counts},ROUND(SUM({h}),2),"")'

    def sum_weights(self, first: int, last: int) -> str:
        g = f"{_col(PL.C_WEIGHT)}{first}:{_col(PL.C_WEIGHT)}{last}"
        return f"=ROUND(SUM({g}),2)"

    def all_or_blank(self, cells: list[str]) -> str:
        checks = ",".join(f"ISNUMBER({c})" for c in cells)
        return f'=IF(AND({checks}),ROUND({"+".join(cells)},2),"")'

    def funds_rate(self, actual: str, budget: str) -> str:
        return (
            f"=IF(AND(ISNUMBER({budget}),ISNUMBER({actual})),"
            f'IF(AND({budget}>0,{actual}>=0),ROUND({actual}/{budget},4),""),"")'
        )

    def funds_score(self, weight: str, actual: str, budget: str) -> str:
        return (
            f"=IF(AND(ISNUMBER({budget}),ISNUMBER({actual})),"
            f'IF(AND({budget}>0,{actual}>=0),ROUND({weight}*MIN({actual}/{budget},1),2),""),"")'
        )

    def group_weight(
        self,
        weight: str,
        own: tuple[str, int, int],
        moves: bool,
        moved: list[tuple[str, tuple[str, int, int]]],
    ) -> str:
        expr = f"IF({used_count(*own)}=0,0,{weight})" if moves else weight
        for w, rows in moved:
            expr += f"+IF({used_count(*rows)}=0,{w},0)"
        return f"={expr}"

    def grade(self, total: str, fw: ProjectFramework) -> str:
        return DepartmentNative().grade(total, fw)

    def grade_line(self, grade: str, total: str, fw: ProjectFramework) -> str:
        return DepartmentNative().grade_line(grade, total, fw)


class Udf:
    name = "udf"

    def reference(self, r: int) -> str:
        op, value, actual, weight = (f"{_col(c)}{r}" for c in (PL.C_OP, PL.C_VALUE, PL.C_ACTUAL, PL.C_WEIGHT))
        return f"=PS_TARGET_SCORE({weight},{op},{value},{actual})"

    def band(self, r: int) -> str:
        op, weight, score = (f"{_col(c)}{r}" for c in (PL.C_OP, PL.C_WEIGHT, PL.C_SCORE))
        return f"=PS_BAND({op},{weight},{score})"

    def category_score(self, first: int, last: int) -> str:
        return f"=PS_ROWS_SUBTOTAL({rows_block('', first, last)})"

    def sum_weights(self, first: int, last: int) -> str:
        return f"=PS_SUM({_col(PL.C_WEIGHT)}{first}:{_col(PL.C_WEIGHT)}{last})"

    def all_or_blank(self, cells: list[str]) -> str:
        return f"=PS_SUM_ALL({','.join(cells)})"

    def funds_rate(self, actual: str, budget: str) -> str:
        return f"=PS_FUNDS_RATE({actual},{budget})"

    def funds_score(self, weight: str, actual: str, budget: str) -> str:
        return f"=PS_FUNDS_SCORE({weight},{actual},{budget})"

    def group_weight(
        self,
        weight: str,
        own: tuple[str, int, int],
        moves: bool,
        moved: list[tuple[str, tuple[str, int, int]]],
    ) -> str:
        args = [weight, rows_block(*own), "1" if moves else "0"]
        for w, rows in moved:
            args += [w, rows_block(*rows)]
        return f"=PS_GROUP_WEIGHT({','.join(args)})"

    def grade(self, total: str, fw: ProjectFramework) -> str:
        return f"=PS_GRADE({total},{string_literal(fw.id)})"

    def grade_line(self, grade: str, total: str, fw: ProjectFramework) -> str:
        return f"=PS_GRADE_LINE({total},{string_literal(fw.id)})"


def dialect(mode: str) -> ProjectDialect:
    if mode == "native":
        return Native()
    if mode == "udf":
        return Udf()
    raise ValueError(f"formulas must be native or udf, not {mode!r}")
