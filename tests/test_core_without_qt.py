"""The core (``homestudy``) imports and works with PySide6 and ``ui`` blocked."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

CHILD = textwrap.dedent("""
    import importlib, importlib.abc, pkgutil, sys

    BLOCKED = ("PySide6", "shiboken6", "ui", "PyQt5", "PyQt6")

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"blocked in the core: {name}")
            return None

    sys.meta_path.insert(0, Blocker())
    import homestudy
    names = [m.name for m in pkgutil.walk_packages(homestudy.__path__, "homestudy.")]
    for name in names:
        importlib.import_module(name)
    # and a core workflow runs end to end without the GUI
    import os, tempfile
    from homestudy.cli import main
    folder = tempfile.mkdtemp()
    os.environ["HOMESTUDY_PASSPHRASE"] = "no qt here"
    assert main(["--vault", folder + "/v", "demo"]) == 0
    assert main(["--vault", folder + "/v", "cases"]) == 0
    leaked = [m for m in sys.modules if m.split(".")[0] in BLOCKED]
    assert not leaked, leaked
    print("imported", len(names))
""")


def test_core_imports_with_qt_blocked(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent.parent,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "TMPDIR": str(tmp_path),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "HOMESTUDY_SETTINGS": str(tmp_path / "settings.json"),
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    count = int(result.stdout.split("imported")[-1])
    assert count >= 10  # the walk really found the core's modules
