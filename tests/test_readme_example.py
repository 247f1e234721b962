"""The README's worked example runs as written: every command, every edit, every line of output.

The section "Worked example" of README.md holds ``console`` blocks (``$ command`` lines, each followed
by the lines it prints) and pairs of ``toml`` blocks after the words 改前 and 改后 (an edit of the
copied framework file: the first block's text, found exactly once, becomes the second's). Here they
are run in order in an empty folder. In expected output, a line ``…`` stands for any number of lines
and a line ending in ``…`` for any line starting with what precedes it. A command may start with
``NAME=value`` settings of the environment, as in a POSIX shell.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfscore import cli
from perfscore.engine import framework as frameworks

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "### Worked example"


@dataclass
class Command:
    env: dict[str, str]
    args: list[str]
    expected: list[str]


@dataclass
class Edit:
    before: str
    after: str


def section() -> str:
    text = README.read_text("utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start)
    return text[start : end if end >= 0 else len(text)]


def steps(text: str) -> list[Command | Edit]:
    """The commands and edits of the example, in order."""
    found: list[Command | Edit] = []
    pending: str | None = None  # the text of a 改前 block waiting for its 改后 block
    for m in re.finditer(r"^([^\n]*)\n\n?```(console|toml)\n(.*?)^```$", text, re.S | re.M):
        lead, kind, body = m.group(1), m.group(2), m.group(3)
        if kind == "console":
            found += commands(body)
        elif "改前" in lead:
            assert pending is None, "two 改前 blocks in a row"
            pending = body
        else:
            assert "改后" in lead and pending is not None, f"a toml block after {lead!r}"
            found.append(Edit(pending, body))
            pending = None
    assert pending is None
    return found


def commands(body: str) -> list[Command]:
    out: list[Command] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            words = shlex.split(line[2:])
            env = {}
            while "=" in words[0]:
                name, _, value = words.pop(0).partition("=")
                env[name] = value
            assert words[0] == "perfscore", line
            out.append(Command(env, words[1:], []))
        else:
            out[-1].expected.append(line)
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """``actual`` against ``expected`` where ``…`` skips lines and ``text…`` matches a prefix."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head == "…":
        return any(matches(rest, actual[k:]) for k in range(len(actual) + 1))
    if not actual:
        return False
    ok = actual[0].startswith(head[:-1]) if head.endswith("…") else actual[0] == head
    return ok and matches(rest, actual[1:])


def expected_exit(lines: list[str]) -> int:
    """2 for a one-line error, 1 for a summary with error findings, else 0 (the CLI's exit codes)."""
    if lines and lines[0].startswith("perfscore: "):
        return 2
    return 1 if any(re.search(r"；错误 [1-9]", line) for line in lines) else 0


def test_the_example_has_what_it_promises() -> None:
    found = steps(section())
    run = [" ".join(c.args[:2]) for c in found if isinstance(c, Command)]
    assert {"framework copy", "framework validate", "framework diff", "framework list"} <= set(run)
    assert sum(isinstance(s, Edit) for s in found) == 4


def test_the_worked_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(frameworks.FRAMEWORKS_ENV, raising=False)
    copied: Path | None = None
    for step in steps(section()):
        if isinstance(step, Edit):
            assert copied is not None, "an edit before the copy"
            text = copied.read_text("utf-8")
            assert text.count(step.before) == 1, step.before
            copied.write_text(text.replace(step.before, step.after), "utf-8")
            continue
        with monkeypatch.context() as m:
            for name, value in step.env.items():
                m.setenv(name, value)
            result = CliRunner().invoke(cli.cli, step.args, catch_exceptions=False)
        actual = result.output.splitlines()
        assert matches(step.expected, actual), f"$ perfscore {' '.join(step.args)}\n" + result.output
        assert result.exit_code == expected_exit(step.expected), (step.args, result.exit_code)
        if step.args[:2] == ["framework", "copy"]:
            copied = tmp_path / step.args[step.args.index("-o") + 1]
    pdf = next(tmp_path.glob("*.pdf"))
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s", "", printed)  # (a label wraps inside its cell)
    assert "未完成原因及改进措施" in text and "绩效自评质量" in text and "未能完成原因" not in text
