"""A form re-saved by another spreadsheet application (LibreOffice here) still reads by indicator id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfscore.report import libreoffice
from tests.xlsx_helpers import build_seed, run_cli

pytestmark = pytest.mark.libreoffice


def test_check_after_libreoffice_resaved_the_form(tmp_path: Path) -> None:
    src = build_seed(tmp_path / "seed.xlsx")
    assert run_cli(["calc", src]).exit_code == 0
    resaved = libreoffice.convert(src, "xlsx", tmp_path / "resaved")
    run = run_cli(["check", resaved, "--json"])
    assert run.exit_code == 0, run.output
    doc = json.loads(run.stdout)
    assert (doc["total"], doc["grade"]) == ("90.77", "优")
    assert [g["score"] for g in doc["groups"]] == ["41.8", "48.97"]
    assert [f["code"] for f in doc["findings"]] == ["placeholder-indicator"]
    # and results can be written into the re-saved file again
    assert run_cli(["calc", resaved]).exit_code == 0
