"""What the buttons of the 绩效自评 ribbon tab run (``perfscore.xlam``, through xlwings' RunPython).

The add-in's macros (``addin/xlam/PerfscoreRibbon.bas``) act on the **active** workbook: in an add-in,
``Book.caller()`` is the add-in itself, not the clerk's form. They call :func:`calculate`,
:func:`check` and :func:`generate_report` only for a perfscore form (it has the hidden sheet
``_perfscore``) and :func:`not_a_form` otherwise; each does what the form's own buttons do
(:mod:`perfscore.bridge`). :func:`new_form` writes a blank form and opens it; :func:`diagnose`
shows which Python, perfscore and xlwings the add-in talks to and whether they are the versions it
was built with. Every message is a message box in Chinese, never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from perfscore import bridge
from perfscore.version import __version__

TITLE = bridge.TITLE
NOT_A_FORM = (
    "当前活动的工作簿不是 perfscore 自评表（没有隐藏工作表 _perfscore）。请先打开或切换到自评表，再点“计算”"
    "“仅校验”或“生成报表”；新表单可点“新建表单”或运行 perfscore new。"
)


def _active_book() -> Any:
    import xlwings as xw  # only here: the core never imports xlwings

    return xw.books.active


def _alert(text: str) -> None:
    import xlwings as xw

    with contextlib.suppress(Exception):  # no Excel left to tell
        app = xw.apps.active
        if app is not None:
            app.alert(text, title=TITLE)


def calculate() -> None:
    """计算 on the active form."""
    bridge.calculate(_active_book())


def check() -> None:
    """仅校验 on the active form."""
    bridge.check(_active_book())


def generate_report() -> None:
    """生成报表 on the active form."""
    bridge.generate_report(_active_book())


def not_a_form() -> None:
    """What a button says when the active workbook is not a perfscore form (the macro checked)."""
    _alert(NOT_A_FORM)


def new_form(folder: Path | None = None) -> Path | None:
    """新建表单: a blank department form (macro-free ``.xlsx``) in the user's Documents, opened in Excel."""
    import xlwings as xw

    import perfscore

    where = folder or _documents()
    path = where / f"绩效自评表-{dt.datetime.now():%Y%m%d-%H%M%S}.xlsx"
    try:
        where.mkdir(parents=True, exist_ok=True)
        perfscore.build_workbook(path)
        xw.Book(str(path))
    except Exception as exc:  # never a traceback in front of the clerk
        _alert(f"无法新建表单：{exc}")
        return None
    return path


def _documents() -> Path:
    home = Path.home()
    return home / "Documents" if (home / "Documents").is_dir() else home


def diagnosis(built_xlwings: str, built_perfscore: str) -> str:
    """The 诊断 text: the interpreter, the versions Python has and those the add-in was built with."""
    import xlwings

    same = xlwings.__version__ == built_xlwings and __version__ == built_perfscore
    verdict = (
        "版本一致，可以正常使用。"
        if same
        else "版本不一致：请在此 Python 中运行 pip install --upgrade perfscore，再运行 perfscore addin install"
        "（加载项与 xlwings 须与 Python 中的版本相同），然后重新启动 Excel。"
    )
    return "\n".join(
        [
            f"Python：{sys.executable}（{sys.version.split()[0]}）",
            f"perfscore：Python 中 {__version__}，加载项 {built_perfscore}",
            f"xlwings：Python 中 {xlwings.__version__}，加载项 {built_xlwings}",
            verdict,
        ]
    )


def diagnose(built_xlwings: str, built_perfscore: str) -> None:
    """诊断: show :func:`diagnosis` in a message box."""
    _alert(diagnosis(built_xlwings, built_perfscore))
