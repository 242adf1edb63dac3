"""The type check's config (pyproject.toml, run by ``make lint``): mypy may skip a
library only while that library really has no types, and ``make lint`` runs it."""

from __future__ import annotations

import importlib.util
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MYPY = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]


def _skipped() -> list[str]:
    names: list[str] = []
    for override in MYPY["overrides"]:
        if override.get("ignore_missing_imports"):
            modules = override["module"]
            names += [modules] if isinstance(modules, str) else modules
    return sorted({name.removesuffix(".*") for name in names})


def _has_types(top: str) -> bool:
    """A py.typed marker in the installed package, or a ``<name>-stubs`` package (PEP 561)."""
    spec = importlib.util.find_spec(top)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    if any((Path(folder) / "py.typed").exists() for folder in folders):
        return True
    site = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return any((Path(folder) / f"{top}-stubs").is_dir() for folder in site)


def test_mypy_is_strict_on_the_core_and_standard_on_the_ui() -> None:
    assert MYPY["files"] == ["homestudy", "ui"]
    core = next(o for o in MYPY["overrides"] if "homestudy.*" in o["module"])
    assert core["disallow_untyped_defs"] and core["warn_return_any"]
    for override in MYPY["overrides"]:  # ui/ keeps mypy's defaults
        modules = override["module"]
        modules = [modules] if isinstance(modules, str) else modules
        assert not any(m == "ui" or m.startswith("ui.") for m in modules)


@pytest.mark.parametrize("top", sorted({n.split(".")[0] for n in _skipped()}))
def test_a_skipped_library_has_no_types_to_read(top: str) -> None:
    assert importlib.util.find_spec(top) is not None, f"{top} is not installed: drop it"
    assert not _has_types(top), f"{top} now ships types: take it out of the mypy overrides"


def test_make_lint_runs_mypy_after_ruff() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check" in lint and lint.rstrip().endswith("$(BIN)/mypy")
