"""Hostile and careless input at the console: what perfscore echoes stays one safe line per message.

Untrusted text (sheet names, cell contents, the department, file names, command-line values) is
escaped and shortened (perfscore.engine.quoting); click's English usage errors are Chinese lines;
a GBK or cp1252 console gets every line without a crash; ``demo --out`` over a file is exit 2.
Hostile workbooks are made at run time from the seed form: cells with openpyxl, a sheet name that
openpyxl would not write (a line break, a bidi override, 10,000 characters) in xl/workbook.xml.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import perfscore
from perfscore import cli_output
from perfscore.engine.findings import CATALOGUE, finding
from perfscore.engine.quoting import ELLIPSIS, LIMIT, escape, json_safe, quote
from tests.xlsx_helpers import build_seed, run_cli, set_cells

ROOT = Path(__file__).resolve().parent.parent
P, M, C = "履职效能", "管理效率", "基本情况"

#: A raw character that must never reach the console (a line break only ends a line of output).
RAW_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)

FORGED = "\nperfscore: fake"  # a line break that would start a line of perfscore's own
HOSTILE_SHEET = f"履职{FORGED} \u202e\x9b31m" + "名" * 10_000
HOSTILE_DEPARTMENT = f"某局{FORGED}\u202e\x9b31m" + "长" * 10_000
HOSTILE_SCORE = f"9{FORGED}\u202eevil\x9b31m"


def _xml_attr(text: str) -> str:
    marks = {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
    return '"' + "".join(marks.get(c, c) for c in text) + '"'


def rename_sheet_in_xml(path: Path, old: str, new: str) -> None:
    """Rename a sheet in xl/workbook.xml only (openpyxl refuses such names; formulas keep the old one)."""
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                before = f'<sheet name="{old}"'.encode()
                assert data.count(before) == 1
                data = data.replace(before, f"<sheet name={_xml_attr(new)}".encode())
            dst.writestr(item, data)
    tmp.replace(path)


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seed(tmp_path_factory.mktemp("seed") / "seed.xlsx")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, seed_file: Path) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.xlsx"
    shutil.copy(seed_file, path)
    set_cells(path, {(M, "H3"): "x" * 10_000, (M, "H4"): HOSTILE_SCORE, (C, "B3"): HOSTILE_DEPARTMENT})
    rename_sheet_in_xml(path, P, HOSTILE_SHEET)
    return path


def assert_safe(text: str) -> None:
    assert not RAW_UNSAFE.search(text), repr(RAW_UNSAFE.search(text))


# ------------------------------------------------------------------------------- the quoting rule


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("\r\t", "\\r\\t"),
        ("\x1b[31m红\x1b[0m", "\\x1b[31m红\\x1b[0m"),
        ("\x00\x07\x1f", "\\x00\\x07\\x1f"),
        ("\x7f", "\\x7f"),
        ("\x85\x9b", "\\x85\\x9b"),
        ("\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"),
        ("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"),
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
        ("\u2028\u2029", "\\u2028\\u2029"),
        ("\udcff.xlsx", "\\udcff.xlsx"),
        ("C:\\表格\\自评表.xlsx", "C:\\表格\\自评表.xlsx"),
        ("广州市增城区工商业联合会（２０２２）“优”—…", "广州市增城区工商业联合会（２０２２）“优”—…"),
    ],
)
def test_escape_shows_every_unsafe_character(raw: str, shown: str) -> None:
    assert escape(raw) == shown
    assert quote(raw) == shown
    assert escape(shown) == shown  # idempotent: an escape is plain text


def test_quote_cuts_after_the_limit() -> None:
    assert LIMIT == 80 and ELLIPSIS == "…"
    assert quote("名" * 10_000) == "名" * 80 + "…"
    assert quote("x" * 80) == "x" * 80
    assert quote("x" * 81) == "x" * 80 + "…"
    assert quote("\n" * 50) == "\\n" * 40 + "…"  # escapes count, and are never split
    assert quote("\x1b" * 30) == "\\x1b" * 20 + "…"
    assert quote("=" + "A" * 59 + "…") == "=" + "A" * 59 + "…"  # the engine's own 60-character clip
    assert quote(12.5) == "12.5" and quote(None) == "None"
    for value in ("名" * 10_000, "\n" * 50, HOSTILE_SHEET):
        assert quote(quote(value)) == quote(value)


def test_json_safe_keeps_the_values() -> None:
    doc = {"sheet": HOSTILE_SHEET, "department": "a\x7f\x85\u2028\udcff"}
    text = json_safe(json.dumps(doc, ensure_ascii=False))
    assert_safe(text)
    assert "\\u202e" in text and "\\u0085" in text and "\\udcff" in text
    assert json.loads(text) == doc


def test_console_text_for_a_legacy_encoding() -> None:
    assert cli_output.for_encoding("☑优 □良 ≤ ＜ 😀", "utf-8") == "☑优 □良 ≤ ＜ 😀"
    assert cli_output.for_encoding("☑优 □良 ≤ ＜ 😀", "gbk") == "[x]优 □良 ≤ ＜ \\U0001f600"
    assert cli_output.for_encoding("☑优 ✔ ✖ ⚠ ≤—…", "cp1252") == "[x]\\u4f18 OK X ! <=—…"
    doc = {"department": "某局😀\u202e", "sheet": "“履职”"}
    text = json.dumps(doc, ensure_ascii=False)
    assert (
        cli_output.json_text(text, "gbk") == '{"department": "某局\\ud83d\\ude00\\u202e", "sheet": "“履职”"}'
    )
    assert json.loads(cli_output.json_text(text, "gbk")) == doc
    assert json.loads(cli_output.json_text(text, "cp1252")) == doc


def test_every_message_field_is_filled_plainly() -> None:
    """finding() quotes each field as text, so no message template may ask for a format or conversion."""
    for code in CATALOGUE.values():
        for template in code.messages.values():
            for _, field, spec, conversion in string.Formatter().parse(template):
                assert field is None or (spec == "" and conversion is None), (code.code, field)


def test_finding_quotes_every_field() -> None:
    f = finding("score-not-number", "履职\n效能", "H3", name="名\x1b[2J", value="x" * 200, weight=3)
    assert f.message == "“名\\x1b[2J”的得分“" + "x" * 80 + "…”不是数字；请填写 0 至 3 之间的分数"
    assert f.sheet == "履职\n效能"  # the real name stays (the 校验结果 sheet links to it)
    assert cli_output.finding_line("f\n.xlsx", f) == (
        "f\\n.xlsx:履职\\n效能!H3: error score-not-number “名\\x1b[2J”的得分“" + "x" * 80 + "…”不是数字；"
        "请填写 0 至 3 之间的分数"
    )


# -------------------------------------------------------------------------- hostile workbooks


SHOWN_SHEET = "履职\\nperfscore: fake \\u202e\\x9b31m" + "名" * 47 + "…"  # 33 + 47 = 80 characters


def test_check_echoes_hostile_text_as_one_safe_line_each(hostile: Path) -> None:
    run = run_cli(["check", hostile])
    assert run.exit_code == 1
    assert run.stderr == ""
    assert_safe(run.stdout)
    assert run.stdout.splitlines() == [
        f"{hostile}:{SHOWN_SHEET}: warning sheet-renamed 工作表“{SHOWN_SHEET}”应名为“履职效能”（已按指标编号读取）；"
        "请改回原名，以免表间公式失效",
        f"{hostile}:{M}!H3: error score-not-number “新增预算项目事前绩效评估”的得分“{'x' * 80}…”不是数字；"
        "请填写 0 至 3 之间的分数",
        f"{hostile}:{M}!H4: error score-not-number “结转结余率”的得分“9\\nperfscore: fake\\u202eevil\\x9b31m”不是数字；"
        "请填写 0 至 2 之间的分数",
        f"{hostile}:{M}!E12: info placeholder-indicator 指标 2.5.2 的名称在原表中缺失，现为占位名称；待正式指标体系文件补正",
        f"{hostile}: 总分 —（无法核算），等级 —；错误 2，警告 1，提示 1",
    ]


def test_check_json_keeps_whole_values_in_safe_text(hostile: Path) -> None:
    run = run_cli(["check", "--json", hostile])
    assert run.exit_code == 1
    assert_safe(run.stdout)
    doc = json.loads(run.stdout)
    assert doc["department"] == HOSTILE_DEPARTMENT
    assert [(f["code"], f["sheet"], f["cell"]) for f in doc["findings"]] == [
        ("sheet-renamed", HOSTILE_SHEET, ""),
        ("score-not-number", M, "H3"),
        ("score-not-number", M, "H4"),
        ("placeholder-indicator", M, "E12"),
    ]
    console = run_cli(["check", hostile]).stdout.splitlines()
    for f, line in zip(doc["findings"], console, strict=False):
        assert line.endswith(f" {f['code']} {f['message']}")


def test_export_prints_safe_json(hostile: Path) -> None:
    run = run_cli(["export", hostile])
    assert run.exit_code == 0
    assert_safe(run.stdout)
    assert json.loads(run.stdout)["department"] == HOSTILE_DEPARTMENT


def test_title_quotes_the_department(hostile: Path) -> None:
    title = cli_output.title(perfscore.evaluate_file(hostile))
    assert title == "2022年度某局\\nperfscore: fake\\u202e\\x9b31m" + "长" * 48 + "…部门整体支出绩效自评表"


def test_a_hostile_file_name_is_escaped(seed_file: Path, tmp_path: Path) -> None:
    name = "a\nperfscore: fake\x1b[31m\u202e.xlsx"
    shown = f"{tmp_path}{os.sep}a\\nperfscore: fake\\x1b[31m\\u202e.xlsx"
    run = run_cli(["check", tmp_path / name])
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == f"perfscore: {shown}: 文件不存在；请检查文件名和路径\n"
    shutil.copy(seed_file, tmp_path / name)
    run = run_cli(["check", tmp_path / name])
    assert run.exit_code == 0 and run.stderr == ""
    assert_safe(run.stdout)
    assert run.stdout.splitlines() == [
        f"{shown}:{M}!E12: info placeholder-indicator 指标 2.5.2 的名称在原表中缺失，现为占位名称；待正式指标体系文件补正",
        f"{shown}: 总分 90.77，等级 优；错误 0，警告 0，提示 1",
    ]
    run = run_cli(["new", "-o", tmp_path / name, "--formulas", "udf"])
    assert run.exit_code == 2
    assert run.stderr == (
        f"perfscore: {shown}: --formulas udf 生成含宏的工作簿，文件名须以 .xlsm 结尾；"
        "例如 a\\nperfscore: fake\\x1b[31m\\u202e.xlsm\n"
    )


# -------------------------------------------------------------------------------- usage errors


def usage(command: str) -> str:
    return f"；请运行 {command} --help 查看用法\n"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["check"], "缺少参数 FILE（自评表工作簿）" + usage("perfscore check")),
        (["import", "-o", "x.xlsx"], "缺少参数 DATA（JSON 数据文件）" + usage("perfscore import")),
        (["new"], "缺少选项 -o（生成的工作簿）" + usage("perfscore new")),
        (
            ["nope"],
            "没有命令“nope”；可用的命令：addin、batch、calc、check、demo、digitise、export、framework、import、new、rebuild、report、template"
            + usage("perfscore"),
        ),
        (
            ["chek", "f.xlsx"],
            "没有命令“chek”（是否要用 check？）；可用的命令：addin、batch、calc、check、demo、digitise、export、framework、import、new、rebuild、report、template"
            + usage("perfscore"),
        ),
        (
            ["\x1b]0;owned\x07"],
            "没有命令“\\x1b]0;owned\\x07”；可用的命令：addin、batch、calc、check、demo、digitise、export、framework、import、new、rebuild、report、template"
            + usage("perfscore"),
        ),
        (
            ["--"],
            "缺少命令；可用的命令：addin、batch、calc、check、demo、digitise、export、framework、import、new、rebuild、report、template"
            + usage("perfscore"),
        ),
        (["--nope"], "没有选项 --nope" + usage("perfscore")),
        (["check", "--nope", "f.xlsx"], "没有选项 --nope" + usage("perfscore check")),
        (["check", "--jsn", "f.xlsx"], "没有选项 --jsn（是否要用 --json？）" + usage("perfscore check")),
        (["check", "--json=yes", "f.xlsx"], "选项 --json 不带值" + usage("perfscore check")),
        (["new", "-o"], "选项 -o 需要一个值" + usage("perfscore new")),
        (
            ["check", "a.xlsx", "b.xlsx", "c\n.xlsx"],
            "多余的参数“b.xlsx”、“c\\n.xlsx”" + usage("perfscore check"),
        ),
        (
            ["new", "-o", "a.xlsx", "--formulas", "vba"],
            "选项 --formulas 的值“vba”无效；可选：native、udf" + usage("perfscore new"),
        ),
        (
            ["new", "-o", "a.xlsx", "--year", "二〇二二"],
            "选项 --year 的值“二〇二二”不是整数；请填写四位年度，如 2022" + usage("perfscore new"),
        ),
        (
            ["new", "-o", "a.xlsx", "--year", "\x1b[2J"],
            "选项 --year 的值“\\x1b[2J”不是整数；请填写四位年度，如 2022" + usage("perfscore new"),
        ),
        (
            ["report", "f.xlsx", "--template", "no-such.xlsx"],
            "选项 --template 的值“no-such.xlsx”不存在；请检查文件名和路径" + usage("perfscore report"),
        ),
    ],
)
def test_usage_errors_are_one_chinese_line(args: list[str], line: str) -> None:
    run = run_cli(args)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == f"perfscore: {line}"


def test_a_folder_where_a_file_is_wanted(tmp_path: Path) -> None:
    for args, command in (
        (["new", "-o", tmp_path], "new"),
        (["calc", "f.xlsx", "-o", tmp_path], "calc"),
        (["export", "f.xlsx", "-o", tmp_path], "export"),
        (["report", "f.xlsx", "--pdf", tmp_path], "report"),
    ):
        run = run_cli(args)
        assert (run.exit_code, run.stdout) == (2, ""), args
        option = "--pdf" if command == "report" else "-o"
        assert run.stderr == f"perfscore: 选项 {option} 的值“{tmp_path}”是一个文件夹；请给出文件名" + usage(
            f"perfscore {command}"
        )


def test_the_help_is_still_shown() -> None:
    run = run_cli(["check", "--help"])
    assert run.exit_code == 0
    assert run.stdout.splitlines()[0] == "Usage: perfscore check [OPTIONS] FILE"
    assert "  --json               以 JSON 输出结果与问题清单" in run.stdout.splitlines()
    assert (
        "  --framework ID|FILE  指标体系：内置或已配置的编号，或 .toml 文件（默认：表单记录的编号）"
        in run.stdout.splitlines()
    )


# ------------------------------------------------------------------------ demo --out over a file


def test_demo_out_over_a_file(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    reg.write_text("keep me", "utf-8")
    run = run_cli(["demo", "--out", reg / "sub"])
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (
        f"perfscore: {reg / 'sub'}: 无法创建文件夹：{reg} 是一个文件，不是文件夹；请换一个输出文件夹（--out）\n"
    )
    run = run_cli(["demo", "--out", reg])
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == f"perfscore: 选项 --out 的值“{reg}”是一个文件，不是文件夹；请给出文件夹" + usage(
        "perfscore demo"
    )
    assert reg.read_text("utf-8") == "keep me"


# --------------------------------------------------------------------- legacy console encodings


def run_in(encoding: str, args: list[str | Path]) -> tuple[int, bytes, bytes]:
    env = {k: v for k, v in os.environ.items() if k != "PERFSCORE_DEBUG"}
    env["PYTHONIOENCODING"] = encoding
    proc = subprocess.run(
        [sys.executable, "-m", "perfscore.cli", *map(str, args)], capture_output=True, env=env, cwd=ROOT,
        check=False,
    )  # fmt: skip
    return proc.returncode, proc.stdout, proc.stderr


GRADE_LINE = "          ☑优 90分≤得分≤100分；□良 80分≤得分＜90分；□中 60分≤得分＜80分；□差 得分＜60分"


def test_demo_on_a_gbk_console(tmp_path: Path) -> None:
    code, out, err = run_in("utf-8", ["demo", "--out", tmp_path / "utf8"])
    assert (code, err) == (0, b"")
    utf8 = out.decode("utf-8").replace("utf8", "gbk")
    assert GRADE_LINE in utf8.splitlines()
    code, out, err = run_in("gbk", ["demo", "--out", tmp_path / "gbk"])
    assert (code, err) == (0, b"")
    assert out.decode("gbk") == utf8.replace("☑", "[x]")  # GBK has □, ≤ and ＜ but no ☑


def test_demo_on_a_cp1252_console(tmp_path: Path) -> None:
    code, out, err = run_in("cp1252", ["demo", "--out", tmp_path])
    assert (code, err) == (0, b"")
    lines = out.decode("cp1252").splitlines()
    plain = "          [x]优 90分<=得分<=100分；[ ]良 80分<=得分<90分；[ ]中 60分<=得分<80分；[ ]差 得分<60分"
    assert lines[-4] == plain.encode("cp1252", "backslashreplace").decode("cp1252")
    assert lines[-4].startswith("          [x]\\u4f18 90\\u5206<=\\u5f97\\u5206<=100\\u5206\\uff1b[ ]")
    assert lines[2] == "\\u4e00\\u7ea7\\u6307\\u6807  \\u5206\\u503c   \\u5f97\\u5206"


@pytest.fixture(scope="module")
def with_findings(tmp_path_factory: pytest.TempPathFactory, seed_file: Path) -> Path:
    path = tmp_path_factory.mktemp("findings") / "f.xlsx"
    shutil.copy(seed_file, path)
    set_cells(path, {(P, "H4"): None, (M, "H3"): "９．３"})
    return path


@pytest.mark.parametrize("encoding", ["gbk", "cp1252"])
def test_check_on_a_legacy_console(with_findings: Path, encoding: str) -> None:
    code, out, err = run_in("utf-8", ["check", with_findings])
    assert (code, err) == (1, b"")
    utf8 = out.decode("utf-8")
    assert utf8.splitlines()[0] == (
        f"{with_findings}:{P}!H4: error score-missing “部门整体绩效目标效益指标完成情况”的得分为空；请填写 0 至 20 之间的分数"
    )
    code, out, err = run_in(encoding, ["check", with_findings])
    assert (code, err) == (1, b"")
    # GBK shows it all; cp1252 shows each character it lacks as \\uXXXX
    assert out.decode(encoding) == utf8.encode(encoding, "backslashreplace").decode(encoding)
    if encoding == "gbk":
        assert out.decode("gbk") == utf8


@pytest.mark.parametrize("encoding", ["gbk", "cp1252"])
def test_check_json_on_a_legacy_console(with_findings: Path, encoding: str) -> None:
    code, out, _ = run_in("utf-8", ["check", "--json", with_findings])
    expected = json.loads(out.decode("utf-8"))
    code, out, err = run_in(encoding, ["check", "--json", with_findings])
    assert (code, err) == (1, b"")
    assert json.loads(out.decode(encoding)) == expected


def test_errors_on_a_cp1252_console(tmp_path: Path) -> None:
    code, out, err = run_in("cp1252", ["check", tmp_path / "nope.xlsx"])
    assert (code, out) == (2, b"")
    line = f"perfscore: {tmp_path / 'nope.xlsx'}: 文件不存在；请检查文件名和路径"
    assert err.decode("cp1252").splitlines() == [line.encode("cp1252", "backslashreplace").decode("cp1252")]
    code, out, err = run_in("gbk", ["check", "--nope"])
    assert (code, out) == (2, b"")
    assert err.decode("gbk").splitlines() == [
        "perfscore: 没有选项 --nope；请运行 perfscore check --help 查看用法"
    ]
