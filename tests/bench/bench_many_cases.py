"""Benchmark: the app over a vault of 200 cases (``many_cases.make_vault``: the demo
case with varied names), each measurement in the real app offscreen in a child process.

- ``cold start to the case list``: spawning the process to an unlocked window whose
  case list shows all 200 rows (KDF time reported apart). Aim 1 s.
- ``search``: a phrase every case holds, and a referee's name, through ``run_db`` (the
  search box's path: DB worker and back). Aim 50 ms.
- ``open a case``: asking for a case until the workspace shows it, 20 different cases
  in turn, after the list's readiness figures are in. Aim 150 ms. Also the first open
  straight after unlocking, while the list is still being assessed.
- ``save a section``: a PAR section through ``ui.operations.save_case_part``. Aim 10 ms.
- memory: the process's resident size after opening 1 case and after 20 in turn
  (aim: no growth beyond one case).

``cipher_memory_security`` is run both ways for search, open and save (the decision in
the README's security section rests on these and on bench_memory_dump.py).
Run: ``python tests/bench/bench_many_cases.py``.
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import bench_ui
from _timing import app_child_env, median_line
from bench_ui import PASSPHRASE, _start, _wait_for

CASES = 200
COLD_RUNS = 3
OPENS = 20
SEARCHES = 30
SAVES = 40


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------------------- child side


def _lists_every_case(window: Any) -> None:
    assert window.case_list.model.rowCount() == CASES


def child_cold(vault_dir: str, spawned_at: float) -> dict[str, float]:
    return bench_ui.child_cold(vault_dir, spawned_at, check=_lists_every_case)


def child_session(vault_dir: str, memory_security: str) -> dict[str, Any]:
    from homestudy.vault import store

    store.MEMORY_SECURITY = memory_security == "on"
    from ui.operations import run_db

    app, window, ctx, _ = _start(vault_dir)
    out: dict[str, Any] = {"open": [], "search_phrase": [], "search_name": [], "save": []}
    rows = list(window.case_list.model.rows)

    def open_case(case_id: str) -> float:
        window.show_case_list()
        _wait_for(app, lambda: not ctx.db.busy)
        start = time.perf_counter()
        window.open_case(case_id)
        ws = window.workspace
        _wait_for(app, lambda: ws.case is not None and ws.case.id == case_id)
        return (time.perf_counter() - start) * 1000

    # the first open comes while the list's readiness is still being worked out
    start = time.perf_counter()
    window.open_case(rows[7].case_id)
    ws = window.workspace
    _wait_for(app, lambda: ws.case is not None)
    out["open_during_assessment"] = (time.perf_counter() - start) * 1000
    window.show_case_list()
    _wait_for(
        app, lambda: not ctx.db.busy and all(r.blockers >= 0 for r in window.case_list.model.rows)
    )
    gc.collect()
    out["rss_start"] = _rss_mb()
    out["open"].append(open_case(rows[0].case_id))
    gc.collect()
    out["rss_one"] = _rss_mb()
    for row in rows[1:OPENS]:
        out["open"].append(open_case(row.case_id))
    window.show_case_list()
    _wait_for(app, lambda: not ctx.db.busy)
    gc.collect()
    out["rss_twenty"] = _rss_mb()

    def timed_db(fn: Any) -> float:
        done: list[float] = []
        start = time.perf_counter()
        run_db(ctx, None, fn, lambda _r: done.append(time.perf_counter()))
        _wait_for(app, lambda: bool(done))
        return (done[0] - start) * 1000

    name = window.case_list.model.rows[3].applicants.split(" and ")[0].split()[-1]
    for _ in range(SEARCHES):
        out["search_phrase"].append(timed_db(lambda v: v.cases.search("attachment trauma")))
        out["search_name"].append(timed_db(lambda v, n=name: v.cases.search(n)))

    window.open_case(rows[0].case_id)
    ws = window.workspace
    _wait_for(app, lambda: ws.case is not None and not ctx.db.busy)
    out["save"] = bench_ui.section_save_times(app, ctx, ws.case, SAVES)
    window.close()
    ctx.shutdown()
    return out


# ---------------------------------------------------------------------------- parent side


def _run_child(args: list[str], env: dict[str, str]) -> Any:
    return bench_ui.run_child(__file__, args, env, timeout=900)


def _make(folder: Path) -> float:
    from many_cases import make_vault

    start = time.perf_counter()
    make_vault(folder, PASSPHRASE, CASES)  # the real, calibrated KDF
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="homestudy-bench-200-") as tmp:
        folder = Path(tmp) / "vault"
        made_s = _make(folder)
        size = (folder / "vault.db").stat().st_size / (1024 * 1024)
        print(f"vault of {CASES} cases made in {made_s:.0f} s ({size:.0f} MB)")
        env = app_child_env(tmp)
        total, kdf = bench_ui.cold_starts(__file__, folder, env, COLD_RUNS, timeout=900)
        print(
            median_line(
                f"{CASES} cases: cold start to the case list, KDF excluded (aim 1000)",
                [t - k for t, k in zip(total, kdf, strict=True)],
            )
        )
        print(median_line(f"{CASES} cases: cold start to the case list, KDF included", total))
        for setting in ("on", "off"):
            s = _run_child(["session", str(folder), setting], env)
            tag = f"{CASES} cases, memory security {setting}"
            print(median_line(f"{tag}: search a phrase in every case (aim 50)", s["search_phrase"]))
            print(median_line(f"{tag}: search a name", s["search_name"]))
            print(median_line(f"{tag}: open a case, 20 in turn (aim 150)", s["open"]))
            print(
                median_line(
                    f"{tag}: first open while the list is assessed", [s["open_during_assessment"]]
                )
            )
            print(median_line(f"{tag}: save a section (aim 10)", s["save"]))
            print(
                f"{tag}: memory after opening 1 case: {s['rss_one']:.0f} MB, after 20 in "
                f"turn: {s['rss_twenty']:.0f} MB (growth {s['rss_twenty'] - s['rss_one']:+.0f}"
                f" MB; the list alone {s['rss_start']:.0f} MB)"
            )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "cold":
        print(json.dumps(child_cold(sys.argv[2], float(sys.argv[3]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "session":
        print(json.dumps(child_session(sys.argv[2], sys.argv[3])))
    else:
        main()
