"""The inbox as an ASGI app (Starlette), served by uvicorn.

    GET  /health                              200 or 503: database and keys (health.py)
    GET  /metrics                             Prometheus text (metrics.py)
    GET  /keys                                the signed key list (+ "chain": rotations)
    POST /enrol                               register a device's public keys (one-time token)
    PUT  /bundles/{bundle_id}                 upload a bundle (POST is the same); signed receipt
    GET  /devices/{device_id}/status          signed request; 410 when revoked; the
                                              device's last sequence (a restored laptop)
    GET  /devices/{device_id}/assignments     signed request; ?after=N&last=ID (an ack);
                                              new cases and messages
    GET  /devices/{device_id}/poll            signed; ?have=K&after=N&last=ID: the key list
                                              (or "unchanged"), the status and the
                                              assignments in one answer (one per round)
    GET  /devices/{device_id}/blobs/{sha256}  signed; ?size=N; what the inbox holds of it
    PUT  /devices/{device_id}/blobs/{sha256}  signed; ?size=N&offset=M; one chunk (age)

Errors are JSON ``{"error": code, "message": plain words}`` with a distinct status
per cause (see ``homestudy.agency.inbox``); 503 ``database_down`` while the database
does not answer. Database and crypto work runs in the thread pool so the event loop
stays free. In front of every route: a request id and JSON access line
(``logging_json``) and the body limit, enforced before reading (``limits``); answers
of 500 bytes or more are gzipped for a client that accepts it.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import msgspec
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from homestudy.agency import health as health_check
from homestudy.agency import metrics
from homestudy.agency.home import AgencyHome
from homestudy.agency.inbox import Inbox, Refusal
from homestudy.agency.limits import SMALL_LIMIT, BodyLimit
from homestudy.agency.logging_json import RequestLog, logger
from homestudy.agency.pool import DatabaseDown

#: uploads verified and stored at once per worker process; more wait their turn (never
#: refused). The work is CPU and one short write each: more threads than this only
#: contend for the GIL and the connection pool (16), which other routes need too
UPLOAD_THREADS = 8
BUNDLE_OVERHEAD = 64 * 1024  # headers of a bundle beyond its size limit are never this big
GZIP_MINIMUM = 500  # smaller answers would grow by gzip's header and its two HTTP headers
SIGNATURE_HEADERS = ("x-homestudy-device", "x-homestudy-time", "x-homestudy-signature")


def _refused(exc: Refusal) -> JSONResponse:
    metrics.REFUSALS.labels(exc.code).inc()
    logger().warning("refused", extra={"event": "refusal", "status": exc.status, "code": exc.code})
    return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status)


async def _call(
    fn: Callable[..., Any], *args: Any, limiter: anyio.CapacityLimiter | None = None
) -> Any:
    try:
        if limiter is not None:
            return await anyio.to_thread.run_sync(fn, *args, limiter=limiter)
        return await run_in_threadpool(fn, *args)
    except Refusal:
        raise
    except Exception as exc:
        if _database_down(exc):  # the laptop says "the agency's inbox database is down"
            raise Refusal(
                503, "database_unavailable", "The inbox cannot reach its database just now."
            ) from exc
        raise


def _database_down(exc: BaseException) -> bool:
    import sqlite3

    if isinstance(exc, sqlite3.OperationalError):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def create_app(home: AgencyHome | Path | str) -> Starlette:
    if not isinstance(home, AgencyHome):
        home = AgencyHome(home)
    db = home.database()
    db.migrate()
    inbox = Inbox(home, db)
    limit = home.config.max_bundle_size
    uploads: list[anyio.CapacityLimiter] = []  # made in the event loop, at first use

    async def health(request: Request) -> JSONResponse:
        status, body = await _call(health_check.check, home, db)
        return JSONResponse(body, status_code=status)

    async def metrics_text(request: Request) -> Response:
        return Response(await _call(metrics.render, db), media_type=metrics.CONTENT_TYPE)

    async def key_list(request: Request) -> JSONResponse:
        try:
            have = request.query_params.get("have", "")
            return JSONResponse(
                await _call(inbox.key_lists_wire, int(have) if have.isdigit() else None)
            )
        except Refusal as exc:
            return _refused(exc)

    async def enrol(request: Request) -> JSONResponse:
        try:
            body = await _read_body(request, 64 * 1024)
            return JSONResponse(await _call(inbox.enrol, json.loads(body)))
        except ValueError:
            return _refused(Refusal(400, "malformed", "The enrolment request is not JSON."))
        except Refusal as exc:
            return _refused(exc)

    async def upload(request: Request) -> JSONResponse:
        try:
            # handed over in a box the call empties: the thread pool's idle threads keep
            # their last call's arguments, which would pin a 30 MB body per thread
            box = [await _read_body(request, limit)]
            version = app_version(request.headers.get("user-agent", ""))
            if not uploads:
                uploads.append(anyio.CapacityLimiter(UPLOAD_THREADS))
            receipt = await _call(
                _accept_boxed,
                inbox,
                request.path_params["bundle_id"],
                box,
                version,
                limiter=uploads[0],
            )
            metrics.ACCEPTED.inc()
            return JSONResponse({"receipt": receipt.to_wire()})
        except Refusal as exc:
            return _refused(exc)

    async def signed_device(request: Request) -> Any:
        device_id = request.path_params["device_id"]
        values = [request.headers.get(h, "") for h in SIGNATURE_HEADERS]
        if values[0] not in ("", device_id):  # the compact form leaves it to the path
            raise Refusal(401, "bad_signature", "The request is not signed by this device.")
        try:
            signature = base64.b64decode(values[2], validate=True)
        except ValueError as exc:
            raise Refusal(401, "bad_signature", "The request's signature is malformed.") from exc
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return await _call(
            inbox.check_signed_request, device_id, request.method, target, values[1], signature
        )

    async def status(request: Request) -> JSONResponse:
        try:
            device = await signed_device(request)
            return JSONResponse(
                {
                    "device_id": device.device_id,
                    "revoked": False,
                    **(await _call(inbox.sequence_state, device.device_id)),
                }
            )
        except Refusal as exc:
            return _refused(exc)

    async def poll(request: Request) -> JSONResponse:
        try:
            device = await signed_device(request)
            have, after = (request.query_params.get(n, "") for n in ("have", "after"))
            found = await _call(
                inbox.poll,
                device.device_id,
                int(have) if have.isdigit() else None,
                int(after) if after.isdigit() else 0,
                request.query_params.get("last", "")[:100],
            )
            return JSONResponse(found)
        except Refusal as exc:
            return _refused(exc)

    async def assignments(request: Request) -> JSONResponse:
        try:
            device = await signed_device(request)
            try:
                after = int(request.query_params.get("after", "0"))
            except ValueError:
                after = 0
            last = request.query_params.get("last", "")[:100]
            found = await _call(inbox.assignments, device.device_id, after, last)
            return JSONResponse({"assignments": found})
        except Refusal as exc:
            return _refused(exc)

    def blob_args(request: Request, *names: str) -> list[int]:
        try:
            return [int(request.query_params[n]) for n in names]
        except (KeyError, ValueError) as exc:
            raise Refusal(400, "malformed", "The attachment request is not readable.") from exc

    async def blob_status(request: Request) -> JSONResponse:
        try:
            await signed_device(request)
            (size,) = blob_args(request, "size")
            found = await _call(inbox.blob_status, request.path_params["sha256"], size)
            return JSONResponse(msgspec.to_builtins(found))
        except Refusal as exc:
            return _refused(exc)

    async def blob_chunk(request: Request) -> JSONResponse:
        try:
            await signed_device(request)
            size, offset = blob_args(request, "size", "offset")
            data = await _read_body(request, limit)
            found = await _call(inbox.put_chunk, request.path_params["sha256"], size, offset, data)
            return JSONResponse(msgspec.to_builtins(found))
        except Refusal as exc:
            return _refused(exc)

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/metrics", metrics_text, methods=["GET"]),
        Route("/keys", key_list, methods=["GET"]),
        Route("/enrol", enrol, methods=["POST"]),
        Route("/bundles/{bundle_id}", upload, methods=["PUT", "POST"]),
        Route("/devices/{device_id}/status", status, methods=["GET"]),
        Route("/devices/{device_id}/assignments", assignments, methods=["GET"]),
        Route("/devices/{device_id}/poll", poll, methods=["GET"]),
        Route("/devices/{device_id}/blobs/{sha256}", blob_status, methods=["GET"]),
        Route("/devices/{device_id}/blobs/{sha256}", blob_chunk, methods=["PUT"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        db.close()

    def limit_for(path: str) -> int:
        # bundles and attachment chunks (each chunk stays below the bundle limit)
        if path.startswith("/bundles/") or (path.startswith("/devices/") and "/blobs/" in path):
            return limit + BUNDLE_OVERHEAD
        return SMALL_LIMIT

    async def database_down(request: Request, exc: Exception) -> JSONResponse:
        logger().error("database down", extra={"event": "database_down", "status": 503})
        return JSONResponse({"error": "database_down", "message": str(exc)}, status_code=503)

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(RequestLog),
            Middleware(BodyLimit, limit_for=limit_for),
            # answers of 500 bytes and more (a receipt, assignments) gzipped when the
            # client accepts it (HomeStudy does): a few hundred bytes off every upload
            Middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM, compresslevel=6),
        ],
        exception_handlers={DatabaseDown: database_down},
    )
    app.state.inbox = inbox
    return app


def app_version(user_agent: str) -> str:
    """ "0.1.0" from the laptop's "HomeStudy/0.1.0" ("" from anything else)."""
    name, _, version = user_agent.partition("/")
    version = version.split()[0] if version.strip() else ""
    ok = name == "HomeStudy" and version and all(c.isalnum() or c in ".+-" for c in version)
    return version if ok else ""


def _accept_boxed(inbox: Inbox, bundle_id: str, box: list[bytes], version: str = "") -> Any:
    return inbox.accept(bundle_id, box.pop(), version)


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) before reading more than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Refusal(413, "too_large", "The bundle is larger than the inbox accepts.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refusal(413, "too_large", "The bundle is larger than the inbox accepts.")
        chunks.append(chunk)
    return b"".join(chunks)
