"""The self-test's check of the desktop libraries: Qt loads, finds a platform and paints.

Called by ``homestudy --self-test`` (homestudy.commands.selftest), which, like the
command line starting the app, reaches into ``ui`` only when asked. The frozen app's
commonest fault is a missing Qt plugin; this finds it before a social worker does.
"""

from __future__ import annotations

import os
import sys


def _headless_linux() -> bool:
    return sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def check_qt() -> str:
    """Start Qt, paint a widget into an image and read an icon; the versions on success."""
    if _headless_linux() and not os.environ.get("QT_QPA_PLATFORM"):
        # No screen (a server, CI): without this Qt would abort the whole process.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

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
    if not image.save(buffer, "JPG"):
        formats = ", ".join(bytes(f.data()).decode() for f in QImageReader.supportedImageFormats())
        raise RuntimeError(f"Qt's image plugins are missing (it can read only: {formats})")
    buffer.close()
    platform = QApplication.platformName() if app is not None else "?"
    return f"Qt {qVersion()}, PySide6 {PySide6.__version__}, platform {platform}"
