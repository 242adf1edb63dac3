"""Helpers for the agency operations tests: a server with a role and environment,
and a migrator process for the concurrent-migration test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sync_helpers import REPO, agency_command

from homestudy.agency.home import AgencyHome, init_home

PASSPHRASE = "agency test passphrase"


def protected_agency(
    folder: Path,
    *,
    database_url: str = "",
    agency_id: str = "AG-TEST",
    name: str = "Test Adoption Agency",
) -> AgencyHome:
    """An agency folder as the command line makes one: its private keys protected by
    ``PASSPHRASE``, the default bundle limit."""
    return init_home(
        folder,
        agency_id=agency_id,
        name=name,
        inbox_url="http://127.0.0.1:1",
        database_url=database_url,
        passphrase=PASSPHRASE,
    )


#: what the internet-facing inbox host holds (docs/agency-inbox.md): the settings, the
#: public keys and the receipt key; never agency.key or agency-sign.key
INBOX_HOST_FILES = ("agency.json", "agency-sign.pub", "agency-receipt.key", "agency-receipt.pub")


def inbox_host(console: Path, folder: Path) -> Path:
    """A folder for ``serve --role inbox``, made from the console's as IT would."""
    folder.mkdir(mode=0o700)
    for name in INBOX_HOST_FILES:
        shutil.copy2(console / name, folder / name)
    return folder


def agency_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    env.pop("HOMESTUDY_AGENCY_PASSPHRASE", None)
    env.update(extra)
    return env


def agency_cli(
    home: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        agency_command(home, *args),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env or agency_env(),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


class Server:
    """``homestudy-agency serve`` with any options; ``url`` once /health answers."""

    def __init__(
        self, home: Path, *args: str, env: dict[str, str] | None = None, wait_healthy: bool = True
    ) -> None:
        self.stderr = ""
        self.process = subprocess.Popen(
            agency_command(home, "serve", "--port", "0", *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env or agency_env(),
            cwd=REPO,
            stdin=subprocess.DEVNULL,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "listening on" not in line:
            self.stop()
            raise RuntimeError(f"did not start: {line} {self.stderr}")
        self.listening = line.strip()  # "Console listening on http://…"
        self.url = line.rsplit(" ", 1)[1].strip()
        self._log: list[str] = []  # drained as it comes: a full pipe would block the server
        self._drainer = threading.Thread(
            target=_drain, args=(self.process.stderr, self._log), daemon=True
        )
        self._drainer.start()
        if wait_healthy:
            with httpx.Client(base_url=self.url, timeout=10) as client:
                for _ in range(400):
                    try:
                        if client.get("/health").status_code == 200:
                            return
                    except httpx.TransportError:
                        pass
                    time.sleep(0.05)
            raise RuntimeError("the server never became healthy")

    def stop(self) -> str:
        """Stop it; what it wrote on stderr."""
        if self.process.stderr is None or self.process.stderr.closed:
            return self.stderr
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        assert self.process.stderr is not None and self.process.stdout is not None
        drainer = getattr(self, "_drainer", None)
        if drainer is not None:
            drainer.join(timeout=10)
            self.stderr = "".join(self._log)
        else:
            self.stderr = self.process.stderr.read()
        self.process.stderr.close()
        self.process.stdout.close()
        return self.stderr


def _drain(stream: object, into: list[str]) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        into.append(line)


def migrate_when_released(urls: list[str], barrier: object, results: object) -> None:
    """In a spawned process: for each database, wait for the twin, then migrate."""
    sys.path.insert(0, str(REPO))
    from homestudy.agency.db import Database

    for url in urls:
        barrier.wait()  # type: ignore[attr-defined]
        db = Database(url, pool_size=2)
        try:
            db.migrate()
            results.put("ok")  # type: ignore[attr-defined]
        except Exception as exc:  # the failure the lock prevents: report it, don't die
            results.put(f"{type(exc).__name__}: {exc}")  # type: ignore[attr-defined]
        finally:
            db.close()


def run_with_tty(argv: list[str], passphrase: str, timeout: float = 60) -> tuple[int, bytes]:
    """Run a stock tool that asks for a passphrase on its terminal (age, minisign)."""
    import os
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: its terminal is the pty
        os.execvp(argv[0], argv)
    out, answered, end = b"", 0, time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the child closed the terminal: done
                break
            if not chunk:
                break
            out += chunk
            last = out.rsplit(b"\n", 1)[-1].lower()
            if (b"passphrase" in last or b"password" in last) and answered < 2:
                os.write(fd, passphrase.encode() + b"\n")
                answered += 1
                out += b"\n"
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out
