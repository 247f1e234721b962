"""Forms to count COM operations on, and a runner: a bridge entry point over a fresh fake Excel.

Used by ``tests/test_bridge.py`` and ``scripts/bench_com.py``. Every form is a real workbook file
(the seed example, or one built by perfscore's builder and filled in like a clerk with openpyxl), so
``perfscore calc`` can run on the same file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl

from perfscore import builder
from perfscore.engine import framework
from perfscore.engine import layout as L

from ..generated import generated_framework
from .fake import Excel, Workbook

ROOT = Path(__file__).resolve().parent.parent.parent
SEED = ROOT / "workbook" / "seed-2022-example.xlsx"
ACTIONS = ("calculate", "report", "check")
_ENTRY = {"calculate": "calculate", "report": "generate_report", "check": "check"}


@dataclass(frozen=True)
class Form:
    """A workbook to run the bridge on; ``frameworks`` is the folder of its framework file, if any."""

    label: str
    path: Path
    indicators: int
    sheets: int
    frameworks: Path | None = None


def seed_form() -> Form:
    return Form("seed (workbook/seed-2022-example.xlsx)", SEED, 26, 5)


def seed_shaped_framework(per_second: int, fid: str = "gen-seed") -> str:
    """The seed's sheets — 基本情况, 履职效能, 管理效率, 校验结果, _perfscore — with 2 二级 of
    ``per_second`` 三级 each under both 一级 (260 indicators at 65); the seed's header, budget, bands."""
    seed = framework.load("gz-dept-overall-2022")
    lines = [f'id = "{fid}"', 'title = "测试指标体系"', "years = [2022, 2022]", "sheet_level = 1"]
    for h in seed.header:
        lines += ["[[header]]", f'key = "{h.key}"', f'kind = "{h.kind}"']
    lines += ["[budget]", "fields = [" + ", ".join(f'"{f}"' for f in seed.budget_fields) + "]"]
    for grade, low in (("优", 90), ("良", 80), ("中", 60), ("差", 0)):
        lines += ["[[bands]]", f'grade = "{grade}"', f'min = "{low}"']
    unit = (Decimal(25) / per_second).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    last = Decimal(25) - unit * (per_second - 1)
    for a, name in ((1, "履职效能"), (2, "管理效率")):
        lines += ["[[indicators]]", f'id = "{a}"', f'name = "{name}"', 'weight = "50"']
        for b in (1, 2):
            lines += ["[[indicators]]", f'id = "{a}.{b}"', f'name = "二级{a}.{b}"', 'weight = "25"']
            for c in range(1, per_second + 1):
                w = last if c == per_second else unit
                lines += [
                    "[[indicators]]",
                    f'id = "{a}.{b}.{c}"',
                    f'name = "三级{a}.{b}.{c}"',
                    f'weight = "{w}"',
                ]
    return "\n".join(lines) + "\n"


def built_form(tmp: Path, label: str, toml_text: str, *, short_row: bool = False) -> Form:
    """The workbook perfscore builds for a framework file, filled in like a clerk: the cover's fields
    and every score at full marks (``short_row``: the first score 0.01 lower, with no reason — one
    error on 校验结果, as the seed has one line there)."""
    folder = tmp / f"frameworks-{label}"
    folder.mkdir(parents=True)
    fid = toml_text.split('"', 2)[1]
    toml = folder / f"{fid}.toml"
    toml.write_text(toml_text, "utf-8")
    fw = framework.load(toml)
    xlsx = tmp / f"{label}.xlsx"
    builder.build_workbook(xlsx, fw)
    wb = openpyxl.load_workbook(xlsx)
    cover, layout = wb[L.COVER], L.cover_layout(fw)
    cover[layout["department"]] = "测试部门"
    cover[layout["year"]] = 2022
    for h in fw.header:
        cover[layout[f"header:{h.key}"]] = 1 if h.kind == "integer" else "无"
    for name in fw.budget_fields:
        cover[layout[f"budget:{name}"]] = 0
    first = True
    for sl in L.sheet_layouts(fw):
        for leaf in sl.group.leaves():
            score = leaf.weight - Decimal("0.01") if short_row and first else leaf.weight
            wb[sl.name].cell(sl.rows[leaf.id], L.C_SCORE).value = float(score)
            first = False
    wb.save(xlsx)
    return Form(label, xlsx, len(fw.leaves()), len(wb.sheetnames), folder)


def seed_shaped_form(tmp: Path, indicators: int = 260) -> Form:
    assert indicators % 4 == 0
    return built_form(
        tmp, f"seed-shaped-{indicators}", seed_shaped_framework(indicators // 4), short_row=True
    )


def generated_form(tmp: Path, indicators: int) -> Form:
    """``tests/generated.py``'s framework: 10 一级 sheets (13 sheets), 20 × ``indicators // 20``."""
    return built_form(tmp, f"generated-{indicators}", generated_framework(indicators // 20))


@contextlib.contextmanager
def frameworks(folder: Path | None) -> Iterator[None]:
    """The framework folder of a built form on ``PERFSCORE_FRAMEWORKS`` while the bridge runs."""
    saved = os.environ.get(framework.FRAMEWORKS_ENV)
    if folder is not None:
        os.environ[framework.FRAMEWORKS_ENV] = str(folder)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(framework.FRAMEWORKS_ENV, None)
        else:
            os.environ[framework.FRAMEWORKS_ENV] = saved


@dataclass
class Run:
    """One entry point run over a fresh fake Excel."""

    excel: Excel
    workbook: Workbook
    book: Any  # the xlwings.Book

    @property
    def total(self) -> int:
        return len(self.excel.ops)


def open_form(path: Path) -> Run:
    excel = Excel()
    wb = excel.load(path)
    return Run(excel, wb, excel.xlwings_book(wb))


def run(bridge: ModuleType, action: str, form: Form) -> Run:
    """``bridge.calculate`` / ``generate_report`` / ``check`` on ``form`` over a fresh fake Excel."""
    opened = open_form(form.path)
    with frameworks(form.frameworks):
        getattr(bridge, _ENTRY[action])(opened.book)
    return opened
