"""The architecture stays visible: a pure engine, wings that each talk to one library, thin doors.

Imports are read from the source (every ``import`` statement, also those inside functions), so a lazy
import counts as much as a top-level one.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "perfscore"
SPREADSHEET_AND_UI = ("openpyxl", "xlsxwriter", "xlwings", "jinja2", "click")
XLWINGS_ALLOWED = {
    "perfscore.udfs",
    "perfscore.bridge",
    "perfscore.ribbon",
    "perfscore.builder.vba",
    "perfscore.builder.addin",
}
WINGS = ("engine", "xlsx", "builder", "report", "batch", "published")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """Each import statement of ``path`` as (module, names imported from it; [] for ``import m``)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = parts[: len(parts) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.append((base, [alias.name for alias in node.names]))
    return found


def imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` in ``path`` names (``from a import b`` gives ``a`` and ``a.b``)."""
    return {m for base, names in imports(path) for m in [base, *(f"{base}.{n}" for n in names)]}


def own_edges(name: str) -> set[str]:
    """The package's own modules that module ``name`` imports: ``from a import b`` is an edge to the
    module ``a.b`` when there is one, else to ``a`` (b is then a name defined in ``a``)."""
    out = set()
    for base, names in imports(MODULES[name]):
        targets = [f"{base}.{n}" if f"{base}.{n}" in MODULES else base for n in names] or [base]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith("perfscore") and target != name:
                out.add(target)
    return out


def top_packages(name: str) -> set[str]:
    return {m.split(".")[0] for m in imported_modules(MODULES[name])}


def test_the_modules_are_found() -> None:
    assert {"perfscore", "perfscore.cli", "perfscore.bridge", "perfscore.udfs"} <= set(MODULES)
    assert {f"perfscore.{w}" for w in WINGS} <= set(MODULES)
    assert "perfscore.engine.pipeline" in MODULES and "perfscore.xlsx.reader" in MODULES


def test_the_engine_is_pure_python() -> None:
    engine = [m for m in MODULES if m.startswith("perfscore.engine")]
    assert len(engine) >= 12
    for name in engine:
        assert not top_packages(name) & {*SPREADSHEET_AND_UI, "pdfminer"}, name


def test_only_the_pdf_module_reads_pdf_internals() -> None:
    users = {m for m in MODULES if "pdfminer" in top_packages(m)}
    assert users == {"perfscore.published.pdf"}


def test_only_the_boundary_modules_import_xlwings() -> None:
    users = {m for m in MODULES if "xlwings" in top_packages(m)}
    assert users == XLWINGS_ALLOWED


@pytest.mark.parametrize(
    ("wing", "forbidden"),
    [
        ("perfscore.xlsx", {"xlsxwriter", "xlwings", "jinja2", "click"}),
        ("perfscore.builder", {"openpyxl", "jinja2", "click"}),
        ("perfscore.report", {"xlsxwriter", "xlwings", "click"}),
        ("perfscore.batch", {"xlwings", "jinja2", "click"}),
        ("perfscore.published", {"openpyxl", "xlsxwriter", "xlwings", "jinja2", "click"}),
    ],
)
def test_each_wing_talks_only_to_its_own_libraries(wing: str, forbidden: set[str]) -> None:
    for name in (m for m in MODULES if m == wing or m.startswith(wing + ".")):
        assert not top_packages(name) & forbidden, name


def test_wings_say_what_they_may_import() -> None:
    for wing in WINGS:
        doc = ast.get_docstring(ast.parse(MODULES[f"perfscore.{wing}"].read_text("utf-8")))
        assert doc and "import" in doc, wing


def test_no_import_cycles() -> None:
    graph = {name: own_edges(name) for name in MODULES}
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_nothing_needs_xlwings_pro() -> None:
    for name, path in MODULES.items():
        assert not any(m.startswith("xlwings.pro") for m in imported_modules(path)), name
        assert "xlwings.pro" not in path.read_text("utf-8"), name


def test_the_calculate_button_does_not_load_the_file_libraries() -> None:
    """What runs when a clerk clicks 计算: the bridge needs the engine only, not openpyxl & co."""
    code = (
        "import sys, perfscore.bridge\n"
        "print(sorted(m for m in ('openpyxl', 'xlsxwriter', 'jinja2', 'click') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_package_ships_in_the_wheel() -> None:
    """A wing missing from pyproject's package list installs a wheel that cannot even start."""
    import tomllib

    listed = set(
        tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
