"""A throwaway PostgreSQL cluster for tests and benchmarks.

``PgCluster.start()`` runs ``initdb`` into a fresh temporary folder and starts the
server on a free 127.0.0.1 port (its unix socket in the same temporary folder);
``stop()`` stops it and deletes everything (``running_cluster()`` does both around a
block). PostgreSQL refuses to run as root, so
when the tests run as root (CI on a fresh machine) the binaries run as the
``postgres`` system user, or ``homestudy-pg`` which is created with ``useradd``
if neither exists. Binaries: /usr/lib/postgresql/15/bin (any installed version
otherwise); ``available()`` says why not when they are missing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

PREFERRED_BIN = "/usr/lib/postgresql/15/bin"
FALLBACK_USER = "homestudy-pg"


def bin_dir() -> Path | None:
    candidates = [PREFERRED_BIN, *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if os.access(os.path.join(folder, "initdb"), os.X_OK):
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def available() -> str | None:
    """None when a cluster can be started here, else the reason it cannot."""
    if bin_dir() is None:
        return "PostgreSQL binaries (initdb, pg_ctl) are not installed"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as_user() -> str | None:
    """The user to run PostgreSQL as: None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", FALLBACK_USER):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", FALLBACK_USER],
        check=True,
        capture_output=True,
    )
    return FALLBACK_USER


class PgCluster:
    def __init__(self) -> None:
        folder = bin_dir()
        if folder is None:
            raise RuntimeError(available() or "no PostgreSQL")
        self.bin = folder
        self.user = _run_as_user()
        self.root = Path(tempfile.mkdtemp(prefix="homestudy-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.port = free_port()
        self.started = False

    def _cmd(self, *args: str) -> list[str]:
        if self.user is None:
            return list(args)
        return ["runuser", "-u", self.user, "--", *args]

    def start(self) -> PgCluster:
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        os.chmod(self.root, 0o700)
        subprocess.run(
            self._cmd(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ),
            check=True,
            capture_output=True,
            cwd="/",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=64MB"
        )
        subprocess.run(
            self._cmd(
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "-l",
                str(self.root / "server.log"),
                "start",
            ),
            check=True,
            capture_output=True,
            cwd="/",
        )
        self.started = True
        return self

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.started:
            subprocess.run(
                self._cmd(
                    str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
                ),
                capture_output=True,
                cwd="/",
            )
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def running_cluster() -> Iterator[PgCluster]:
    """A started cluster, stopped (and deleted) when the block ends."""
    cluster = PgCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()
