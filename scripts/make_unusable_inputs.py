"""Make files perfscore must refuse with a clear reason, for CI's check of a plain install.

    python scripts/make_unusable_inputs.py FORM.xlsx OUTDIR

Writes into OUTDIR: a password-protected copy of FORM (msoffcrypto, a test dependency), the same form
saved as Excel 97-2003 .xls and as .ods (LibreOffice), and a CSV renamed to .xlsx. tests/test_runtime_install.py runs the
installed wheel's ``perfscore check`` on each, in a virtual environment with only the runtime
dependencies, and expects exit code 2 with a one-line Chinese reason.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from msoffcrypto.format.ooxml import OOXMLFile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfscore.report import libreoffice  # noqa: E402


def main(form: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with form.open("rb") as src, (out / "encrypted.xlsx").open("wb") as dst:
        OOXMLFile(src).encrypt("1234", dst)
    work = out.parent / f".{out.name}-lo"
    shutil.move(libreoffice.convert(form, "xls:MS Excel 97", work), out / "old.xls")
    shutil.move(libreoffice.convert(form, "ods", work), out / "calc.ods")
    shutil.rmtree(work, ignore_errors=True)
    (out / "table.xlsx").write_text("一级指标,分值,得分\n履职效能,50,41.8\n", "utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
