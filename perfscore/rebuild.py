"""``perfscore rebuild``: every input of a form, moved into a fresh form of the current template.

For a form re-saved by WPS or LibreOffice (an ``.xlsm`` that lost its reference to the xlwings add-in
and its code names: ``macros-lost``), last year's file a clerk reuses, or a form built by an older
perfscore. The steps, each all or nothing:

1. read the form (:func:`perfscore.xlsx.reader.evaluate_file`) and plan what carries
   (:func:`perfscore.engine.carry.plan`); what cannot — cells named — is refused before anything is
   written, and so is content of the package a fresh form cannot hold (a pasted picture, comments);
2. build the fresh form (:func:`perfscore.builder.workbook.build_workbook`) from the carried
   submission, in a private temporary folder;
3. read it back and compare what it holds with what was carried (a difference is perfscore's bug:
   nothing is written);
4. copy it into place atomically; an existing file is never overwritten.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from perfscore.engine import layout as L
from perfscore.engine.carry import Carry, plan
from perfscore.engine.formulas import MODES
from perfscore.engine.framework import AnyFramework
from perfscore.engine.pipeline import AnyResult, evaluate
from perfscore.engine.project.form import submission as project_submission
from perfscore.engine.project.pipeline import ProjectResult
from perfscore.engine.quoting import quote
from perfscore.engine.submission import Submission
from perfscore.errors import InputDataError, InternalError, UnusableInputError, WriteError
from perfscore.xlsx.atomic import replace_atomically
from perfscore.xlsx.inventory import KINDS, describe, inventory
from perfscore.xlsx.reader import read_grid

#: What a new file is called when no ``-o`` is given: ``自评表.xlsm`` → ``自评表-重建.xlsm``.
DEFAULT_SUFFIX = "-重建"
#: Problems named in the one-line refusal (the count says how many there are in all).
SHOWN_PROBLEMS = 5
#: The xlwings.conf key perfscore owns (the add-in's functions live there): never carried.
UDF_MODULES_KEY = "udf modules"

_DRAWINGS, _CONTROLS, _PICTURES, _CHARTS = "绘图对象（图片、形状、文本框）", "表单控件", "图片", "图表"
#: Package content every perfscore form of a mode has (buttons, the VBA project) or LibreOffice makes of
#: it (form controls); drawing objects count only beyond the buttons, pictures and charts they anchor.
_OWN_KINDS = frozenset({"按钮或批注框", _CONTROLS, "VBA 宏工程", _DRAWINGS})


@dataclass(frozen=True)
class Rebuilt:
    """What :func:`rebuild` did: the new file, its framework and mode, what was carried, and notes."""

    out: Path
    framework: AnyFramework
    mode: str
    carry: Carry
    notes: tuple[str, ...]


def recorded_mode(result: AnyResult) -> str:
    """The formula mode the form records (``_perfscore``: ``formulas``)."""
    mode = result.form.meta.formulas
    if mode not in MODES:
        raise UnusableInputError(
            f"隐藏工作表 _perfscore 记录的公式模式 “{quote(mode, 20)}” 无效；"
            f"请用 --formulas {' 或 '.join(MODES)} 指定新表的公式模式",
            path=result.grid.source or None,
        )
    return mode


def default_out(source: Path, mode: str) -> Path:
    """``FILE`` with ``-重建`` added to its name and the suffix of ``mode`` (``.xlsx`` or ``.xlsm``)."""
    return source.with_name(f"{source.stem}{DEFAULT_SUFFIX}{'.xlsm' if mode == 'udf' else '.xlsx'}")


def rebuild(result: AnyResult, source: Path, out: Path, mode: str) -> Rebuilt:
    """Write a fresh form of ``result``'s framework holding every input of ``result``'s form to ``out``.

    Raises :class:`InputDataError` (exit 2) naming the cells of whatever cannot be carried; ``out``
    must not exist (:class:`WriteError`).
    """
    source, out = Path(source), Path(out)
    if out.exists() or out.is_symlink():
        raise WriteError(
            "文件已存在，为免覆盖已填写的内容不会改写它；请换一个文件名或先删除该文件", path=str(out)
        )
    carry = plan(result)
    problems = [str(p) for p in carry.problems]
    lost = _package_losses(source)
    if lost:
        problems.insert(0, f"文件含有重建时无法带入的内容（{describe(lost)}）；请先删除，再在新表中重新添加")
    if problems:
        shown = "；".join(problems[:SHOWN_PROBLEMS])
        more = f"（共 {len(problems)} 处）" if len(problems) > SHOWN_PROBLEMS else ""
        raise InputDataError(f"无法完整带入，未生成新文件：{shown}{more}", path=str(source))
    fw = result.framework
    notes = []
    extra: dict[str, list[list[str]]] = {}
    conf, dropped = _xlwings_conf(carry.xlwings_conf, mode)
    if conf is not None:
        extra[L.XLWINGS_CONF] = conf
    if dropped:
        notes.append(
            f"注意：xlwings.conf 中的设置 {'、'.join(quote(k, 30) for k in dropped)} 未带入（native 模式的表不用加载项）"
        )
    if carry.restored:
        restored = "、".join(f"{code} {n} 处" for code, n in carry.restored.items())
        notes.append(f"注意：原表中被改动的模板内容未带入，新表按指标体系恢复（{restored}）")
    if carry.had_report:
        notes.append(f"注意：“自评表”工作表由填写内容生成，未带入；需要时请运行 perfscore report {out}")
    with tempfile.TemporaryDirectory(prefix="perfscore-rebuild-") as folder:
        built = Path(folder) / f"rebuilt{out.suffix}"
        from perfscore.builder.workbook import build_workbook

        build_workbook(built, fw, mode=mode, submission=carry.submission, rows=carry.rows, extra_sheets=extra)
        _verify(built, fw, carry)
        replace_atomically(out, lambda tmp: shutil.copyfile(built, tmp))
    return Rebuilt(out, fw, mode, carry, tuple(notes))


def _package_losses(source: Path) -> list[str]:
    """What the package holds that no fresh form carries, in words (``["图片 1 张", "批注 2 条"]``)."""
    found = inventory(source)
    units = {k.name: k.unit for k in KINDS}
    lost = {name: n for name, n in found.items() if name not in _OWN_KINDS}
    shapes = found[_DRAWINGS] - found[_CONTROLS] - found[_PICTURES] - found[_CHARTS]
    if shapes > 0:
        lost[_DRAWINGS] = shapes
    return [f"{name} {n} {units[name]}" for name, n in lost.items()]


def _xlwings_conf(old: Iterable[tuple[str, str]], mode: str) -> tuple[list[list[str]] | None, list[str]]:
    """The new form's xlwings.conf rows (None: the builder's own) and the settings a native form drops.

    A setting the old form had (an interpreter path set by IT) is kept, with its value; the UDF module
    stays perfscore's; the builder's settings the old form lacked are added.
    """
    from perfscore.builder.vba import xlwings_conf_rows

    defaults = xlwings_conf_rows()
    own = {k.casefold() for k, _ in defaults}
    kept = [(k, v) for k, v in old if k.casefold() != UDF_MODULES_KEY]
    if mode != "udf":
        return None, [k for k, _ in kept if k.casefold() not in own]
    if not kept:
        return None, []
    names = {k.casefold() for k, _ in kept}
    first = [[k, v] for k, v in defaults if k.casefold() == UDF_MODULES_KEY]
    rest = [[k, v] for k, v in defaults if k.casefold() != UDF_MODULES_KEY and k.casefold() not in names]
    return [*first, *([k, v] for k, v in kept), *rest], []


def _verify(built: Path, fw: AnyFramework, carry: Carry) -> None:
    """The fresh form holds exactly what was carried (what ``export`` gives of it), else nothing is written."""
    result = evaluate(read_grid(built), fw)
    expected: object = carry.submission
    if isinstance(result, ProjectResult):
        again: object = project_submission(result.form, result.framework)
    else:
        assert isinstance(carry.submission, Submission)
        again = _filled(Submission.from_form(result.form, result.framework))
        expected = _filled(carry.submission)
    if again != expected:
        raise InternalError(
            f"重建的新表与原表的填写内容不一致（{_difference(again, expected)}），未生成新文件；请报告此问题"
        )


def _filled(sub: Submission) -> Submission:
    """``sub`` without the indicators that hold nothing: a row the old form lacked (a framework that
    gained an indicator, a deleted row) is a blank row of the new one."""
    kept = {
        iid: ind
        for iid, ind in sub.indicators.items()
        if any(v is not None for v in (ind.score, ind.reason, ind.measure, ind.rate))
    }
    return replace(sub, indicators=kept)


def _difference(new: object, old: object) -> str:
    fields = getattr(old, "__dataclass_fields__", {})
    differing = [name for name in fields if getattr(new, name, None) != getattr(old, name, None)]
    return "、".join(differing) or "?"
