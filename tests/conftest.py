"""Shared test helpers: build forms in the form's own terms (a framework plus cell overrides)."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import pytest

from perfscore.engine import cells, framework, pipeline
from perfscore.engine.framework import Framework
from perfscore.engine.grid import CellValue, Grid
from perfscore.engine.submission import Submission

FW_ID = "gz-dept-overall-2022"


def load_fw() -> Framework:
    return framework.load(FW_ID)


def seed_submission(fw: Framework | None = None) -> Submission:
    fw = fw or load_fw()
    text = (resources.files("perfscore") / "data" / "seed-2022.json").read_text("utf-8")
    return Submission.loads(text, fw)


def seed_grid(
    overrides: Mapping[tuple[str, str], CellValue] | None = None, *, drop_sheets: tuple[str, ...] = ()
) -> Grid:
    """The seed form as a grid, with some cells changed: ``{("履职效能", "H5"): "abc"}``."""
    fw = load_fw()
    content = cells.static_cells(fw)
    content.update(cells.input_cells(fw, seed_submission(fw)))
    content.update(overrides or {})
    order = [s for s in cells.sheet_order(fw) if s not in drop_sheets]
    content = {k: v for k, v in content.items() if k[0] not in drop_sheets}
    return cells.to_grid(content, order)


def evaluate(
    overrides: Mapping[tuple[str, str], CellValue] | None = None, **kw: tuple[str, ...]
) -> pipeline.Result:
    return pipeline.evaluate(seed_grid(overrides, **kw))


@pytest.fixture
def fw() -> Framework:
    return load_fw()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
