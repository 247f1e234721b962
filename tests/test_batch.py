"""``perfscore batch`` end to end: a folder of received forms with known defects, checked in one command.

The folder holds 60 forms built by perfscore (four grades, departments 部门01 … 部门60) and the defects
a bureau meets: error findings, a typed-over total, a stale displayed total, a changed weight, a
truncated file, a CSV renamed to .xlsx, an encrypted file, a byte-identical copy, a second form for the
same department and year, a zip archive holding three forms, and an Excel lock file. Every row's status,
total, grade and flags are checked in ``--json`` and in the summary workbook (read back with openpyxl),
the inputs are byte-identical afterwards, and each form's findings equal ``check --json``'s.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

import perfscore
from perfscore.engine.result_json import to_json
from perfscore.engine.submission import Submission

from .conftest import load_fw, seed_submission
from .xlsx_helpers import digest, edit, run_cli

#: (score of 1.1.1, of 1.1.2) → total and grade, from the seed's 90.77 (12.5 and 20 there)
GRADES = {
    (Decimal("12.5"), Decimal(20)): ("90.77", "优"),
    (Decimal("7.5"), Decimal(20)): ("85.77", "良"),
    (Decimal(0), Decimal(20)): ("78.27", "中"),
    (Decimal(0), Decimal(0)): ("58.27", "差"),
}
PAIRS = list(GRADES)


def submission(n: int) -> Submission:
    sub = seed_submission()
    a, b = PAIRS[n % 4]
    rows = dict(sub.indicators)
    rows["1.1.1"] = replace(rows["1.1.1"], score=a)
    rows["1.1.2"] = replace(rows["1.1.2"], score=b)
    if b < 20:
        rows["1.1.2"] = replace(rows["1.1.2"], reason="目标未完成", measure="加强督办")
    return replace(sub, department=f"部门{n:02d}", indicators=rows)


def rewrite(path: Path, sheet: str, change: Any) -> None:
    """Edit the XML of one sheet in place, once (what a program that does not recalculate leaves)."""
    part = f"xl/worksheets/sheet{openpyxl.load_workbook(path).sheetnames.index(sheet) + 1}.xml"
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            if info.filename == part:
                text, count = change(data.decode("utf-8"))
                assert count == 1, part
                data = text.encode("utf-8")
            zf.writestr(info, data)


@pytest.fixture(scope="module")
def intake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    """The received folder and, per file as the batch shows it, what its row must say."""
    fw = load_fw()
    root = tmp_path_factory.mktemp("intake")
    folder = root / "收件"
    folder.mkdir()
    expected: dict[str, dict[str, Any]] = {}

    def form(name: str, n: int, sub: Submission | None = None) -> Path:
        path = folder / name
        perfscore.build_workbook(path, fw, submission=sub or submission(n))
        total, grade = GRADES[PAIRS[n % 4]]
        expected[str(path)] = {"status": "通过", "total": total, "grade": grade, "flags": [], "dup": ""}
        return path

    for n in range(1, 61):
        form(f"部门{n:02d}.xlsx", n)
    # error findings: a score left empty
    missing = form("缺得分.xlsx", 61)
    edit(missing, lambda wb: wb["管理效率"].__setitem__("H3", None))
    expected[str(missing)].update(status="未通过", total=None, grade=None)
    # a number typed over the 总分 formula
    typed = form("改总分.xlsx", 62)
    edit(typed, lambda wb: wb["基本情况"].__setitem__("C15", 99))
    expected[str(typed)].update(status="未通过", flags=["公式被改写"])
    # a score changed by a program that does not recalculate: the displayed totals are stale
    stale = form("未重算.xlsx", 64)
    rewrite(stale, "履职效能", lambda x: re.subn(r'(<c r="H4"[^>]*>)<v>20</v>', r"\g<1><v>18</v>", x))
    expected[str(stale)].update(status="未通过", total="88.77", grade="良", flags=["显示值与得分不符"])
    # a weight typed over
    weight = form("改分值.xlsx", 63)
    edit(weight, lambda wb: wb["管理效率"].__setitem__("F3", 4))
    expected[str(weight)].update(status="未通过", flags=["分值被改动"])
    # unusable files
    truncated = folder / "截断.xlsx"
    truncated.write_bytes((folder / "部门01.xlsx").read_bytes()[:5000])
    csv = folder / "表格.xlsx"
    csv.write_text("一级指标,分值,得分\n履职效能,50,41.8\n", "utf-8")
    encrypted = folder / "加密.xlsx"
    with (folder / "部门02.xlsx").open("rb") as src, encrypted.open("wb") as dst:
        OOXMLFile(src).encrypt("1234", dst)
    lock = folder / "~$部门03.xlsx"
    lock.write_bytes(b"\x00" * 165)
    for path in (truncated, csv, encrypted, lock):
        expected[str(path)] = {"status": "无法读取", "total": None, "grade": None, "flags": [], "dup": ""}
    # duplicates: the same bytes, and a second form for the same department and year
    shutil.copy(folder / "部门05.xlsx", folder / "部门05（重发）.xlsx")
    expected[str(folder / "部门05（重发）.xlsx")] = {
        **expected[str(folder / "部门05.xlsx")],
        "dup": f"与 {folder / '部门05.xlsx'} 内容完全相同",
    }
    again = form(
        "部门06（修改）.xlsx", 6, replace(submission(6), header={**submission(6).header, "单位数": 2})
    )
    expected[str(again)]["dup"] = f"与 {folder / '部门06.xlsx'} 同一部门同一年度"
    # a zip archive of three forms, as they arrive by e-mail
    archive = folder / "邮件附件.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for n in (70, 71, 72):
            built = root / f"z{n}.xlsx"
            perfscore.build_workbook(built, fw, submission=submission(n))
            zf.write(built, f"附件/部门{n}.xlsx")
            total, grade = GRADES[PAIRS[n % 4]]
            expected[f"{archive}/附件/部门{n}.xlsx"] = {
                "status": "通过", "total": total, "grade": grade, "flags": [], "dup": "",
            }  # fmt: skip
    assert len(expected) == 60 + 4 + 4 + 2 + 3
    return folder, expected


@pytest.fixture(scope="module")
def batch_run(
    intake: tuple[Path, dict[str, dict[str, Any]]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Any, Path, dict[str, str]]:
    folder, _ = intake
    before = {str(p): digest(p) for p in folder.rglob("*") if p.is_file()}
    out = tmp_path_factory.mktemp("summary") / "汇总.xlsx"
    run = run_cli(["batch", folder, "-o", out, "--json", "--jobs", "2"])
    after = {str(p): digest(p) for p in folder.rglob("*") if p.is_file()}
    assert after == before  # every input byte-identical, nothing added to the folder
    return run, out, before


def test_exit_code_and_summary_line(batch_run: tuple[Any, Path, dict[str, str]]) -> None:
    run, out, _ = batch_run
    assert run.exit_code == 2  # unusable inputs win over error findings
    assert run.stderr == f"perfscore: 共 73 份：通过 65，未通过 4，无法读取 4，疑似重复 2；汇总：{out}\n"


def test_every_row_of_the_json(
    batch_run: tuple[Any, Path, dict[str, str]], intake: tuple[Path, dict[str, dict[str, Any]]]
) -> None:
    run, _, _ = batch_run
    _, expected = intake
    doc = json.loads(run.stdout)
    forms = {f["file"]: f for f in doc["forms"]}
    assert len(doc["forms"]) == len(forms) == len(expected)
    for file, want in expected.items():
        got = forms[file]
        assert (got["status"], got["total"], got["grade"]) == (
            want["status"],
            want["total"],
            want["grade"],
        ), file
        codes = {f["code"] for f in got["findings"]}
        assert ("formula-changed" in codes) == ("公式被改写" in want["flags"]), file
        assert ("displayed-total-differs" in codes) == ("显示值与得分不符" in want["flags"]), file
        assert ("weight-changed" in codes) == ("分值被改动" in want["flags"]), file
    keys = set(to_json(perfscore.evaluate_file(next(iter(expected))), "")) | {"status"}
    assert all(set(f) == keys for f in doc["forms"] if f["status"] != "无法读取")
    assert doc["summary"]["forms"] == 73
    assert (doc["summary"]["passed"], doc["summary"]["failed"], doc["summary"]["unusable"]) == (65, 4, 4)
    grades = [w["grade"] for w in expected.values() if w["grade"]]
    assert doc["summary"]["grades"] == {g: grades.count(g) for g in ("优", "良", "中", "差")}
    duplicates = sorted((d["file"], d["note"]) for d in doc["summary"]["duplicates"])
    assert duplicates == sorted((f, w["dup"]) for f, w in expected.items() if w["dup"])


def test_batch_findings_equal_check(
    batch_run: tuple[Any, Path, dict[str, str]], intake: tuple[Path, dict[str, dict[str, Any]]]
) -> None:
    run, _, _ = batch_run
    _, expected = intake
    forms = {f["file"]: f for f in json.loads(run.stdout)["forms"]}
    for file, want in expected.items():
        if want["status"] == "无法读取" or "/附件/" in file:
            continue
        check = json.loads(run_cli(["check", file, "--json"]).stdout)
        got = copy.deepcopy(forms[file])
        assert got.pop("status") == want["status"]
        assert got == check, file


def test_every_row_of_the_summary_workbook(
    batch_run: tuple[Any, Path, dict[str, str]], intake: tuple[Path, dict[str, dict[str, Any]]]
) -> None:
    _, out, _ = batch_run
    _, expected = intake
    ws = openpyxl.load_workbook(out)["汇总"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    col = {name: head.index(name) for name in ("文件", "总分", "等级", "完整性", "重复", "状态")}
    got: dict[str, Any] = {}
    for row in rows[1:]:
        cell = row[col["文件"]]
        link = re.fullmatch(r'=HYPERLINK\("((?:[^"]|"")*)","((?:[^"]|"")*)"\)', cell)
        file = link.group(2).replace('""', '"') if link else cell
        if link:  # a link relative to the summary's folder, to the file itself
            assert (out.parent / link.group(1).replace('""', '"')).resolve() == Path(file).resolve()
        got[file] = row
    assert set(got) == set(expected)
    assert sum(1 for f in got if "/附件/" in f) == 3
    for file, want in expected.items():
        row = got[file]
        total = row[col["总分"]]
        assert (None if total is None else Decimal(str(total)).quantize(Decimal("0.01"))) == (
            None if want["total"] is None else Decimal(want["total"])
        ), file
        assert (row[col["等级"]] or None, row[col["状态"]]) == (want["grade"], want["status"]), file
        assert (row[col["完整性"]] or "") == "；".join(want["flags"]), file
        assert (row[col["重复"]] or "") == want["dup"], file
