"""Where the files shipped with HomeStudy live: the one place that knows.

They are package data in ``homestudy/data`` (forms, fonts, dictionary, icons, the
report template), found through ``importlib.resources`` so one code path serves
every way HomeStudy is installed: a checkout or editable install (the source
folder), a wheel or ``pipx install`` (site-packages), and the PyInstaller build,
whose resource reader answers from ``sys._MEIPASS/homestudy/data``
(``packaging/homestudy.spec`` copies the folder there).
"""

from __future__ import annotations

import sys
from functools import cache
from importlib.resources import files
from pathlib import Path

_PACKAGE = "homestudy"
_DATA = "data"


def is_frozen() -> bool:
    """True when running from the PyInstaller build."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


@cache
def data_root() -> Path:
    """The folder holding ``forms/``, ``fonts/``, ``dictionary/``, ``icons/``, ``report/``."""
    found = files(_PACKAGE).joinpath(_DATA)
    # Fonts are handed to reportlab and Qt by file name, so the data must be real files:
    # every supported install unpacks the package to disk (no zip imports).
    if not isinstance(found, Path):
        raise RuntimeError(f"HomeStudy's data is not on disk ({found!r}); reinstall HomeStudy")
    return found


def resource_path(*parts: str) -> Path:
    """A path under the package data, e.g. ``resource_path("fonts", "DejaVuSans.ttf")``.

    The path is returned whether or not it exists, so callers can say what is missing.
    """
    return data_root().joinpath(*parts)


def forms_path() -> Path:
    """The shipped form definitions."""
    return resource_path("forms")
