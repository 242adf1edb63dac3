"""Shared timing for the benchmarks: every ``bench_*.py`` prints lines
``name: median X ms (n=N)`` (``run_all.py`` and the README rely on that shape).

Import as ``from _timing import ...``: running a bench file, or ``run_all.py``, puts
``tests/bench`` first on ``sys.path``.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def timings_ms(fn: Callable[[int], object], n: int, *, warm: bool = True) -> list[float]:
    """Call ``fn(i)`` for i in 0..n-1 and return each call's time in ms.

    With ``warm``, ``fn(-1)`` runs first, untimed, so caches (fonts, the form library,
    compiled regexes, SQLite pages) are filled before the clock starts.
    """
    if warm:
        fn(-1)
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


def median_ms(fn: Callable[[], object], n: int, *, warm: bool = True) -> float:
    """The median time of ``n`` calls of ``fn()`` in ms (after one untimed call)."""
    return statistics.median(timings_ms(lambda _i: fn(), n, warm=warm))


def indexed_median_ms(fn: Callable[[int], object], n: int) -> float:
    """As ``median_ms`` for a ``fn(i)`` that needs the run's number (warm-up gets -1)."""
    return statistics.median(timings_ms(fn, n))


def median_line(name: str, values: list[float], digits: int = 1) -> str:
    """One result line in the shape every benchmark prints."""
    return f"{name}: median {statistics.median(values):.{digits}f} ms (n={len(values)})"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank ``share`` percentile (0.95 for p95) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def app_child_env(tmp: str) -> dict[str, str]:
    """The environment of an app child process the bench times: offscreen Qt, settings and
    temporary files inside ``tmp``, no OS keyring, this checkout's code."""
    return dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        TMPDIR=tmp,
        HOMESTUDY_SETTINGS=str(Path(tmp) / "settings.json"),
        HOMESTUDY_CENTRAL_SETTINGS=str(Path(tmp) / "central.json"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
