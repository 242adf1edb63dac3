"""Benchmark: the vault on the demo case, SQLCipher against plain sqlite3.

Workload: open (load) the demo case, save one PAR section (durably), a full-text
search. The same repository code runs over plain sqlite3 (the stdlib's, no key) with the
same schema and PRAGMAs for the ratio. SQLCipher's ``cipher_memory_security`` (wipe and
mlock every allocation) is process-wide, so the SQLCipher workload with it off runs in
a child process to show what it costs. Aims: ratio <= 1.3x, open case <= 150 ms.
Run: ``python tests/bench/bench_vault.py``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


from _timing import indexed_median_ms

from homestudy.demo import build_demo_case
from homestudy.model import ParSectionDraft
from homestudy.vault import CaseRepository, KdfParams, Vault, store


class _PlainStore:
    """The repository's view of a vault, unencrypted (benchmark baseline only)."""

    actor = "bench"

    def __init__(self, path: Path, module: Any) -> None:
        self.conn = module.connect(str(path), isolation_level=None, check_same_thread=False)
        for name, value, _ in store._SAFETY:
            self.conn.execute(f"PRAGMA {name} = {value}")
        self.conn.execute(f"PRAGMA cache_size = -{store.CACHE_KIB}")
        store.migrate(self.conn)

    @contextlib.contextmanager
    def reading(self) -> Iterator[Any]:
        yield self.conn

    @contextlib.contextmanager
    def writing(self, case_id: str | None) -> Iterator[Any]:
        with store.transaction(self.conn) as conn:
            yield conn


def _workload(cases: CaseRepository, case_id: str, n: int) -> dict[str, float]:
    section = "understanding_adoption"
    base = cases.load_case(case_id).par_sections[section].text
    return {
        "open case": indexed_median_ms(lambda i: cases.load_case(case_id), n),
        "save PAR section": indexed_median_ms(
            lambda i: cases.save_par_section(
                case_id, ParSectionDraft(section, f"{base}\n\nEdit {i}.")
            ),
            n,
        ),
        "search": indexed_median_ms(lambda i: cases.search("attachment trauma"), n),
    }


def _memory_security_off() -> None:
    """Child process: the SQLCipher workload with cipher_memory_security off."""
    store.MEMORY_SECURITY = False
    case = build_demo_case()
    with tempfile.TemporaryDirectory() as tmp:
        vault = Vault.create(Path(tmp) / "vault", "bench", kdf=KdfParams(1, 64, 1))
        vault.cases.save_case(case)
        try:
            for name, ms in _workload(vault.cases, case.id, 40).items():
                print(f"{name} (SQLCipher, memory security off): median {ms:.2f} ms (n=40)")
        finally:
            vault.close()


def main() -> None:
    n = 40
    case = build_demo_case()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        vault = Vault.create(Path(tmp) / "vault", "bench passphrase", kdf=KdfParams(1, 64, 1))
        vault.cases.save_case(case)
        vault.close()
        vault = Vault.open(Path(tmp) / "vault", "bench passphrase", check_integrity=False)
        unlock_ms = (time.perf_counter() - start) * 1000
        try:
            enc = _workload(vault.cases, case.id, n)
        finally:
            vault.close()
        baselines = {}
        for label, module in (("stdlib sqlite3", sqlite3),):
            plain_store = _PlainStore(Path(tmp) / f"{module.__name__}.db", module)
            plain_repo = CaseRepository(plain_store)
            plain_repo.save_case(case)
            try:
                baselines[label] = _workload(plain_repo, case.id, n)
            finally:
                plain_store.conn.close()
    print(f"vault create+open (cheap KDF): median {unlock_ms:.1f} ms (n=1)")
    for name, ms in enc.items():
        print(f"{name} (SQLCipher): median {ms:.2f} ms (n={n})")
        for label, plain in baselines.items():
            print(f"{name} ({label}): median {plain[name]:.2f} ms (n={n})")
    for label, plain in baselines.items():
        ratio = sum(enc.values()) / sum(plain.values())
        print(f"workload ratio SQLCipher / {label}: {ratio:.2f}x (aim <= 1.3x)")
    # cipher_memory_security is process-wide, so its cost is measured in a fresh process
    out = subprocess.run(
        [sys.executable, __file__, "--memory-security-off"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout
    print(out, end="")
    off = {
        line.split(" (")[0]: float(line.split("median ")[1].split(" ms")[0])
        for line in out.splitlines()
    }
    stdlib = baselines["stdlib sqlite3"]
    ratio = sum(off.values()) / sum(stdlib[k] for k in off)
    print(f"workload ratio SQLCipher (memory security off) / stdlib sqlite3: {ratio:.2f}x")


if __name__ == "__main__":
    if "--memory-security-off" in sys.argv:
        _memory_security_off()
    else:
        main()
