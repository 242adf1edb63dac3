"""Which app a ``serve --role`` runs: the inbox, the console, or both in one process.

    inbox    internet-facing. Verifies signatures, stores ciphertext, signs receipts. Never
             reads agency.key (the folder on an inbox host need not have one); bundles are
             decrypted later, by the console, off the receive path.
    console  internal network. Holds the decryption key, which must be passphrase-protected
             on disk (it refuses to start otherwise); unlocked into memory at start.
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
        middleware=[
            Middleware(RequestLog),
            Middleware(BodyLimit, limit_for=lambda _p: SMALL_LIMIT),
        ],
    )


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
