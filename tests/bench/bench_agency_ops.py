"""The inbox run as in production: ``serve --role inbox --workers 2`` on PostgreSQL with
protected keys and no agency.key on the host.

- 50 laptops upload at once (each its own connection, 20 bundles each) while 5 readers
  poll /health and /metrics: latency medians, and how many uploads were refused for load
  (429/503: must be 0) — the console's own pages are benchmarked with the console.
- Memory: the worker's resident size before and after 20 junk uploads of 30 MB each
  (refused as malformed after reading), to show it returns (limits.release_memory).
``BENCH_OPS_CLIENTS`` / ``BENCH_OPS_PER_CLIENT`` change the load.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[1])]

import httpx  # noqa: E402
import pg  # noqa: E402
from _timing import percentile  # noqa: E402
from ops_helpers import PASSPHRASE, Server, agency_env, inbox_host, protected_agency  # noqa: E402
from sync_helpers import laptops_work  # noqa: E402

from homestudy.agency.home import init_home  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_OPS_CLIENTS", "50"))
PER_CLIENT = int(os.environ.get("BENCH_OPS_PER_CLIENT", "20"))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def uploads(url: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-ops-"))
    env = agency_env(HOMESTUDY_AGENCY_PASSPHRASE=PASSPHRASE)
    try:
        home = protected_agency(
            folder / "console", database_url=url, agency_id="AG-BENCH", name="Bench Agency"
        )
        server = Server(
            inbox_host(home.path, folder / "inbox"), "--role", "inbox", "--workers", "2", env=env
        )
        try:
            work = laptops_work(home, server.url, CLIENTS, PER_CLIENT, "HS-OPS")
            latencies: list[float] = []
            reads: list[float] = []
            statuses: dict[int, int] = {}
            lock = threading.Lock()
            done = threading.Event()

            def laptop(jobs: list[tuple[str, bytes]]) -> None:
                with httpx.Client(base_url=server.url, timeout=120) as http:
                    for bundle_id, data in jobs:
                        started = time.perf_counter()
                        status = http.put(f"/bundles/{bundle_id}", content=data).status_code
                        with lock:
                            latencies.append(time.perf_counter() - started)
                            statuses[status] = statuses.get(status, 0) + 1

            def reader() -> None:
                with httpx.Client(base_url=server.url, timeout=60) as http:
                    while not done.is_set():
                        for path in ("/health", "/metrics"):
                            started = time.perf_counter()
                            http.get(path)
                            with lock:
                                reads.append(time.perf_counter() - started)

            readers = [threading.Thread(target=reader) for _ in range(5)]
            laptops = [threading.Thread(target=laptop, args=(jobs,)) for jobs in work]
            started = time.perf_counter()
            for t in readers + laptops:
                t.start()
            for t in laptops:
                t.join()
            wall = time.perf_counter() - started
            done.set()
            for t in readers:
                t.join()
        finally:
            server.stop()
        refused_for_load = statuses.get(429, 0) + statuses.get(503, 0)
        n = len(latencies)
        print(f"ops_upload_50_laptops: median {statistics.median(latencies) * 1000:.1f} ms (n={n})")
        print(
            f"ops_upload_50_laptops_p95: median {percentile(latencies, 0.95) * 1000:.1f} ms (n={n})"
        )
        print(
            f"ops_health_metrics_read: median {statistics.median(reads) * 1000:.1f} ms "
            f"(n={len(reads)})"
        )
        print(
            f"ops_upload_50_laptops_summary: {n / wall:.0f} bundles/s; statuses {statuses}; "
            f"refused for load {refused_for_load}"
        )
        if refused_for_load or set(statuses) != {200}:
            raise RuntimeError(f"uploads refused: {statuses}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def memory() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-mem-"))
    try:
        home = init_home(
            folder / "agency",
            agency_id="AG-BENCH",
            name="Bench Agency",
            inbox_url="http://127.0.0.1:1",
        )
        server = Server(home.path, "--role", "inbox")
        try:
            junk = os.urandom(30 * 1024 * 1024)
            with httpx.Client(base_url=server.url, timeout=120) as http:
                http.get("/health")
                before = _rss_mb(server.process.pid)
                peak = before
                for _ in range(20):
                    assert http.put("/bundles/junk", content=junk).status_code == 400
                    peak = max(peak, _rss_mb(server.process.pid))
                time.sleep(1)
                after = _rss_mb(server.process.pid)
        finally:
            server.stop()
        print(
            f"ops_memory_after_20x30MB: {after - before:+.0f} MB resident "
            f"(before {before:.0f} MB, peak {peak:.0f} MB, after {after:.0f} MB)"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    memory()
    reason = pg.available()
    if reason:
        print(f"ops_upload_50_laptops: skipped ({reason})")
        return
    with pg.running_cluster() as cluster:
        uploads(cluster.new_database())


if __name__ == "__main__":
    main()
