"""The form buttons of an Excel-saved ``.xlsm`` survive ``calc`` and ``report`` whole.

perfscore builds its udf forms with XlsxWriter, whose buttons are VML shapes only. When Excel 2010 or
later saves such a form it adds, for each button, a form-control part (``xl/ctrlProps/ctrlPropN.xml``)
with its sheet relationship and content type, a ``<controls>`` block in the sheet XML naming shape,
part and macro, and a DrawingML twin of the shape (``a14:compatExt``) in the sheet's drawing.
:func:`excel_style` does the same to a built form, the way the Office Open XML files Excel writes
store it (Excel itself was not available to try; LibreOffice reads the result and its buttons).

openpyxl drops the block, the relationships, the content types and the drawing but copies the parts
(checked below), so perfscore puts them back (:mod:`perfscore.xlsx.controls`).
"""

from __future__ import annotations

import re
import shutil
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest

from perfscore.report import libreoffice
from perfscore.xlsx import controls
from perfscore.xlsx.inventory import inventory
from tests.package_parts import A_NS, PKG_REL, R_NS, XDR, rewrite, sheet_part
from tests.xlsx_helpers import build_seed, digest, run_cli

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
A14 = "http://schemas.microsoft.com/office/drawing/2010/main"
COMPAT_EXT = "{63B3BB69-23CF-44E3-9099-C40C66FF867C}"
CTRL_PROP_TYPE = "application/vnd.ms-excel.controlproperties+xml"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
EMU_PER_PX = 9525
#: The seed form's buttons: (sheet, shapeId, macro), as the builder places them.
BUTTONS = [
    ("基本情况", "1025", "[0]!Calculate"),
    ("基本情况", "1026", "[0]!GenerateReport"),
    ("履职效能", "2049", "[0]!Calculate"),
    ("履职效能", "2050", "[0]!GenerateReport"),
    ("管理效率", "3073", "[0]!Calculate"),
    ("管理效率", "3074", "[0]!GenerateReport"),
]
SUMMARY = "总分 90.77，等级 优；错误 0，警告 0，提示 1"

_VML_BUTTON = re.compile(r'<v:shape id="_x0000_s(\d+)"(.*?)</v:shape>', re.S)
_CONTROL = re.compile(r'<control shapeId="(\d+)" r:id="([^"]+)" name="[^"]*"><controlPr [^>]*macro="([^"]*)"')


# -- what Excel saves --------------------------------------------------------------------------------


def excel_style(path: Path, *, drawing: bool = True) -> Path:
    """Give the perfscore-built udf form at ``path`` what Excel writes for each VML form button when it
    saves: the ``ctrlProp`` part, relationship and content type, the sheet's ``<controls>`` block
    (shapeId = the VML shape's number, its macro) and, with ``drawing``, the button's DrawingML twin.
    The VML shapes are renamed as Excel names them (``id="Button 1" o:spid="_x0000_s1025"``)."""

    def change(parts: dict[str, bytes]) -> None:
        number = 0
        for title in re.findall(r'<sheet [^>]*name="([^"]+)"', parts["xl/workbook.xml"].decode()):
            sheet = sheet_part(parts, title)
            rels_name = _rels_of(sheet)
            rels = parts.get(rels_name, b"").decode()
            vml_target = re.search(r'Type="[^"]*/vmlDrawing" Target="\.\./([^"]+)"', rels)
            if not vml_target:
                continue
            vml_name = "xl/" + vml_target[1]
            vml = parts[vml_name].decode()
            controls_xml, anchors = [], []
            for m in _VML_BUTTON.finditer(vml):
                spid, body = m[1], m[2]
                macro = re.search(r"<x:FmlaMacro>([^<]*)</x:FmlaMacro>", body)
                label = re.search(r"<font [^>]*>([^<]*)</font>", body)
                if 'ObjectType="Button"' not in body or not macro or not label:
                    continue
                number += 1
                part = f"xl/ctrlProps/ctrlProp{number}.xml"
                parts[part] = (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                    f'<formControlPr xmlns="{X14}" objectType="Button" lockText="1"/>'
                ).encode()
                _override(parts, part, CTRL_PROP_TYPE)
                rid = _free_rid(rels)
                rels = rels.replace(
                    "</Relationships>",
                    f'<Relationship Id="{rid}" Type="{R_NS}/ctrlProp" Target="../ctrlProps/ctrlProp{number}.xml"/>'
                    "</Relationships>",
                )
                cells = [int(n) for n in re.search(r"<x:Anchor>([^<]*)</x:Anchor>", body)[1].split(",")]
                name = f"Button {int(spid) % 1024}"
                frm, to = _marker("from", cells[:4]), _marker("to", cells[4:])
                controls_xml.append(
                    f'<mc:AlternateContent xmlns:mc="{MC}"><mc:Choice Requires="x14">'
                    f'<control shapeId="{spid}" r:id="{rid}" name="{name}">'
                    f'<controlPr defaultSize="0" print="0" autoFill="0" autoPict="0" macro="{macro[1]}">'
                    f'<anchor moveWithCells="1" sizeWithCells="1">{frm}{to}</anchor>'
                    "</controlPr></control></mc:Choice></mc:AlternateContent>"
                )
                anchors.append(_drawing_twin(spid, name, macro[1], label[1], cells))
                vml = vml.replace(
                    f'<v:shape id="_x0000_s{spid}"', f'<v:shape id="{name}" o:spid="_x0000_s{spid}"'
                )
            if not controls_xml:
                continue
            parts[vml_name] = vml.encode()
            xml = parts[sheet].decode()
            if drawing:
                rels, xml = _add_drawing(parts, rels, xml, "".join(anchors))
            parts[rels_name] = rels.encode()
            xml = xml.replace(
                f'xmlns:r="{R_NS}"',
                f'xmlns:r="{R_NS}" xmlns:xdr="{XDR}" xmlns:x14="{X14}" xmlns:mc="{MC}" '
                f'mc:Ignorable="x14ac" xmlns:x14ac="{X14AC}"',
                1,
            )
            legacy = re.search(r"<legacyDrawing [^>]*/>", xml)
            assert legacy, sheet
            block = (
                f'<mc:AlternateContent xmlns:mc="{MC}"><mc:Choice Requires="x14"><controls>'
                + "".join(controls_xml)
                + "</controls></mc:Choice></mc:AlternateContent>"
            )
            parts[sheet] = (xml[: legacy.end()] + block + xml[legacy.end() :]).encode()

    rewrite(path, change)
    return path


def _marker(tag: str, cells: list[int], prefix: str = "xdr:") -> str:
    col, col_px, row, row_px = cells
    return (
        f"<{prefix}{tag}><xdr:col>{col}</xdr:col><xdr:colOff>{col_px * EMU_PER_PX}</xdr:colOff>"
        f"<xdr:row>{row}</xdr:row><xdr:rowOff>{row_px * EMU_PER_PX}</xdr:rowOff></{prefix}{tag}>"
    )


def _drawing_twin(spid: str, name: str, macro: str, label: str, cells: list[int]) -> str:
    """The DrawingML shape Excel writes beside a VML form button (``a14:compatExt`` names the VML shape)."""
    return (
        f'<mc:AlternateContent xmlns:mc="{MC}"><mc:Choice xmlns:a14="{A14}" Requires="a14">'
        f'<xdr:twoCellAnchor editAs="oneCell">{_marker("from", cells[:4])}{_marker("to", cells[4:])}'
        f'<xdr:sp macro="{macro}" textlink=""><xdr:nvSpPr><xdr:cNvPr id="{spid}" name="{name}" hidden="1">'
        f'<a:extLst><a:ext uri="{COMPAT_EXT}"><a14:compatExt spid="_x0000_s{spid}"/></a:ext></a:extLst>'
        '</xdr:cNvPr><xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr bwMode="auto"><a:xfrm><a:off x="0" y="0"/>'
        '<a:ext cx="0" cy="0"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/>'
        '<a:ln w="9525"><a:miter lim="800000"/><a:headEnd/><a:tailEnd/></a:ln></xdr:spPr>'
        '<xdr:txBody><a:bodyPr vertOverflow="clip" wrap="square" anchor="ctr" upright="1"/><a:lstStyle/>'
        f'<a:p><a:pPr algn="ctr" rtl="0"><a:defRPr sz="1000"/></a:pPr><a:r><a:rPr lang="zh-CN" sz="1100"/>'
        f'<a:t>{label}</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData fPrintsWithSheet="0"/>'
        "</xdr:twoCellAnchor></mc:Choice><mc:Fallback/></mc:AlternateContent>"
    )


def _add_drawing(parts: dict[str, bytes], rels: str, xml: str, anchors: str) -> tuple[str, str]:
    """Put ``anchors`` into the sheet's drawing (made if it has none, before ``<legacyDrawing>``)."""
    existing = re.search(r'Type="[^"]*/drawing" Target="\.\./([^"]+)"', rels)
    if existing:
        name = "xl/" + existing[1]
        parts[name] = parts[name].replace(b"</xdr:wsDr>", anchors.encode() + b"</xdr:wsDr>")
        return rels, xml
    n = 1
    while f"xl/drawings/drawing{n}.xml" in parts:
        n += 1
    name = f"xl/drawings/drawing{n}.xml"
    parts[name] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A_NS}">{anchors}</xdr:wsDr>'
    ).encode()
    _override(parts, name, DRAWING_TYPE)
    rid = _free_rid(rels)
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="{rid}" Type="{R_NS}/drawing" Target="../drawings/drawing{n}.xml"/></Relationships>',
    )
    return rels, xml.replace("<legacyDrawing ", f'<drawing r:id="{rid}"/><legacyDrawing ', 1)


def _override(parts: dict[str, bytes], part: str, kind: str) -> None:
    types = parts["[Content_Types].xml"].decode()
    entry = f'<Override PartName="/{part}" ContentType="{kind}"/>'
    parts["[Content_Types].xml"] = types.replace("</Types>", entry + "</Types>").encode()


def _free_rid(rels: str) -> str:
    used = [int(n) for n in re.findall(r'Id="rId(\d+)"', rels)]
    return f"rId{max(used, default=0) + 1}"


def _rels_of(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


# -- reading a package back --------------------------------------------------------------------------


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def buttons(path: Path) -> list[tuple[str, str, str]]:
    """(sheet, shapeId, macro) of every ``<control>`` in the package, each checked to name a
    ``ctrlProp`` relationship of its sheet whose part exists."""
    parts = parts_of(path)
    found = []
    for title in re.findall(r'<sheet [^>]*name="([^"]+)"', parts["xl/workbook.xml"].decode()):
        sheet = sheet_part(parts, title)
        rels = parts.get(_rels_of(sheet), b"").decode()
        for spid, rid, macro in _CONTROL.findall(parts[sheet].decode()):
            rel = re.search(rf'<Relationship Id="{rid}" Type="{R_NS}/ctrlProp" Target="\.\./([^"]+)"/>', rels)
            assert rel, (title, rid, rels)
            assert "xl/" + rel[1] in parts
            found.append((title, spid, macro))
    return found


def ctrl_props(path: Path) -> dict[str, bytes]:
    return {k: v for k, v in parts_of(path).items() if k.startswith("xl/ctrlProps/")}


def vml(path: Path) -> list[bytes]:
    return sorted(v for k, v in parts_of(path).items() if k.endswith(".vml"))


def summary(path: Path) -> str:
    run = run_cli(["check", path])
    assert run.exit_code == 0, run.output
    return run.stdout.strip().splitlines()[-1].split(": ", 1)[1]


@pytest.fixture
def form(tmp_path: Path) -> Path:
    return excel_style(build_seed(tmp_path / "form.xlsm", mode="udf"))


# -- the helper and openpyxl -------------------------------------------------------------------------


def test_the_excel_style_form_is_consistent_and_read_by_openpyxl(form: Path) -> None:
    assert controls.check(form) == []
    assert sorted(buttons(form)) == sorted(BUTTONS)
    assert len(ctrl_props(form)) == 6
    assert inventory(form) == {
        "按钮或批注框": 6,
        "表单控件": 6,
        "绘图对象（图片、形状、文本框）": 6,
        "VBA 宏工程": 1,
    }
    wb = openpyxl.load_workbook(form, keep_vba=True)
    assert wb["基本情况"].legacy_drawing == "xl/drawings/vmlDrawing1.vml"
    assert summary(form) == SUMMARY


@pytest.mark.libreoffice
def test_libreoffice_opens_the_excel_style_form_with_its_buttons(form: Path, tmp_path: Path) -> None:
    assert libreoffice.convert(form, "pdf", tmp_path / "pdf").stat().st_size > 0
    ods = libreoffice.convert(form, "ods", tmp_path / "ods")
    with zipfile.ZipFile(ods) as zf:
        content = zf.read("content.xml").decode()
    labels = re.findall(r'<form:button form:name="Button \d" [^>]*form:label="([^"]*)"', content)
    assert labels == ["计算", "生成报表"] * 3


def test_openpyxl_alone_leaves_the_control_parts_orphaned(form: Path, tmp_path: Path) -> None:
    """What perfscore repairs: openpyxl 3.1 copies ``xl/ctrlProps`` but drops what points at them, and
    the inventory of parts alone does not see it (only the drawing twins count as lost)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        wb = openpyxl.load_workbook(form, keep_vba=True)
    wb.save(tmp_path / "saved.xlsm")
    saved = tmp_path / "saved.xlsm"
    assert ctrl_props(saved) == ctrl_props(form)
    assert buttons(saved) == []
    problems = controls.check(saved)
    assert len(problems) == 12
    assert problems[0] == "xl/ctrlProps/ctrlProp1.xml：没有任何关系指向这个表单控件部件（孤立）"
    assert problems[1].startswith("xl/ctrlProps/ctrlProp1.xml：内容类型为 application/xml，")
    assert inventory(saved)["表单控件"] == 6
    assert "绘图对象（图片、形状、文本框）" not in inventory(saved)


# -- calc and report ---------------------------------------------------------------------------------


def assert_whole(written: Path, original: dict[str, bytes]) -> None:
    """``written`` has every button of ``original`` (the Excel-style form's parts), consistent."""
    assert controls.check(written) == []
    assert sorted(buttons(written)) == sorted(BUTTONS)
    new = parts_of(written)
    assert {k: v for k, v in new.items() if k.startswith("xl/ctrlProps/")} == {
        k: v for k, v in original.items() if k.startswith("xl/ctrlProps/")
    }
    assert sorted(v for k, v in new.items() if k.endswith(".vml")) == sorted(
        v for k, v in original.items() if k.endswith(".vml")
    )
    assert new["xl/vbaProject.bin"] == original["xl/vbaProject.bin"]
    types = new["[Content_Types].xml"].decode()
    twins = [k for k, v in new.items() if k.startswith("xl/drawings/drawing") and b"a14:compatExt" in v]
    for part, kind in [(k, CTRL_PROP_TYPE) for k in new if k.startswith("xl/ctrlProps/")] + [
        (k, DRAWING_TYPE) for k in twins
    ]:
        assert re.search(
            rf'<Override PartName="/{re.escape(part)}" ContentType="{re.escape(kind)}"\s*/>', types
        )


@pytest.mark.parametrize("drawing", [True, False], ids=["with-drawing", "controls-only"])
@pytest.mark.parametrize("in_place", [True, False], ids=["in-place", "to-other-file"])
def test_calc_keeps_every_button(tmp_path: Path, drawing: bool, in_place: bool) -> None:
    form = excel_style(build_seed(tmp_path / "form.xlsm", mode="udf"), drawing=drawing)
    original, held = parts_of(form), inventory(form)
    target = form if in_place else tmp_path / "out.xlsm"
    run = run_cli(["calc", form] + ([] if in_place else ["-o", target]))
    assert run.exit_code == 0, run.output
    assert run.stderr == ""
    assert_whole(target, original)
    assert inventory(target) == held
    assert summary(target) == SUMMARY
    assert openpyxl.load_workbook(target, data_only=True)["基本情况"]["B18"].value == 90.77
    # the second run starts from what the first wrote
    assert run_cli(["calc", target]).exit_code == 0
    assert_whole(target, original)


@pytest.mark.parametrize("in_place", [True, False], ids=["in-place", "to-other-file"])
def test_report_keeps_every_button(form: Path, tmp_path: Path, in_place: bool) -> None:
    """``report`` adds the 自评表 sheet (the sheets' parts are renumbered): the controls follow their sheets."""
    original, held = parts_of(form), inventory(form)
    target = form if in_place else tmp_path / "out.xlsm"
    run = run_cli(["report", form] + ([] if in_place else ["-o", target]))
    assert run.exit_code == 0, run.output
    assert "自评表" in openpyxl.load_workbook(target, keep_vba=True).sheetnames
    assert_whole(target, original)
    assert inventory(target) == held
    assert summary(target) == SUMMARY


def test_the_shapes_join_a_drawing_openpyxl_writes(tmp_path: Path) -> None:
    """A chart on a sheet with buttons: openpyxl writes the drawing anew with the chart, and the
    buttons' drawing shapes are added to it."""
    from tests.package_parts import add_chart

    form = build_seed(tmp_path / "form.xlsm", mode="udf")
    add_chart(form, "基本情况")
    excel_style(form)
    original, held = parts_of(form), inventory(form)
    assert held["绘图对象（图片、形状、文本框）"] == 7 and held["图表"] == 1
    run = run_cli(["calc", form])
    assert run.exit_code == 0, run.output
    assert_whole(form, original)
    assert inventory(form) == held


def test_relationship_ids_openpyxl_took_are_not_reused(form: Path, tmp_path: Path) -> None:
    """Had openpyxl given one of its relationships the id a control used, the control gets a new one."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        wb = openpyxl.load_workbook(form, keep_vba=True)
    written = tmp_path / "written.xlsm"
    wb.save(written)
    taken = re.findall(
        r'Id="(rId\d+)" Type="[^"]*/ctrlProp"', parts_of(form)["xl/worksheets/_rels/sheet1.xml.rels"].decode()
    )
    assert taken == ["rId2", "rId3"]

    def hyperlinks(parts: dict[str, bytes]) -> None:  # as openpyxl numbers a sheet's links
        rels = parts["xl/worksheets/_rels/sheet1.xml.rels"].decode()
        links = "".join(
            f'<Relationship Id="{rid}" Type="{R_NS}/hyperlink" Target="https://example.org/{rid}" '
            'TargetMode="External"/>'
            for rid in ("rId1", "rId2", "rId3")
        )
        parts["xl/worksheets/_rels/sheet1.xml.rels"] = rels.replace(
            "</Relationships>", links + "</Relationships>"
        ).encode()

    rewrite(written, hyperlinks)
    controls.restore(form, written)
    assert controls.check(written) == []
    assert sorted(buttons(written)) == sorted(BUTTONS)
    rels = parts_of(written)["xl/worksheets/_rels/sheet1.xml.rels"].decode()
    assert rels.count('Id="rId2"') == rels.count('Id="rId3"') == 1
    assert re.findall(r'Id="(rId\d+)" Type="[^"]*/ctrlProp"', rels) == ["rId4", "rId5"]
    assert PKG_REL in rels


@pytest.mark.parametrize("drawing", [True, False], ids=["with-drawing", "controls-only"])
def test_controls_that_cannot_be_put_back_are_removed_and_reported(tmp_path: Path, drawing: bool) -> None:
    """openpyxl 3.1 copies ``vmlDrawing1.vml`` … ``vmlDrawing9.vml`` only: a sheet whose VML drawing is
    number 10 loses its buttons. Their form-control parts (and drawing shapes) go too, leaving no
    orphans, and the loss is named: an in-place write is refused."""
    form = excel_style(build_seed(tmp_path / "form.xlsm", mode="udf"), drawing=drawing)

    def renumber(parts: dict[str, bytes]) -> None:
        parts["xl/drawings/vmlDrawing10.vml"] = parts.pop("xl/drawings/vmlDrawing1.vml")
        rels = "xl/worksheets/_rels/sheet1.xml.rels"
        parts[rels] = parts[rels].replace(b"vmlDrawing1.vml", b"vmlDrawing10.vml")

    rewrite(form, renumber)
    assert controls.check(form) == []
    lost = "按钮或批注框 2 个、表单控件 2 个" + ("、绘图对象（图片、形状、文本框） 2 个" if drawing else "")
    before = digest(form)
    run = run_cli(["calc", form])
    assert run.exit_code == 2
    assert f"（{lost}）" in run.stderr
    assert digest(form) == before

    out = tmp_path / "out.xlsm"
    run = run_cli(["calc", form, "-o", out])
    assert run.exit_code == 0, run.output
    assert run.stderr == f"perfscore: {out}: 注意：新文件未能保留原文件的部分内容：{lost}\n"
    assert controls.check(out) == []
    assert sorted(buttons(out)) == sorted(b for b in BUTTONS if b[0] != "基本情况")
    assert sorted(ctrl_props(out)) == [f"xl/ctrlProps/ctrlProp{n}.xml" for n in range(3, 7)]
    assert "ctrlProp1.xml" not in parts_of(out)["[Content_Types].xml"].decode()


@pytest.mark.libreoffice
def test_a_form_libreoffice_saved_keeps_its_buttons(tmp_path: Path) -> None:
    """LibreOffice saves the buttons the same way (its VML shapes have no ``o:spid``: the controls name
    the drawing shapes), so its re-saved form is written in place with nothing lost."""
    built = build_seed(tmp_path / "built.xlsm", mode="udf")
    form = libreoffice.convert(built, "xlsm", tmp_path / "lo")
    original, held = parts_of(form), inventory(form)
    assert controls.check(form) == [] and held["表单控件"] == 6
    run = run_cli(["calc", form])  # exit 1: LibreOffice could not run the add-in's functions (#VALUE!)
    assert run.exit_code == 1 and f"已写入 {form}" in run.stdout, run.output
    assert controls.check(form) == []
    assert inventory(form) == held
    new = parts_of(form)
    assert {k: v for k, v in new.items() if k.startswith("xl/ctrlProps/")} == {
        k: v for k, v in original.items() if k.startswith("xl/ctrlProps/")
    }
    assert (
        len(_CONTROL.findall(b"".join(v for k, v in new.items() if k.startswith("xl/worksheets/s")).decode()))
        == 6
    )
    assert summary(form).startswith("总分 90.77，等级 优；错误 0")


# -- files without controls --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["udf", "native"])
def test_a_form_without_controls_is_written_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """No form-control part: nothing is put back or checked (the package is what openpyxl and the
    cached results make of it), and no control part appears."""
    form = build_seed(tmp_path / f"form.{'xlsm' if mode == 'udf' else 'xlsx'}", mode=mode)
    called: list[str] = []
    monkeypatch.setattr(controls, "restore", lambda *a: called.append("restore"))
    monkeypatch.setattr(controls, "check", lambda *a: called.append("check") or [])
    for command in ("calc", "report"):
        run = run_cli([command, form])
        assert run.exit_code == 0, run.output
    assert called == []
    assert ctrl_props(form) == {}
    assert not any(b"<controls" in v for v in parts_of(form).values())
    assert summary(form) == SUMMARY


def test_the_checker_names_each_inconsistency(form: Path, tmp_path: Path) -> None:
    def damage(parts: dict[str, bytes]) -> None:
        rels = "xl/worksheets/_rels/sheet1.xml.rels"
        parts[rels] = re.sub(rb'<Relationship Id="rId3"[^>]*/>', b"", parts[rels])  # Button 2's link
        del parts["xl/ctrlProps/ctrlProp4.xml"]  # 履职效能's second part
        sheet = "xl/worksheets/sheet3.xml"
        parts[sheet] = parts[sheet].replace(b'shapeId="3074"', b'shapeId="3999"')

    broken = shutil.copy(form, tmp_path / "broken.xlsm")
    rewrite(Path(broken), damage)
    assert controls.check(Path(broken)) == [
        "xl/ctrlProps/ctrlProp2.xml：没有任何关系指向这个表单控件部件（孤立）",
        "基本情况：控件引用的关系 rId3 不存在",
        "履职效能：控件关系 rId3 指向的部件 xl/ctrlProps/ctrlProp4.xml 不存在",
        "管理效率：控件 shapeId=3999 在 VML 绘图和绘图中都没有对应的形状",
    ]


def test_calc_never_leaves_controls_it_broke(form: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer checks the controls of what it wrote: had the putting back failed, nothing is written."""
    before = digest(form)
    monkeypatch.setattr(controls, "restore", lambda *a: None)
    run = run_cli(["calc", form])
    assert run.exit_code == 2
    assert run.stderr.startswith(
        f"perfscore: {form}: 写入后表单控件（按钮）不一致（xl/ctrlProps/ctrlProp1.xml："
    )
    assert digest(form) == before
