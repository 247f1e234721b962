"""The template's formulas in two dialects.

``native``: plain Excel functions (SUM/ROUND/IF/COUNT/ISNUMBER), so the form computes in Excel without
Python, in WPS and in LibreOffice. ``udf``: the same cells call the add-in's Python UDFs
(:mod:`perfscore.udfs`). Both give a blank where the engine has no value (a score missing).
"""

from __future__ import annotations

from typing import Protocol

from perfscore.engine.framework_model import Band
from perfscore.engine.grid import quote_sheet, string_literal

MODES = ("native", "udf")


def span(sheet: str | None, first: str, last: str) -> str:
    prefix = f"{quote_sheet(sheet)}!" if sheet else ""
    return f"{prefix}{first}:{last}"


class Banded(Protocol):
    """What the grade formulas need of a framework (of either kind): its grade bands."""

    @property
    def bands(self) -> tuple[Band, ...]: ...


class Dialect(Protocol):
    name: str

    def suggestion(self, weight: str, rate: str) -> str: ...
    def subtotal(self, scores: list[str], weights: list[str], n: int) -> str: ...
    def grade(self, total: str, fw: Banded) -> str: ...
    def grade_line(self, grade: str, total: str, fw: Banded) -> str: ...


class Native:
    name = "native"

    def suggestion(self, weight: str, rate: str) -> str:
        return f'=IF(ISNUMBER({rate}),ROUND({weight}*MIN({rate},1),2),"")'

    def subtotal(self, scores: list[str], weights: list[str], n: int) -> str:
        """Blank unless all ``n`` scores are numbers within 0..分值 (as the engine: no partial sums)."""
        args = ",".join(scores)
        outside = "+".join(f"SUMPRODUCT(({s}<0)+({s}>{w}))" for s, w in zip(scores, weights, strict=True))
        return f'=IF(OR(COUNT({args})<{n},{outside}>0),"",ROUND(SUM({args}),2))'

    def grade(self, total: str, fw: Banded) -> str:
        expr = string_literal(fw.bands[-1].grade)
        for band in reversed(fw.bands[:-1]):
            expr = f"IF({total}>={band.min},{string_literal(band.grade)},{expr})"
        return f'=IF(ISNUMBER({total}),{expr},"")'

    def grade_line(self, grade: str, total: str, fw: Banded) -> str:
        parts = []
        for n, band in enumerate(fw.bands):
            sep = "；" if n < len(fw.bands) - 1 else ""
            parts.append(
                f'IF({grade}={string_literal(band.grade)},"☑","□")&{string_literal(f"{band.grade} {band.label}{sep}")}'
            )
        return "=" + "&".join(parts)


class Udf:
    name = "udf"

    def suggestion(self, weight: str, rate: str) -> str:
        return f"=PS_RATE_SCORE({weight},{rate})"

    def subtotal(self, scores: list[str], weights: list[str], n: int) -> str:
        if len(scores) == 1:
            return f"=PS_SUBTOTAL({scores[0]},{weights[0]})"
        pairs = ",".join(f"{s},{w}" for s, w in zip(scores, weights, strict=True))
        return f"=PS_TOTAL({pairs})"

    def grade(self, total: str, fw: Banded) -> str:
        return f"=PS_GRADE({total})"

    def grade_line(self, grade: str, total: str, fw: Banded) -> str:
        return f"=PS_GRADE_LINE({total})"


def dialect(mode: str) -> Dialect:
    if mode == "native":
        return Native()
    if mode == "udf":
        return Udf()
    raise ValueError(f"formulas must be one of {MODES}, not {mode!r}")
