"""Colours that must read on both light and dark palettes."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QWidget

_WARNING_ON_LIGHT = "#b00020"  # dark red: 6.6:1 on white
_WARNING_ON_DARK = "#ff8a80"  # light red: the dark red is unreadable on a dark grey


def warning_style(widget: QWidget) -> str:
    """A style sheet for warning text on ``widget``'s background (light or dark)."""
    dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return f"color: {_WARNING_ON_DARK if dark else _WARNING_ON_LIGHT};"
