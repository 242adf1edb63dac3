"""UI benchmarks: cold start, opening the demo case, keystroke to saved.

Each measurement runs the real app offscreen in a fresh child process over a vault
holding the demo case, made with the normal calibrated Argon2id cost:

- ``cold start``: from spawning the process to an unlocked window showing the case
  list, with the time spent in the key derivation taken out and reported apart.
- ``open demo case``: from asking for the case to every tab showing it, and to the
  overview's figures being drawn (tabs not on screen get the case when shown).
- ``keystroke to saved``: a key typed in the PAR editor until the save indicator
  says "Saved" (includes the editor's autosave pause); ``section save`` is the save
  alone through ``ui.operations.save_case_part``; ``keystroke on GUI thread`` is how
  long the GUI thread is busy with one key press.

Run: ``python tests/bench/bench_ui.py`` (or tests/bench/run_all.py).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _timing import app_child_env, median_line, percentile

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "benchmark passphrase, not a real one"
COLD_RUNS = 5
OPEN_RUNS = 20
KEY_RUNS = 60


# ---------------------------------------------------------------------------- child side


def _wait_for(app: Any, done: Callable[[], bool], timeout_s: float = 30.0) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark step timed out")
        loop = QEventLoop()
        QTimer.singleShot(1, loop.quit)
        loop.exec()


def section_save_times(app: Any, ctx: Any, case: Any, runs: int) -> list[float]:
    """ms for each of ``runs`` saves of the health section through
    ``ui.operations.save_case_part``, until its callback (a dot added, then taken away)."""
    from ui.operations import save_case_part

    text = case.par_sections["health"].text
    times = []
    for i in range(runs):
        draft = dataclasses.replace(case.par_sections["health"], text=text + "." * (i % 2))
        done: list[float] = []
        start = time.perf_counter()
        save_case_part(
            ctx,
            None,
            case.id,
            lambda v, d=draft: v.cases.save_par_section(case.id, d),
            lambda _r, done=done: done.append(time.perf_counter()),
        )
        _wait_for(app, lambda done=done: bool(done))
        times.append((done[0] - start) * 1000)
    return times


def _start(vault_dir: str) -> tuple[Any, Any, Any, dict[str, float]]:
    """Build the app, count KDF time, unlock; returns (app, window, ctx, timings)."""
    import argparse

    from homestudy.settings import AppSettings
    from homestudy.vault import keys

    kdf_seconds = [0.0]
    derive = keys.KdfParams.derive

    def timed_derive(self: Any, passphrase: str, salt: bytes) -> bytes:
        start = time.perf_counter()
        try:
            return derive(self, passphrase, salt)
        finally:
            kdf_seconds[0] += time.perf_counter() - start

    keys.KdfParams.derive = timed_derive  # type: ignore[method-assign]
    from ui.app import build_window, make_application

    app = make_application()
    window, ctx = build_window(argparse.Namespace(vault=vault_dir), AppSettings())
    window.show()
    _wait_for(app, lambda: window.stack.currentWidget() is window.unlock_view)
    ready: list[float] = []
    window.unlocked_ready.connect(lambda: ready.append(time.time()))
    window.unlock_view.passphrase.setText(PASSPHRASE)
    window.unlock_view.submit()
    _wait_for(app, lambda: bool(ready))
    return app, window, ctx, {"ready_at": ready[0], "kdf_s": kdf_seconds[0]}


def child_cold(
    vault_dir: str, spawned_at: float, check: Callable[[Any], None] | None = None
) -> dict[str, float]:
    """Spawned to unlocked (``check(window)`` then, if given), and the KDF's part of it."""
    app, window, ctx, t = _start(vault_dir)
    if check is not None:
        check(window)
    result = {"total_ms": (t["ready_at"] - spawned_at) * 1000, "kdf_ms": t["kdf_s"] * 1000}
    window.close()
    ctx.shutdown()
    del app
    return result


def child_session(vault_dir: str) -> dict[str, list[float]]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    app, window, ctx, _ = _start(vault_dir)
    case_id = window.case_list.model.rows[0].case_id
    out: dict[str, list[float]] = {
        "open": [],
        "open_overview": [],
        "keystroke_saved": [],
        "section_save": [],
        "keystroke_gui": [],
    }
    for _ in range(OPEN_RUNS):
        window.show_case_list()
        _wait_for(app, lambda: not ctx.db.busy)
        start = time.perf_counter()
        window.open_case(case_id)
        ws = window.workspace
        _wait_for(app, lambda ws=ws: ws.case is not None)
        out["open"].append((time.perf_counter() - start) * 1000)
        overview = ws.views["overview"]
        _wait_for(app, lambda o=overview: o.data is not None)
        out["open_overview"].append((time.perf_counter() - start) * 1000)

    states: list[tuple[str, float]] = []
    ctx.events.save_state_changed.connect(lambda s, _t: states.append((s, time.perf_counter())))
    ws = window.workspace
    if "par" in ws.views:
        ws.show_location("par:health")
        editor = ws.views["par"].editor
        editor.setFocus()
        _wait_for(app, lambda: not ctx.db.busy)
        for i in range(KEY_RUNS):
            states.clear()
            start = time.perf_counter()
            QTest.keyClick(editor, Qt.Key.Key_A if i % 2 == 0 else Qt.Key.Key_Backspace)
            out["keystroke_gui"].append((time.perf_counter() - start) * 1000)
            _wait_for(app, lambda: any(s == "saved" for s, _ in states))
            saved_at = next(t for s, t in states if s == "saved")
            out["keystroke_saved"].append((saved_at - start) * 1000)
    out["section_save"] = section_save_times(app, ctx, ws.case, KEY_RUNS)
    window.close()
    ctx.shutdown()
    return out


# ---------------------------------------------------------------------------- parent side


def _make_vault(folder: Path) -> None:
    from homestudy.demo import build_demo_case
    from homestudy.vault import Vault

    vault = Vault.create(folder, PASSPHRASE)  # the real, calibrated KDF cost
    try:
        vault.cases.save_case(build_demo_case())
    finally:
        vault.close()


def run_child(script: str, args: list[str], env: dict[str, str], timeout: float) -> Any:
    """``python SCRIPT ARGS``'s last line of output, read as JSON (its error if it fails)."""
    result = subprocess.run(
        [sys.executable, script, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def cold_starts(
    script: str, folder: Path, env: dict[str, str], runs: int, timeout: float
) -> tuple[list[float], list[float]]:
    """Total and KDF ms of ``runs`` cold starts (``SCRIPT cold``), each a new process."""
    cold = [
        run_child(script, ["cold", str(folder), repr(time.time())], env, timeout)
        for _ in range(runs)
    ]
    return [c["total_ms"] for c in cold], [c["kdf_ms"] for c in cold]


def _run_child(args: list[str], env: dict[str, str]) -> Any:
    return run_child(__file__, args, env, timeout=300)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="homestudy-bench-ui-") as tmp:
        folder = Path(tmp) / "vault"
        _make_vault(folder)
        env = app_child_env(tmp)
        total, kdf = cold_starts(__file__, folder, env, COLD_RUNS, timeout=300)
        print(
            median_line(
                "cold start to unlocked window, KDF excluded",
                [t - k for t, k in zip(total, kdf, strict=True)],
            )
        )
        print(median_line("key derivation at unlock (Argon2id, calibrated)", kdf))
        print(median_line("cold start to unlocked window, KDF included", total))
        session = _run_child(["session", str(folder)], env)
        print(median_line("open demo case (workspace showing it)", session["open"]))
        print(median_line("open demo case (overview figures drawn)", session["open_overview"]))
        if session["keystroke_saved"]:
            ks = session["keystroke_saved"]
            print(median_line("PAR keystroke to saved (incl. autosave pause)", ks))
            print(f"PAR keystroke to saved p99: {percentile(ks, 0.99):.1f} ms (n={len(ks)})")
            print(median_line("keystroke on GUI thread", session["keystroke_gui"]))
            gui = session["keystroke_gui"]
            print(f"keystroke on GUI thread p99: {percentile(gui, 0.99):.1f} ms (n={len(gui)})")
        save = session["section_save"]
        print(median_line("PAR section save through operations", save))
        print(f"PAR section save p99: {percentile(save, 0.99):.1f} ms (n={len(save)})")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "cold":
        print(json.dumps(child_cold(sys.argv[2], float(sys.argv[3]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "session":
        print(json.dumps(child_session(sys.argv[2])))
    else:
        main()
