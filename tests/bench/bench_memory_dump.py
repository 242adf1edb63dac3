"""Measurement: what a memory dump of the running app holds, with SQLCipher's
``cipher_memory_security`` on and off (the evidence for the decision in the README).

The real app runs offscreen in a child process over a vault of two cases whose text
carries unique canary words: case A is opened (its PAR section and a visit on screen),
case B only appears in the case list. The parent reads the child's whole memory
through ``/proc/<pid>/mem`` (what a core dump or a same-user process would see; the
child has the crash-dump hardening switched off for this, or nothing could be read)
and counts every copy of every canary, as Latin-1/UTF-8 (Python's and SQLite's own
strings) and UTF-16 (Qt's). It does so with the case open, and again after the app
has locked (the case closed, the key dropped). Each setting runs RUNS times.

Linux only. Run: ``python tests/bench/bench_memory_dump.py``.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import app_child_env

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "benchmark passphrase, not a real one"
RUNS = 3
FIELDS = ("par", "visit", "reference", "medical", "attachment")


def canaries(tag: str) -> dict[str, str]:
    return {f"{case}_{field}": f"Canary{case}{field}{tag}" for case in "AB" for field in FIELDS}


# ---------------------------------------------------------------------------- child side


def child(vault_dir: str, memory_security: str) -> None:
    """The app with case A open; waits for "lock" / "quit" on stdin."""
    import argparse
    import gc
    import time

    from homestudy.vault import hardening, store

    hardening.ENABLED = False  # the parent must be able to read our memory
    store.MEMORY_SECURITY = memory_security == "on"
    from PySide6.QtCore import QEventLoop, QTimer

    from homestudy.settings import AppSettings
    from ui.app import build_window, make_application

    app = make_application()
    window, ctx = build_window(argparse.Namespace(vault=vault_dir), AppSettings())
    window.show()

    def wait(done: object, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while not done():  # type: ignore[operator]
            if time.monotonic() > end:
                raise TimeoutError("benchmark step timed out")
            loop = QEventLoop()
            QTimer.singleShot(5, loop.quit)
            loop.exec()

    wait(lambda: window.stack.currentWidget() is window.unlock_view)
    ready: list[bool] = []
    window.unlocked_ready.connect(lambda: ready.append(True))
    window.unlock_view.passphrase.setText(PASSPHRASE)
    window.unlock_view.submit()
    wait(lambda: bool(ready) and not ctx.db.busy)
    case_id = next(r.case_id for r in window.case_list.model.rows if r.reference == "HS-A")
    window.open_case(case_id, "par:health")
    wait(lambda: window.workspace is not None and window.workspace.case is not None)
    window.workspace.show_location("visits")
    wait(lambda: not ctx.db.busy)
    window.workspace.show_location("par:health")
    wait(lambda: not ctx.db.busy)
    print("open", flush=True)
    for line in sys.stdin:
        if line.strip() == "lock":
            window.lock()
            wait(lambda: not ctx.db.busy)
            gc.collect()
            wait(lambda: True)
            print("locked", flush=True)
        elif line.strip() == "quit":
            break
    window.close()
    ctx.shutdown()
    del app  # kept alive until here: the QApplication must outlive its windows


# ---------------------------------------------------------------------------- parent side


def _make_vault(folder: Path, marks: dict[str, str]) -> None:
    from homestudy.demo import build_demo_case
    from homestudy.vault import KdfParams, Vault

    vault = Vault.create(folder, PASSPHRASE, kdf=KdfParams(1, 1024, 1))
    try:
        for case_letter in "AB":
            case = build_demo_case(seed=case_letter, reference=f"HS-{case_letter}")
            m = {f: marks[f"{case_letter}_{f}"] for f in FIELDS}
            case.par_sections["health"].text += f"\n\nThe medical letter says {m['par']}."
            case.visits[0].notes += f"\n\nSeen together; {m['visit']} came up."
            case.references[0].notes += f"\n\nThe referee described {m['reference']}."
            case.stage1.medical_adviser_summary += f" {m['medical']}."
            vault.cases.save_case(case)
            vault.cases.add_attachment(
                case.id,
                "letter.txt",
                "text/plain",
                f"Letter about {m['attachment']}.\n".encode() * 20,
            )
    finally:
        vault.close()


def _readable_regions(pid: int) -> list[tuple[int, int]]:
    regions = []
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            addresses, perms, *rest = line.split()
            name = rest[3] if len(rest) > 3 else ""
            if not perms.startswith("r") or name in ("[vvar]", "[vsyscall]"):
                continue
            start, end = (int(x, 16) for x in addresses.split("-"))
            regions.append((start, end))
    return regions


def count_copies(pid: int, marks: dict[str, str]) -> dict[str, int]:
    """Copies of each canary in the process's memory (all encodings together)."""
    patterns = {
        key: [re.compile(re.escape(word.encode(enc))) for enc in ("latin-1", "utf-16-le")]
        for key, word in marks.items()
    }
    found = dict.fromkeys(marks, 0)
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for start, end in _readable_regions(pid):
            try:
                mem.seek(start)
                data = mem.read(end - start)
            except (OSError, ValueError, OverflowError):
                continue  # a guard page or a region that went away
            for key, found_patterns in patterns.items():
                found[key] += sum(len(p.findall(data)) for p in found_patterns)
    return found


def _run(
    vault: Path,
    memory_security: str,
    marks: dict[str, str],
    env: dict[str, str],
) -> dict[str, dict[str, int]]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "child", str(vault), memory_security],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        out = {}
        assert proc.stdout.readline().strip() == "open"
        out["open"] = count_copies(proc.pid, marks)
        proc.stdin.write("lock\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "locked"
        out["locked"] = count_copies(proc.pid, marks)
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        proc.wait(60)
        return out
    finally:
        if proc.poll() is None:
            proc.kill()


def _sum(found: dict[str, int], case: str, fields: tuple[str, ...] = FIELDS) -> int:
    return sum(found[f"{case}_{f}"] for f in fields)


def main() -> None:
    if not Path("/proc/self/mem").exists():
        print("memory dump measurement: skipped (needs Linux /proc)")
        return
    tag = os.urandom(4).hex()
    marks = canaries(tag)
    with tempfile.TemporaryDirectory(prefix="homestudy-bench-mem-") as tmp:
        vault = Path(tmp) / "vault"
        _make_vault(vault, marks)
        env = app_child_env(tmp)
        results: dict[str, list[dict[str, dict[str, int]]]] = {"on": [], "off": []}
        for _ in range(RUNS):
            for setting in ("on", "off"):
                results[setting].append(_run(vault, setting, marks, env))
    summary = {}
    for setting, runs in results.items():
        for state in ("open", "locked"):
            for case, what in (("A", "opened case"), ("B", "case only listed")):
                copies = [_sum(run[state], case) for run in runs]
                name = f"canary copies, {what}, {state}, memory security {setting}"
                summary[name] = copies
                print(f"{name}: median {statistics.median(copies):.0f} copies (n={len(copies)})")
            attachment = [run[state]["A_attachment"] for run in runs]
            print(
                f"attachment canary copies, {state}, memory security {setting}: "
                f"median {statistics.median(attachment):.0f} copies (n={len(attachment)})"
            )
    print(f"canary words planted per case: {len(FIELDS)} (one copy each in the vault)")
    print("raw: " + json.dumps(summary))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
