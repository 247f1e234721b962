"""COM operations of the Excel bridge (not a test, no timing): per entry point, per form, by kind.

    python scripts/bench_com.py [--ops] [--no-old]

Runs ``perfscore.bridge`` (计算 = calculate, 生成报表 = generate_report, 校验 = check) through xlwings'
REAL Windows code (``xlwings/_xlwindows.py``, pywin32 stubbed) over the fake Excel COM object model of
``tests/com/fake.py``, which counts every COM operation — one IDispatch Invoke: a property get, a
property put or a method call. For comparison it runs the bridge as it was before raw reads and writes
(``perfscore/bridge.py`` at commit OLD_COMMIT, read with ``git show``) over the same fake. These are
counts against xlwings' code with a fake COM layer, NOT measurements in Excel (nobody here has Excel);
what one operation costs in Excel is not known here.

Forms: the seed example (5 sheets, 26 indicators); the same five sheets with 260 indicators; and
``tests/generated.py``'s forms of 13 sheets at 20 and 260 indicators. ``--ops`` also prints the
operations of the seed's 计算, member by member.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfscore import bridge  # noqa: E402
from tests.com import forms  # noqa: E402

#: The last commit whose bridge converted values through xlwings (``range.options(...).value``).
OLD_COMMIT = "b3c125d"
#: The buttons' entry points (计算, 生成报表; 校验 is the CheckOnly macro).
NAMES = {"calculate": "calculate", "report": "generate_report", "check": "check"}


def old_bridge() -> tuple[ModuleType | None, str]:
    """The bridge at OLD_COMMIT as a module of its own, or None and why not."""
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{OLD_COMMIT}:perfscore/bridge.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        return None, f"git show {OLD_COMMIT}:perfscore/bridge.py failed ({exc})"
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8") as fh:
        fh.write(source)
    spec = importlib.util.spec_from_file_location("perfscore_bridge_old", fh.name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the engine it imports may have moved on
        return None, f"the old bridge no longer imports: {type(exc).__name__}: {exc}"
    return module, ""


def figure(run: forms.Run) -> str:
    c = run.excel.counts()
    text = f"{c['total']:>6,}  ({c['get']:,} / {c['set']:,} / {c['call']:,})"
    alert = run.excel.alerts[0] if run.excel.alerts else "no message box"
    if alert.startswith(("无法完成", "perfscore 内部错误")) or not run.excel.alerts:
        text += f"  FAILED: {alert}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", action="store_true", help="list the seed's 计算 operations")
    parser.add_argument("--no-old", action="store_true", help="skip the old bridge")
    args = parser.parse_args()
    old, why = (None, "skipped (--no-old)") if args.no_old else old_bridge()
    print("COM operations (IDispatch Invokes) against xlwings' Windows code (_xlwindows.py) over a fake")
    print("Excel COM layer — counted, not measured in Excel. Figures: total (gets / sets / calls).")
    print(
        f"new = perfscore/bridge.py now; old = perfscore/bridge.py at {OLD_COMMIT}"
        + (f" ({why})" if why else "")
    )
    print()
    with tempfile.TemporaryDirectory(prefix="bench-com-") as tmp:
        table = [
            forms.seed_form(),
            forms.seed_shaped_form(Path(tmp), 260),
            forms.generated_form(Path(tmp), 20),
            forms.generated_form(Path(tmp), 260),
        ]
        print("entry points: calculate = 计算, generate_report = 生成报表, check = 校验\n")
        print(f"{'form':<40} {'sheets':>6} {'indicators':>10}  {'entry point':<16} {'new':<26} {'old':<26}")
        for form in table:
            for action in forms.ACTIONS:
                new = forms.run(bridge, action, form)
                line = f"{form.label:<40} {form.sheets:>6} {form.indicators:>10}  {NAMES[action]:<16} {figure(new):<26}"
                if old is not None:
                    line += f" {figure(forms.run(old, action, form)):<26}"
                print(line)
        if args.ops:
            print("\nThe seed's 计算, operation by operation (count × kind Type.Member):")
            ops = forms.run(bridge, "calculate", table[0]).excel.ops
            for member, n in Counter(str(op) for op in ops).items():
                print(f"  {n:>3} × {member}")


if __name__ == "__main__":
    main()
