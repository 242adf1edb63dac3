"""Screenshots of the app on the demo case: ``python -m ui.screenshots OUTDIR``.

Runs the real main window offscreen over a throwaway vault holding only the
fictional demo case, and saves (``QWidget.grab``) the three the README shows,
``case_list.png``, ``overview.png`` and ``par_editor.png``, then for reviewers
``unlock.png``, ``create_vault.png``, ``case_details.png``, ``visits.png``,
``references.png``, ``checklists.png``, ``export_dialog.png``, the same tabs at a
small window (``small_<tab>.png``, 1024x700) and in a dark palette
(``dark_<tab>.png``). Used by ``make screenshots`` and a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from homestudy.atomic import write_atomic

if TYPE_CHECKING:  # Qt is imported inside the functions here
    from PySide6.QtGui import QPalette

SIZE = (1280, 820)
SMALL = (1024, 700)
TABS = ("overview", "case", "visits", "references", "checklists", "par")
TAB_FILES = {"case": "case_details", "par": "par_editor"}  # file names that differ from keys
PASSPHRASE = "screenshots only, never a real vault"
PAR_SECTION = "family_of_origin"  # a section with prose and an analysis paragraph


def _wait(app: object, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)  # type: ignore[attr-defined]


def _settle(app: object, seconds: float = 0.3) -> None:
    """Let queued work (layouts, highlighters, delayed refreshes) finish."""
    end = time.monotonic() + seconds
    _wait(app, lambda: time.monotonic() > end, timeout=seconds + 5)


def _save_png(widget: object, path: Path) -> Path:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    pixmap = widget.grab()  # type: ignore[attr-defined]
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not pixmap.save(buffer, "PNG"):
        raise RuntimeError(f"could not render {path.name}")
    buffer.close()
    return write_atomic(path, bytes(data.data()), mode=0o644)


def _demo_vault(folder: Path) -> None:
    from homestudy.demo import build_demo_case
    from homestudy.vault import KdfParams, Vault

    # a throwaway vault of fictional data: a cheap KDF keeps the run quick
    vault = Vault.create(folder, PASSPHRASE, kdf=KdfParams(1, 8 * 1024, 1))
    try:
        vault.cases.save_case(build_demo_case(date.today()))
    finally:
        vault.close()


def _dark_palette() -> QPalette:
    """A plain dark palette: shows any colour hard-coded for a light background."""
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    for r, colour in (
        (role.Window, "#2b2b2b"),
        (role.WindowText, "#e8e8e8"),
        (role.Base, "#1e1e1e"),
        (role.AlternateBase, "#262626"),
        (role.Text, "#e8e8e8"),
        (role.Button, "#353535"),
        (role.ButtonText, "#e8e8e8"),
        (role.Highlight, "#2f65a8"),
        (role.HighlightedText, "#ffffff"),
        (role.ToolTipBase, "#353535"),
        (role.ToolTipText, "#e8e8e8"),
        (role.PlaceholderText, "#9a9a9a"),
        (role.Link, "#8ab4f8"),
        (role.Light, "#505050"),
        (role.Midlight, "#404040"),
        (role.Mid, "#303030"),
        (role.Dark, "#202020"),
        (role.Shadow, "#101010"),
    ):
        palette.setColor(r, QColor(colour))
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, r, QColor("#808080"))
    return palette


def _create_vault_screen(app: object, ctx: object, outdir: Path) -> Path:
    """The shell's create-vault form on its own (the welcome screen builds on it)."""
    from ui.views.unlock import CreateVaultView

    view = CreateVaultView(ctx)  # type: ignore[arg-type]
    try:
        view.resize(*SIZE)
        view.show()
        _wait(app, lambda: not view.keyring_note.text().startswith("Checking"))
        _settle(app)
        return _save_png(view, outdir / "create_vault.png")
    finally:
        view.close()
        view.deleteLater()


def _export_dialog(app: object, ctx: object, window: object, case_id: str, outdir: Path) -> Path:
    from ui.views.export_dialog import open_export_dialog

    dialog = open_export_dialog(ctx, window, case_id)  # type: ignore[arg-type]
    try:
        _wait(app, lambda: bool(dialog.reference) and bool(dialog.readiness.blockers))
        # the suggested name, in a made-up home folder rather than this computer's
        name = Path(dialog.destination.text()).name
        dialog.destination.setText(str(Path("/home/sam/Documents") / name))
        _settle(app)
        return _save_png(dialog, outdir / "export_dialog.png")
    finally:
        dialog.close()
        dialog.deleteLater()


def _tabs(
    app: object, window: object, outdir: Path, prefix: str, keys: tuple[str, ...]
) -> list[Path]:
    written = []
    for key in keys:
        if key not in window.workspace.views:  # type: ignore[attr-defined]
            continue
        location = f"par:{PAR_SECTION}" if key == "par" else key
        window.workspace.show_location(location)  # type: ignore[attr-defined]
        _settle(app, 0.8 if key == "par" else 0.3)
        name = f"{prefix}{TAB_FILES.get(key, key)}.png"
        written.append(_save_png(window, outdir / name))
    return written


def take(outdir: Path) -> list[Path]:
    """Render the screenshots into ``outdir``; returns their paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from homestudy.settings import AppSettings
    from ui.app import build_window, make_application

    outdir.mkdir(parents=True, exist_ok=True)
    app = make_application()
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="homestudy-shots-") as tmp:
        folder = Path(tmp) / "vault"
        _demo_vault(folder)
        args = argparse.Namespace(vault=str(folder))
        window, ctx = build_window(args, AppSettings(spell_check=True))
        try:
            window.resize(*SIZE)
            window.show()
            _wait(app, lambda: window.stack.currentWidget() is window.unlock_view)
            _settle(app)
            written.append(_save_png(window, outdir / "unlock.png"))
            written.append(_create_vault_screen(app, ctx, outdir))
            ready: list[bool] = []
            window.case_list.assessed.connect(lambda: ready.append(True))  # readiness drawn
            window.unlock_view.passphrase.setText(PASSPHRASE)
            window.unlock_view.submit()
            _wait(app, lambda: bool(ready))
            _settle(app)
            written.append(_save_png(window, outdir / "case_list.png"))

            case_id = window.case_list.model.rows[0].case_id
            window.open_case(case_id)
            _wait(app, lambda: window.workspace is not None and window.workspace.case is not None)
            assert window.workspace is not None
            overview = window.workspace.views["overview"]
            _wait(app, lambda: overview.data is not None)
            _settle(app)
            written.append(_save_png(window, outdir / "overview.png"))

            written += _tabs(app, window, outdir, "", ("par",))  # the README's three first
            written += _tabs(app, window, outdir, "", TABS[1:-1])
            written.append(_export_dialog(app, ctx, window, case_id, outdir))
            window.resize(*SMALL)
            written += _tabs(app, window, outdir, "small_", TABS)
            window.resize(*SIZE)
            light = app.palette()
            app.setPalette(_dark_palette())
            try:
                written += _tabs(app, window, outdir, "dark_", TABS)
            finally:
                app.setPalette(light)
        finally:
            window.lock()
            window.close()
            ctx.shutdown()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ui.screenshots", description="Save screenshots of HomeStudy."
    )
    parser.add_argument("outdir", type=Path)
    args = parser.parse_args(argv)
    for path in take(args.outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
