"""Shared fixtures for the whole suite.

- Every test runs with keyring's *fail* backend, so no test ever touches the real OS
  keyring (vaults made in tests are passphrase-only unless a test asks for
  ``memory_keyring``).
- ``demo_case``: the demo Case (``homestudy.demo.build_demo_case``), fresh per test.
- ``vault``: a new, open Vault in ``tmp_path / "vault"`` with cheap Argon2id
  parameters (``TEST_KDF``) and passphrase ``TEST_PASSPHRASE``; closed afterwards.
- ``demo_vault``: ``vault`` with the demo case saved (``demo_vault.cases.list_cases()``).
- ``memory_keyring``: an in-memory keyring backend, for tests of the keyring path.
- ``pg_cluster``: a throwaway PostgreSQL cluster (``tests/pg.py``) per test module;
  the test is skipped where no PostgreSQL server binaries are installed.
- ``cli_env``: the environment ``homestudy`` runs in from the command line in this
  process (the test passphrase, settings files in ``tmp_path``); returns the folder
  ``tmp_path / "vault"`` (the ``vault`` fixture's).
- ``agency_database_url``: each test twice, ``[sqlite]`` (an empty URL: the agency
  folder's own SQLite file) and ``[postgresql]`` (a new database on ``pg_cluster``).
"""

from __future__ import annotations

import os

os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import keyring
import pg
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from homestudy.demo import build_demo_case
from homestudy.model import Case
from homestudy.vault import KdfParams, Vault

if TYPE_CHECKING:
    from homestudy.forms import FormLibrary

TEST_PASSPHRASE = "correct horse battery staple"
#: Argon2id parameters that take about a millisecond: tests only, never for real vaults.
TEST_KDF = KdfParams(time_cost=1, memory_kib=64, parallelism=1)

keyring.set_keyring(fail.Keyring())

# The suite calls homestudy.cli.main in this process: hardening it (core limit 0 for
# good) would stop the crash tests' control children from dumping core. Every child
# process the tests start hardens itself as the product does.
from homestudy.vault import hardening  # noqa: E402

hardening.ENABLED = False


def bare_process_env(folder: Path, passphrase: str) -> dict[str, str]:
    """The whole environment of a ``homestudy`` child process, as bare as a shell's can
    be: home, temporary files and settings in ``folder``, the passphrase, no OS keyring."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(folder),
        "TMPDIR": str(folder),
        "HOMESTUDY_PASSPHRASE": passphrase,
        "HOMESTUDY_SETTINGS": str(folder / "s.json"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict, for tests of the device-secret path."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(fail.Keyring())


@pytest.fixture(scope="module")
def pg_cluster() -> Iterator[pg.PgCluster]:
    reason = pg.available()
    if reason:
        pytest.skip(reason)
    with pg.running_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def agency_database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_cluster").new_database())
    return ""


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setenv("HOMESTUDY_CENTRAL_SETTINGS", str(tmp_path / "central.json"))
    return tmp_path / "vault"


@pytest.fixture
def demo_case() -> Case:
    return build_demo_case()


@pytest.fixture(scope="module")
def lib() -> FormLibrary:
    """The forms library the app ships (one per test module, as tests may add to it)."""
    from homestudy.forms import load_library

    return load_library()


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    v = Vault.create(tmp_path / "vault", TEST_PASSPHRASE, kdf=TEST_KDF)
    try:
        yield v
    finally:
        v.close()


@pytest.fixture
def demo_vault(vault: Vault, demo_case: Case) -> Vault:
    vault.cases.save_case(demo_case)
    return vault
