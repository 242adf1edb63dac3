"""Draw HomeStudy's application icon and write it as PNG, ICO (Windows) and ICNS (macOS).

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py

Writes ``homestudy/data/icons/homestudy.{png,ico,icns}``; the spec uses the .ico and .icns.
Drawn in code (a house with a heart in the doorway) so it can be changed in review.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPolygonF

OUT = Path(__file__).resolve().parents[1] / "homestudy" / "data" / "icons"
TEAL, WHITE, CORAL = QColor("#1f6f78"), QColor("#ffffff"), QColor("#e8665a")


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    s = size / 64.0
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(TEAL)
    p.drawRoundedRect(QRectF(2 * s, 2 * s, 60 * s, 60 * s), 12 * s, 12 * s)
    p.setBrush(WHITE)
    roof = QPolygonF([QPointF(32 * s, 11 * s), QPointF(54 * s, 30 * s), QPointF(10 * s, 30 * s)])
    p.drawPolygon(roof)
    p.drawRect(QRectF(15 * s, 29 * s, 34 * s, 23 * s))
    heart = QPainterPath()
    cx, top = 32 * s, 36 * s
    heart.moveTo(cx, top + 12 * s)
    heart.cubicTo(cx - 11 * s, top + 4 * s, cx - 6 * s, top - 4 * s, cx, top + 2 * s)
    heart.cubicTo(cx + 6 * s, top - 4 * s, cx + 11 * s, top + 4 * s, cx, top + 12 * s)
    p.setBrush(CORAL)
    p.drawPath(heart)
    p.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw(512)
    ok = big.save(str(OUT / "homestudy.png"), "PNG")
    ok &= draw(256).save(str(OUT / "homestudy.ico"), "ICO")
    ok &= big.save(str(OUT / "homestudy.icns"), "ICNS")
    del app
    print("\n".join(str(p) for p in sorted(OUT.iterdir())))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
