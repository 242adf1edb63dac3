"""The frozen app (``make package``): its size on disk and how fast it starts.

Start times are wall-clock times of a fresh process each run, in an empty environment
(as in ``make package-test``). The first ``--version`` run after the others have not
touched the files is the nearest to a cold start we can measure without dropping the
operating system's file cache (which would slow everyone else on the machine).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_DIR = ROOT / "dist" / "HomeStudy"
EXE = APP_DIR / ("HomeStudy.exe" if sys.platform == "win32" else "HomeStudy")


def folder_mb(folder: Path) -> float:
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return total / (1024 * 1024)


def timed_run(args: list[str], home: str) -> float:
    env = {"HOME": home, "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen", "TMPDIR": home}
    if sys.platform == "win32":
        env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", r"C:\Windows")
    start = time.perf_counter()
    result = subprocess.run([str(EXE), *args], env=env, capture_output=True, timeout=300,
                            check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if result.returncode != 0:
        raise RuntimeError(f"{EXE.name} {' '.join(args)} exited {result.returncode}")
    return elapsed


def main() -> None:
    if not EXE.exists():
        print(f"frozen app: not built ({EXE} is missing; run `make package` first)")
        return
    print(f"frozen_app_size: {folder_mb(APP_DIR):.1f} MB ({sum(1 for _ in APP_DIR.rglob('*'))}"
          " files)")
    with tempfile.TemporaryDirectory(prefix="homestudy-bench-") as home:
        first = timed_run(["--version"], home)
        print(f"frozen_version_first_run: median {first:.0f} ms (n=1)")
        runs = [timed_run(["--version"], home) for _ in range(5)]
        print(f"frozen_version_start: median {statistics.median(runs):.0f} ms (n={len(runs)})")
        runs = [timed_run(["--self-test"], home) for _ in range(3)]
        print(f"frozen_self_test: median {statistics.median(runs):.0f} ms (n={len(runs)})")


if __name__ == "__main__":
    main()
