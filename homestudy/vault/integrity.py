"""The integrity check a vault runs in the background when it opens.

It reads the whole file on its own read-only connection, in two parts: first every
page's HMAC (``cipher_integrity_check``: any change to any byte on disk; about 0.3 s
for 200 cases), which is what the first write waits for; then SQLite's structural
``integrity_check`` (several times slower). A problem is confirmed by a second run
before it counts, then ``on_damage`` turns the vault read-only and ``callback`` hears
the problems (from this thread). ``stop`` interrupts it (the vault is closing).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from homestudy.vault import store

log = logging.getLogger(__name__)


class BackgroundCheck:
    def __init__(
        self,
        db_path: Path,
        key: bytes,
        on_damage: Callable[[], None],
        callback: Callable[[list[str]], None] | None,
        pages: Future[list[str]],
        result: Future[list[str]],
    ) -> None:
        self._db_path, self._key = db_path, key
        self._on_damage, self._callback = on_damage, callback
        self.pages, self.result = pages, result
        self._conn: Any = None
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="vault-integrity", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._stopping = True
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.interrupt()
        self._thread.join()

    @staticmethod
    def _confirmed(conn: Any, check: Callable[[Any], list[str]]) -> list[str]:
        conn.execute("BEGIN")  # one snapshot: no checkpoint moves pages under us
        problems = check(conn)
        conn.execute("COMMIT")
        return check(conn) if problems else []  # confirm before turning read-only

    def _damage(self, problems: list[str]) -> None:
        if problems and not self._stopping:
            self._on_damage()

    def _run(self) -> None:
        try:
            conn = store.connect(self._db_path, self._key, read_only=True)
            self._conn = conn
            try:
                problems = self._confirmed(conn, store.page_problems)
                self._damage(problems)
                self.pages.set_result(problems)
                if not problems:
                    problems = self._confirmed(conn, store.structure_problems)
            finally:
                self._conn = None
                conn.close()
        except Exception as exc:  # interrupted by stop(), or the file is unreadable
            problems = [f"The check could not run: {type(exc).__name__}"]
        self._damage(problems)
        if not self.pages.done():
            self.pages.set_result(problems)
        if problems and not self._stopping:
            log.warning("vault integrity check failed; opened read-only")
        self.result.set_result(problems)
        if self._callback is not None and not self._stopping:
            self._callback(problems)
