"""The click layer of the command line, in Chinese: every line printed through :func:`echo`, errors as
one ``perfscore: …`` line (:class:`Failure`), click's English usage errors turned into one Chinese
line (:class:`Group`, :class:`Command`), and option values checked with Chinese reasons.

Every line is escaped as a whole (a value from the input cannot start a line of its own or reach the
terminal as a control sequence, see :mod:`perfscore.engine.quoting`) and fitted to the console's
encoding (:func:`perfscore.cli_output.for_encoding`).
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from perfscore import cli_output
from perfscore.engine import framework as frameworks
from perfscore.engine.quoting import escape, quote
from perfscore.errors import PerfscoreError, UnknownFrameworkError

MODES = ("native", "udf")


def _encoding(err: bool) -> str:
    stream = sys.stderr if err else sys.stdout
    return getattr(stream, "encoding", None) or "utf-8"


def echo(text: str = "", *, err: bool = False) -> None:
    """Print one line: escaped as a whole (any line break or control character in it shows as an
    escape), with the marks the console's encoding lacks in ASCII."""
    click.echo(cli_output.for_encoding(escape(text), _encoding(err)), err=err)


def echo_json(text: str) -> None:
    """Print JSON text whole (values unchanged, unsafe or unencodable characters as ``\\uXXXX``)."""
    click.echo(cli_output.json_text(text, _encoding(False)), nl=False)


class Failure(click.ClickException):
    """A one-line error on stderr (no traceback, no usage text); exit code 2 unless the error says."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        setattr(self, "exit_code", exit_code)  # noqa: B010 - click declares it a ClassVar

    def show(self, file: Any = None) -> None:
        echo(f"perfscore: {self.message}", err=True)


# ------------------------------------------------------------------------------ usage errors


class UsageProblem(click.UsageError):
    """A command-line mistake already worded in Chinese (the usage hint is added when shown)."""


#: What each argument names, for ``缺少参数 FILE（自评表工作簿）``.
_ARGUMENTS = {"file": "自评表工作簿", "data": "JSON 数据文件"}

#: click's error that shows the help of a group given no command: let through, the help is the answer.
_HELP_ERRORS: tuple[type[BaseException], ...] = tuple(
    c for c in (getattr(click.exceptions, "NoArgsIsHelpError", None),) if c is not None
)


def _label(param: click.Parameter) -> str:
    return " / ".join(param.opts) if isinstance(param, click.Option) else param.human_readable_name


def _usage_text(err: click.UsageError, ctx: click.Context) -> str:
    """click's English usage error in Chinese, without the usage hint."""
    if isinstance(err, UsageProblem):
        return err.message
    if isinstance(err, click.MissingParameter) and err.param is not None:
        param = err.param
        if isinstance(param, click.Option):
            return f"缺少选项 {_label(param)}" + (f"（{param.help}）" if param.help else "")
        what = _ARGUMENTS.get(param.name or "")
        return f"缺少参数 {_label(param)}" + (f"（{what}）" if what else "")
    if isinstance(err, click.NoSuchOption):
        close = err.possibilities or []
        hint = f"（是否要用 {' 或 '.join(close)}？）" if close else ""
        return f"没有选项 {quote(err.option_name)}{hint}"
    if isinstance(err, click.BadOptionUsage):
        option = next(
            (p for p in ctx.command.params if isinstance(p, click.Option) and err.option_name in p.opts),
            None,
        )
        if option is not None and option.is_flag:
            return f"选项 {quote(err.option_name)} 不带值"
        return f"选项 {quote(err.option_name)} 需要一个值"
    return f"命令行有误：{err.format_message()}"


def _usage_failure(err: click.UsageError, ctx: click.Context) -> Failure:
    """The one line for a usage error of the command of ``ctx`` (click's parser leaves ``err.ctx`` unset)."""
    ctx = err.ctx or ctx
    return Failure(f"{_usage_text(err, ctx)}；请运行 {ctx.command_path} --help 查看用法")


def bad_value(ctx: click.Context, param: click.Parameter, reason: str) -> UsageProblem:
    return UsageProblem(
        f"{'选项' if isinstance(param, click.Option) else '参数'} {_label(param)} 的值{reason}", ctx
    )


class Command(click.Command):
    """A command whose usage errors (surplus arguments included) are one Chinese line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        strict = not ctx.allow_extra_args
        ctx.allow_extra_args = True
        try:
            rest = super().parse_args(ctx, args)
            if rest and strict and not ctx.resilient_parsing:
                raise UsageProblem("多余的参数" + "、".join(f"“{quote(a)}”" for a in rest), ctx)
        except _HELP_ERRORS:
            raise
        except click.UsageError as err:
            raise _usage_failure(err, ctx) from None
        finally:
            ctx.allow_extra_args = not strict
        return rest


class Group(click.Group):
    """The ``perfscore`` group: every usage error of it and its commands is one Chinese line."""

    command_class = Command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except _HELP_ERRORS:  # no arguments at all: the help is the answer
            raise
        except click.UsageError as err:
            raise _usage_failure(err, ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _HELP_ERRORS:  # a command group given no command (perfscore framework): its help
            raise
        except click.UsageError as err:
            if type(err) is click.UsageError and err.ctx is ctx:  # the group's only own one: no command
                err = UsageProblem(f"缺少命令；可用的命令：{'、'.join(self.list_commands(ctx))}", ctx)
            raise _usage_failure(err, ctx) from None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except (click.BadParameter, click.NoSuchOption, click.BadOptionUsage, click.BadArgumentUsage):
            raise
        except click.UsageError:
            names = self.list_commands(ctx)
            close = difflib.get_close_matches(args[0], names, n=1)
            hint = f"（是否要用 {close[0]}？）" if close else ""
            raise UsageProblem(
                f"没有命令“{quote(args[0])}”{hint}；可用的命令：{'、'.join(names)}", ctx
            ) from None


# ------------------------------------------------------------------------------ option values


def as_path(
    *, file_ok: bool = True, folder_ok: bool = True, must_exist: bool = False
) -> Callable[[click.Context, click.Parameter, str | None], Path | None]:
    """A callback turning an option's or argument's text into a Path, checked with Chinese reasons."""

    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
        if value is None:
            return None
        path = Path(value)
        shown = cli_output.shown_path(value)
        if not folder_ok and path.is_dir():
            raise bad_value(ctx, param, f"“{shown}”是一个文件夹；请给出文件名")
        if not file_ok and path.exists() and not path.is_dir():
            raise bad_value(ctx, param, f"“{shown}”是一个文件，不是文件夹；请给出文件夹")
        if must_exist and not path.exists():
            raise bad_value(ctx, param, f"“{shown}”不存在；请检查文件名和路径")
        return path

    return convert


def as_year(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise bad_value(ctx, param, f"“{quote(value)}”不是整数；请填写四位年度，如 2022") from None


def as_mode(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if value not in MODES:
        raise bad_value(ctx, param, f"“{quote(value)}”无效；可选：{'、'.join(MODES)}")
    return value


# ------------------------------------------------------------------------------ shared by the commands

F = TypeVar("F", bound=Callable[..., Any])


def friendly(where: Callable[..., str | None] = lambda **kw: None) -> Callable[[F], F]:
    """Turn a PerfscoreError raised by a command into ``perfscore: FILE: reason`` and exit 2."""

    def deco(fn: F) -> F:
        @wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except PerfscoreError as err:
                path = err.path or where(**kwargs)
                message = err.message
                if isinstance(err, UnknownFrameworkError):
                    message += f"；或在命令行用 --framework 文件.toml 指定（{FRAMEWORK_HELP_HINT}）"
                raise Failure(f"{path}: {message}" if path else message, err.exit_code) from None

        return run  # type: ignore[return-value]

    return deco


def fresh(out: Path) -> None:
    if out.exists():
        raise Failure(f"{out}: 文件已存在，为免覆盖已填写的内容不会改写它；请换一个文件名或先删除该文件")
    if out.parent.exists() and not out.parent.is_dir():
        raise Failure(f"{out}: {out.parent} 是一个文件，不是文件夹；请换一个输出路径")
    if not out.parent.is_dir():
        raise Failure(f"{out}: 目标文件夹 {out.parent} 不存在；请先创建该文件夹")


def out_option(help_text: str, *, required: bool = False) -> Callable[[F], F]:
    """The ``-o FILE`` option of the commands that write a file."""
    to_path = as_path(folder_ok=False)
    if required:
        return click.option("-o", "out", metavar="FILE", required=True, callback=to_path, help=help_text)
    return click.option("-o", "out", metavar="FILE", default=None, callback=to_path, help=help_text)


def file_argument(name: str = "file") -> Callable[[F], F]:
    """The FILE (or DATA) argument: a path, read by the command itself (which says what is wrong)."""
    return click.argument(name, callback=as_path())


#: Where a user learns about frameworks, added to the messages that name one.
FRAMEWORK_HELP_HINT = "可用的指标体系见 perfscore framework list"


def framework_option(*, default_text: str) -> Callable[[F], F]:
    """``--framework ID|FILE``: a shipped or configured framework by id, or a ``.toml`` file (followed:
    the user chose it). Without it, the framework is the one the form (or JSON) names, by id only."""
    return click.option(
        "--framework",
        "framework_ref",
        metavar="ID|FILE",
        default=None,
        help=f"指标体系：内置或已配置的编号，或 .toml 文件（默认：{default_text}）",
    )


def load_framework(ref: str | None) -> frameworks.AnyFramework | None:
    """The framework named by ``--framework`` (None when the option was not given), of either kind."""
    return None if ref is None else frameworks.load_any(ref)
