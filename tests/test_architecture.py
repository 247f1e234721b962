"""The architecture stays visible: xlwings only at the boundary, never xlwings PRO."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "perfscore"
XLWINGS_ALLOWED = {"udfs.py", "bridge.py", "addin_build.py"}


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_only_the_boundary_modules_import_xlwings() -> None:
    users = {
        p.name for p in PACKAGE.glob("*.py") if any(m.split(".")[0] == "xlwings" for m in imported_modules(p))
    }
    assert users <= XLWINGS_ALLOWED
    assert "udfs.py" in users and "bridge.py" in users


def test_nothing_needs_xlwings_pro() -> None:
    for path in PACKAGE.glob("*.py"):
        assert not any(m.startswith("xlwings.pro") for m in imported_modules(path)), path.name
        assert "xlwings.pro" not in path.read_text("utf-8"), path.name
