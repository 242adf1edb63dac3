"""SIGKILL in the middle of a stream of saves, 20 times: every acknowledged save survives.

A child process saves visits (each with its own id and text), the PAR section
"health" and a checklist answer in a tight loop, printing each save only after
the call returned. The parent kills it with SIGKILL after a varying number of
acknowledgements, reopens the vault, and checks that every acknowledged save is
there intact and that both integrity checks and the audit chain pass.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from homestudy.model import ParSectionDraft
from homestudy.vault import Vault
from tests.conftest import TEST_KDF, TEST_PASSPHRASE

CHILD = textwrap.dedent("""
    import sys
    from homestudy.model import ChecklistAnswer, ParSectionDraft, Visit
    from homestudy.vault import Vault

    folder, case_id, round_no, passphrase = sys.argv[1:5]
    vault = Vault.open(folder, passphrase, check_integrity=False)
    n = 0
    while True:
        n += 1
        tag = f"r{round_no}-n{n}"
        kind = n % 3
        if kind == 0:
            vault.cases.save_visit(case_id, Visit(100 + n, tag, id=f"visit-{tag}",
                                                  notes=f"notes {tag} " * 40))
        elif kind == 1:
            vault.cases.save_par_section(case_id, ParSectionDraft(
                "health", f"section {tag} " + "words " * (50 + n % 400)))
        else:
            vault.cases.save_answers(case_id, [ChecklistAnswer(
                "health_safety", 1, "garden",
                {"answer": "yes", "comment": f"answer {tag}", "action": "", "due": "",
                 "done": False})])
        print(f"{kind} {tag}", flush=True)
""")

ROUNDS = 20


@pytest.mark.slow
def test_sigkill_during_saves_loses_no_acknowledged_save(tmp_path: Path, demo_case) -> None:
    folder = tmp_path / "vault"
    vault = Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)
    vault.cases.save_case(demo_case)
    vault.close()
    rng = random.Random(20)
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    acknowledged_visits: dict[str, str] = {}
    for round_no in range(ROUNDS):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                str(folder),
                demo_case.id,
                str(round_no),
                TEST_PASSPHRASE,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=Path(__file__).parent.parent,
        )
        assert proc.stdout is not None
        target = rng.randint(3, 60)
        acks: list[tuple[str, str]] = []
        try:
            while len(acks) < target:
                line = proc.stdout.readline()
                if not line:
                    raise AssertionError(f"child ended early: {proc.stderr.read()}")
                kind, tag = line.split()
                acks.append((kind, tag))
            os.kill(proc.pid, signal.SIGKILL)  # in the middle of the next save
        finally:
            proc.kill()
            proc.wait(timeout=30)
            proc.stdout.close()
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL

        for kind, tag in acks:
            if kind == "0":
                acknowledged_visits[f"visit-{tag}"] = tag
        last_section = next(t for k, t in reversed(acks) if k == "1")
        last_answer = next(t for k, t in reversed(acks) if k == "2")

        v = Vault.open(folder, TEST_PASSPHRASE, check_integrity=False)
        try:
            assert v.check_integrity() == []  # cipher_integrity_check + integrity_check
            case = v.cases.load_case(demo_case.id)
            visits = {x.id: x for x in case.visits}
            for vid, tag in acknowledged_visits.items():
                assert vid in visits, f"acknowledged save {tag} lost"
                assert visits[vid].title == tag
                assert visits[vid].notes == f"notes {tag} " * 40
            # the newest text is the last acknowledged one or the one being saved
            section = case.par_sections["health"].text
            assert section.startswith((f"section {last_section} ", f"section r{round_no}-n")), (
                section[:40]
            )
            assert _n(section.split()[1]) >= _n(last_section)
            garden = next(a for a in case.checklist_answers if a.question_id == "garden")
            assert _n(garden.value["comment"].split()[1]) >= _n(last_answer)
            v.audit.verify()
        finally:
            v.close()

    v = Vault.open(folder, TEST_PASSPHRASE)
    try:
        assert v.integrity_future.result(timeout=60) == []
        v.cases.save_par_section(demo_case.id, ParSectionDraft("health", "after the storm"))
    finally:
        v.close()


def _n(tag: str) -> tuple[int, int]:
    round_part, n_part = tag.split("-")
    return int(round_part[1:]), int(n_part[1:])
