"""Where the files shipped with HomeStudy live: from a checkout and in the frozen app.

In a checkout the data folders (``resources/``, ``forms/``) sit next to the
``homestudy`` package. In the PyInstaller build (``packaging/homestudy.spec``)
they are copied to the bundle's root, which PyInstaller names in
``sys._MEIPASS`` (the ``_internal`` folder of the one-folder build).

Form definitions are located by ``homestudy.forms.forms_dir()`` (the forms
engine owns that rule); ``forms_path()`` here only forwards to it so callers
have one place to ask.
"""

from __future__ import annotations

import sys
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def is_frozen() -> bool:
    """True when running from the PyInstaller build."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def bundle_root() -> Path:
    """The folder holding ``resources/`` and ``forms/``."""
    if is_frozen():
        return Path(sys._MEIPASS)  # type: ignore[attr-defined]  # set by PyInstaller
    return _REPO_ROOT


def resource_path(*parts: str) -> Path:
    """A path under ``resources/``, e.g. ``resource_path("fonts", "DejaVuSans.ttf")``.

    The path is returned whether or not it exists, so callers can say what is missing.
    """
    return bundle_root().joinpath("resources", *parts)


def forms_path() -> Path:
    """The shipped form definitions (``forms/``), as the forms engine finds them."""
    from homestudy.forms import forms_dir

    return forms_dir()
