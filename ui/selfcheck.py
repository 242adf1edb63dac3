"""The self-test's check of the desktop libraries: Qt loads, finds a platform and paints.

Called by ``homestudy --self-test`` (homestudy.commands.selftest), which, like the
command line starting the app, reaches into ``ui`` only when asked. The frozen app's
commonest fault is a missing Qt plugin; this finds it before a social worker does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _headless_linux() -> bool:
    return sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def _missing_platform() -> str:
    """The platform plugin named in $QT_QPA_PLATFORM, if none of those named is shipped.

    Qt aborts the whole process when it cannot load its platform plugin, so the
    self-test looks for the file first and reports the fault instead.
    """
    wanted = os.environ.get("QT_QPA_PLATFORM", "")
    names = [part.split(":", 1)[0].strip() for part in wanted.split(";") if part.strip()]
    if not names:
        return ""
    from PySide6.QtCore import QCoreApplication, QLibraryInfo

    folders = {Path(p) for p in QCoreApplication.libraryPaths()}
    folders.add(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)))
    shipped = {
        lib.stem.removeprefix("lib").removeprefix("q")
        for folder in folders
        if (folder / "platforms").is_dir()
        for lib in (folder / "platforms").iterdir()
    }
    return "" if any(name in shipped for name in names) else names[0]


def check_qt() -> str:
    """Start Qt, paint a widget into an image and encode it; the versions on success."""
    if _headless_linux() and not os.environ.get("QT_QPA_PLATFORM"):
        # No screen (a server, CI): without this Qt would abort the whole process.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    missing = _missing_platform()
    if missing:
        raise RuntimeError(f"Qt's platform plugin '{missing}' is not installed with HomeStudy")

    import PySide6
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, qVersion
    from PySide6.QtGui import QColor, QImage, QImageReader
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "homestudy"])
    label = QLabel("HomeStudy self-test")
    label.resize(QSize(200, 40))
    image = QImage(QSize(200, 40), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    label.render(image)
    label.deleteLater()
    inked = any(
        image.pixelColor(x, y).lightness() < 128 for x in range(0, 200, 2) for y in range(40)
    )
    if not inked:
        raise RuntimeError("Qt started but drew no text (are its fonts missing?)")

    # Round-trip through the JPEG plugin: proves the imageformats plugins were shipped.
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # the stubs say bytes, but PySide6 takes only a str format here
    if not image.save(buffer, "JPG"):  # type: ignore[call-overload]
        formats = ", ".join(bytes(f.data()).decode() for f in QImageReader.supportedImageFormats())
        raise RuntimeError(f"Qt's image plugins are missing (it can read only: {formats})")
    buffer.close()
    platform = QApplication.platformName() if app is not None else "?"
    return f"Qt {qVersion()}, PySide6 {PySide6.__version__}, platform {platform}"


def _import_all_ui_modules() -> int:
    """Import every ui module: a frozen build missing one fails here, not in front of a user."""
    import importlib
    import pkgutil

    import ui

    count = 0
    for module in pkgutil.walk_packages(ui.__path__, "ui."):
        if module.name.rsplit(".", 1)[-1] != "__main__":
            importlib.import_module(module.name)
            count += 1
    return count


def check_app_window(vault_dir: Path, timeout: float = 30.0) -> str:
    """Build the real main window (not shown) over an empty folder and wait for the
    first-run screen, as a new user would see it; nothing is written to ``vault_dir``."""
    import argparse
    import time

    check_qt()  # the platform plugin is there (or the fault is reported, not an abort)
    from PySide6.QtCore import QEventLoop

    from homestudy.settings import AppSettings
    from ui.app import build_window, make_application
    from ui.views.welcome import WelcomeView

    modules = _import_all_ui_modules()
    app = make_application()
    # Default settings: the self-test must not depend on (or change) the user's own.
    window, ctx = build_window(argparse.Namespace(vault=str(vault_dir)), AppSettings())
    try:
        deadline = time.monotonic() + timeout
        while not isinstance(window.stack.currentWidget(), WelcomeView):
            if time.monotonic() > deadline:
                raise RuntimeError("the main window did not reach the first-run screen")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    finally:
        window.close()
        ctx.shutdown()
        window.deleteLater()
    return f"{modules} ui modules load; the main window opens at the welcome screen"
