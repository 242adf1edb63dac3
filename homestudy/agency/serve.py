"""``homestudy-agency serve``: start-up checks in plain words, then uvicorn.

Before any worker starts, in this process: the role's keys are unlocked (a wrong or
missing passphrase is one line, not a traceback from each worker), the database is
reached and migrated (under the advisory lock, so several hosts starting together are
fine), an interrupted key rotation is finished; the port is bound first, so "already in
use" is reported before anything else. Then uvicorn's supported entry point runs the app:
``uvicorn.run(app)`` for one worker, ``uvicorn.run("homestudy.agency.roles:app_from_env",
factory=True, workers=N)`` for several, each on the socket bound here (``fd=``), so
``--port 0`` picks one free port for all of them.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import tempfile
from pathlib import Path

from homestudy.agency import keystore, logging_json
from homestudy.agency.home import AgencyHome
from homestudy.errors import AgencyError


def bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AgencyError(f"The address {host!r} to listen on is not known here.") from exc
    family = infos[0][0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(infos[0][4][:2])
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise AgencyError(
                f"Port {port} on {host} is already in use: another HomeStudy server "
                "or program is listening there. Stop it or choose --port."
            ) from exc
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise AgencyError(
                f"This user may not listen on port {port}; use a port above "
                "1024 behind the reverse proxy."
            ) from exc
        raise AgencyError(f"Cannot listen on {host}:{port} ({exc.strerror}).") from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def prepare(path: Path, role: str) -> AgencyHome:
    """The home with its keys unlocked and its database migrated, or a plain AgencyError.

    Outside the inbox role (the signing key is here): an interrupted key rotation is
    finished, an older folder gets its first receipt key, and re-numberings an inbox
    restored from a backup left are done."""
    from homestudy.agency.messages import renumber_waiting
    from homestudy.agency.rotation import ensure_receipt_key, finish_rotation

    home = AgencyHome(path, role=role, prompt=True)
    if role == "console":
        home.require_protected()
    elif any(not ok and (home.path / name).exists() for name, ok in home.protected().items()):
        print(
            "homestudy-agency: warning: the agency's keys are not protected by a "
            "passphrase; run 'homestudy-agency protect-key'.",
            file=sys.stderr,
            flush=True,
        )
    home.unlock()
    db = home.database(pool_size=2)
    try:
        db.migrate()  # once here; workers find it current
        if role != "inbox":
            if finish_rotation(home, db) is not None:
                print("An interrupted key rotation was finished.", flush=True)
            if ensure_receipt_key(home, db) is not None:
                print(  # stderr: stdout's first line says where the inbox listens
                    "homestudy-agency: a receipt key was made (agency-receipt.key) and "
                    "published in a new key list; copy it to the inbox host if the inbox "
                    "runs on another one.",
                    file=sys.stderr,
                    flush=True,
                )
            renumber_waiting(db, home)
    finally:
        db.close()
    return home


#: the first line on stdout, by role (tests and service scripts read the URL from it)
LISTENING = {"inbox": "Inbox", "console": "Console", "all": "Inbox and console"}


def serve(
    path: Path,
    *,
    role: str,
    host: str,
    port: int,
    workers: int,
    secure_cookies: bool = True,
) -> int:
    from homestudy.agency.limits import configure_malloc
    from homestudy.agency.metrics import MULTIPROC_ENV

    logging_json.setup()
    configure_malloc()
    if workers < 1:
        raise AgencyError("--workers must be 1 or more.")
    made_metrics_dir = ""
    if workers > 1 and not os.environ.get(MULTIPROC_ENV):  # metrics summed over workers
        made_metrics_dir = tempfile.mkdtemp(prefix="homestudy-metrics-")
        os.environ[MULTIPROC_ENV] = made_metrics_dir
    try:
        return _run(
            path,
            role=role,
            host=host,
            port=port,
            workers=workers,
            secure_cookies=secure_cookies,
        )
    finally:
        if made_metrics_dir:
            import shutil

            shutil.rmtree(made_metrics_dir, ignore_errors=True)


def _run(path: Path, *, role: str, host: str, port: int, workers: int, secure_cookies: bool) -> int:
    import uvicorn

    from homestudy.agency.roles import HOME_ENV, INSECURE_COOKIES_ENV, ROLE_ENV

    sock = bind(host, port)  # first: "port in use" before any passphrase is asked for
    home = prepare(path, role)
    shown = host if ":" not in host else f"[{host}]"
    print(f"{LISTENING[role]} listening on http://{shown}:{sock.getsockname()[1]}", flush=True)
    logging_json.logger().info(
        "started",
        extra={"event": "start", "role": role, "workers": workers, "port": sock.getsockname()[1]},
    )
    options: dict[str, object] = {
        "log_level": "warning",
        "access_log": False,
        "log_config": None,
        "limit_concurrency": 1000,
        "timeout_keep_alive": 30,
        "fd": sock.fileno(),
        "server_header": False,
    }
    if workers == 1:
        from homestudy.agency.roles import app_for_role

        uvicorn.run(app_for_role(home, secure_cookies=secure_cookies), **options)  # type: ignore[arg-type]
        return 0
    os.environ[HOME_ENV] = str(home.path.resolve())
    os.environ[ROLE_ENV] = role
    if not secure_cookies:
        os.environ[INSECURE_COOKIES_ENV] = "1"
    if home._passphrase and not keystore.find_passphrase():
        # typed at the prompt: the workers unlock their own copy from their environment
        os.environ[keystore.PASSPHRASE_ENV] = home._passphrase
    uvicorn.run("homestudy.agency.roles:app_from_env", factory=True, workers=workers, **options)  # type: ignore[arg-type]
    return 0
