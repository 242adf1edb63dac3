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
key unlocked; ``all`` serves the inbox's paths and the console's pages on one port.
``homestudy-agency console`` runs ``serve --role console`` (one code path), on its own
default port.
"""

from __future__ import annotations

from typing import Any

from homestudy.agency.home import AgencyHome

#: what ``serve --workers N`` hands each uvicorn worker process
HOME_ENV = "HOMESTUDY_AGENCY_HOME"
ROLE_ENV = "HOMESTUDY_AGENCY_ROLE"
#: set to "1" by ``--insecure-cookies`` (sign-in cookies without 'Secure'), for each worker
INSECURE_COOKIES_ENV = "HOMESTUDY_CONSOLE_INSECURE_COOKIES"


def app_for_role(home: AgencyHome, *, secure_cookies: bool = True) -> Any:
    from homestudy.agency.app import create_app

    if home.role == "inbox":
        return create_app(home)
    if home.role == "console":
        home.require_protected()
    home.unlock()
    from homestudy.agency.console.web import create_console_app

    pages = create_console_app(home, secure_cookies=secure_cookies)
    console = _with_health(home, pages)
    if home.role == "console":
        _warm_at_start(pages.state.console)
        return console
    return _inbox_and_console(create_app(home), console)


def _inbox_and_console(inbox: Any, console: Any) -> Any:
    """One app for ``--role all``: the inbox's own paths go to the inbox (its limits, its
    /health), every other path to the console; both apps' start-up and shut-down run."""
    import contextlib

    from starlette.applications import Starlette
    from starlette.routing import Mount, Route

    paths = list(dict.fromkeys(route.path for route in inbox.routes))

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> Any:
        async with (
            inbox.router.lifespan_context(inbox),
            console.router.lifespan_context(console),
        ):
            yield

    return Starlette(
        routes=[*(Route(path, inbox) for path in paths), Mount("/", app=console)],
        lifespan=lifespan,
    )


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


def _warm_at_start(console: Any) -> None:
    """The console role decrypts and works out every case as it starts, in the background,
    not on the first manager's first page (``--role all``, a small agency or a trial, does
    it on the first page instead)."""
    import threading
    from datetime import date

    threading.Thread(
        target=console.as_actor,
        args=("console", console.load.rows, date.today()),
        daemon=True,
        name="warm-caseload",
    ).start()


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
    return app_for_role(home, secure_cookies=os.environ.get(INSECURE_COOKIES_ENV) != "1")
