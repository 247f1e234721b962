"""Checking a report template: every problem at once, each with its cell, in Chinese.

:func:`check_template` (``perfscore template check T.xlsx [--framework …]``) compiles every cell of
the template and renders the whole template with a sample form of the framework
(:func:`sample_result`): the shipped seed for the shipped framework, a filled form made up for any
other, so a template can be tried against a framework whose header and budget fields differ. A cell
that fails is recorded and rendered blank, and the check goes on; :func:`render` of a real report
raises the first of the same problems, with the same message.

A block that prints only for a failing form (``{% for line in check_lines %}``) is rendered too: the
sample context has a ``check_lines`` line. Branches of an ``{% if %}`` that the sample does not take
are compiled (syntax), not evaluated.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import perfscore
from perfscore.engine.framework import DEFAULT_FRAMEWORK, AnyFramework, Framework, ProjectFramework, load
from perfscore.engine.pipeline import AnyResult
from perfscore.engine.project.submission import ProjectSubmission, RowInput
from perfscore.engine.submission import IndicatorInput, Submission
from perfscore.errors import ReportTemplateError
from perfscore.report.page import PDF_METRICS
from perfscore.report.render import render
from perfscore.report.template import Problems, load_template, template_name

#: The department and texts of a made-up sample form (a framework other than the shipped one).
SAMPLE_DEPARTMENT = "示例单位"
SAMPLE_TEXT = "示例文字：第一段。\n示例文字：第二段。"
#: The shipped project demo (``perfscore demo``) and its framework.
PROJECT_DEMO, PROJECT_DEMO_FRAMEWORK = "project-2022.json", "mof-project-2020"


@dataclass(frozen=True)
class TemplateProblem:
    """One problem of a template: the file (as messages name it), the cell (``自评表!E10``; empty
    for the file as a whole) and what is wrong."""

    file: str
    cell: str
    message: str

    def __str__(self) -> str:
        where = f"单元格 {self.cell}：" if self.cell else ""
        return f"{self.file}: {where}{self.message}"


def check_template(path: Path, framework: AnyFramework | None = None) -> list[TemplateProblem]:
    """Every problem of the template at ``path`` with ``framework``'s sample form (default: the shipped
    framework), in the order a report would meet them; ``[]`` when the template is usable."""
    path = Path(path)
    fw = framework or load(DEFAULT_FRAMEWORK)
    problems = Problems(template_name(path), collect=True)
    try:
        template = load_template(path, problems)
    except ReportTemplateError as err:  # the file itself cannot be read as a template
        return [TemplateProblem(err.path or problems.name, err.cell, _detail(err))]
    render(template, sample_context(fw), PDF_METRICS, problems)
    return [TemplateProblem(problems.name, cell, message) for cell, message in problems.found]


def _detail(err: ReportTemplateError) -> str:
    prefix = f"报表模板单元格 {err.cell}："
    return err.message[len(prefix) :] if err.cell and err.message.startswith(prefix) else err.message


def sample_context(framework: AnyFramework) -> dict[str, Any]:
    """The context of :func:`sample_result`, with a ``check_lines`` line so that block is checked too."""
    from perfscore.report.workbook import context_of

    result = sample_result(framework)
    context = context_of(result)
    if not context["check_lines"]:
        context["check_lines"] = ["校验未通过：错误 1 项（见“校验结果”）"]
    return context


def sample_result(framework: AnyFramework) -> AnyResult:
    """A filled form of ``framework``, evaluated: the shipped seed (``perfscore/data/seed-2022.json``)
    for the shipped framework, the project demo (``project-2022.json``) for ``mof-project-2020``; for any
    other, a form made up with every field filled and every 三级指标 scored (full marks), so every name
    a template can use has a value."""
    submission: Submission | ProjectSubmission
    if isinstance(framework, ProjectFramework):
        submission = _project_sample(framework)
    elif framework is load(DEFAULT_FRAMEWORK):
        seed = (resources.files("perfscore") / "data" / "seed-2022.json").read_text("utf-8")
        submission = Submission.loads(seed, framework, source="seed-2022.json")
    else:
        submission = sample_submission(framework)
    with tempfile.TemporaryDirectory(prefix="perfscore-template-check-") as folder:
        form = Path(folder) / "sample.xlsx"
        perfscore.build_workbook(form, framework, submission=submission)
        return perfscore.evaluate_file(form, framework)


def _project_sample(fw: ProjectFramework) -> ProjectSubmission:
    if fw.id == PROJECT_DEMO_FRAMEWORK:
        text = (resources.files("perfscore") / "data" / PROJECT_DEMO).read_text("utf-8")
        return ProjectSubmission.loads(text, fw, source=PROJECT_DEMO)
    sub = ProjectSubmission(fw.id, year=Decimal(fw.years[0]), department=SAMPLE_DEPARTMENT)
    sub.header = {h.key: SAMPLE_TEXT for h in fw.header}
    sub.goals = {g.key: SAMPLE_TEXT for g in fw.goals}
    sub.footer = {g.key: SAMPLE_TEXT for g in fw.footer}
    sub.funds = {r: {c: Decimal(1) for c in fw.funds.columns} for r in fw.funds.rows[:1]}
    sub.funds_reason = SAMPLE_TEXT if fw.funds.reason_below is not None else None
    sub.rows = [
        RowInput(c.id, name=f"示例{c.name}", op="≥", value=Decimal(1), unit="个", actual=Decimal(1),
                 weight=Decimal(1), score=Decimal(1))
        for c in fw.categories()
    ]  # fmt: skip
    return sub


def sample_submission(framework: Framework) -> Submission:
    """A form of ``framework`` with every header and budget field filled and every leaf at full marks."""
    header: dict[str, Decimal | str | None] = {
        h.key: Decimal(1) if h.kind == "integer" else SAMPLE_TEXT for h in framework.header
    }
    budget: dict[str, Decimal | str | None] = {name: Decimal(0) for name in framework.budget_fields}
    indicators = {
        leaf.id: IndicatorInput(leaf.id, score=leaf.weight, rate=Decimal(1) if leaf.rule else None)
        for leaf in framework.leaves()
    }
    return Submission(
        framework.id,
        year=Decimal(framework.years[0]),
        department=SAMPLE_DEPARTMENT,
        header=header,
        budget=budget,
        indicators=indicators,
    )
