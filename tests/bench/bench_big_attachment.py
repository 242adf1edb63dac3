"""A large attachment over a slow, unreliable line (issue 13): 200 MB through a proxy on
127.0.0.1 throttled to 2 Mbit/s that drops the line at random, and the inbox killed and
restarted half-way. It arrives whole; the figure is how many bytes went over the line
for each byte of the attachment (1.0 would be perfect) and how long it took.

At the defaults this takes about 15 minutes (200 MB / 250 kB/s). ``BENCH_BIG_MB`` and
``BENCH_BIG_MBIT`` change the size and the line speed (e.g. 20 and 16 for a quick look).
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[1])]

from conftest import TEST_KDF, TEST_PASSPHRASE  # noqa: E402
from flaky_proxy import FlakyProxy  # noqa: E402
from pg import free_port  # noqa: E402
from sync_helpers import (  # noqa: E402
    InboxServer,
    enrolment_for,
    held_case,
    make_agency,
    sample_case,
)

from homestudy.sync import outbox  # noqa: E402
from homestudy.sync.client import InboxClient  # noqa: E402
from homestudy.sync.engine import sync_round  # noqa: E402
from homestudy.sync.enrolment_flow import enrol  # noqa: E402
from homestudy.vault import Vault  # noqa: E402

SIZE_MB = int(os.environ.get("BENCH_BIG_MB", "200"))
MBIT = float(os.environ.get("BENCH_BIG_MBIT", "2"))


def main() -> None:
    import dataclasses

    folder = Path(tempfile.mkdtemp(prefix="bench-big-"))
    home = make_agency(folder / "agency", max_bundle_size=4 * 1024 * 1024)
    port = free_port()
    server = InboxServer(home.path, port=port)
    proxy = FlakyProxy(port, seed=11, rate=MBIT * 1e6 / 8, cut_mid=0.002, cut_answer=0.02)
    vault = Vault.create(folder / "vault", TEST_PASSPHRASE, kdf=TEST_KDF)
    servers = [server]
    restarted = threading.Event()
    try:
        state = enrol(vault, enrolment_for(home, server.url))
        outbox.update_profile(
            vault, state.id, profile=dataclasses.replace(state.profile, inbox_url=proxy.url)
        )
        outbox.watch(vault)
        case = sample_case("HS-BIG-0001")
        case.agency_profile_id = state.id
        vault.cases.save_case(case)
        data = random.Random(1).randbytes(SIZE_MB * 1024 * 1024)
        att = vault.cases.add_attachment(case.id, "scan.pdf", "application/pdf", data)

        def client(s: outbox.ProfileState) -> InboxClient:
            return InboxClient(
                s.profile.inbox_url, retries=3, sleep=time.sleep, backoff=0.2, timeout=60
            )

        def crash_half_way() -> None:
            while proxy.bytes < len(data) / 2:
                time.sleep(0.05)
            servers[0].process.kill()  # a crash mid-upload, then the same inbox comes back
            servers[0].process.wait()
            servers[0].stop()
            servers[0] = InboxServer(home.path, port=port)
            restarted.set()

        threading.Thread(target=crash_half_way, daemon=True).start()
        started = time.perf_counter()
        rounds = 0
        while True:
            rounds += 1
            (report,) = sync_round(vault, client)
            if report.sent == 1:
                break
            if rounds > 500:
                raise RuntimeError(f"not through after {rounds} rounds: {report.error}")
        took = time.perf_counter() - started
        with held_case(home, case.id) as got:
            assert got is not None and got.attachment(att.sha256) == data
        print(
            f"big_attachment_{SIZE_MB}mb_{MBIT:g}mbit: median {took * 1000:.0f} ms (n=1); "
            f"{proxy.bytes / len(data):.3f} bytes on the line per attachment byte, "
            f"{rounds} sync rounds, inbox restarted mid-way: {restarted.is_set()}"
        )
    finally:
        vault.close()
        proxy.close()
        restarted.wait(timeout=30)
        servers[0].stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
