"""Never more than 2 s of typing lost: the real app types into the PAR in a child
process, is killed with SIGKILL after 6 s, and the vault must hold everything typed
up to 2 s before the kill. 20 trials, two children at a time (about a minute and a
half on two cores)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import TEST_PASSPHRASE, vault_dir_with

from homestudy.demo import build_demo_case
from homestudy.vault import Vault

TRIALS = 20
AT_ONCE = 2
TYPING_S = 6.0
MAX_LOST_S = 2.0
SECTION = "matching"
CHILD = Path(__file__).with_name("crash_typist.py")


class Trial:
    def __init__(self, folder: Path, case_id: str) -> None:
        self.folder = folder
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2]), str(CHILD.parent)]),
        }
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(folder), case_id, SECTION, TEST_PASSPHRASE],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self.started = 0.0
        self.typed: list[tuple[int, float]] = []  # (words typed, when)

    def run(self) -> float:
        """Read the child's reports until it has typed for TYPING_S, then SIGKILL it."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            kind, *rest = line.split()
            if kind == "ready":
                self.started = float(rest[0])
            elif kind == "typed":
                self.typed.append((int(rest[0]), float(rest[1])))
                if float(rest[1]) - self.started >= TYPING_S:
                    break
        killed_at = time.monotonic()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        self.proc.stdout.close()
        return killed_at

    def words_due(self, killed_at: float) -> int:
        """Words typed at least MAX_LOST_S before the kill: these must all be saved."""
        return max((n for n, when in self.typed if when <= killed_at - MAX_LOST_S), default=0)


@pytest.mark.slow
def test_a_killed_app_loses_at_most_the_last_two_seconds_of_typing(tmp_path: Path) -> None:
    case = build_demo_case()
    before = case.par_sections[SECTION].text if SECTION in case.par_sections else ""
    results = []
    with ThreadPoolExecutor(AT_ONCE) as pool:  # each thread reads one child's reports
        for batch in range(0, TRIALS, AT_ONCE):
            trials = [
                Trial(vault_dir_with(tmp_path / f"v{batch + i}", build_demo_case())[0], case.id)
                for i in range(AT_ONCE)
            ]
            results += zip(trials, pool.map(Trial.run, trials), strict=True)
    for trial, killed_at in results:
        due = trial.words_due(killed_at)
        assert trial.typed and trial.typed[-1][0] > due > 0, "the child typed too little"
        vault = Vault.open(trial.folder, TEST_PASSPHRASE, check_integrity=False)
        try:
            stored = vault.cases.load_case(case.id).par_sections[SECTION].text
        finally:
            vault.close()
        assert stored.startswith(before.strip()) if before.strip() else True
        saved_words = stored.removeprefix(before.strip()).split()
        expected = [f"w{n}" for n in range(len(saved_words))]
        assert saved_words == expected, "what was saved is what was typed, in order"
        assert len(saved_words) >= due, (len(saved_words), due, trial.typed[-1][0])
