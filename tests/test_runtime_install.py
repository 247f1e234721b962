"""A plain ``pip install`` of the wheel, with the runtime dependencies only, refuses what it must.

Last round an encrypted ``.xlsx`` and an ``.xls`` crashed a plain install (``ModuleNotFoundError:
olefile``: only the test extras pulled it in). This test builds the wheel, installs it into a fresh
virtual environment (no test or dev extras, no access to the repository's sources) and runs its
``perfscore check`` on an ``.xls``, a password-protected ``.xlsx``, an ``.ods`` and a CSV renamed to
``.xlsx``: exit 2 and one Chinese line each. It needs the network (pip fetches the dependencies), as
the README's install does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.xlsx_helpers import build_seed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from make_unusable_inputs import main as make_unusable_inputs  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]

REASONS = {
    "encrypted.xlsx": "工作簿设置了打开密码（已加密），无法读取；请在 Excel 中取消密码（文件→信息→保护工作簿）后另存再试",
    "old.xls": "这是旧版 Excel 97-2003（.xls）文件；请在 Excel 或 WPS 中另存为 .xlsx 后再试",
    "calc.ods": "这是 OpenDocument 表格（.ods），不是 .xlsx；请用“另存为 Excel 2007-365 (.xlsx)”后再试",
    "table.xlsx": "不是 .xlsx 工作簿，而是CSV/文本表格（只是扩展名为 .xlsx）；请用 perfscore 模板填写，或在 Excel 中另存为 .xlsx",
}


@pytest.fixture(scope="module")
def plain_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``perfscore`` command of a fresh venv holding the wheel and its runtime dependencies."""
    where = tmp_path_factory.mktemp("plain-install")
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(where / "wheel"), str(ROOT)],
        check=True,
        env=env,
        timeout=600,
    )
    subprocess.run([sys.executable, "-m", "venv", str(where / "venv")], check=True, timeout=300)
    pip = where / "venv" / "bin" / "pip"
    (wheel,) = (where / "wheel").glob("perfscore-*.whl")
    subprocess.run([str(pip), "install", "-q", str(wheel)], check=True, env=env, timeout=900)
    return where / "venv" / "bin" / "perfscore"


def test_the_plain_install_has_no_test_dependencies(plain_install: Path) -> None:
    python = plain_install.parent / "python"
    probe = "import importlib.util as u; print([m for m in ('pytest','msoffcrypto','oletools','python_calamine','hypothesis') if u.find_spec(m)])"
    out = subprocess.run([str(python), "-c", probe], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_unusable_files_get_one_line_each(plain_install: Path, tmp_path: Path) -> None:
    form = build_seed(tmp_path / "seed.xlsx")
    make_unusable_inputs(form, tmp_path / "bad")
    assert sorted(p.name for p in (tmp_path / "bad").iterdir()) == sorted(REASONS)
    for name, reason in REASONS.items():
        path = tmp_path / "bad" / name
        run = subprocess.run(
            [str(plain_install), "check", str(path)], capture_output=True, text=True, cwd=tmp_path
        )
        assert (run.returncode, run.stdout, run.stderr) == (2, "", f"perfscore: {path}: {reason}\n"), name
    run = subprocess.run([str(plain_install), "check", str(form)], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.splitlines()[-1].endswith(
        "总分 90.77，等级 优；错误 0，警告 0，提示 1"
    )


def test_what_the_shipped_files_point_at_is_in_the_wheel(plain_install: Path, tmp_path: Path) -> None:
    """The template's note cell says ``perfscore template docs``; the copies and checks work from the
    wheel alone, and nothing printed names the folder the wheel was installed into."""
    site = str(plain_install.parent.parent)

    def run(*args: str) -> str:
        done = subprocess.run([str(plain_install), *args], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert site not in done.stdout + done.stderr
        return done.stdout

    guide = run("template", "docs")
    assert guide.startswith("# Report templates (自评表)\n") and "| `rows` |" in guide
    assert run("template", "copy", "-o", "mine.xlsx") == (
        "已复制内置模板 report.xlsx → mine.xlsx；修改后检查：perfscore template check mine.xlsx\n"
    )
    note = openpyxl.load_workbook(tmp_path / "mine.xlsx")["自评表"]["K1"].value
    assert "perfscore template docs" in note
    assert run("template", "check", "mine.xlsx").startswith("mine.xlsx: 没有问题")
    assert run("framework", "copy", "gz-dept-overall-2022", "-o", "zc-2023.toml").startswith("已复制")
    assert run("framework", "validate", "zc-2023.toml").startswith("zc-2023.toml: 没有问题")
    assert "内置（取得可修改的副本" in run("framework", "show", "gz-dept-overall-2022")


def test_batch_with_pdfs_from_the_wheel_alone(plain_install: Path, tmp_path: Path) -> None:
    """``perfscore batch --pdf`` needs pypdf and the fast reader: both come with a plain install."""
    for args in (["demo", "--out", "收件"], ["batch", "收件", "-o", "汇总.xlsx", "--pdf", "pdf"]):
        done = subprocess.run([str(plain_install), *args], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "perfscore: 共 1 份：通过 1，未通过 0，无法读取 0；汇总：汇总.xlsx"
    assert {p.name for p in (tmp_path / "pdf").iterdir()} == {
        "广州市增城区工商业联合会-2022.pdf",
        "全部自评表.pdf",
    }
    assert (tmp_path / "汇总.xlsx").is_file()


def test_digitise_from_the_wheel_alone(plain_install: Path, tmp_path: Path) -> None:
    """``perfscore digitise`` reads PDFs with pdfminer.six, a runtime dependency: a plain install
    prints a report, digitises it back, and refuses an encrypted PDF in one Chinese line."""
    from pypdf import PdfReader, PdfWriter

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(plain_install), *args], capture_output=True, text=True, cwd=tmp_path)

    for args in (["demo", "--out", "d"], ["report", "d/seed-2022.xlsx", "--pdf", "seed.pdf"]):
        assert run(*args).returncode == 0
    done = run("digitise", "seed.pdf", "-o", "seed.json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith(
        "seed.pdf: 部门整体支出绩效自评表（gz-dept-overall-2022），读出三级指标 26/26 行，原表总分 90.77、评价等级 优；"
        "错误 0，警告 1，提示 0"
    )
    assert run("import", "seed.json", "-o", "back.xlsx").returncode == 0
    assert (
        run("check", "back.xlsx")
        .stdout.splitlines()[-1]
        .endswith("总分 90.77，等级 优；错误 0，警告 0，提示 1")
    )
    writer = PdfWriter(clone_from=PdfReader(tmp_path / "seed.pdf"))
    writer.encrypt("secret")
    writer.write(tmp_path / "locked.pdf")
    locked = run("digitise", "locked.pdf", "-o", "locked.json")
    assert locked.returncode == 2 and locked.stdout == "" and len(locked.stderr.splitlines()) == 1
    assert "已加密" in locked.stderr and not (tmp_path / "locked.json").exists()
