"""Which app a ``serve --role`` runs: the inbox, the console, or both in one process.

    inbox    internet-facing. Verifies signatures, stores ciphertext, signs receipts with
             the receipt key (agency-receipt.key), the only private key it reads: never
             agency.key or agency-sign.key (the folder on an inbox host need not have
             them); bundles are decrypted later, by the console, off the receive path.
    console  internal network. Holds the decryption and signing keys, which must be
             passphrase-protected on disk (it refuses to start otherwise); unlocked into
             memory at start. Re-signs the messages an inbox restored from a backup left
             to re-number (``messages.renumber_waiting``, every ``RENUMBER_EVERY`` s).
    all      one process doing both (a small agency on one host); takes either kind of key
             file, and says so when they are not protected.

The console role serves the web console (``homestudy.agency.console.web``) with the
key unlocked; ``homestudy-agency console`` is the same thing with its own port.
"""

from __future__ import annotations

from typing import Any

from homestudy.agency.home import AgencyHome

#: what ``serve --workers N`` hands each uvicorn worker process
HOME_ENV = "HOMESTUDY_AGENCY_HOME"
ROLE_ENV = "HOMESTUDY_AGENCY_ROLE"


def app_for_role(home: AgencyHome) -> Any:
    from homestudy.agency.app import create_app

    if home.role != "console":
        return create_app(home)
    home.require_protected()
    home.unlock()
    from homestudy.agency.console.web import create_console_app

    return _with_health(home, create_console_app(home))


def _with_health(home: AgencyHome, console: Any) -> Any:
    """The console's pages, with /health and /metrics beside them for the service
    manager and Prometheus, behind the request log and the small body limit."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Mount, Route

    from homestudy.agency import health, metrics
    from homestudy.agency.limits import SMALL_LIMIT, BodyLimit
    from homestudy.agency.logging_json import RequestLog

    db = home.database()
    db.migrate()

    async def health_page(request: Request) -> JSONResponse:
        from starlette.concurrency import run_in_threadpool

        status, body = await run_in_threadpool(health.check, home, db)
        return JSONResponse(body, status_code=status)

    async def metrics_page(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        return Response(
            await run_in_threadpool(metrics.render, db), media_type=metrics.CONTENT_TYPE
        )

    return Starlette(
        routes=[
            Route("/health", health_page),
            Route("/metrics", metrics_page),
            Mount("/", app=console),
        ],
        lifespan=_renumbering(home, db),
        middleware=[
            Middleware(RequestLog),
            Middleware(BodyLimit, limit_for=lambda _p: SMALL_LIMIT),
        ],
    )


def _renumbering(home: AgencyHome, db: Any) -> Any:
    """A lifespan that re-numbers what the inbox role noted, while the console runs."""
    import asyncio
    import contextlib

    from starlette.concurrency import run_in_threadpool

    from homestudy.agency.logging_json import logger
    from homestudy.agency.messages import RENUMBER_EVERY, renumber_waiting

    async def loop() -> None:
        while True:
            try:
                done = await run_in_threadpool(renumber_waiting, db, home)
                if done:
                    logger().info("renumbered", extra={"event": "renumbered", "devices": done})
            except Exception:  # the database is down, say: the loop tries again later
                logger().warning("renumbering failed", extra={"event": "renumber_failed"})
            await asyncio.sleep(RENUMBER_EVERY)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> Any:
        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


def app_from_env() -> Any:
    """The app for ``$HOMESTUDY_AGENCY_HOME`` in ``$HOMESTUDY_AGENCY_ROLE`` (what each
    uvicorn worker process loads; it unlocks its own keys from the same sources)."""
    import os
    from pathlib import Path

    from homestudy.agency import logging_json
    from homestudy.agency.limits import configure_malloc

    logging_json.setup()
    configure_malloc()
    home = AgencyHome(Path(os.environ[HOME_ENV]), role=os.environ.get(ROLE_ENV, "all"))
    home.unlock()  # now, not in the first request (an age passphrase takes seconds)
    return app_for_role(home)
