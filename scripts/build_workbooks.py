#!/usr/bin/env python3
"""Regenerate the committed workbooks in workbook/ (run from the repository root).

    python3 scripts/build_workbooks.py

- workbook/perfscore-template-native.xlsx: the blank template, native formulas
- workbook/seed-2022-example.xlsx: the same template filled in with perfscore/data/seed-2022.json

The output is deterministic (fixed document dates), and tests/test_builder.py checks that the
committed files equal a fresh build cell by cell.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import perfscore  # noqa: E402
from perfscore import Submission  # noqa: E402

TEMPLATE = "perfscore-template-native.xlsx"
SEED_EXAMPLE = "seed-2022-example.xlsx"


def seed_submission() -> Submission:
    fw = perfscore.load_framework()
    text = (resources.files("perfscore") / "data" / "seed-2022.json").read_text("utf-8")
    return Submission.loads(text, fw, source="perfscore/data/seed-2022.json")


def build_all(outdir: Path) -> list[Path]:
    fw = perfscore.load_framework()
    template, example = outdir / TEMPLATE, outdir / SEED_EXAMPLE
    perfscore.build_workbook(template, fw, mode="native")
    perfscore.build_workbook(example, fw, mode="native", submission=seed_submission())
    return [template, example]


def main() -> int:
    for path in build_all(ROOT / "workbook"):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
