"""LibreOffice headless as an independent spreadsheet engine: recalculate, convert, render.

Every call runs ``soffice`` with a fresh private profile (``-env:UserInstallation``) in a temporary
directory, so parallel runs never collide and no user setting leaks in. The profile is seeded to
*always* recalculate formulas on load: LibreOffice otherwise trusts the cached values of files that
claim to come from Excel (XlsxWriter's do), and a "recalculated" copy would just echo them.

Startup dominates the cost (seconds), so convert many files in one run with :func:`convert_many`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from perfscore.errors import LibreOfficeError

#: Output filter per target format (``fmt`` may also be given as ``"xlsx:Calc MS Excel 2007 XML"``).
FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "pdf": "pdf:calc_pdf_Export",
    "ods": "ods",
    "csv": "csv",
}

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH (``soffice`` or ``libreoffice``), or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def convert(src: Path, fmt: str, outdir: Path, *, timeout: float = 120) -> Path:
    """Convert one file; returns the path of the output in ``outdir``."""
    return convert_many([src], fmt, outdir, timeout=timeout)[0]


def recalculate(src: Path, outdir: Path, *, timeout: float = 120) -> Path:
    """Open ``src`` in LibreOffice, recalculate every formula and save as xlsx with cached values."""
    return convert(src, "xlsx", outdir, timeout=timeout)


def to_pdf(src: Path, outdir: Path, *, timeout: float = 120) -> Path:
    """Render ``src`` to PDF (print areas, titles and page setup as the workbook defines them)."""
    return convert(src, "pdf", outdir, timeout=timeout)


def convert_many(srcs: Sequence[Path], fmt: str, outdir: Path, *, timeout: float | None = None) -> list[Path]:
    """Convert several files in one soffice run; outputs keep the sources' stems.

    ``timeout`` defaults to 60 s plus 2 s per file. Raises :class:`LibreOfficeError` if soffice is
    missing, fails, times out, or an output is missing.
    """
    exe = soffice_path()
    if exe is None:
        raise LibreOfficeError(
            "找不到 LibreOffice（soffice）：请安装 libreoffice-calc-nogui 与 fonts-noto-cjk"
        )
    if not srcs:
        return []
    ext, _, _ = FILTERS.get(fmt, fmt).partition(":")
    filt = FILTERS.get(fmt, fmt)
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    sources = [Path(s).resolve() for s in srcs]
    stems = [s.stem for s in sources]
    if len(set(stems)) != len(stems):
        raise LibreOfficeError("LibreOffice 转换：多个源文件同名，输出会互相覆盖")
    for s in sources:
        if not s.is_file():
            raise LibreOfficeError(f"LibreOffice 转换：找不到文件 {s}")
        if s.parent == outdir and s.suffix.lstrip(".").lower() == ext.lower():
            raise LibreOfficeError(f"LibreOffice 转换：输出目录不能是源文件所在目录（{outdir}）")
    outputs = [outdir / f"{stem}.{ext}" for stem in stems]
    for stale in outputs:
        stale.unlink(missing_ok=True)
    limit = timeout if timeout is not None else 60 + 2 * len(sources)
    with tempfile.TemporaryDirectory(prefix=f"lo-profile-perfscore-{os.getpid()}-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_PROFILE, "utf-8")
        cmd = [
            exe,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            filt,
            "--outdir",
            str(outdir),
            *map(str, sources),
        ]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=limit, check=False, cwd=profile
            )
        except subprocess.TimeoutExpired:
            raise LibreOfficeError(f"LibreOffice 转换超时（{limit:.0f} 秒）") from None
    missing = [p.name for p in outputs if not p.is_file()]
    if proc.returncode != 0 or missing:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"退出码 {proc.returncode}"
        raise LibreOfficeError(f"LibreOffice 转换为 {ext} 失败（缺少 {', '.join(missing[:3])}）：{reason}")
    return outputs
