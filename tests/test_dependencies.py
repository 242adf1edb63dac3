"""Dependencies: the lock follows pyproject.toml, laptops get no server stack, licences listed.

``make lock`` regenerates ``requirements/*.txt`` and the licence list; these tests fail
when a dependency was changed in pyproject.toml without it.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
SERVER = {"starlette", "uvicorn", "psycopg", "psycopg-binary"}


def pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    found = {}
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match[1])] = match[2]
    assert "--hash=sha256:" in text, f"{name} has no hashes"
    return found


def requirements(*extras: str) -> list[Requirement]:
    found = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    for extra in extras:
        found += [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"][extra]]
    return found


def _applies(req: Requirement) -> bool:
    return req.marker is None or req.marker.evaluate({"extra": ""})


@pytest.mark.parametrize(
    ("lock", "extras"),
    [
        ("dev.txt", ("gui", "dev", "agency", "package")),
        ("app.txt", ("gui",)),
        ("lowest.txt", ("gui", "dev", "agency")),
    ],
)
def test_each_lock_pins_every_requirement_within_its_range(
    lock: str, extras: tuple[str, ...]
) -> None:
    locked = pins(lock)
    missing, outside = [], []
    for req in requirements(*extras):
        name = canonicalize_name(req.name)
        if name not in locked:
            if _applies(req):
                missing.append(name)
            continue
        if not req.specifier.contains(locked[name], prereleases=True):
            outside.append(f"{name}=={locked[name]} (wants {req.specifier})")
    assert not missing, f"not in requirements/{lock}: {missing}; run `make lock`"
    assert not outside, f"requirements/{lock} is stale: {outside}; run `make lock`"


def test_the_lowest_lock_holds_the_lower_bounds() -> None:
    # A floor that another package's own floor lifts is not a true lower bound.
    locked = pins("lowest.txt")
    untrue = []
    for req in requirements("gui", "dev", "agency"):
        name = canonicalize_name(req.name)
        floors = [s.version for s in req.specifier if s.operator == ">="]
        if floors and name in locked:
            have, floor = locked[name], floors[0]
            if have != floor and not have.startswith(floor + "."):
                untrue.append(f"{name}: allows {floor}, lowest resolvable is {have}")
    assert not untrue, untrue


def test_the_laptop_install_has_no_server_stack() -> None:
    core = {canonicalize_name(r.name) for r in requirements("gui")}
    assert not core & SERVER
    assert not set(pins("app.txt")) & SERVER
    agency = {canonicalize_name(r.name) for r in requirements("agency")}
    assert {"starlette", "uvicorn", "psycopg"} <= agency


def test_server_imports_stay_inside_the_agency_package() -> None:
    pattern = re.compile(r"^\s*(import|from)\s+(starlette|uvicorn|psycopg)\b", re.MULTILINE)
    offenders = []
    for folder in ("homestudy", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            if "agency" in path.relative_to(ROOT).parts:
                continue
            if pattern.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_licence_list_covers_every_locked_app_package() -> None:
    listing = (ROOT / "homestudy" / "data" / "licences" / "third-party.txt").read_text(
        encoding="utf-8"
    )
    listed = {
        canonicalize_name(line.split()[0])
        for line in listing.splitlines()
        if line.startswith("  ") and line.split()
    }
    missing = sorted(set(pins("app.txt")) - listed)
    assert not missing, f"not in the licence list: {missing}; run `make lock`"
    assert "LGPL-3.0" in listing and "pyside6-essentials" in listing
    for font in ("LICENSE-Noto.txt", "LICENSE-DejaVu.txt", "COPYING.en_GB"):
        assert font in listing
    texts = ROOT / "homestudy" / "data" / "licences" / "third-party-texts.txt"
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in texts.read_text(encoding="utf-8")


def test_the_licence_generator_reads_installed_metadata(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("licences", ROOT / "packaging" / "licences.py")
    assert spec is not None and spec.loader is not None
    licences = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(licences)
    lock = tmp_path / "app.txt"
    lock.write_text(
        "pyyaml==6.0.2 \\\n    --hash=sha256:00\n"
        "pyobjc-core==11.0 ; sys_platform == 'darwin' \\\n    --hash=sha256:00\n"
    )
    listing, _texts = licences.build(lock, ROOT / "homestudy" / "data")
    assert re.search(r"pyyaml\s+6\.0\.2\s+MIT", listing)
    if sys.platform != "darwin":
        assert re.search(r"pyobjc-core\s+11\.0\s+MIT\s+\[sys_platform == 'darwin'\]", listing)
