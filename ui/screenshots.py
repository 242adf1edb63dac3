"""Screenshots of the app on the demo case: ``python -m ui.screenshots OUTDIR``.

Runs the real main window offscreen over a throwaway vault holding only the
fictional demo case, and saves ``case_list.png``, ``overview.png`` and
``par_editor.png`` (``QWidget.grab``). Used by ``make screenshots`` and a test.
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

from homestudy.atomic import write_atomic

SIZE = (1280, 820)
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


def take(outdir: Path) -> list[Path]:
    """Render the three screenshots into ``outdir``; returns their paths."""
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
            overview = window.workspace.views["overview"]
            _wait(app, lambda: overview.data is not None)
            _settle(app)
            written.append(_save_png(window, outdir / "overview.png"))

            if "par" in window.workspace.views:
                window.workspace.show_location(f"par:{PAR_SECTION}")
                _settle(app, 0.8)
                written.append(_save_png(window, outdir / "par_editor.png"))
        finally:
            window.lock()
            window.close()
            ctx.shutdown()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.screenshots",
                                     description="Save screenshots of HomeStudy.")
    parser.add_argument("outdir", type=Path)
    args = parser.parse_args(argv)
    for path in take(args.outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
