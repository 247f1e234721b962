"""What ``perfscore batch`` takes as inputs: files, folders, patterns, zip archives; each input one row."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from perfscore.batch.inputs import MAX_MEMBERS, Input, expand, opened


class GbkName(zipfile.ZipInfo):
    """A member name stored the way Chinese Windows zips it: GBK bytes, without the UTF-8 flag."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def shown(items: list[Input]) -> list[tuple[str, str]]:
    return [(i.shown, i.problem) for i in items]


def test_folders_are_searched_recursively_in_path_order(tmp_path: Path) -> None:
    for name in (
        "b.xlsx",
        "a.xlsm",
        "sub/c.xlsx",
        "sub/deeper/d.XLSX",
        "notes.docx",
        ".~perfscore-tmp-x.xlsx",
    ):
        touch(tmp_path / "in" / name)
    items = expand([str(tmp_path / "in")])
    assert [Path(i.shown).relative_to(tmp_path / "in").as_posix() for i in items] == [
        "a.xlsm",
        "b.xlsx",
        "sub/c.xlsx",
        "sub/deeper/d.XLSX",
    ]
    assert all(i.problem == "" and i.link == i.shown for i in items)


def test_patterns_are_expanded_and_each_file_taken_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path / "d1.xlsx")
    touch(tmp_path / "d2.xlsx")
    touch(tmp_path / "x" / "d3.xlsx")
    items = expand(["d*.xlsx", "d1.xlsx", "**/d3.xlsx", "nothing*.xlsx", "missing.xlsx"])
    assert shown(items) == [
        ("d1.xlsx", ""),
        ("d2.xlsx", ""),
        (str(Path("x/d3.xlsx")), ""),
        ("nothing*.xlsx", "没有与此模式匹配的文件；请检查文件夹和文件名"),
        ("missing.xlsx", "文件不存在；请检查文件名和路径"),
    ]


def test_lock_files_and_the_summary_itself(tmp_path: Path) -> None:
    touch(tmp_path / "a.xlsx")
    touch(tmp_path / "~$a.xlsx")
    touch(tmp_path / "汇总.xlsx")
    items = expand([str(tmp_path)], skip=tmp_path / "汇总.xlsx")
    assert shown(items) == [
        (str(tmp_path / "a.xlsx"), ""),
        (
            str(tmp_path / "~$a.xlsx"),
            "这是 Excel/WPS 打开 a.xlsx 时生成的锁定文件，不是表单（关闭该表单后会自动消失）",
        ),
    ]


def test_a_zip_is_read_in_place(tmp_path: Path) -> None:
    archive = tmp_path / "收件.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("某局.xlsx", b"form-1")
        zf.writestr("sub/某委.xlsm", b"form-2")
        zf.writestr("说明.docx", b"letter")
        zf.writestr("../evil.xlsx", b"evil")
        zf.writestr("/abs.xlsx", b"evil")
        zf.writestr("~$某局.xlsx", b"lock")
        zf.writestr(GbkName("财政局.xlsx"), b"form-3")
    items = expand([str(archive)])
    unsafe = "压缩包中的文件路径不安全（绝对路径或含 ..），未读取"
    assert shown(items) == [
        (f"{archive}/某局.xlsx", ""),
        (f"{archive}/sub/某委.xlsm", ""),
        (f"{archive}/../evil.xlsx", unsafe),
        (f"{archive}//abs.xlsx", unsafe),
        (
            f"{archive}/~$某局.xlsx",
            "这是 Excel/WPS 打开 某局.xlsx 时生成的锁定文件，不是表单（关闭该表单后会自动消失）",
        ),
        (f"{archive}/财政局.xlsx", ""),
    ]
    assert all(i.link is None for i in items)
    with opened(items[1]) as path:
        assert path.read_bytes() == b"form-2" and path.suffix == ".xlsm"
        folder = path.parent
        assert folder != tmp_path and tmp_path not in path.parents
    assert not folder.exists()  # the temporary copy is gone
    with opened(items[5]) as path:
        assert path.read_bytes() == b"form-3"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["收件.zip"]  # nothing extracted beside it


def test_a_damaged_or_empty_zip_is_one_row(tmp_path: Path) -> None:
    touch(tmp_path / "bad.zip", b"PK\x03\x04 not really")
    with zipfile.ZipFile(tmp_path / "letters.zip", "w") as zf:
        zf.writestr("说明.docx", b"letter")
    assert shown(expand([str(tmp_path / "bad.zip"), str(tmp_path / "letters.zip")])) == [
        (str(tmp_path / "bad.zip"), "无法读取压缩包（文件已损坏或不是 zip 压缩包）"),
        (str(tmp_path / "letters.zip"), "压缩包中没有表单（.xlsx/.xlsm）"),
    ]


def test_a_zip_with_too_many_members(tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for n in range(MAX_MEMBERS + 1):
            zf.writestr(f"{n}.xlsx", b"")
    (item,) = expand([str(archive)])
    assert item.problem == f"压缩包中有 {MAX_MEMBERS + 1} 个文件，超过 {MAX_MEMBERS} 个；请分成几个压缩包"


def test_the_progress_counter_only_on_a_terminal() -> None:
    import io

    from perfscore.cli_batch import _Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Terminal()
    progress = _Progress(12, shown)
    for _ in range(12):
        progress.step()
    progress.done()
    assert shown.getvalue() == "\r检查中 5/12\r检查中 10/12\r检查中 12/12\r" + " " * 24 + "\r"
    quiet = io.StringIO()
    progress = _Progress(12, quiet)
    for _ in range(12):
        progress.step()
    progress.done()
    assert quiet.getvalue() == ""


def test_an_unknown_framework_row_names_the_option(tmp_path: Path) -> None:
    from .test_framework_commands import variant
    from .xlsx_helpers import run_cli

    custom = variant(tmp_path, "zc-2023")
    (tmp_path / "in").mkdir()
    assert run_cli(["new", "-o", tmp_path / "in" / "f.xlsx", "--framework", custom]).exit_code == 0
    run = run_cli(["batch", tmp_path / "in", "-o", tmp_path / "s.xlsx", "--json", "--jobs", "1"])
    assert run.exit_code == 2
    (form,) = json.loads(run.stdout)["forms"]
    assert form["status"] == "无法读取"
    assert form["reason"].startswith("未知的指标体系 “zc-2023”") and form["reason"].endswith(
        "；或用 --framework 文件.toml 指定"
    )
    again = run_cli(
        ["batch", tmp_path / "in", "-o", tmp_path / "s.xlsx", "--jobs", "1", "--framework", custom]
    )
    assert again.exit_code == 1  # a blank form: error findings
