"""Load on the inbox: 50 concurrent clients upload 2,000 bundles over 127.0.0.1 to the
real server process, once on SQLite and once on a throwaway PostgreSQL cluster.

Reports bundles per second, median and p95 latency per upload, and checks that every
receipt verifies and that the database holds each bundle exactly once (zero lost,
zero duplicated). ``BENCH_INBOX_BUNDLES`` / ``BENCH_INBOX_CLIENTS`` change the load.
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
from sync_helpers import (  # noqa: E402
    InboxServer,
    laptops_work,
    make_agency,
)

from homestudy.sync.bundle import sha256_hex  # noqa: E402
from homestudy.sync.signed import SignedDocument, verify_receipt  # noqa: E402

BUNDLES = int(os.environ.get("BENCH_INBOX_BUNDLES", "2000"))
CLIENTS = int(os.environ.get("BENCH_INBOX_CLIENTS", "50"))
WORKERS = int(os.environ.get("BENCH_INBOX_WORKERS", "2"))  # server processes


def run(label: str, database_url: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-inbox-"))
    home = make_agency(folder / "agency", database_url=database_url)
    server = InboxServer(home.path, workers=WORKERS)
    try:
        per_client = BUNDLES // CLIENTS
        work = laptops_work(home, server.url, CLIENTS, per_client, "HS-BENCH")
        latencies: list[float] = []
        problems: list[str] = []
        lock = threading.Lock()

        def client(jobs: list[tuple[str, bytes]]) -> None:
            with httpx.Client(base_url=server.url, timeout=120) as http:
                for bundle_id, data in jobs:
                    started = time.perf_counter()
                    response = http.put(f"/bundles/{bundle_id}", content=data)
                    elapsed = time.perf_counter() - started
                    try:
                        doc = SignedDocument.from_wire(response.json()["receipt"])
                        verify_receipt(
                            doc,
                            agency_public_key=home.receipt_public,
                            bundle_id=bundle_id,
                            sha256=sha256_hex(data),
                        )
                    except Exception as exc:
                        with lock:
                            problems.append(f"{response.status_code} {exc!r}")
                    with lock:
                        latencies.append(elapsed)

        threads = [threading.Thread(target=client, args=(jobs,)) for jobs in work]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        sent = {bundle_id for jobs in work for bundle_id, _ in jobs}
        db = home.database(pool_size=1)
        with db.transaction() as cur:
            rows = cur.all("SELECT bundle_id FROM bundles")
        db.close()
        stored = [r[0] for r in rows]
        lost, duplicated = len(sent - set(stored)), len(stored) - len(set(stored))
        n = len(latencies)
        print(f"inbox_upload_{label}: median {statistics.median(latencies) * 1000:.1f} ms (n={n})")
        print(
            f"inbox_upload_{label}_p95: median {percentile(latencies, 0.95) * 1000:.1f} ms (n={n})"
        )
        print(
            f"inbox_upload_{label}_throughput: {n / wall:.0f} bundles/s with {CLIENTS} "
            f"clients, {WORKERS} server workers; lost {lost}, duplicated {duplicated}, "
            f"receipt problems {len(problems)}"
        )
        if lost or duplicated or problems:
            raise RuntimeError(f"{label}: lost {lost}, duplicated {duplicated}, {problems[:3]}")
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    run("sqlite", "")
    reason = pg.available()
    if reason:
        print(f"inbox_upload_postgresql: skipped ({reason})")
        return
    with pg.running_cluster() as cluster:
        run("postgresql", cluster.new_database())


if __name__ == "__main__":
    main()
