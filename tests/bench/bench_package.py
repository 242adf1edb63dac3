"""The frozen app (``make package``): its size on disk and how fast it starts; and how
long the wheel (``make wheel``, built here if missing) takes to install into an empty venv.

Start times are wall-clock times of a fresh process each run, in an empty environment
(as in ``make package-test``). The first ``--version`` run after the others have not
touched the files is the nearest to a cold start we can measure without dropping the
operating system's file cache (which would slow everyone else on the machine).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_DIR = Path(os.environ.get("HOMESTUDY_FROZEN_DIR", ROOT / "dist" / "HomeStudy"))
EXE = APP_DIR / ("HomeStudy.exe" if sys.platform == "win32" else "HomeStudy")


def folder_mb(folder: Path) -> float:
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return total / (1024 * 1024)


def timed_run(args: list[str], home: str) -> float:
    env = {"HOME": home, "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen", "TMPDIR": home}
    if sys.platform == "win32":
        env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", r"C:\Windows")
    start = time.perf_counter()
    result = subprocess.run(
        [str(EXE), *args], env=env, capture_output=True, timeout=300, check=False
    )
    elapsed = (time.perf_counter() - start) * 1000
    if result.returncode != 0:
        raise RuntimeError(f"{EXE.name} {' '.join(args)} exited {result.returncode}")
    return elapsed


def _uv() -> str | None:
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.exists() else shutil.which("uv")


def wheel_install_ms(uv: str, wheel: Path, scratch: Path) -> float:
    """Make an empty venv and install the wheel with the desktop extra into it.

    uv's cache holds the dependencies after the first run, so this is install time,
    not download time (the first, untimed run fills the cache)."""
    venv = scratch / "venv"
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    start = time.perf_counter()
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(venv / "bin" / "python"),
            f"{wheel}[gui]",
        ],
        check=True,
        timeout=600,
    )
    return (time.perf_counter() - start) * 1000


def bench_wheel() -> None:
    uv = _uv()
    if uv is None:
        print("wheel_install: skipped (uv is not installed; `make install` brings it)")
        return
    folder = ROOT / "dist" / "wheel"
    if not list(folder.glob("homestudy-*.whl")):
        subprocess.run(
            [uv, "build", "--quiet", "--wheel", "--out-dir", str(folder), str(ROOT)],
            check=True,
            timeout=600,
        )
    wheel = sorted(folder.glob("homestudy-*.whl"))[-1]
    print(f"wheel_size: {wheel.stat().st_size / (1024 * 1024):.1f} MB ({wheel.name})")
    with tempfile.TemporaryDirectory(prefix="homestudy-bench-wheel-") as scratch:
        wheel_install_ms(uv, wheel, Path(scratch))  # fills uv's cache
        runs = [wheel_install_ms(uv, wheel, Path(scratch)) for _ in range(3)]
    print(f"wheel_install_empty_venv: median {statistics.median(runs):.0f} ms (n={len(runs)})")


def main() -> None:
    bench_wheel()
    if not EXE.exists():
        print(f"frozen app: not built ({EXE} is missing; run `make package` first)")
        return
    print(
        f"frozen_app_size: {folder_mb(APP_DIR):.1f} MB ({sum(1 for _ in APP_DIR.rglob('*'))} files)"
    )
    with tempfile.TemporaryDirectory(prefix="homestudy-bench-") as home:
        first = timed_run(["--version"], home)
        print(f"frozen_version_first_run: median {first:.0f} ms (n=1)")
        runs = [timed_run(["--version"], home) for _ in range(5)]
        print(f"frozen_version_start: median {statistics.median(runs):.0f} ms (n={len(runs)})")
        runs = [timed_run(["--self-test"], home) for _ in range(3)]
        print(f"frozen_self_test: median {statistics.median(runs):.0f} ms (n={len(runs)})")


if __name__ == "__main__":
    main()
