"""LibreOffice headless as an independent spreadsheet engine: recalculate, convert, render.

Every call runs ``soffice`` with a fresh private profile (``-env:UserInstallation``) in a temporary
directory, so parallel runs never collide and no user setting leaks in. The profile is seeded to
*always* recalculate formulas on load: LibreOffice otherwise trusts the cached values of files that
claim to come from Excel (XlsxWriter's do), and a "recalculated" copy would just echo them.

Fonts are perfscore's choice too, not the machine's: each run gets a fontconfig file of its own
(:func:`font_config`) that maps the fonts Chinese forms name (宋体/SimSun, 黑体, 仿宋, 楷体, 微软雅黑,
Arial, Calibri, Times New Roman, …) to the Noto CJK fonts (Debian's ``fonts-noto-cjk``). Without it
LibreOffice substitutes whatever the machine has (Liberation, DejaVu, …), whose different widths
change column widths, line breaks and page counts.

Startup dominates the cost (seconds), so convert many files in one run with :func:`convert_many`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

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


#: The fonts every LibreOffice run of perfscore uses; Debian/Ubuntu package ``fonts-noto-cjk``.
SANS, SERIF = "Noto Sans CJK SC", "Noto Serif CJK SC"
FONT_PACKAGE = "fonts-noto-cjk"
#: Font families mapped to :data:`SERIF` (Song/Ming and serif faces) and to :data:`SANS` (the rest).
SERIF_FAMILIES = ("宋体", "SimSun", "新宋体", "NSimSun", "仿宋", "仿宋_GB2312", "FangSong", "楷体",
                  "楷体_GB2312", "KaiTi", "华文宋体", "STSong", "华文仿宋", "华文楷体", "Times New Roman",
                  "Liberation Serif", "DejaVu Serif", "serif")  # fmt: skip
SANS_FAMILIES = ("黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "等线", "DengXian", "Arial", "Calibri",
                 "Cambria", "Helvetica", "Liberation Sans", "Carlito", "DejaVu Sans", "WenQuanYi Micro Hei",
                 "WenQuanYi Zen Hei", "sans-serif")  # fmt: skip


def font_config(base: str | None = None) -> str:
    """A fontconfig file: the machine's configuration (``base``, else ``$FONTCONFIG_FILE``, else the
    system's) plus strong rules mapping :data:`SERIF_FAMILIES` and :data:`SANS_FAMILIES` to Noto CJK."""
    include = base or os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"

    def rule(families: Sequence[str], target: str) -> str:
        return "\n".join(
            f'<match target="pattern"><test qual="any" name="family"><string>{escape(f)}</string></test>'
            f'<edit name="family" mode="assign" binding="strong"><string>{target}</string></edit></match>'
            for f in families
        )

    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'<include ignore_missing="yes">{escape(include)}</include>\n'
        f"{rule(SERIF_FAMILIES, SERIF)}\n{rule(SANS_FAMILIES, SANS)}\n</fontconfig>\n"
    )


def missing_fonts() -> list[str]:
    """The Noto CJK faces fontconfig cannot find (empty when both are there, or when ``fc-list`` is
    not installed to ask)."""
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    missing = []
    for family in (SANS, SERIF):
        try:
            found = subprocess.run([exe, family, "family"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired):
            return []
        if family not in found:
            missing.append(family)
    return missing


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
        fonts = Path(profile) / "fonts.conf"
        fonts.write_text(font_config(), "utf-8")
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
            env = {**os.environ, "FONTCONFIG_FILE": str(fonts)}
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=limit, check=False, cwd=profile, env=env
            )
        except subprocess.TimeoutExpired:
            raise LibreOfficeError(f"LibreOffice 转换超时（{limit:.0f} 秒）") from None
    missing = [p.name for p in outputs if not p.is_file()]
    if proc.returncode != 0 or missing:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"退出码 {proc.returncode}"
        raise LibreOfficeError(f"LibreOffice 转换为 {ext} 失败（缺少 {', '.join(missing[:3])}）：{reason}")
    return outputs
