"""``homestudy-agency serve --workers N``: the inbox starts its worker processes and answers.

(uvicorn's own multiprocess supervisor: versions before the floor in pyproject.toml
cannot start it.)
"""

from __future__ import annotations

from pathlib import Path

import httpx
from sync_helpers import InboxServer, make_agency


def test_the_inbox_answers_with_two_worker_processes(tmp_path: Path) -> None:
    home = make_agency(tmp_path / "home")
    server = InboxServer(home.path, workers=2)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/health").status_code == 200
        assert server.process.poll() is None  # the supervisor is still running
    finally:
        server.stop()
