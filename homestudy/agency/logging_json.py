"""JSON log lines with a request id, and one line per request.

Lines carry what an operator needs (method, path, status, time, refusal codes, device
and bundle ids) and never case content: nothing here reads a body, and the app logs
refusals by their code. The request id is taken from a sane ``X-Request-Id`` (a proxy's)
or made here, returned in the response header, and stamped on every line logged while
the request runs.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from homestudy.agency.limits import ASGIApp, Message, Receive, Scope, Send

LOGGER = "homestudy.agency"
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_FIELDS = (
    "event",
    "method",
    "path",
    "status",
    "ms",
    "code",
    "device_id",
    "bundle_id",
    "role",
    "workers",
    "port",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            line["request_id"] = rid
        for name in _FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__  # the type only: messages may quote data
        return json.dumps(line, ensure_ascii=False)


def setup(level: int = logging.INFO, stream: Any = None) -> None:
    """JSON lines on stderr for our logger and uvicorn's error logger."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in (LOGGER, "uvicorn.error"):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.setLevel(level)
        log.propagate = False


def logger() -> logging.Logger:
    return logging.getLogger(LOGGER)


class RequestLog:
    """ASGI middleware: a request id for each request, and its access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", rid.encode("ascii")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        except Exception:
            logger().exception("request failed", extra={"event": "error"})
            raise
        finally:
            path = scope["path"]
            if path not in ("/health", "/metrics") or status >= 400:
                logger().info(
                    "request",
                    extra={
                        "event": "request",
                        "method": scope["method"],
                        "path": path,
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            request_id.reset(token)
