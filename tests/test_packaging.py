"""Packaging: the entry script, the spec's inputs, resource lookup, and the frozen build.

The frozen app itself is built by ``make package`` (CI: ``make package-test``, which
runs its ``--self-test``); the last tests here check a build when one is present and
newer than the source.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from homestudy import __version__, resources
from homestudy.commands.selftest import CHECKS
from homestudy.forms import forms_dir

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "homestudy.spec"
ENTRY = ROOT / "packaging" / "homestudy_entry.py"
FROZEN = ROOT / "dist" / "HomeStudy" / ("HomeStudy.exe" if os.name == "nt" else "HomeStudy")


def _version_line(*command: str) -> str:
    """What ``python COMMAND --version`` prints, from the checkout; it must succeed."""
    result = subprocess.run(
        [sys.executable, *command, "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_entry_script_runs_the_cli() -> None:
    assert _version_line(str(ENTRY)) == f"HomeStudy {__version__}"


def test_resources_are_package_data_of_the_checkout() -> None:
    assert not resources.is_frozen()
    assert resources.data_root() == ROOT / "homestudy" / "data"
    assert (resources.resource_path("dictionary", "en_GB.txt")).is_file()
    assert resources.resource_path("fonts").is_dir()
    assert resources.forms_path() == forms_dir()
    assert (resources.forms_path() / "par_england.yaml").is_file()
    assert (resources.resource_path("report", "report-template.docx")).is_file()


def test_no_code_finds_data_outside_the_package() -> None:
    # One path for every install: nothing may look beside the package or in _MEIPASS itself.
    offenders = []
    for folder in ("homestudy", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if path.name != "resources.py" and ("_MEIPASS" in text or "parents[2]" in text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


class _Recorder:
    """Stands in for PyInstaller's build classes: records what the spec asks for."""

    def __init__(self, calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]], kind: str):
        self.calls, self.kind = calls, kind

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((self.kind, args, kwargs))
        if self.kind == "Analysis":
            return SimpleNamespace(
                pure=[],
                scripts=[],
                binaries=list(kwargs["binaries"]),
                datas=list(kwargs["datas"]),
                kwargs=kwargs,
            )
        return SimpleNamespace(args=args, kwargs=kwargs)


def test_spec_collects_what_the_app_needs() -> None:
    pytest.importorskip("PyInstaller", reason="PyInstaller comes with `make package`")
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    names = {n: _Recorder(calls, n) for n in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}
    namespace: dict[str, Any] = {"SPECPATH": str(SPEC.parent), "__file__": str(SPEC), **names}
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)

    analysis = next(kw for kind, _, kw in calls if kind == "Analysis")
    assert analysis["pathex"] == [str(ROOT)]
    assert calls[0][1][0] == [str(ENTRY)]
    for source, _dest in analysis["datas"]:
        assert Path(source).exists(), source
    dests = {dest for _source, dest in analysis["datas"]}
    assert {"homestudy/data", "docx/parts"} <= dests
    assert any(d.startswith("holidays") for d in dests)
    hidden = set(analysis["hiddenimports"])
    assert {
        "ui.selfcheck",
        "ui.views.welcome",
        "homestudy.commands.selftest_render",
        "sqlcipher3._sqlite3",
    } <= hidden
    assert not any(name.startswith("homestudy.agency") for name in hidden)
    assert "homestudy.agency" in analysis["excludes"]
    binaries = {Path(src).name for src, _dest in analysis["binaries"]}
    assert any("qoffscreen" in name for name in binaries)
    assert not any("qpdf" in name for name in binaries)

    exes = [kw for kind, _, kw in calls if kind == "EXE"]
    assert exes[0]["name"] == "HomeStudy" and exes[0]["upx"] is False
    collect = next(kw for kind, _, kw in calls if kind == "COLLECT")
    assert collect["name"] == "HomeStudy"


def test_icons_exist_for_every_platform() -> None:
    for name in ("homestudy.png", "homestudy.ico", "homestudy.icns"):
        path = resources.resource_path("icons", name)
        assert path.is_file() and path.stat().st_size > 1000, name


def _frozen_build_is_current() -> tuple[bool, str]:
    if not FROZEN.exists():
        return False, "no frozen build (run `make package`)"
    built = FROZEN.stat().st_mtime
    for folder in ("homestudy", "ui", "packaging"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.stat().st_mtime > built:
                return False, f"the frozen build is older than {path.relative_to(ROOT)}"
    return True, ""


@pytest.mark.slow
def test_frozen_app_passes_its_self_test_with_an_empty_environment(tmp_path: Path) -> None:
    current, why = _frozen_build_is_current()
    if not current:
        pytest.skip(why)
    # No PATH, no PYTHONPATH: the frozen app must not need a Python installation.
    env = {
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "TMPDIR": str(tmp_path),
    }
    version = subprocess.run(
        [str(FROZEN), "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert version.stdout.strip() == f"HomeStudy {__version__}"
    result = subprocess.run(
        [str(FROZEN), "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"All {len(CHECKS)} checks passed." in result.stdout
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("homestudy-selftest-")]
    internal = FROZEN.parent / "_internal"
    assert (internal / "homestudy" / "data" / "forms" / "par_england.yaml").is_file()
    assert (internal / "homestudy" / "data" / "dictionary" / "en_GB.txt").is_file()
    assert list((internal / "sqlcipher3").glob("_sqlite3*"))  # SQLCipher itself
    assert (internal / "homestudy" / "data" / "licences" / "third-party.txt").is_file()
    sbom = json.loads((FROZEN.parent / "HomeStudy-sbom.cdx.json").read_text(encoding="utf-8"))
    assert sbom["bomFormat"] == "CycloneDX"
    assert {"pyside6-essentials", "sqlcipher3"} <= {c["name"] for c in sbom["components"]}
    # cut from the build (packaging/homestudy.spec): GTK theme, kiosk platforms, AVIF
    names = {p.name for p in internal.rglob("*")}
    assert not {"libgtk-3.so.0", "libqeglfs.so", "libqvnc.so"} & names
    assert not [n for n in names if n.startswith(("_avif", "libavif"))]
    assert not (internal / "Qt").exists()  # plugins only where the frozen Qt looks
    assert "libqxcb.so" in names and "libqwayland.so" in names and "libqoffscreen.so" in names
    if sys.platform.startswith("linux"):
        # ICU's data without the trees Qt never reads (packaging/icu_data.py): 30 MB -> 17 MB
        (icu,) = (internal / "PySide6" / "Qt" / "lib").glob("libicudata.so.*")
        assert 10_000_000 < icu.stat().st_size < 20_000_000
        assert not {"readline.cpython-311-x86_64-linux-gnu.so", "libreadline.so.8"} & names


def test_the_agency_command_says_its_version() -> None:
    assert _version_line("-m", "homestudy.agency.cli") == f"homestudy-agency {__version__}"
