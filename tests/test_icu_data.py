"""The trimmed ICU data library of the Linux frozen app (packaging/icu_data.py).

Qt is run against the trimmed library and against the wheel's own one, and must
answer every ICU question it asks (collation, legacy text encodings, time-zone
names, case mapping) the same way with both.
"""

from __future__ import annotations

import filecmp
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("icu_data", ROOT / "packaging" / "icu_data.py")
assert _spec is not None and _spec.loader is not None
icu_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(icu_data)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="only the Linux PySide6 wheel ships ICU"
)


def _wheel_library() -> Path:
    pyside = pytest.importorskip("PySide6")
    found = sorted((Path(pyside.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not found:
        pytest.skip("this PySide6 wheel has no ICU data library")
    return found[0]


@pytest.fixture(scope="module")
def tools() -> dict[str, str]:
    try:
        found: dict[str, str] = icu_data.find_tools()
    except FileNotFoundError as exc:
        pytest.skip(f"{exc}; tests/setup_system.sh installs them")
    return found


@pytest.fixture(scope="module")
def small_library(tools: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trimmed copy of the wheel's library, built once for these tests."""
    wheel = _wheel_library()
    small = tmp_path_factory.mktemp("icu") / "lib" / wheel.name
    before, after = icu_data.make_trimmed_library(wheel, small)
    assert before > 25_000_000 and after < 0.6 * before
    assert small.stat().st_size < wheel.stat().st_size * 0.6
    return small


def _expected(name: str) -> bool:
    """Whether an item should stay: written apart from the module's icupkg patterns."""
    tree = name.split("/")[0] if "/" in name else ""
    dictionary = name.startswith("brkitr/") and name.endswith(".dict")
    return tree not in icu_data.DROPPED_TREES and not dictionary


def test_the_trimmed_library_holds_exactly_the_kept_items_byte_for_byte(
    small_library: Path, tools: dict[str, str], tmp_path: Path
) -> None:
    full, small = tmp_path / "full.dat", tmp_path / "small.dat"
    symbol = icu_data.read_library(_wheel_library(), full, tools)
    assert icu_data.read_library(small_library, small, tools) == symbol  # same symbol
    assert symbol.startswith("icudt") and symbol.endswith("_dat")
    assert small.stat().st_size < 0.6 * full.stat().st_size

    names, kept = icu_data.list_items(full, tools), icu_data.list_items(small, tools)
    assert len(names) > 3000
    assert kept == [name for name in names if _expected(name)]
    assert kept == sorted(kept)  # ICU finds items by bisection
    assert not [n for n in kept if n.startswith(("lang/", "curr/")) or n.endswith(".dict")]
    for name in ("coll/root.res", "coll/ucadata.icu", "coll/cy.res", "zone/de.res",
                 "zoneinfo64.res", "metaZones.res", "ibm-943_P15A-2003.cnv", "cnvalias.icu",
                 "root.res", "en_GB.res", "pool.res", "brkitr/word.brk"):  # fmt: skip
        assert name in kept, name  # what Qt reads stays: collation, converters, zones, locales

    # icupkg's own check: the one thing the kept items miss is the dictionaries, named
    # by the break iterators' table (which Qt never opens)
    check = subprocess.run(
        [tools["icupkg"], "--auto_toc_prefix", "-l", str(small)], capture_output=True, text=True
    )
    dictionaries = {n for n in names if n.startswith("brkitr/") and n.endswith(".dict")}
    assert check.returncode != 0 and len(dictionaries) == 5
    assert set(check.stderr.splitlines()) == {
        f"Item brkitr/root.res depends on missing item {d}" for d in dictionaries
    }

    # each kept item as it was: extract the kept names from both packages and compare
    for package, out in ((full, tmp_path / "from-full"), (small, tmp_path / "from-small")):
        out.mkdir()
        subprocess.run(
            [tools["icupkg"], "--auto_toc_prefix", "--ignore-deps", "-x", str(small), "-d",
             str(out), str(package)],
            capture_output=True, check=True,
        )  # fmt: skip
    files = sorted(
        p.relative_to(tmp_path / "from-small")
        for p in (tmp_path / "from-small").rglob("*")
        if p.is_file()
    )
    assert [str(f) for f in files] == sorted(kept)
    match, mismatch, errors = filecmp.cmpfiles(
        tmp_path / "from-full", tmp_path / "from-small", [str(f) for f in files], shallow=False
    )
    assert (mismatch, errors) == ([], []) and len(match) == len(kept)


def test_without_the_tools_it_says_which_are_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"icupkg \(icu-devtools\).*genccode"):
        icu_data.make_trimmed_library(Path("unused.so"), tmp_path / "out.so", path=str(tmp_path))
    assert not (tmp_path / "out.so").exists()


# Every ICU call Qt makes (nm -D --undefined-only on its libraries): ucol_*, ucnv_*,
# ucal_* (time-zone names), u_strToUpper/Lower. Prints what Qt answers.
_PROBE = r"""
import functools, json
from PySide6.QtCore import QCollator, QLocale, QStringConverter, QStringDecoder, QTimeZone
out = {}
words = ["Zebra", "apple", "Äpfel", "Øre", "zoo", "Ångström", "ch", "cz", "Ll", "Lz"]
for loc in ("en_GB", "cy_GB", "sv_SE", "de_DE"):
    out["sort " + loc] = sorted(words, key=functools.cmp_to_key(QCollator(QLocale(loc)).compare))
out["upper"] = [QLocale("tr_TR").toUpper("istanbul"), QLocale("de_DE").toUpper("straße")]
out["codecs"] = len(QStringConverter.availableCodecs())
out["decoders"] = [QStringDecoder(n).isValid() for n in
                   ("Shift_JIS", "windows-1252", "GB18030", "KOI8-R", "Big5", "EUC-KR")]
london = QTimeZone(b"Europe/London")
out["zones"] = [london.displayName(QTimeZone.StandardTime, QTimeZone.LongName, QLocale(loc))
                for loc in ("en_GB", "de_DE", "ja_JP")]
out["zone ids"] = len(QTimeZone.availableTimeZoneIds())
maps = open("/proc/self/maps").read()
out["library"] = sorted({l.split()[-1] for l in maps.splitlines() if "libicudata" in l})
print(json.dumps(out, ensure_ascii=False))
"""


def _ask_qt(library_dir: Path | None) -> dict[str, object]:
    env = dict(os.environ)
    if library_dir is not None:
        # searched before the wheel's RUNPATH, so libicuuc loads this copy
        env["LD_LIBRARY_PATH"] = str(library_dir)
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_qt_answers_the_same_with_the_trimmed_library(small_library: Path) -> None:
    full = _ask_qt(None)
    trimmed = _ask_qt(small_library.parent)
    assert full.pop("library") == [str(_wheel_library())]
    assert trimmed.pop("library") == [str(small_library)]  # the probe really used the copy
    assert trimmed == full
    assert full["upper"] == ["İSTANBUL", "STRASSE"]
    assert full["decoders"] == [True] * 6
    assert full["sort cy_GB"] != full["sort en_GB"]  # a tailored collation was read
    assert full["zones"][1] == "Mittlere Greenwich-Zeit"  # type: ignore[index]
