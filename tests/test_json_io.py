"""`perfscore import` / `export`: the JSON exchange form, round trips and clear errors."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import openpyxl

from perfscore import xlsx
from perfscore.engine.pipeline import evaluate
from tests.xlsx_helpers import build_seed, digest, run_cli

SEED_JSON = resources.files("perfscore") / "data" / "seed-2022.json"


def test_export_import_export_is_identical(tmp_path: Path) -> None:
    form = build_seed(tmp_path / "seed.xlsx")
    first = run_cli(["export", form])
    assert first.exit_code == 0, first.output
    data = tmp_path / "seed.json"
    data.write_text(first.stdout, "utf-8")
    back = tmp_path / "back.xlsx"
    run = run_cli(["import", data, "-o", back])
    assert run.exit_code == 0, run.output
    second = run_cli(["export", back])
    assert second.stdout == first.stdout
    a, b = evaluate(xlsx.read_grid(form)), evaluate(xlsx.read_grid(back))
    assert {k: (v.reading, v.rate) for k, v in a.leaves.items()} == {
        k: (v.reading, v.rate) for k, v in b.leaves.items()
    }
    assert (b.total, b.grade) == (a.total, a.grade)
    doc = json.loads(first.stdout)
    assert doc["department"] == "广州市增城区工商业联合会" and doc["year"] == 2022
    assert next(i for i in doc["indicators"] if i["id"] == "2.5.7")["score"] == "0.97"


def test_import_the_shipped_seed_json(tmp_path: Path) -> None:
    data = tmp_path / "seed.json"
    data.write_text(SEED_JSON.read_text("utf-8"), "utf-8")
    out = tmp_path / "f.xlsx"
    assert run_cli(["import", data, "-o", out]).exit_code == 0
    check = run_cli(["check", "--json", out])
    doc = json.loads(check.stdout)
    assert (doc["total"], doc["grade"]) == ("90.77", "优")


def test_text_values_survive_round_trip(tmp_path: Path) -> None:
    doc = json.loads(SEED_JSON.read_text("utf-8"))
    doc["indicators"][2]["score"] = "９．３"
    doc["indicators"][0]["reason"] = "=1+1"
    data = tmp_path / "d.json"
    data.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    out = tmp_path / "f.xlsx"
    assert run_cli(["import", data, "-o", out]).exit_code == 0
    ws = openpyxl.load_workbook(out)["履职效能"]
    assert (ws["H5"].value, ws["I3"].value, ws["I3"].data_type) == ("９．３", "=1+1", "s")
    exported = json.loads(run_cli(["export", out]).stdout)
    assert exported["indicators"][2]["score"] == "９．３"
    assert exported["indicators"][0]["reason"] == "=1+1"


def test_export_to_file(tmp_path: Path) -> None:
    form = build_seed(tmp_path / "seed.xlsx")
    before = digest(form)
    out = tmp_path / "out.json"
    run = run_cli(["export", form, "-o", out])
    assert run.exit_code == 0 and run.stdout == ""
    assert out.read_text("utf-8") == run_cli(["export", form]).stdout
    assert digest(form) == before


def _bad(tmp_path: Path, text: str) -> tuple[int, str]:
    data = tmp_path / "bad.json"
    data.write_text(text, "utf-8")
    run = run_cli(["import", data, "-o", tmp_path / "x.xlsx"])
    assert not (tmp_path / "x.xlsx").exists()
    assert run.stdout == "" and "Traceback" not in run.stderr
    return run.exit_code, run.stderr


def test_import_errors_name_the_key(tmp_path: Path) -> None:
    seed = json.loads(SEED_JSON.read_text("utf-8"))
    cases = {
        "{broken": "不是有效的 JSON：第 1 行第 2 列",
        "[]": "framework: 缺少此键",
        json.dumps({**seed, "framework": "nope-2099"}): "未知的指标体系 “nope-2099”",
        json.dumps({k: v for k, v in seed.items() if k != "budget"}): "budget: 缺少此键",
        json.dumps(
            {**seed, "indicators": [{"id": "9.9.9", "score": 1}]}
        ): "indicators[0]: id “9.9.9”不是指标体系",
        json.dumps(
            {**seed, "indicators": [{"name": "不存在的指标", "score": 1}]}
        ): "indicators[0]: 没有 id，且名称“不存在的指标”",
        json.dumps({**seed, "budget": {"总预算x": 1}}): "budget.总预算x: 未知的预算字段",
        json.dumps(
            {**seed, "indicators": [{"id": "1.1.1", "score": True}]}
        ): "indicators[0].score: 不能是 true/false",
    }
    for text, phrase in cases.items():
        code, err = _bad(tmp_path, text)
        assert code == 2, (text[:40], err)
        assert err.startswith(f"perfscore: {tmp_path / 'bad.json'}: "), err
        assert phrase in err, (phrase, err)
        assert err.count("\n") == 1


def test_import_by_name(tmp_path: Path) -> None:
    seed = json.loads(SEED_JSON.read_text("utf-8"))
    for item in seed["indicators"]:
        if item["id"] == "1.1.3":
            del item["id"]
            item["name"] = "部门预算资金支出率"
            item["score"] = 9.3
    data = tmp_path / "d.json"
    data.write_text(json.dumps(seed, ensure_ascii=False), "utf-8")
    assert run_cli(["import", data, "-o", tmp_path / "f.xlsx"]).exit_code == 0
    assert openpyxl.load_workbook(tmp_path / "f.xlsx")["履职效能"]["H5"].value == 9.3


def test_import_missing_file_and_existing_output(tmp_path: Path) -> None:
    run = run_cli(["import", tmp_path / "none.json", "-o", tmp_path / "f.xlsx"])
    assert (run.exit_code, run.stderr) == (
        2,
        f"perfscore: {tmp_path / 'none.json'}: 文件不存在；请检查文件名和路径\n",
    )
    data = tmp_path / "seed.json"
    data.write_text(SEED_JSON.read_text("utf-8"), "utf-8")
    existing = tmp_path / "filled.xlsx"
    existing.write_bytes(b"a filled form")
    run = run_cli(["import", data, "-o", existing])
    assert run.exit_code == 2 and "文件已存在" in run.stderr
    assert existing.read_bytes() == b"a filled form"
