"""Shared test helpers: build forms in the form's own terms (a framework plus cell overrides), and the
``fonts`` fixture that prints each PDF test twice (the machine's fonts, then only Noto CJK and DejaVu)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator, Mapping
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


# ------------------------------------------------------------------- fonts for printed PDFs

FONT_SETUPS = ("machine", "noto-dejavu-only")


def restricted_fontconfig(folder: Path) -> Path:
    """A fontconfig file that sees only the Noto CJK and DejaVu fonts installed here."""
    listed = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, check=True)
    dirs = sorted(
        {
            str(Path(f).parent)
            for f in listed.stdout.splitlines()
            if re.search(r"NotoS(ans|erif)CJK|DejaVu", f)
        }
    )
    assert any("noto" in d.lower() for d in dirs), "fonts-noto-cjk is not installed"
    conf = folder / "fonts.conf"
    body = "".join(f"<dir>{d}</dir>" for d in dirs)
    conf.write_text(
        f'<?xml version="1.0"?><fontconfig>{body}<cachedir>{folder / "cache"}</cachedir></fontconfig>',
        "utf-8",
    )
    return conf


@pytest.fixture(scope="module", params=FONT_SETUPS)
def fonts(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run the test with the machine's fonts, then with only Noto CJK and DejaVu visible."""
    saved = os.environ.get("FONTCONFIG_FILE")
    if request.param != "machine":
        os.environ["FONTCONFIG_FILE"] = str(restricted_fontconfig(tmp_path_factory.mktemp("fonts")))
    try:
        yield str(request.param)
    finally:
        if saved is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = saved
