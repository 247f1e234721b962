"""The built .xlsm, checked without Excel: olevba, pyopenvba's interpreter, the VML buttons, signatures."""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import pytest
from pyopenvba import ExcelFile
from pyopenvba.apps.excel import ExcelApplication

from perfscore import builder, udfs
from perfscore.builder import vba as addin_build
from perfscore.engine import cells
from tests.conftest import load_fw, seed_submission

with warnings.catch_warnings():  # oletools 0.60 still calls pyparsing's pre-3.0 names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser

pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated - use:DeprecationWarning")
CONF = "xlwings.conf"


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("addin") / "seed-udf.xlsm"
    builder.build_workbook(
        out,
        load_fw(),
        mode="udf",
        submission=seed_submission(),
        extra_sheets={CONF: addin_build.xlwings_conf_rows()},
    )
    return out


def modules_of(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for (_, _, name, code) in parser.extract_macros()}
    finally:
        parser.close()


def norm(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip("\n")


def test_olevba_reads_back_exactly_the_sources(xlsm: Path) -> None:
    found = modules_of(xlsm)
    for name, text in addin_build.source_modules().items():
        assert norm(found[name]) == norm(text), name
    assert norm(found[addin_build.UDF_MODULE]) == norm(addin_build.udf_wrapper_source())
    assert "Module1" not in found  # quickstart's sample is gone
    assert set(found) == {"ThisWorkbook", "Sheet1", "Sheet2", "PerfscoreButtons", addin_build.UDF_MODULE}


def test_no_stomping_and_no_stale_pcode(xlsm: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # olevba can only compare source with p-code (pcodedmp) for a project file on disk
    project = tmp_path / "vbaProject.bin"
    with zipfile.ZipFile(xlsm) as zf:
        project.write_bytes(zf.read("xl/vbaProject.bin"))
    parser = VBA_Parser(str(project))
    try:
        assert parser.detect_vba_stomping() is False
        assert not [kw for kw in parser.analyze_macros() if kw[0] in ("AutoExec", "VBA Stomping")]
    finally:
        parser.close()
    assert "cannot be detected" not in caplog.text  # the check really ran
    with ExcelFile(xlsm) as wb:
        ours = {m.name: m.disassemble() for m in wb.vba_project().modules}
    for name in ("PerfscoreButtons", addin_build.UDF_MODULE):
        assert ours[name].num_lines == 0 and ours[name].cafe_offset == -1, (
            name
        )  # no p-code: compiled from source
    with ExcelFile(addin_build.quickstart_path()) as qs:  # the check can see p-code where there is some
        assert qs.vba_project().get_module("Module1").disassemble().num_lines > 0


def test_the_project_still_references_the_xlwings_addin(xlsm: Path) -> None:
    with ExcelFile(xlsm) as wb:
        refs = {r.name: r for r in wb.references()}
    assert "xlwings" in refs and refs["xlwings"].libid.endswith("xlwings.xlam")


# A stand-in for the xlwings add-in's RunPython: records the command and, like perfscore.bridge,
# writes a result into a LOCKED cell of the cover sheet (the errors count).
XLWINGS_STAND_IN = """
Public Commands As String
Public Sub RunPython(ByVal command As String)
    Commands = Commands & command & "|"
    ThisWorkbook.Worksheets(1).Range("B17").Value = 7
End Sub
"""


def excel_with_stand_in(xlsm: Path) -> ExcelApplication:
    """pyopenvba's in-memory Excel, holding the built workbook and its VBA project."""
    app = ExcelApplication.open(xlsm)
    app.add_module(XLWINGS_STAND_IN, name="XlwingsStandIn")
    return app


def test_macros_run_the_exact_python_commands(xlsm: Path) -> None:
    app = excel_with_stand_in(xlsm)
    app.run("Calculate")
    app.run("GenerateReport")
    commands = str(app.evaluate("Commands")).rstrip("|").split("|")
    assert commands == [
        "import perfscore.bridge as b; b.calculate()",
        "import perfscore.bridge as b; b.generate_report()",
    ]
    for command in commands:  # and the commands name functions that exist
        func = command.rsplit("b.", 1)[1].removesuffix("()")
        assert callable(getattr(__import__("perfscore.bridge").bridge, func))


def test_results_are_written_into_protected_sheets_which_stay_protected(xlsm: Path) -> None:
    app = excel_with_stand_in(xlsm)
    cover = "ThisWorkbook.Worksheets(1)"
    assert app.evaluate(f"{cover}.ProtectContents") is True
    assert app.evaluate(f'{cover}.Range("B17").Locked') is True
    app.run("Calculate")
    assert app.sheet(1).value("B17") == 7  # written while Python ran
    for n in range(1, len(app.sheets()) + 1):  # every sheet protected before is protected again
        name = app.sheet(n).name
        if name != CONF:
            assert app.evaluate(f"ThisWorkbook.Worksheets({n}).ProtectContents") is True, name
    assert app.evaluate(f"{cover}.Protection.AllowFormattingRows") is True


def test_without_lifting_protection_the_write_would_fail(xlsm: Path) -> None:
    """The reason for RunWithResultsWritable: Excel refuses a macro's write to a locked cell."""
    app = excel_with_stand_in(xlsm)
    with pytest.raises(Exception, match=r"(?i)protect"):
        app.run("RunPython", "import perfscore.bridge as b; b.calculate()")


def test_check_only_runs_its_command(xlsm: Path) -> None:
    app = ExcelApplication.open(xlsm)
    app.add_module(
        "Public Commands As String\nPublic Sub RunPython(ByVal command As String)\n"
        "    Commands = command\nEnd Sub\n",
        name="XlwingsStandIn",
    )
    app.run("CheckOnly")
    assert app.evaluate("Commands") == "import perfscore.bridge as b; b.check()"


def subs(code: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"^(?:Public\s+)?Sub\s+(\w+)\s*\(\s*\)", code, re.M | re.I)}


def test_button_macros_exist_as_subs(xlsm: Path) -> None:
    with zipfile.ZipFile(xlsm) as zf:
        vml = [
            zf.read(n).decode("utf-8")
            for n in zf.namelist()
            if re.match(r"xl/drawings/vmlDrawing\d+\.vml$", n)
        ]
    targets = [t for text in vml for t in re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", text)]
    assert sorted(set(targets)) == ["Calculate", "GenerateReport"]
    assert set(targets) <= subs(modules_of(xlsm)["PerfscoreButtons"])
    assert set(addin_build.MACROS) == subs(modules_of(xlsm)["PerfscoreButtons"])


def test_udf_wrappers_declare_every_udf_with_its_arguments(xlsm: Path) -> None:
    code = modules_of(xlsm)[addin_build.UDF_MODULE]
    declared = {
        m.group(1): [a.strip() for a in m.group(2).split(",") if a.strip()]
        for m in re.finditer(r"^Function (\w+)\((.*)\)\s*$", code, re.M)
    }
    expected = {}
    for name, params in addin_build.udf_signatures().items():
        args = []
        optional = {"weights", "framework", "indicator"}
        for p in params:
            if p.startswith("*"):
                args.append(f"ParamArray {p[1:]}()")
            else:
                args.append(f"Optional {p}" if p in optional else p)
        expected[name] = args
    assert declared == expected
    assert set(declared) == set(udfs.UDF_NAMES)
    for name in declared:
        assert f'XLPy.CallUDF("perfscore.udfs", "{name}"' in code


def test_template_udf_formulas_call_existing_udfs_with_valid_arity() -> None:
    sigs = addin_build.udf_signatures()
    static = cells.static_cells(load_fw(), "udf")
    seen = set()
    for value in static.values():
        text = getattr(value, "text", None)
        if not text:
            continue
        for m in re.finditer(r"\b([A-Z_]+)\(", text):
            name = m.group(1)
            if not name.startswith("PS_"):
                continue
            assert name in sigs, name
            args = _top_level_args(text, m.end())
            params = sigs[name]
            required = [
                p for p in params if not p.startswith("*") and p not in ("weights", "framework", "indicator")
            ]
            if any(p.startswith("*") for p in params):
                assert len(args) >= 1, text
            else:
                assert len(required) <= len(args) <= len(params), text
            seen.add(name)
    assert seen == {"PS_RATE_SCORE", "PS_SUBTOTAL", "PS_TOTAL", "PS_GRADE", "PS_GRADE_LINE"}


def _top_level_args(text: str, start: int) -> list[str]:
    depth, quoted, args, current = 0, False, [], ""
    for ch in text[start:]:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            if depth == 0:
                break
            depth -= 1
        elif not quoted and ch == "," and depth == 0:
            args.append(current)
            current = ""
            continue
        current += ch
    return [*args, current] if current or args else []


def test_xlwings_conf_sheet(xlsm: Path) -> None:
    import openpyxl

    rows = addin_build.xlwings_conf_rows()
    assert rows[0] == ["UDF Modules", "perfscore.udfs"]
    assert all(key and value for key, value in rows)  # an empty value would override the user's setting
    ws = openpyxl.load_workbook(xlsm)[CONF]
    assert [[c.value for c in row] for row in ws.iter_rows(max_col=2)] == rows


def test_project_is_built_once_and_outside_git(tmp_path: Path) -> None:
    first = addin_build.vba_project_bin(tmp_path)
    assert addin_build.vba_project_bin(tmp_path) == first
    assert first.parent == tmp_path and first.name.startswith("vbaProject-")
    ignored = (Path(__file__).resolve().parent.parent / ".gitignore").read_text()
    assert "addin/build/" in ignored.splitlines()
