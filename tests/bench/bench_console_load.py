"""50 laptops uploading while 5 managers browse the console, on PostgreSQL (SQLite when
PostgreSQL is not installed): the inbox is the real server process, the console the real
app under uvicorn, over 127.0.0.1. Reports upload and page latencies and fails if any
upload is refused (the issue: "no upload refused for load"). ``BENCH_LOAD_UPLOADS``
(default 20 per laptop) and ``BENCH_LOAD_SECONDS`` change the load."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[1])]

import httpx  # noqa: E402
import pg  # noqa: E402
from _timing import percentile  # noqa: E402
from sync_helpers import (  # noqa: E402
    InboxServer,
    TestDevice,
    agency_command,
    enrolment_for,
    make_agency,
)

from homestudy.agency.console import auth  # noqa: E402
from homestudy.agency.console.schema import migrate_console  # noqa: E402
from homestudy.demo import build_demo_case  # noqa: E402
from tests.console_helpers import PASSWORD, Staff, close_all  # noqa: E402

LAPTOPS, MANAGERS = 50, 5


class ConsoleProcess:
    """``homestudy-agency serve --role all`` in its own process: the console beside the
    inbox (``console`` alone wants passphrase-protected keys)."""

    def __init__(self, home: Path) -> None:
        import subprocess

        env = dict(os.environ, PYTHONPATH=str(HERE.parents[1]), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            agency_command(home, "serve", "--role", "all", "--port", "0"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        if "listening on" not in line:
            raise RuntimeError(f"console did not start: {line}")
        self.url = line.rsplit(" ", 1)[1].strip()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


UPLOADS = int(os.environ.get("BENCH_LOAD_UPLOADS", "20")) + 1  # the first before browsing


def run(label: str, database_url: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = make_agency(Path(tmp) / "agency", database_url=database_url)
        inbox = InboxServer(home.path, workers=2)
        console = None
        try:
            work = []
            with httpx.Client(base_url=inbox.url, timeout=60) as http:
                for i in range(LAPTOPS):
                    device = TestDevice(home)
                    token = enrolment_for(home, inbox.url, f"worker-{i}").token
                    assert device.register(http, token, assessor=f"worker-{i}").is_success
                    case = build_demo_case(
                        date(2026, 12, 3), seed=f"load-{i}", reference=f"HS-LOAD-{i:04d}"
                    )
                    work.append([device.bundle(case) for _ in range(UPLOADS)])
            db = home.database(pool_size=1)
            try:
                migrate_console(db)
                secret = auth.add_staff(db, "manager", "M", "team_manager", PASSWORD)
            finally:
                db.close()
            with httpx.Client(base_url=inbox.url, timeout=120) as http:  # each case once
                for jobs in work:
                    bundle_id, data = jobs.pop(0)
                    assert http.put(f"/bundles/{bundle_id}", content=data).status_code == 200
            console = ConsoleProcess(home.path)
            first = Staff(console.url)
            first.sign_in("manager", secret)
            t = time.perf_counter()
            assert first.get("/").status_code == 200  # (the console warms up as it starts)
            print(
                f"load_{label}_first_caseload: {(time.perf_counter() - t) * 1000:.0f} ms (n=1)",
                flush=True,
            )
            up, pages, refused = [], [], []
            lock = threading.Lock()
            done = threading.Event()

            def laptop(jobs):
                with httpx.Client(base_url=inbox.url, timeout=120) as http:
                    for bundle_id, data in jobs:
                        t = time.perf_counter()
                        r = http.put(f"/bundles/{bundle_id}", content=data)
                        with lock:
                            up.append(time.perf_counter() - t)
                            if r.status_code != 200:
                                refused.append(r.status_code)

            failed_pages = []

            def manager():
                staff = Staff(console.url)
                if staff.sign_in("manager", secret).status_code != 303:
                    failed_pages.append("sign-in")
                    return
                while not done.is_set():
                    t = time.perf_counter()
                    status = staff.get("/").status_code
                    with lock:
                        pages.append(time.perf_counter() - t)
                        if status != 200:
                            failed_pages.append(status)

            browsing = [threading.Thread(target=manager) for _ in range(MANAGERS)]
            for t in browsing:
                t.start()
            uploading = [threading.Thread(target=laptop, args=(jobs,)) for jobs in work]
            for t in uploading:
                t.start()
            for t in uploading:
                t.join()
            done.set()
            for t in browsing:
                t.join()
            print(
                f"load_{label}_upload: median {statistics.median(up) * 1000:.0f} ms "
                f"(n={len(up)}); p95 {percentile(up, 0.95) * 1000:.0f} ms; "
                f"refused {len(refused)}",
                flush=True,
            )
            print(
                f"load_{label}_caseload_while_uploading: median "
                f"{statistics.median(pages) * 1000:.0f} ms (n={len(pages)}); p95 "
                f"{percentile(pages, 0.95) * 1000:.0f} ms",
                flush=True,
            )
            if failed_pages:
                raise RuntimeError(f"console pages failed: {failed_pages[:5]}")
            if refused:
                raise RuntimeError(f"{len(refused)} uploads refused: {sorted(set(refused))}")
        finally:
            close_all()
            if console is not None:
                console.stop()
            inbox.stop()


def main() -> None:
    if pg.available() is not None:
        run("sqlite", "")
        return
    with pg.running_cluster() as cluster:
        run("postgresql", cluster.new_database())


if __name__ == "__main__":
    main()
