"""Test helpers for real workbook files: build the seed form, edit cells with openpyxl, run the CLI."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from perfscore import cli
from perfscore.builder import build_workbook
from tests.conftest import load_fw, seed_submission


def build_seed(path: Path, *, mode: str = "native", filled: bool = True) -> Path:
    fw = load_fw()
    build_workbook(path, fw, mode=mode, submission=seed_submission(fw) if filled else None)
    return path


def edit(path: Path, change: Callable[[Any], None], *, keep_vba: bool = False) -> None:
    """Open ``path`` with openpyxl, let ``change(wb)`` modify it, save in place."""
    with warnings.catch_warnings():  # a fixture edit: openpyxl's remarks about print areas don't matter
        warnings.simplefilter("ignore", UserWarning)
        wb = openpyxl.load_workbook(path, keep_vba=keep_vba)
    change(wb)
    wb.save(path)


def set_cells(path: Path, values: Mapping[tuple[str, str], object]) -> None:
    def change(wb: Any) -> None:
        for (sheet, cell), value in values.items():
            c = wb[sheet][cell]
            c.value = value
            if isinstance(value, str) and not value.startswith("="):
                c.data_type = "s"

    edit(path, change)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(args: Sequence[str | Path]) -> Run:
    result = CliRunner().invoke(cli.cli, [str(a) for a in args], catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)
