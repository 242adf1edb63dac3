"""Request body limits, enforced before the body is read, and memory handed back after.

``BodyLimit`` is plain ASGI middleware in front of every route: a declared
``Content-Length`` above the route's limit is answered 413 at once, without reading a
byte of the body (uvicorn then closes the connection rather than drain it); a body
sent without a length (chunked) is counted as it streams and refused at the first byte
over. After a large request the worker asks glibc to give freed memory back to the
system (``malloc_trim``): without it, 30 MB bodies read in the thread pool leave the
worker's arenas grown for good.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SMALL_LIMIT = 1024 * 1024  # enrolment, forms, API calls
TRIM_AFTER = 4 * 1024 * 1024  # bodies at least this big are followed by malloc_trim


class BodyTooLarge(Exception):
    pass


def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt"):
            return libc
    except OSError:
        pass
    return None  # not glibc (musl, macOS): nothing to do


_LIBC = _libc()
_TRIM = _LIBC.malloc_trim if _LIBC is not None else None
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8


def configure_malloc() -> None:
    """Big buffers from mmap (returned to the system when freed) and few arenas.

    glibc raises its mmap threshold after each large free (up to 32 MB), so repeated
    30 MB bodies end up in heap arenas that stay grown; a fixed 1 MB threshold stops that.
    """
    if _LIBC is not None:
        _LIBC.mallopt(M_MMAP_THRESHOLD, 1024 * 1024)
        _LIBC.mallopt(M_ARENA_MAX, 2)


def release_memory() -> None:
    import gc

    gc.collect()  # a refused body can sit in a cycle (exception -> traceback -> frame)
    if _TRIM is not None:
        _TRIM(0)


def too_large_body() -> bytes:
    return json.dumps(
        {"error": "too_large", "message": "The request is larger than the inbox accepts."}
    ).encode()


class BodyLimit:
    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app, self.limit_for = app, limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _send_413(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if not started:
                await _send_413(send)
        finally:
            if seen >= TRIM_AFTER:
                release_memory()


async def _send_413(send: Send) -> None:
    body = too_large_body()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
