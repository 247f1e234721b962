"""The README says what the code does: codes table, JSON format, commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

from perfscore.engine.findings import CATALOGUE
from perfscore.engine.submission import Submission

from .conftest import load_fw

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")


def test_every_finding_code_is_documented_with_its_severity() -> None:
    table = dict(re.findall(r"^\| `([a-z-]+)` \| (error|warning|info) \|", README, re.M))
    assert table == {c.code: c.severity.value for c in CATALOGUE.values()}


def test_json_example_is_a_valid_submission() -> None:
    block = README.split("## The JSON submission format", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    doc = json.loads(block)
    sub = Submission.from_json(doc, load_fw())
    assert str(sub.indicators["1.1.3"].score) == "9.3"


def test_documented_commands_exist() -> None:
    from perfscore.cli import cli

    documented = set(re.findall(r"^\| `perfscore (\w+)", README, re.M))
    assert documented == set(cli.commands)
