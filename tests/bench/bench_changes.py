"""Changes, not copies (issue 13): what one edit costs.

* ``change_bundle_build_demo``: ``engine.prepare`` for a one-word edit of the demo case
  (load the case, diff against the agency's base, build, sign, encrypt, store);
* ``change_bundle_build_demo_50mb``: the same with 50 MB of attachments on the case
  (already at the agency: they are not read again);
* ``change_bytes_per_edit``: bytes of the bundle and of the whole sync round over
  127.0.0.1 for a one-word edit of the demo case, against the 4 KB aim, with each
  request's bytes out and back (``_20_attachments``: the same with 20 files on the case);
* ``change_ingest_<db>``: 50 concurrent clients send chains of change sets to the real
  inbox (2 server processes); change sets per second, on SQLite and PostgreSQL.

``BENCH_CHANGES_CLIENTS`` / ``BENCH_CHANGES_PER_CLIENT`` / ``BENCH_CHANGES_WORKERS``
change the ingest load; ``BENCH_CHANGES_ONLY`` (comma-separated ``build``, ``wire``,
``ingest_sqlite``, ``ingest_postgresql``) runs only those parts, e.g.
``BENCH_CHANGES_ONLY=ingest_postgresql python tests/bench/bench_changes.py``.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[1])]

import httpx  # noqa: E402
import pg  # noqa: E402
from _timing import percentile  # noqa: E402
from conftest import TEST_KDF, TEST_PASSPHRASE  # noqa: E402
from sync_helpers import (  # noqa: E402
    InboxServer,
    TestDevice,
    change_chain,
    enrolled_with_case,
    enrolment_for,
    make_agency,
    offline_profile,
    stand_in_receipt,
)

from homestudy.demo import build_demo_case  # noqa: E402
from homestudy.sync import engine, inbound, keys, outbox  # noqa: E402
from homestudy.sync.client import InboxClient  # noqa: E402
from homestudy.sync.outbox import ProfileState  # noqa: E402
from homestudy.vault import Vault  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CHANGES_CLIENTS", "50"))
PER_CLIENT = int(os.environ.get("BENCH_CHANGES_PER_CLIENT", "40"))
WORKERS = int(os.environ.get("BENCH_CHANGES_WORKERS", "2"))
RUNS = 25
ROUND_AIM = 4 * 1024  # issue 13: bytes on the wire, both ways, for one edit's whole round
PARTS = ("build", "wire", "ingest_sqlite", "ingest_postgresql")
ONLY = {p.strip() for p in os.environ.get("BENCH_CHANGES_ONLY", "").split(",") if p.strip()}


def _wanted(part: str) -> bool:
    return not ONLY or part in ONLY


def _edit(vault: Vault, case_id: str, n: int) -> None:
    case = vault.cases.load_case(case_id)
    written = sorted(k for k, d in case.par_sections.items() if len(d.text) > 200)
    draft = case.par_sections[written[n % len(written)]]
    draft.text += f" word{n}"
    vault.cases.save_par_section(case_id, draft)


def build_times(folder: Path, attachment_mb: int) -> tuple[list[float], int]:
    vault = Vault.create(folder / f"vault-{attachment_mb}", TEST_PASSPHRASE, kdf=TEST_KDF)
    try:
        device, agency = keys.generate_keys(), keys.generate_keys()
        state = offline_profile(vault, agency, device, agency_id="AG-B", device_id="dev-b")
        outbox.watch(vault)
        case = build_demo_case()
        case.agency_profile_id = state.id
        vault.cases.save_case(case)
        rng = random.Random(3)
        for i in range(attachment_mb // 10):
            vault.cases.add_attachment(
                case.id, f"scan{i}.pdf", "application/pdf", rng.randbytes(10 * 1024 * 1024)
            )
        times, sizes = [], []
        for n in range(-1, RUNS):
            if n >= 0:
                _edit(vault, case.id, n)
            started = time.perf_counter()
            (plan,) = engine.prepare(vault)
            elapsed = (time.perf_counter() - started) * 1000
            (item,) = plan.items
            if n >= 0:
                times.append(elapsed)
                sizes.append(len(item.data))
            stand_in_receipt(vault, state, item)
        return times, int(statistics.median(sizes))
    finally:
        vault.close()


def wire_per_edit(folder: Path, attachments: int = 0, replies: int = 0) -> tuple[float, float, str]:
    """Median bundle and whole-round bytes of 10 one-word edits of the demo case (with
    ``attachments`` of 1 MB each and ``replies`` to review comments, already at the
    agency), and the last round's parts."""
    sys.path.insert(0, str(HERE.parent))
    from test_sync_changes_e2e import CountingTransport, one_word_edit

    home = make_agency(folder / f"agency-wire-{attachments}-{replies}")
    server = InboxServer(home.path)
    vault = Vault.create(
        folder / f"vault-wire-{attachments}-{replies}", TEST_PASSPHRASE, kdf=TEST_KDF
    )
    counting = CountingTransport()
    try:
        case = build_demo_case()
        enrolled_with_case(vault, home, server.url, case)
        rng = random.Random(7)
        for i in range(attachments):
            vault.cases.add_attachment(
                case.id, f"scan{i}.pdf", "application/pdf", rng.randbytes(1024 * 1024)
            )

        def client(s: ProfileState) -> InboxClient:
            return InboxClient(s.profile.inbox_url, transport=counting)

        for n in range(replies):  # a reviewed case: each reply was sent once, long ago
            inbound.save_reply(
                vault,
                case.id,
                "review-1",
                f"comment-{n}",
                reply=f"I have added what the family said about point {n} to the section, "
                "with the dates of the visits where we discussed it.",
                resolved=n % 2 == 0,
            )
        engine.sync_round(vault, client)
        rounds, bundles, parts = [], [], ""
        for n in range(10):
            before, since = counting.total, len(counting.log)
            one_word_edit(vault, case.id, n)
            (plan,) = engine.prepare(vault)
            bundles.append(len(plan.items[0].data))
            engine.sync_round(vault, client)
            rounds.append(counting.total - before)
            parts = counting.parts(since)
        return statistics.median(bundles), statistics.median(rounds), parts
    finally:
        counting.close()
        vault.close()
        server.stop()


# --------------------------------------------------------------------------- ingest


AIM_PER_SECOND = 300  # issue 13: inbox ingest with 50 concurrent clients on PostgreSQL
ROUNDS = int(os.environ.get("BENCH_CHANGES_ROUNDS", "3"))


def _cpu_seconds(roots: list[int]) -> float:
    """User + system CPU of these processes and all their descendants (Linux /proc;
    0 elsewhere), so the bench can say where the machine's two cores went."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = entry.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        stats[int(entry.parent.name)] = (
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / ticks,
        )
    wanted, total = set(roots), 0.0
    changed = True
    while changed:  # walk down the process tree
        changed = False
        for pid, (ppid, _cpu) in stats.items():
            if ppid in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    for pid in wanted:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def _own_cpu() -> float:
    usage = os.times()
    return usage.user + usage.system


def _postmaster(cluster: pg.PgCluster) -> list[int]:
    """The PostgreSQL server's process (its backends are its children)."""
    return [int((cluster.data / "postmaster.pid").read_text().split()[0])]


def _ingest_round(
    home: Any, server: InboxServer, database: list[int], round_no: int
) -> tuple[float, list[float], list[str], dict[str, float]]:
    """One timed run: fresh devices, their chains built before the clock starts."""
    work: list[list[tuple[str, bytes]]] = []
    with httpx.Client(base_url=server.url, timeout=60) as http:
        for index in range(CLIENTS):
            device = TestDevice(home)
            assert device.register(http, enrolment_for(home, server.url).token).is_success
            work.append(change_chain(device, f"HS-CH-{round_no}-{index:04d}", PER_CLIENT))
    latencies: list[float] = []
    problems: list[str] = []
    lock = threading.Lock()
    ready = threading.Barrier(CLIENTS + 1)

    address = urlsplit(server.url)

    def client(jobs: list[tuple[str, bytes]]) -> None:
        # the standard library's client on one kept-alive connection, as a laptop's
        # round uses one: httpx costs the shared cores ~1.5 ms a request, the server's
        # work is what is measured here
        http = HTTPConnection(address.hostname, address.port, timeout=120)
        try:
            ready.wait()
            for bundle_id, data in jobs:
                started = time.perf_counter()
                http.request("PUT", f"/bundles/{bundle_id}", body=data)
                response = http.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status != 200:
                        problems.append(f"{response.status} {body[:80]!r}")
        finally:
            http.close()

    threads = [threading.Thread(target=client, args=(jobs,)) for jobs in work]
    for thread in threads:
        thread.start()
    cpu_before = (_cpu_seconds([server.process.pid]), _cpu_seconds(database), _own_cpu())
    ready.wait()  # every client thread is up: start the clock
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu_after = (_cpu_seconds([server.process.pid]), _cpu_seconds(database), _own_cpu())
    n = len(latencies)
    cpu = {
        name: (after - before) * 1000 / max(n, 1)
        for name, before, after in zip(
            ("server", "database", "clients"), cpu_before, cpu_after, strict=True
        )
    }
    return n / wall, latencies, problems, cpu


def ingest(label: str, database_url: str, database: list[int] | None = None) -> None:
    """``database``: the database server's processes, to count their CPU (none: SQLite,
    which runs inside the server processes)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-changes-"))
    home = make_agency(folder / "agency", database_url=database_url)
    server = InboxServer(home.path, workers=WORKERS)
    try:
        rates: list[float] = []
        latencies: list[float] = []
        problems: list[str] = []
        cpus: list[dict[str, float]] = []
        for round_no in range(ROUNDS):
            rate, times, refused, cpu = _ingest_round(home, server, database or [], round_no)
            rates.append(rate)
            latencies += times
            problems += refused
            cpus.append(cpu)
        n = len(latencies)
        rate = statistics.median(rates)
        print(f"change_ingest_{label}: median {statistics.median(latencies) * 1000:.1f} ms (n={n})")
        print(
            f"change_ingest_{label}_p95: median {percentile(latencies, 0.95) * 1000:.1f} ms (n={n})"
        )
        print(
            f"change_ingest_{label}_throughput: median {rate:.0f} change sets/s over {ROUNDS} "
            f"runs ({', '.join(f'{r:.0f}' for r in rates)}), {rate / AIM_PER_SECOND:.2f}x "
            f"the {AIM_PER_SECOND}/s aim; {CLIENTS} clients x {PER_CLIENT}, {WORKERS} server "
            f"workers; refused {len(problems)} {problems[:2]}"
        )
        parts = ", ".join(
            f"{name} {statistics.median(c[name] for c in cpus):.2f} ms"
            for name in ("server", "database", "clients")
        )
        print(f"change_ingest_{label}_cpu: per change set {parts} (median of {ROUNDS} runs)")
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    unknown = ONLY - set(PARTS)
    if unknown:
        raise SystemExit(f"BENCH_CHANGES_ONLY: unknown part(s) {sorted(unknown)}; use {PARTS}")
    folder = Path(tempfile.mkdtemp(prefix="bench-changes-build-"))
    try:
        if _wanted("build"):
            for mb, name in (
                (0, "change_bundle_build_demo"),
                (50, "change_bundle_build_demo_50mb"),
            ):
                times, size = build_times(folder, mb)
                print(
                    f"{name}: median {statistics.median(times):.1f} ms (n={len(times)}); "
                    f"bundle {size} bytes"
                )
        if _wanted("wire"):
            for count, replies, name, what in (
                (0, 0, "change_bytes_per_edit", "the demo case"),
                (
                    20,
                    0,
                    "change_bytes_per_edit_20_attachments",
                    "the demo case with 20 MB in 20 files",
                ),
                (
                    0,
                    40,
                    "change_bytes_per_edit_40_replies",
                    "the demo case with 40 replies to review comments",
                ),
            ):
                bundle, round_bytes, parts = wire_per_edit(folder, count, replies)
                verdict = "within" if round_bytes <= ROUND_AIM else "OVER"
                print(
                    f"{name}: whole sync round {round_bytes:.0f} bytes, {verdict} the aim of "
                    f"{ROUND_AIM}; bundle {bundle:.0f} bytes (median of 10 one-word edits of "
                    f"{what}); last round, request+answer bytes: {parts}"
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if _wanted("ingest_sqlite"):
        ingest("sqlite", "")
    if not _wanted("ingest_postgresql"):
        return
    reason = pg.available()
    if reason:
        print(f"change_ingest_postgresql: skipped ({reason})")
        return
    with pg.running_cluster() as cluster:
        ingest("postgresql", cluster.new_database(), _postmaster(cluster))


if __name__ == "__main__":
    main()


__all__: list[Any] = ["main"]
