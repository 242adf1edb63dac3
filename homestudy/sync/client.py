"""HTTP client for an agency inbox (httpx), behind a small seam for tests.

``InboxClient(base_url, transport=...)``: pass an ``httpx.BaseTransport`` to inject
faults (``httpx.MockTransport``); by default httpx's own, through the proxy in the
app settings when one is set. Requests that fail for want of a connection or with
a 5xx are retried with exponential back-off (capped); the rest fail at once.

    SyncError
    ├── InboxUnavailableError   no connection, timeouts, 5xx after the retries
    ├── DeviceRevokedError      410 from the inbox
    ├── EnrolmentError          the token was refused
    └── InboxRefusedError       any other refusal (4xx): carries status and code
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import httpx

from homestudy import __version__
from homestudy.errors import (
    DeviceRevokedError,
    EnrolmentError,
    InboxRefusedError,
    InboxUnavailableError,
    SyncError,
)
from homestudy.sync import keys
from homestudy.sync.signed import SignedDocument, request_text

RETRYABLE_STATUS = {500, 502, 503, 504}


class InboxClient:
    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        proxy: str = "",
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        backoff_cap: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.retries, self.backoff, self.backoff_cap, self._sleep = (
            retries, backoff, backoff_cap, sleep)
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), transport=transport, proxy=proxy or None,
            timeout=timeout, headers={"User-Agent": f"HomeStudy/{__version__}"},
            follow_redirects=False, trust_env=not proxy,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> InboxClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- calls

    def key_list(self) -> SignedDocument:
        return self.key_lists()[-1]

    def key_lists(self) -> list[SignedDocument]:
        """The agency's rotation lists, oldest first, then its current key list."""
        data = self._request("GET", "/keys").json()
        chain = data.get("chain", []) if isinstance(data, dict) else []
        if not isinstance(chain, list):
            chain = []
        return [self._document(link) for link in chain] + [self._document(data)]

    def enrol(self, registration: SignedDocument) -> dict[str, Any]:
        try:
            response = self._request("POST", "/enrol", json=registration.to_wire())
        except InboxRefusedError as exc:
            raise EnrolmentError(
                _ENROL_MESSAGES.get(exc.code, "The agency did not accept the enrolment.")
            ) from exc
        return dict(response.json())

    def upload(self, bundle_id: str, data: bytes) -> SignedDocument:
        response = self._request("PUT", f"/bundles/{bundle_id}", content=data,
                                 headers={"Content-Type": "application/octet-stream"})
        return self._document(response.json().get("receipt"))

    def assignments(self, device_id: str, signing_secret: str, after: int,
                    last: str = "") -> list[dict[str, Any]]:
        """What the agency has for this device after ``after``; asking acknowledges
        ``after`` and ``last`` (the id of the last message stored)."""
        from urllib.parse import quote

        target = f"/devices/{device_id}/assignments?after={int(after)}"
        if last:
            target += f"&last={quote(last, safe='')}"
        response = self._request("GET", target,
                                 headers=signed_headers(device_id, signing_secret, "GET", target))
        found = response.json().get("assignments", [])
        return [dict(a, data=base64.b64decode(a["data"])) for a in found]

    def status(self, device_id: str, signing_secret: str) -> dict[str, Any]:
        """The device's state at the inbox (``last_sequence``, ``last_bundle_id``,
        ``last_sha256``); raises ``DeviceRevokedError`` when revoked."""
        target = f"/devices/{device_id}/status"
        response = self._request("GET", target,
                                 headers=signed_headers(device_id, signing_secret, "GET", target))
        data = response.json()
        return data if isinstance(data, dict) else {}

    # ----------------------------------------------------------------- plumbing

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = self._http.request(method, url, **kwargs)
            except httpx.TransportError as exc:  # connect, read, timeouts, proxy errors
                failure: Exception = exc
            else:
                if response.status_code not in RETRYABLE_STATUS:
                    return self._checked(response)
                failure = SyncError(f"status {response.status_code}")
            attempt += 1
            if attempt > self.retries:
                raise InboxUnavailableError() from failure
            self._sleep(min(self.backoff * 2 ** (attempt - 1), self.backoff_cap))

    @staticmethod
    def _checked(response: httpx.Response) -> httpx.Response:
        if response.status_code < 400:
            return response
        try:
            body = response.json()
            code, message = str(body.get("error", "")), str(body.get("message", ""))
        except ValueError:
            code, message = "", ""
        if response.status_code == 410:
            raise DeviceRevokedError()
        raise InboxRefusedError(response.status_code, code or str(response.status_code),
                                message or f"status {response.status_code}")

    @staticmethod
    def _document(data: Any) -> SignedDocument:
        try:
            return SignedDocument.from_wire(data)
        except ValueError as exc:
            raise SyncError("The agency's inbox sent an answer HomeStudy cannot read.") from exc


_ENROL_MESSAGES = {
    "enrolment_invalid": "The agency did not recognise the enrolment file's token.",
    "enrolment_used": "This enrolment file has already been used. Ask the agency for a new one.",
    "enrolment_expired": "This enrolment file has expired. Ask the agency for a new one.",
    "device_exists": "This laptop is already enrolled with the agency.",
    "wrong_agency": "The inbox belongs to a different agency from the enrolment file.",
}


def signed_headers(device_id: str, signing_secret: str, method: str, target: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = keys.sign(signing_secret, request_text(method, target, stamp), "request")
    return {
        "X-HomeStudy-Device": device_id,
        "X-HomeStudy-Time": stamp,
        "X-HomeStudy-Signature": base64.b64encode(signature).decode("ascii"),
    }
