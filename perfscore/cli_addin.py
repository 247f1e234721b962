"""``perfscore addin build | install | remove``: the 绩效自评 ribbon add-in (``perfscore.xlam``).

``build`` works anywhere (it needs no Excel). ``install`` and ``remove`` hand the copying to xlwings'
own ``xlwings addin install|remove``, which asks the running (or a hidden) Excel for its start-up
folder (XLSTART) — so they run only where Excel runs, Windows and macOS; elsewhere they say so.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from perfscore.cli_click import Failure, Group, echo, friendly

#: Where Excel runs (xlwings' ``addin install`` needs it to find the start-up folder).
EXCEL_PLATFORMS = ("win32", "darwin")
NO_EXCEL = (
    "此系统上没有 Microsoft Excel（只有 Windows 和 macOS 上有）：加载项只能在装有 Excel 的电脑上安装或移除。"
    "可在此用 perfscore addin build -o 文件夹 生成 perfscore.xlam，再在 Windows/macOS 上运行 perfscore addin install"
)


@click.group(name="addin", cls=Group)
def addin_group() -> None:
    """Excel 加载项 perfscore.xlam：“绩效自评”选项卡（计算、仅校验、生成报表、新建表单、诊断）。"""


@addin_group.command("build")
@click.option("-o", "--out", "out_dir", metavar="DIRECTORY", default=None,
              help="输出文件夹（默认：perfscore 的构建文件夹）")  # fmt: skip
@friendly()
def build(out_dir: str | None) -> None:
    """生成加载项 perfscore.xlam（不需要 Excel）。"""
    from perfscore.builder.addin import build_addin

    folder = None if out_dir is None else Path(out_dir)
    if folder is not None and folder.exists() and not folder.is_dir():
        raise Failure(f"{folder}: 不是文件夹；请用 -o 指定一个文件夹")
    path = build_addin(folder)
    echo(f"已生成 {path}")
    echo(
        "安装：在装有 Excel 的 Windows/macOS 电脑上运行 perfscore addin install（或把它复制到 Excel 的 XLSTART 文件夹）"
    )


@addin_group.command("install")
@friendly()
def install() -> None:
    """把 perfscore.xlam 与配套版本的 xlwings 加载项装入 Excel 的启动文件夹（XLSTART）。"""
    from perfscore.builder.addin import build_addin

    _need_excel()
    path = build_addin()
    _xlwings("addin", "install")  # xlwings.xlam: the interpreter settings and its ribbon tab
    _xlwings("addin", "install", "--file", str(path))
    echo(f"已安装 {path.name}；请重新启动 Excel，功能区会出现“绩效自评”选项卡")


@addin_group.command("remove")
@friendly()
def remove() -> None:
    """从 Excel 的启动文件夹移除 perfscore.xlam（xlwings 加载项保留）。"""
    from perfscore.builder.addin import ADDIN_NAME

    _need_excel()
    _xlwings("addin", "remove", "--file", ADDIN_NAME)
    echo(f"已移除 {ADDIN_NAME}；请重新启动 Excel")


def _need_excel() -> None:
    if sys.platform not in EXCEL_PLATFORMS:
        raise Failure(NO_EXCEL)


def _xlwings(*args: str) -> None:
    """Run xlwings' own command line (the same Python, so the same xlwings version as perfscore's)."""
    command = [sys.executable, "-c", "from xlwings.cli import main; main()", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or "Error" in output:
        raise Failure(f"xlwings {' '.join(args)} 未成功：{output or done.returncode}；请先关闭 Excel 再试")
    if output:
        echo(output)
