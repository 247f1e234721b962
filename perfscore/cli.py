"""``perfscore`` — the headless command line, a thin door over the library's front door.

Exit codes: 0 no error findings (warnings allowed), 1 error findings, 2 unusable input (missing,
not a workbook, corrupt, encrypted, not a perfscore form, unknown framework, bad JSON, cannot write),
3 a bug of perfscore. An error is reported as one line ``perfscore: FILE: reason`` on stderr, never a
traceback; its exit code comes from its class (:attr:`perfscore.errors.PerfscoreError.exit_code`).
A mistake on the command line (a missing argument, an unknown option or command, a bad value) is one
Chinese line too, exit 2, with where to read the usage — never click's English usage block
(:mod:`perfscore.cli_click`, which also prints every line, escaped and fitted to the console).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from decimal import Decimal
from importlib import resources
from pathlib import Path

import click

import perfscore
from perfscore import cli_output
from perfscore import rebuild as rebuilding
from perfscore.cli_addin import addin_group
from perfscore.cli_batch import batch
from perfscore.cli_click import (
    MODES,
    Failure,
    Group,
    as_mode,
    as_path,
    as_year,
    echo,
    echo_json,
    file_argument,
    framework_option,
    fresh,
    friendly,
    load_framework,
    out_option,
)
from perfscore.cli_digitise import digitise_command
from perfscore.cli_framework import framework_group
from perfscore.cli_template import template_group
from perfscore.engine import framework as frameworks
from perfscore.engine.framework import DEFAULT_FRAMEWORK
from perfscore.engine.pipeline import AnyResult
from perfscore.engine.project.form import submission as project_submission
from perfscore.engine.project.model import DEFAULT_ROWS, MAX_ROWS, ProjectFramework
from perfscore.engine.project.pipeline import ProjectResult
from perfscore.engine.project.submission import ProjectSubmission
from perfscore.engine.quoting import quote
from perfscore.engine.result_json import to_json
from perfscore.engine.submission import Submission, read_json_file
from perfscore.engine.xml_text import cell_text_problem
from perfscore.errors import InputDataError
from perfscore.xlsx.atomic import write_text

SUFFIX = {"native": ".xlsx", "udf": ".xlsm"}
#: What ``--framework`` defaults to on the commands that read a form.
FORM_NAMES = "表单记录的编号"


def _mode_suffix(out: Path, mode: str) -> None:
    want = SUFFIX[mode]
    if out.suffix.lower() != want:
        if mode == "udf":
            hint = "--formulas udf 生成含宏的工作簿，文件名须以 .xlsm 结尾"
        else:
            hint = "--formulas native 生成不含宏的工作簿，文件名须以 .xlsx 结尾（含宏版本请用 --formulas udf 和 .xlsm）"
        raise Failure(f"{out}: {hint}；例如 {out.with_suffix(want).name}")


def _report(path: Path, result: AnyResult) -> None:
    for line in cli_output.lines(str(path), result):
        echo(line)


def _exit_for(result: AnyResult) -> None:
    if result.errors:
        sys.exit(1)


rows_option = click.option(
    "--rows",
    type=click.IntRange(1, MAX_ROWS),
    default=None,
    metavar="N",
    help=f"项目支出表：每个二级指标留出的空行数（默认 {DEFAULT_ROWS}；导入的数据更多时按数据）",
)

formulas_option = click.option(
    "--formulas",
    metavar=f"[{'|'.join(MODES)}]",
    callback=as_mode,
    default="native",
    show_default=True,
    help="native：普通 Excel 公式（Excel/WPS/LibreOffice 均可计算）；udf：调用 Python 加载项（.xlsm）",
)


@click.group(name="perfscore", cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="perfscore", message="perfscore %(version)s")
def cli() -> None:
    """perfscore：预算绩效自评表（Excel）的生成、校验与计分。"""


@cli.command()
@out_option("生成的工作簿", required=True)
@framework_option(default_text=DEFAULT_FRAMEWORK)
@click.option("--department", default=None, help="预填部门名称")
@click.option("--year", metavar="INTEGER", default=None, callback=as_year, help="预填年度（四位数字）")
@formulas_option
@rows_option
@friendly()
def new(
    out: Path,
    framework_ref: str | None,
    department: str | None,
    year: int | None,
    formulas: str,
    rows: int | None,
) -> None:
    """生成一份空白自评表。"""
    _mode_suffix(out, formulas)
    fresh(out)
    if department is not None and (problem := cell_text_problem(department)):
        raise Failure(f"--department: {problem}")
    fw = frameworks.load_any(framework_ref or DEFAULT_FRAMEWORK)
    _rows_fit(fw, rows)
    sub: Submission | ProjectSubmission | None = None
    if department is not None or year is not None:
        typed_year = None if year is None else Decimal(year)
        if isinstance(fw, ProjectFramework):
            sub = ProjectSubmission(fw.id, year=typed_year, department=department)
        else:
            sub = Submission(fw.id, year=typed_year, department=department)
    perfscore.build_workbook(out, fw, mode=formulas, submission=sub, rows=rows)
    echo(f"已生成 {out}（{fw.title}，{fw.id}，公式：{formulas}）")


def _rows_fit(fw: frameworks.AnyFramework, rows: int | None) -> None:
    if rows is not None and not isinstance(fw, ProjectFramework):
        raise Failure(f"--rows 只用于项目支出表（其三级指标由单位填写）；{fw.id} 的三级指标由指标体系规定")


@cli.command("import")
@file_argument("data")
@out_option("生成的工作簿", required=True)
@formulas_option
@framework_option(default_text="JSON 中 framework 记录的编号")
@rows_option
@friendly(lambda **kw: str(kw["data"]))
def import_(data: Path, out: Path, formulas: str, framework_ref: str | None, rows: int | None) -> None:
    """由 JSON 数据生成填好的自评表。"""
    _mode_suffix(out, formulas)
    sub, fw = read_submission(data, load_framework(framework_ref))
    _rows_fit(fw, rows)
    fresh(out)
    perfscore.build_workbook(out, fw, mode=formulas, submission=sub, rows=rows)
    count = len(sub.rows) if isinstance(sub, ProjectSubmission) else len(sub.indicators)
    echo(f"已生成 {out}（{count} 项三级指标）")


def read_submission(
    data: Path, given: frameworks.AnyFramework | None = None
) -> tuple[Submission | ProjectSubmission, frameworks.AnyFramework]:
    """The submission in ``data`` and its framework: ``given`` (which must have the id the JSON names),
    else the one the JSON names, looked up by id only."""
    doc = read_json_file(data)
    if not isinstance(doc, dict) or not isinstance(doc.get("framework"), str):
        raise InputDataError(
            f"framework: 缺少此键或不是文本（应为指标体系编号，如 {DEFAULT_FRAMEWORK}）", path=str(data)
        )
    if given is not None and given.id != doc["framework"]:
        raise InputDataError(
            f"framework: 数据属于指标体系 “{quote(doc['framework'])}”，而 --framework 指定的是 “{quote(given.id)}”"
            f"（{quote(given.source)}）；请指定该数据所用的指标体系",
            path=str(data),
        )
    fw = given or frameworks.load_any_by_id(doc["framework"])
    if isinstance(fw, ProjectFramework):
        return ProjectSubmission.from_json(doc, fw, source=str(data)), fw
    return Submission.from_json(doc, fw, source=str(data)), fw


@cli.command()
@file_argument()
@out_option("JSON 输出文件（默认输出到屏幕）")
@framework_option(default_text=FORM_NAMES)
@friendly(lambda **kw: str(kw["file"]))
def export(file: Path, out: Path | None, framework_ref: str | None) -> None:
    """把自评表的填写内容导出为 JSON。"""
    result = perfscore.evaluate_file(file, load_framework(framework_ref))
    if isinstance(result, ProjectResult):
        text = project_submission(result.form, result.framework).dumps(result.framework)
    else:
        text = Submission.from_form(result.form, result.framework).dumps(result.framework)
    if out is None:
        echo_json(text)
    else:
        write_text(text, out)


def _optional_mode(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    return None if value is None else as_mode(ctx, param, value)


@cli.command()
@file_argument()
@out_option(
    f"新表（默认：原文件名加“{rebuilding.DEFAULT_SUFFIX}”，如 自评表{rebuilding.DEFAULT_SUFFIX}.xlsm）；不会改写原文件或任何已有的文件"
)
@click.option("--formulas", metavar=f"[{'|'.join(MODES)}]", default=None, callback=_optional_mode,
              help="新表的公式模式（默认：原表记录的模式；udf 生成 .xlsm，native 生成 .xlsx）")  # fmt: skip
@framework_option(default_text=FORM_NAMES)
@friendly(lambda **kw: str(kw["file"]))
def rebuild(file: Path, out: Path | None, formulas: str | None, framework_ref: str | None) -> None:
    """把自评表的全部填写内容移入一份按当前模板新生成的表。

    用于被 WPS 或 LibreOffice 另存过、按钮和 PS_* 函数在 Excel 中失效的 .xlsm，以及沿用上一年或旧版 perfscore 生成的表。

    无法原样带入的内容（指标体系中没有的编号、内容不同的重复行、公式、不在填写位置的单元格等）会列出单元格并拒绝生成。
    """
    result = perfscore.evaluate_file(file, load_framework(framework_ref))
    mode = formulas or rebuilding.recorded_mode(result)
    target = out if out is not None else rebuilding.default_out(file, mode)
    _mode_suffix(target, mode)
    fresh(target)
    done = rebuilding.rebuild(result, file, target, mode)
    counts = "，".join(f"{sheet} {n}" for sheet, n in done.carry.counts.items())
    echo(f"已带入填写内容 {done.carry.carried} 项（{counts}），三级指标 {done.carry.indicator_rows} 行")
    for note in done.notes:
        echo(note)
    echo(f"已生成 {target}（{done.framework.title}，{done.framework.id}，公式：{mode}）")


@cli.command()
@file_argument()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果与问题清单")
@framework_option(default_text=FORM_NAMES)
@friendly(lambda **kw: str(kw["file"]))
def check(file: Path, as_json: bool, framework_ref: str | None) -> None:
    """校验自评表并核算得分（只读，不改动文件）。"""
    result = perfscore.evaluate_file(file, load_framework(framework_ref))
    if as_json:
        echo_json(json.dumps(to_json(result, str(file)), ensure_ascii=False, indent=2) + "\n")
    else:
        _report(file, result)
    _exit_for(result)


@cli.command()
@file_argument()
@out_option("另存为（默认写回原文件）")
@framework_option(default_text=FORM_NAMES)
@friendly(lambda **kw: str(kw["file"]))
def calc(file: Path, out: Path | None, framework_ref: str | None) -> None:
    """校验并把结果（总分、等级、校验结果表）写入工作簿。"""
    if out is not None and out.suffix.lower() != file.suffix.lower():
        raise Failure(f"{out}: 输出文件的扩展名应与原文件一致（{file.suffix}）")
    result, losses = perfscore.calculate_file(file, out, framework=load_framework(framework_ref))
    _report(file, result)
    _show_losses(out, losses)
    echo(f"已写入 {out or file}")
    _exit_for(result)


def _show_losses(out: Path | None, losses: list[str]) -> None:
    """What a write to another file could not keep of the original (an in-place write is refused)."""
    for loss in losses:
        echo(f"perfscore: {out}: 注意：新文件未能保留原文件的部分内容：{loss}", err=True)


@cli.command()
@file_argument()
@out_option("另存为（默认写回原文件）")
@click.option("--pdf", metavar="FILE", default=None, callback=as_path(folder_ok=False),
              help="同时导出自评表 PDF（需要 LibreOffice）")  # fmt: skip
@click.option("--template", metavar="FILE", default=None, callback=as_path(folder_ok=False, must_exist=True),
              help="报表模板 .xlsx（默认：内置模板 report.xlsx；说明见 perfscore template docs）")  # fmt: skip
@framework_option(default_text=FORM_NAMES)
@friendly(lambda **kw: str(kw["file"]))
def report(
    file: Path, out: Path | None, pdf: Path | None, template: Path | None, framework_ref: str | None
) -> None:
    """重新生成可打印的“自评表”工作表（只写入数值），可同时导出 PDF。

    只给 --pdf 不给 -o 时只导出 PDF，原工作簿不改动。
    """
    if out is not None and out.suffix.lower() != file.suffix.lower():
        raise Failure(f"{out}: 输出文件的扩展名应与原文件一致（{file.suffix}）")
    fw = load_framework(framework_ref)
    if pdf is not None and out is None:
        result = perfscore.print_report(file, pdf, template, framework=fw)
        echo(cli_output.summary_line(str(file), result))
        echo(f"已导出 PDF：{pdf}（工作簿未改动）")
    else:
        losses: list[str] = []
        result = perfscore.write_report(file, out, pdf, template, losses, framework=fw)
        echo(cli_output.summary_line(str(file), result))
        _show_losses(out, losses)
        echo(f"已生成“自评表”工作表：{out or file}" + (f"；PDF：{pdf}" if pdf else ""))
    _exit_for(result)


@cli.command()
@click.option("--out", "out_dir", metavar="DIRECTORY", default="perfscore-demo", callback=as_path(file_ok=False),
              show_default=True, help="示例文件输出文件夹")  # fmt: skip
@click.option("--project", is_flag=True,
              help="改为生成项目支出绩效自评表示例（池州市贵池区棠溪镇 2022 年委托业务项目，mof-project-2020）")  # fmt: skip
@friendly()
def demo(out_dir: Path, project: bool) -> None:
    """生成并计算 2022 年示例自评表（增城区工商联；--project：项目支出表示例），显示结果。"""
    _make_folder(out_dir)
    name = "project-2022" if project else "seed-2022"
    fw = frameworks.load_any(PROJECT_DEMO_FRAMEWORK if project else DEFAULT_FRAMEWORK)
    data = (resources.files("perfscore") / "data" / f"{name}.json").read_text("utf-8")
    sub: Submission | ProjectSubmission
    if isinstance(fw, ProjectFramework):
        sub = ProjectSubmission.loads(data, fw, source=f"{name}.json")
    else:
        sub = Submission.loads(data, fw, source=f"{name}.json")
    target = out_dir / f"{name}.xlsx"
    tmp = out_dir / ".~perfscore-tmp-demo.xlsx"
    tmp.unlink(missing_ok=True)
    try:
        perfscore.build_workbook(tmp, fw, submission=sub)
        result, _ = perfscore.calculate_file(tmp)
        perfscore.write_report(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    echo(f"{cli_output.title(result)}（{fw.id}）")
    echo()
    for line in cli_output.table(result).split("\n"):
        echo(line)
    echo()
    echo(f"错误 {result.errors}，警告 {result.warnings}；已生成 {target}（含“自评表”报表工作表）")
    echo(f"查看问题清单：perfscore check {target}；导出 PDF：perfscore report {target} --pdf 自评表.pdf")
    _exit_for(result)


#: The framework of the project-form demo (``perfscore demo --project``).
PROJECT_DEMO_FRAMEWORK = "mof-project-2020"


def _make_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents); a part of it that is a file, or no permission, is exit 2."""
    existing = next((p for p in (folder, *folder.parents) if p.exists() or p.is_symlink()), None)
    if existing is not None and not existing.is_dir():
        raise Failure(
            f"{folder}: 无法创建文件夹：{existing} 是一个文件，不是文件夹；请换一个输出文件夹（--out）"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except PermissionError:
        raise Failure(f"{folder}: 无法创建文件夹：没有权限；请换一个输出文件夹（--out）") from None
    except OSError as exc:
        raise Failure(
            f"{folder}: 无法创建文件夹（{exc.strerror or type(exc).__name__}）；请换一个输出文件夹（--out）"
        ) from None


cli.add_command(batch)
cli.add_command(digitise_command)
cli.add_command(framework_group)
cli.add_command(template_group)
cli.add_command(addin_group)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: ``perfscore …``.

    A console whose encoding lacks a character perfscore prints (a Windows console or a file in GBK
    or cp1252) gets an escape for it instead of a crash, click's own help text included.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # one that cannot be keeps its policy
                reconfigure(errors="backslashreplace")
    try:
        cli.main(args=argv, prog_name="perfscore")
    except KeyboardInterrupt:
        echo("perfscore: 已中断", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: one line, unless PERFSCORE_DEBUG asks for the traceback
        if os.environ.get("PERFSCORE_DEBUG"):
            raise
        echo(
            f"perfscore: 内部错误 {type(exc).__name__}: {quote(exc, 200)}（请报告此问题；设 PERFSCORE_DEBUG=1 可看详情）",
            err=True,
        )
        sys.exit(3)


if __name__ == "__main__":
    main()
