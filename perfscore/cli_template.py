"""``perfscore template …``: copy a shipped report template, check one against a framework, read the guide.

``check`` compiles every cell of a template and renders it with a sample form of the framework (the
seed for the shipped one, a filled example for any other), listing every problem at once; exit 1
when there is one. ``docs`` prints the guide that ships with perfscore (the syntax, the filters and
every name a template can use), so it is at hand wherever perfscore is installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from perfscore.cli_click import (
    Failure,
    Group,
    as_path,
    echo,
    framework_option,
    fresh,
    friendly,
    load_framework,
    out_option,
)
from perfscore.engine import framework as frameworks
from perfscore.engine.framework import DEFAULT_FRAMEWORK
from perfscore.engine.quoting import quote
from perfscore.resources import DEFAULT_TEMPLATE, templates_dir
from perfscore.xlsx.atomic import replace_atomically

GUIDE = "README.md"


@click.group(name="template", cls=Group)
def template_group() -> None:
    """报表模板：检查、复制内置模板、查看模板说明。"""


#: The framework a project-form template is checked with (the shipped report-project.xlsx by default).
PROJECT_FRAMEWORK = "mof-project-2020"


def _default_framework(template: Path) -> str:
    """The shipped project template is checked with the national project framework, any other with
    the default (department) one."""
    from perfscore.resources import PROJECT_TEMPLATE, templates_dir

    shipped = templates_dir() / PROJECT_TEMPLATE
    return (
        PROJECT_FRAMEWORK
        if shipped.exists() and template.resolve() == shipped.resolve()
        else DEFAULT_FRAMEWORK
    )


@template_group.command("check")
@click.argument("template", metavar="TEMPLATE.xlsx", callback=as_path(folder_ok=False, must_exist=True))
@framework_option(default_text=f"{DEFAULT_FRAMEWORK}；内置的 report-project.xlsx 用 mof-project-2020")
@friendly(lambda **kw: str(kw["template"]))
def check(template: Path, framework_ref: str | None) -> None:
    """用指标体系的示例数据渲染模板，一次列出全部问题（单元格与原因）。有问题时退出码为 1。"""
    from perfscore.report.template import template_name
    from perfscore.report.template_check import check_template

    fw = load_framework(framework_ref) or frameworks.load_any(_default_framework(template))
    problems = check_template(template, fw)
    for problem in problems:
        echo(str(problem))
    if problems:
        hint = (
            f"；若这是项目支出表的模板（如 report-project.xlsx），请加 --framework {PROJECT_FRAMEWORK}"
            if framework_ref is None
            else ""
        )
        echo(
            f"perfscore: {template_name(template)}: {len(problems)} 个问题（用 {fw.id} 的示例数据检查）{hint}",
            err=True,
        )
        raise SystemExit(1)
    echo(f"{template_name(template)}: 没有问题（用 {fw.id} 的示例数据渲染了每个单元格）")


@template_group.command("copy")
@click.argument("name", metavar="[NAME]", default=DEFAULT_TEMPLATE, required=False)
@out_option("新模板文件（.xlsx）", required=True)
@friendly(lambda **kw: str(kw["out"]))
def copy(name: str, out: Path) -> None:
    """复制一个内置报表模板（默认 report.xlsx）作为修改的起点。"""
    shipped = sorted(p.name for p in templates_dir().glob("*.xlsx"))
    if name not in shipped:
        raise Failure(f"没有内置模板 “{quote(name)}”；可用：{'、'.join(shipped)}")
    if out.suffix.lower() != ".xlsx":
        raise Failure(f"{out}: 报表模板须为 .xlsx 文件，例如 {out.with_suffix('.xlsx').name}")
    fresh(out)
    replace_atomically(out, lambda tmp: shutil.copyfile(templates_dir() / name, tmp))
    echo(f"已复制内置模板 {name} → {out}；修改后检查：perfscore template check {out}")


@template_group.command("docs")
def docs() -> None:
    """显示报表模板说明：语法、过滤器和模板可用的全部名称（随 perfscore 安装）。"""
    for line in (templates_dir() / GUIDE).read_text("utf-8").splitlines():
        echo(line)
