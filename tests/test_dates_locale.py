"""Dates read the same on a German or French laptop: ``1 Mar 2026``, never ``1 Mär 2026``.
The check runs in a child process under a real non-English locale, compiled here with
glibc's ``localedef`` into a private folder (no root, nothing installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = r"""
import locale
from datetime import date
locale.setlocale(locale.LC_ALL, "")
from homestudy.demo import build_demo_case
from homestudy.report import build_par_document
from homestudy.textutil import format_date
print(date(2026, 3, 1).strftime("%b"))
print(format_date(date(2026, 3, 1)))
doc = build_par_document(build_demo_case(date(2026, 3, 1)), "panel", today=date(2026, 3, 1))
print(any("1 Mar 2026" in str(b) for b in doc.blocks))
"""


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    localedef = shutil.which("localedef")
    if localedef is None or not Path("/usr/share/i18n/locales/de_DE").exists():
        pytest.skip("glibc's localedef and locale sources are needed (Debian: locales)")
    folder = tmp_path_factory.mktemp("locales")
    subprocess.run(
        [localedef, "-i", "de_DE", "-f", "UTF-8", str(folder / "de_DE.UTF-8")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return {**os.environ, "LOCPATH": str(folder), "LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8"}


def test_dates_are_english_under_a_german_locale(german: dict[str, str]) -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=german,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split("\n")
    assert out[0] == "Mär"  # the locale really is German in the child
    assert out[1] == "1 Mar 2026"
    assert out[2] == "True"  # the PAR carries the date the same way
