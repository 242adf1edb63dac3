"""The trimmed ICU data library of the Linux frozen app (packaging/icu_data.py).

Qt is run against the trimmed library and against the wheel's own one, and must
answer every ICU question it asks (collation, legacy text encodings, time-zone
names, case mapping) the same way with both.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
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


def test_reading_and_writing_the_data_gives_the_same_bytes() -> None:
    symbol, data = icu_data.read_library(_wheel_library())
    assert symbol.startswith("icudt") and symbol.endswith("_dat")
    header, items = icu_data.parse(data)
    assert icu_data.build(header, items) == data


def test_trimming_drops_only_the_unused_trees_and_keeps_the_rest_byte_for_byte() -> None:
    _symbol, data = icu_data.read_library(_wheel_library())
    _header, items = icu_data.parse(data)
    small_header, small_items = icu_data.parse(icu_data.trimmed(data))
    assert small_header == _header
    kept = [(name, item) for name, item in items if icu_data.is_kept(name)]
    assert small_items == kept
    names = [name for name, _item in small_items]
    assert names == sorted(names)  # ICU finds items by bisection
    assert not [n for n in names if "/lang/" in n or "/curr/" in n or n.endswith(".dict")]
    # what Qt reads stays: collation, converters, time zones, locale data
    prefix = names[0].split("/")[0]
    for name in ("coll/root.res", "coll/ucadata.icu", "coll/cy.res", "zone/de.res",
                 "zoneinfo64.res", "metaZones.res", "ibm-943_P15A-2003.cnv", "cnvalias.icu",
                 "root.res", "en_GB.res", "pool.res", "brkitr/word.brk"):  # fmt: skip
        assert f"{prefix}/{name}" in names, name
    assert len(icu_data.trimmed(data)) < 0.6 * len(data)


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


def test_qt_answers_the_same_with_the_trimmed_library(tmp_path: Path) -> None:
    if shutil.which("cc") is None:
        pytest.skip("no C compiler to assemble the library")
    wheel = _wheel_library()
    small = tmp_path / "lib" / wheel.name
    before, after = icu_data.make_trimmed_library(wheel, small)
    assert after < before and small.stat().st_size < wheel.stat().st_size * 0.6

    full = _ask_qt(None)
    trimmed = _ask_qt(small.parent)
    assert full.pop("library") == [str(wheel)]
    assert trimmed.pop("library") == [str(small)]  # the probe really used the copy
    assert trimmed == full
    assert full["upper"] == ["İSTANBUL", "STRASSE"]
    assert full["decoders"] == [True] * 6
    assert full["sort cy_GB"] != full["sort en_GB"]  # a tailored collation was read
    assert full["zones"][1] == "Mittlere Greenwich-Zeit"  # type: ignore[index]
