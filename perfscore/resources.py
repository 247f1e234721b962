"""Files that ship with perfscore: report templates (``templates/``) and add-in sources (``addin/``).

In the repository they live at the top level, where IT staff edit them; in an installed wheel they are
the packages ``perfscore.templates`` and ``perfscore.addin``. These functions find them either way.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The report template ``perfscore report`` uses unless ``--template`` names another.
DEFAULT_TEMPLATE = "report.xlsx"
#: The same for a project form (项目支出绩效自评表).
PROJECT_TEMPLATE = "report-project.xlsx"
#: The repository root when running from a checkout (``templates/`` and ``addin/`` sit there).
REPO_ROOT = Path(__file__).resolve().parent.parent


def _folder(package: str, name: str) -> Path:
    try:
        found = resources.files(package)
    except ModuleNotFoundError:
        return REPO_ROOT / name
    path = Path(str(found))
    return path if path.is_dir() else REPO_ROOT / name


def templates_dir() -> Path:
    """The folder of report templates (``templates/`` in the repository)."""
    return _folder("perfscore.templates", "templates")


def addin_dir() -> Path:
    """The folder of VBA and xlwings settings sources (``addin/`` in the repository)."""
    return _folder("perfscore.addin", "addin")
