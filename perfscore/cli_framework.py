"""``perfscore framework …``: the commands for the IT staff who adapt an indicator system.

``list`` (shipped and configured), ``show`` (the tree with weights, rules and sheets), ``validate``
(every problem of a file at once, with line numbers), ``copy`` (a commented starting point with its
own id) and ``diff`` (what a yearly update changes). Exit codes: 0; ``validate`` 1 when a file has
problems; 2 for what cannot be read or written.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import click

from perfscore.cli_click import (
    Failure,
    Group,
    echo,
    echo_json,
    fresh,
    friendly,
    out_option,
)
from perfscore.engine import framework as frameworks
from perfscore.engine.framework_catalog import SHIPPED, catalog, is_shipped, source_text
from perfscore.engine.framework_diff import diff
from perfscore.engine.framework_file import check_file
from perfscore.engine.framework_model import usable_id
from perfscore.engine.framework_view import text_lines, to_json, years_text
from perfscore.engine.project import view as project_view
from perfscore.engine.project.model import ProjectFramework
from perfscore.engine.quoting import quote
from perfscore.version import __version__
from perfscore.xlsx.atomic import write_text

_ID_LINE = re.compile(r'^id\s*=\s*"[^"\n]*"[ \t]*(#.*)?$', re.M)

ref_argument = click.argument("ref", metavar="ID|FILE")


@click.group(name="framework", cls=Group)
def framework_group() -> None:
    """指标体系文件：列出、查看、校验、复制、比较。"""


def _shown_file(fw: frameworks.AnyFramework) -> str:
    """Where a framework came from, as a user can act on it (never a path inside the installed package)."""
    if is_shipped(fw):
        return f"{SHIPPED}（取得可修改的副本：perfscore framework copy {fw.id} -o 文件.toml）"
    return fw.source


@framework_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@friendly()
def list_(as_json: bool) -> None:
    """列出内置的和环境变量 PERFSCORE_FRAMEWORKS 中配置的指标体系。"""
    entries = catalog()
    if as_json:
        doc = [
            {
                "id": e.id,
                "title": e.title,
                "years": None if e.years is None else list(e.years),
                "origin": "shipped" if e.origin == SHIPPED else "configured",
                "file": e.file or None,
                "problem": e.problem or None,
            }
            for e in entries
        ]
        echo_json(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    for e in entries:
        years = "" if e.years is None else f"（{years_text(e.years)}）"
        parts = (e.id, e.title + years, e.file or SHIPPED, f"⚠ {e.problem}" if e.problem else "")
        echo("  ".join(p for p in parts if p))
    echo(
        f"自定义指标体系：在命令中用 --framework 文件.toml，或把 <编号>.toml 放在环境变量 "
        f"{frameworks.FRAMEWORKS_ENV} 指定的文件夹中（多个文件夹用 {os.pathsep} 分隔）"
    )


@framework_group.command("show")
@ref_argument
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@friendly(lambda **kw: str(kw["ref"]))
def show(ref: str, as_json: bool) -> None:
    """显示指标体系：表头与预算字段、等级、工作表，以及带分值和计分规则的指标树。"""
    fw = frameworks.load_any(ref)
    if isinstance(fw, ProjectFramework):
        doc, lines = project_view.to_json(fw, _shown_file(fw)), project_view.text_lines(fw, _shown_file(fw))
    else:
        doc, lines = to_json(fw, _shown_file(fw)), text_lines(fw, _shown_file(fw))
    if as_json:
        echo_json(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    for line in lines:
        echo(line)


@framework_group.command("validate")
@click.argument("files", metavar="FILE...", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出问题清单")
@friendly()
def validate(files: tuple[str, ...], as_json: bool) -> None:
    """校验指标体系文件，一次列出全部问题（文件:行号: 条目: 问题）。有问题时退出码为 1。"""
    found = {name: check_file(Path(name)) for name in files}
    if as_json:
        doc = {
            name: [{"line": p.line, "entry": p.entry, "message": p.message} for p in problems]
            for name, problems in found.items()
        }
        echo_json(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        for name, problems in found.items():
            for problem in problems:
                echo(str(problem))
            if not problems:
                fw = frameworks.load_any(Path(name))
                if isinstance(fw, ProjectFramework):
                    what = f"项目支出，一级指标 {len(fw.groups)} 项，二级指标 {len(fw.categories())} 类"
                else:
                    what = f"末级指标 {len(fw.leaves())} 项"
                echo(f"{name}: 没有问题（{fw.id}，{fw.title}，{what}）")
        bad = sum(1 for p in found.values() if p)
        if bad:
            total = sum(len(p) for p in found.values())
            echo(f"perfscore: {bad} 个文件共 {total} 个问题", err=True)
    if any(found.values()):
        raise SystemExit(1)


@framework_group.command("copy")
@ref_argument
@out_option("新指标体系文件（.toml）", required=True)
@click.option("--id", "new_id", metavar="ID", default=None, help="新编号（默认取输出文件名，如 zc-2023）")
@friendly(lambda **kw: str(kw["ref"]))
def copy(ref: str, out: Path, new_id: str | None) -> None:
    """复制一个指标体系作为修改的起点：保留原文件的注释，换上新编号。"""
    if out.suffix.lower() != ".toml":
        raise Failure(f"{out}: 指标体系文件名须以 .toml 结尾，例如 {out.with_suffix('.toml').name}")
    fresh(out)
    new_id = new_id if new_id is not None else out.stem
    if not usable_id(new_id):
        raise Failure(
            f"{out}: 编号 “{quote(new_id)}” 不可用：编号只能由字母、数字、“-”“_”“.”组成（表单按编号查找"
            f"“<编号>.toml”）；请用 --id 指定，如 --id zc-2023"
        )
    if new_id in frameworks.shipped_ids():
        raise Failure(f"{out}: 编号 “{new_id}” 与内置指标体系相同；请用 --id 换一个编号，如 --id {new_id}-zc")
    fw = frameworks.load_any(ref)
    source = source_text(fw)
    if not _ID_LINE.search(source):
        raise Failure(f'{fw.source}: 找不到顶层的 id = "…" 一行，无法换上新编号；请手工复制并修改')
    body = _ID_LINE.sub(f'id = "{new_id}"', source, count=1)
    head = (
        f"# 由 perfscore {__version__} 复制自指标体系 {fw.id}（{fw.title}）。\n"
        f"# 修改后检查：perfscore framework validate {out.name}\n"
        f"# 查看改动：perfscore framework diff {fw.id} {out.name}\n"
        f"# 使用：perfscore new --framework {out.name} -o 表单.xlsx；核算用它生成的表单时加 --framework {out.name}，\n"
        f"# 或把本文件以 {new_id}.toml 之名放在环境变量 {frameworks.FRAMEWORKS_ENV} 指定的文件夹中。\n\n"
    )
    write_text(head + body, out)
    echo(f"已复制 {fw.id} → {out}（编号 {new_id}）")


@framework_group.command("diff")
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@friendly()
def diff_(a: str, b: str, as_json: bool) -> None:
    """比较两个指标体系（编号或文件）：指标的增删、改名、移动、分值与规则变化，表头、预算字段和等级的变化。"""
    fa, fb = frameworks.load_any(a), frameworks.load_any(b)
    if isinstance(fa, ProjectFramework) or isinstance(fb, ProjectFramework):
        raise Failure(
            f"framework diff 目前只比较部门整体支出指标体系；{fa.id if isinstance(fa, ProjectFramework) else fb.id} "
            "是项目支出指标体系，请用 perfscore framework show 分别查看两者"
        )
    changes = diff(fa, fb)
    if as_json:
        doc = {
            "a": fa.id,
            "b": fb.id,
            "changes": [{"kind": c.kind, "id": c.id, "text": c.text} for c in changes],
        }
        echo_json(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    for change in changes:
        echo(change.text)
    echo(f"{fa.id} → {fb.id}：" + (f"{len(changes)} 处改动" if changes else "没有改动"))
