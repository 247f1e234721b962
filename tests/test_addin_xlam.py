"""The ribbon add-in perfscore.xlam, checked without Excel: olevba, the ribbon XML, pyopenvba's interpreter.

Nobody here can run Excel: the callbacks run in pyopenvba's headless VBA interpreter with a stand-in
``RunPython`` that records the command it was given (and whether the form's sheets were protected at
that moment); the Python entry points they name are the bridge's own (tested in tests/test_bridge.py).
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from pyopenvba import ExcelFile
from pyopenvba.apps.excel import ExcelApplication

from perfscore import builder, ribbon
from perfscore.builder import addin
from perfscore.builder import vba as vba_build
from perfscore.version import __version__
from tests.conftest import load_fw

from .test_addin_build import modules_of, norm
from .xlsx_helpers import run_cli

with warnings.catch_warnings():  # oletools 0.60 still calls pyparsing's pre-3.0 names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser

pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated - use:DeprecationWarning")
NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
#: The customUI (2006/01) schema's rules for the elements the ribbon uses: allowed and required
#: attributes, allowed children (from the published schema customUI.xsd; only these elements).
SCHEMA: dict[str, tuple[set[str], set[str], set[str]]] = {
    "customUI": (set(), set(), {"ribbon"}),
    "ribbon": (set(), set(), {"tabs"}),
    "tabs": (set(), set(), {"tab"}),
    "tab": ({"id", "label"}, {"id", "label"}, {"group"}),
    "group": ({"id", "label"}, {"id", "label"}, {"button"}),
    "button": (
        {"id", "label", "size", "imageMso", "screentip", "supertip", "onAction"},
        {"id", "label", "onAction"},
        set(),
    ),
}
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
STAND_IN = """Public Commands As String
Public Sub RunPython(ByVal command As String)
    Commands = Commands & command & "|" & ActiveWorkbook.Worksheets(1).ProtectContents & "|"
End Sub
Public Sub Press(ByVal name As String)
    Application.Run name, Nothing
End Sub
"""


@pytest.fixture(scope="module")
def xlam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return addin.build_addin(tmp_path_factory.mktemp("xlam"))


def test_olevba_reads_back_exactly_the_sources(xlam: Path) -> None:
    found = modules_of(xlam)
    for name, text in addin.addin_modules().items():
        assert norm(found[name]) == norm(text), name
    assert set(found) == {"ThisWorkbook", "Sheet2", "Dictionary", "xlwings", "PerfscoreRibbon",
                          "PerfscoreVersions", vba_build.UDF_MODULE}  # fmt: skip
    assert "RibbonMyAddin" not in found  # xlwings' sample callbacks are gone
    assert f'Public Const BUILT_PERFSCORE As String = "{__version__}"' in found["PerfscoreVersions"]


def test_no_stomping(xlam: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Source only for perfscore's modules, no compiled p-code that could disagree with it."""
    project = tmp_path / "vbaProject.bin"  # olevba compares source with p-code only for a file on disk
    with zipfile.ZipFile(xlam) as zf:
        project.write_bytes(zf.read("xl/vbaProject.bin"))
    parser = VBA_Parser(str(project))
    try:
        assert parser.detect_vba_stomping() is False
        assert not [kw for kw in parser.analyze_macros() if kw[0] in ("AutoExec", "VBA Stomping")]
    finally:
        parser.close()
    assert "cannot be detected" not in caplog.text  # the check really ran
    with ExcelFile(xlam) as wb:
        assert wb.validate() == []
        ours = {m.name: m.disassemble() for m in wb.vba_project().modules}
    for name in addin.addin_modules():
        assert ours[name].num_lines == 0 and ours[name].cafe_offset == -1, name


def test_the_ribbon_follows_the_customui_schema(xlam: Path) -> None:
    with zipfile.ZipFile(xlam) as zf:
        xml = zf.read("customUI/customUI.xml")
        rels = zf.read("_rels/.rels").decode("utf-8")
    assert "customUI/customUI.xml" in rels  # the part Excel loads the ribbon from
    root = ET.fromstring(xml)
    ids: list[str] = []
    for el in root.iter():
        assert el.tag.startswith(NS), el.tag
        name = el.tag[len(NS) :]
        allowed, required, children = SCHEMA[name]
        assert set(el.attrib) <= allowed and required <= set(el.attrib), (name, el.attrib)
        assert {c.tag[len(NS) :] for c in el} <= children, name
        if "id" in el.attrib:
            assert NCNAME.match(el.attrib["id"]), el.attrib["id"]
            ids.append(el.attrib["id"])
        for key in ("label", "screentip", "supertip", "onAction"):
            assert 0 < len(el.attrib.get(key, "x")) <= 1024
        assert el.attrib.get("size", "large") in ("normal", "large")
    assert len(ids) == len(set(ids))
    labels = [b.attrib["label"] for b in root.iter(f"{NS}button")]
    assert labels == ["计算", "仅校验", "生成报表", "新建表单", "诊断"]
    assert [t.attrib["label"] for t in root.iter(f"{NS}tab")] == ["绩效自评"]


def test_every_callback_is_a_sub_taking_the_ribbon_control(xlam: Path) -> None:
    with zipfile.ZipFile(xlam) as zf:
        root = ET.fromstring(zf.read("customUI/customUI.xml"))
    code = modules_of(xlam)["PerfscoreRibbon"]
    subs = dict(re.findall(r"^Public Sub (\w+)\(([^)]*)\)", code, re.M))
    actions = [b.attrib["onAction"] for b in root.iter(f"{NS}button")]
    assert actions == [
        f"PerfscoreRibbon.{n}" for n in ("OnCalculate", "OnCheck", "OnReport", "OnNewForm", "OnDiagnose")
    ]
    for action in actions:
        assert subs[action.split(".")[1]] == "control As IRibbonControl", action


def interpreter(xlam: Path) -> ExcelApplication:
    """pyopenvba's in-memory Excel with the add-in's own modules and a stand-in for xlwings' RunPython."""
    app = ExcelApplication.open(xlam, with_vba=False)
    found = modules_of(xlam)
    for name in ("PerfscoreVersions", "PerfscoreRibbon"):
        app.add_module(found[name], name=name)
    app.add_module(STAND_IN, name="XlwingsStandIn")
    return app


def test_the_buttons_act_on_the_active_form(xlam: Path, tmp_path: Path) -> None:
    form = tmp_path / "form.xlsx"
    builder.build_workbook(form, load_fw())
    app = interpreter(xlam)
    book = app.open_workbook(form)
    app.activate_workbook(book)
    for callback in ("OnCalculate", "OnCheck", "OnReport", "OnNewForm"):
        app.run("Press", callback)
    assert app.evaluate("ActiveWorkbook.Worksheets(1).ProtectContents") is True  # protected again
    other = app.add_workbook()  # not a form: nothing is unprotected, Python explains
    app.activate_workbook(other)
    app.run("Press", "OnCalculate")
    app.run("Press", "OnDiagnose")
    import xlwings

    r = "import perfscore.ribbon as r; r."
    assert str(app.evaluate("Commands")).rstrip("|").split("|") == [
        f"{r}calculate()", "False",  # the form's sheets unprotected while Python writes
        f"{r}check()", "True",  # a check writes nothing
        f"{r}generate_report()", "False",
        f"{r}new_form()", "True",
        f"{r}not_a_form()", "False",
        f'{r}diagnose("{xlwings.__version__}", "{__version__}")', "False",
    ]  # fmt: skip
    for command in str(app.evaluate("Commands")).split("|")[::2]:
        if command:
            assert callable(getattr(ribbon, command.rsplit("r.", 1)[1].split("(")[0]))


def test_addin_commands(tmp_path: Path) -> None:
    run = run_cli(["addin", "build", "-o", str(tmp_path)])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "perfscore.xlam").is_file()
    assert run.stdout.startswith(f"已生成 {tmp_path / 'perfscore.xlam'}\n")
    for command in ("install", "remove"):
        run = run_cli(["addin", command])
        assert run.exit_code == 2
        assert run.stderr.startswith("perfscore: 此系统上没有 Microsoft Excel（只有 Windows 和 macOS 上有）")


def test_the_addin_opens_in_pyopenvbas_excel(xlam: Path) -> None:
    """perfscore's modules (and the document modules) parse and run in pyopenvba's interpreter, as Excel
    compiles them when it loads the add-in. xlwings' own modules (``xlwings``, ``Dictionary``) are left
    out: pyopenvba 6.5 cannot read their conditional compilation (a comment after ``#Const``, ``VBA.``
    in a ``#If`` branch), which VBA accepts. That is pinned here, so a pyopenvba that reads them fails
    this test and they can join the others."""
    from pyopenvba.exceptions import VBACompileError

    app = ExcelApplication.open(xlam, with_vba=False)
    with ExcelFile(xlam) as wb:
        sources = {m.name: m.source for m in wb.vba_project().modules}
    for name, code in sources.items():
        if name not in ("xlwings", "Dictionary"):
            app.add_module(code, name=name)
    assert [w.name for w in app.workbooks()] == ["perfscore.xlam"]
    app.add_module(
        "Public Function Built() As String\n    Built = BUILT_PERFSCORE\nEnd Function\n", name="Probe"
    )
    assert app.run("Built") == __version__
    with pytest.raises(VBACompileError, match="cannot read the directive"):
        app.add_module(sources["xlwings"], name="xlwings")


# ------------------------------------------------------------------------ the Python side (ribbon.py)


def test_the_ribbon_runs_the_bridge_on_the_active_book(monkeypatch: pytest.MonkeyPatch) -> None:
    """计算 from the ribbon: the same bridge as the form's own button, on the ACTIVE workbook, through
    xlwings' Windows code over the fake COM layer (tests/com)."""
    from tests.com.fake import Excel

    seed = Path(__file__).resolve().parent.parent / "workbook" / "seed-2022-example.xlsx"
    excel = Excel()
    book = excel.xlwings_book(excel.load(seed))
    monkeypatch.setattr(ribbon, "_active_book", lambda: book)
    ribbon.check()
    ribbon.calculate()
    assert excel.alerts == [
        "校验完成：错误 0 条，警告 0 条。",
        "计算完成：总分 90.77，优；错误 0 条，警告 0 条（详见“校验结果”表）",
    ]


def test_diagnosis_names_the_interpreter_and_the_versions() -> None:
    import sys

    import xlwings

    same = ribbon.diagnosis(xlwings.__version__, __version__).split("\n")
    assert same == [
        f"Python：{sys.executable}（{sys.version.split()[0]}）",
        f"perfscore：Python 中 {__version__}，加载项 {__version__}",
        f"xlwings：Python 中 {xlwings.__version__}，加载项 {xlwings.__version__}",
        "版本一致，可以正常使用。",
    ]
    other = ribbon.diagnosis("0.30.0", __version__).split("\n")
    assert other[2] == f"xlwings：Python 中 {xlwings.__version__}，加载项 0.30.0"
    assert other[3].startswith(
        "版本不一致：请在此 Python 中运行 pip install --upgrade perfscore，再运行 perfscore addin install"
    )


def test_new_form_writes_a_blank_form_and_opens_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xlwings

    opened: list[str] = []
    monkeypatch.setattr(xlwings, "Book", lambda path: opened.append(path))
    path = ribbon.new_form(tmp_path)
    assert path is not None and opened == [str(path)]
    assert re.fullmatch(r"绩效自评表-\d{8}-\d{6}\.xlsx", path.name)
    run = run_cli(["check", str(path)])
    assert run.exit_code == 1 and "header-missing" in run.stdout  # a blank form, as perfscore new makes
