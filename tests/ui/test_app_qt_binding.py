"""Guard against a Qt binding that corrupts Python's reference counts.

PySide6 6.12.0 on Python 3.11 dropped one reference to ``None`` on every call of a
method returning void (``setText``, ``processEvents`` ...), so the app died with
"deallocating None" after a few thousand calls. pyproject.toml pins below it; this
test fails if a binding with that fault is ever installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLineEdit


def test_void_qt_calls_keep_references_to_none(qapp) -> None:
    field = QLineEdit()
    field.setText("warm up")
    before = sys.getrefcount(None)
    for _ in range(2000):
        field.setText("x")
        QCoreApplication.processEvents()
    after = sys.getrefcount(None)
    # a healthy binding leaves the count alone, give or take a few stray references
    assert after - before > -100, f"None lost {before - after} references"
