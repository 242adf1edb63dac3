"""HTTP client for an agency inbox (httpx), behind a small seam for tests.

``InboxClient(base_url, transport=...)``: pass an ``httpx.BaseTransport`` to inject
faults (``httpx.MockTransport``); by default httpx's own, through the proxy in the
app settings when one is set. TLS is checked against the operating system's
certificate store (``truststore``), so a council's own CA works, proxy or not. A
plain ``http://`` address is refused unless it is this computer (127.0.0.1).
Requests that fail for want of a connection or with a 5xx are retried with
exponential back-off (capped); the rest fail at once.

    SyncError
    ├── InboxUnavailableError   not sent now, later: each cause its own subclass
    │   ├── InboxNameError          DNS: the inbox's name does not resolve
    │   ├── InboxCertificateError   TLS: the certificate is not trusted
    │   ├── InboxProxyError         the proxy refused or could not be reached
    │   ├── InboxServerError        5xx after the retries
    │   └── InboxDatabaseError      503 database_unavailable / database_down: its database
    ├── DeviceRevokedError      410 from the inbox
    ├── EnrolmentError          the token was refused
    └── InboxRefusedError       any other refusal (4xx): carries status and code
"""

from __future__ import annotations

import base64
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import msgspec
import pyrage
import truststore
from pyrage import x25519

from homestudy import __version__
from homestudy.errors import (
    DeviceRevokedError,
    EnrolmentError,
    InboxCertificateError,
    InboxDatabaseError,
    InboxNameError,
    InboxProxyError,
    InboxRefusedError,
    InboxServerError,
    InboxUnavailableError,
    SyncError,
)
from homestudy.sync import keys
from homestudy.sync.signed import SignedDocument, request_text
from homestudy.sync.wire import (
    AssignmentEntry,
    AssignmentList,
    BlobStatus,
    PollAnswer,
    WireError,
    convert,
)

RETRYABLE_STATUS = {500, 502, 503, 504}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
CHUNK_SIZE = 1024 * 1024  # attachment bytes per request, well below any inbox's limit
T = TypeVar("T")


def check_inbox_url(url: str) -> str:
    """The URL, or ``SyncError`` for one this laptop must not send case work to."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return url
    if parts.scheme == "http":
        raise SyncError(
            "The agency's inbox address starts with http://, which is not "
            "encrypted. Ask the agency for its https:// address."
        )
    raise SyncError("The agency's inbox address is not a web address (https://...).")


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
            retries,
            backoff,
            backoff_cap,
            sleep,
        )
        self.chunk_size = CHUNK_SIZE
        self._proxy = proxy
        self._http = httpx.Client(
            base_url=check_inbox_url(base_url).rstrip("/"),
            transport=transport,
            proxy=proxy or None,
            timeout=timeout,
            headers={"User-Agent": f"HomeStudy/{__version__}"},
            follow_redirects=False,
            trust_env=not proxy,
            verify=truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
        )
        del self._http.headers["Accept"]  # "*/*" says nothing: bytes on every request

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> InboxClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- calls

    def key_list(self) -> SignedDocument:
        return self.key_lists()[-1]

    def key_lists(self, have: int | None = None) -> list[SignedDocument]:
        """The agency's rotation lists, oldest first, then its current key list; [] when
        ``have`` (the version this laptop holds) is still current."""
        data = self._request("GET", "/keys" if have is None else f"/keys?have={int(have)}").json()
        return self._key_docs(data, have)

    def _key_docs(self, data: Any, have: int | None) -> list[SignedDocument]:
        if isinstance(data, dict) and have is not None and data.get("unchanged") == have:
            return []
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
        response = self._request(
            "PUT",
            f"/bundles/{bundle_id}",
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        return self._document(response.json().get("receipt"))

    def poll(
        self, device_id: str, signing_secret: str, have: int | None, after: int, last: str = ""
    ) -> Poll:
        """One signed request a round: the agency's key lists (``[]`` when ``have`` is
        still current), the device's state (``status``) and its assignments (as
        ``assignments``: asking acknowledges ``after`` and ``last``). An inbox older than
        the poll answers 404 (``InboxRefusedError``): then ask the three apart."""
        from urllib.parse import quote

        target = f"/devices/{device_id}/poll?after={int(after)}"
        if have is not None:
            target += f"&have={int(have)}"
        if last:
            target += f"&last={quote(last, safe='')}"
        response = self._request(
            "GET", target, headers=compact_signed_headers(signing_secret, "GET", target)
        )
        answer = self._typed(PollAnswer, response)
        return Poll(
            self._key_docs(answer.keys, have),
            msgspec.to_builtins(answer.device),
            _decoded(answer.assignments),
        )

    def assignments(
        self, device_id: str, signing_secret: str, after: int, last: str = ""
    ) -> list[dict[str, Any]]:
        """What the agency has for this device after ``after``; asking acknowledges
        ``after`` and ``last`` (the id of the last message stored)."""
        from urllib.parse import quote

        target = f"/devices/{device_id}/assignments?after={int(after)}"
        if last:
            target += f"&last={quote(last, safe='')}"
        response = self._request(
            "GET", target, headers=signed_headers(device_id, signing_secret, "GET", target)
        )
        return _decoded(self._typed(AssignmentList, response).assignments)

    def blob_status(
        self, device_id: str, signing_secret: str, sha256: str, size: int
    ) -> BlobStatus:
        target = f"/devices/{device_id}/blobs/{sha256}?size={int(size)}"
        response = self._request(
            "GET", target, headers=signed_headers(device_id, signing_secret, "GET", target)
        )
        return self._typed(BlobStatus, response)

    def send_blob(
        self, device_id: str, signing_secret: str, recipient: str, sha256: str, data: bytes
    ) -> BlobStatus:
        """Upload an attachment in chunks, each encrypted to the agency, starting where
        the inbox says it got to, so a retry resends only what it did not acknowledge."""
        status = self.blob_status(device_id, signing_secret, sha256, len(data))
        to = [x25519.Recipient.from_str(recipient)]
        while not status.complete:
            offset = status.received
            if not 0 <= offset < len(data):
                raise SyncError("The agency's inbox sent an answer HomeStudy cannot read.")
            chunk = pyrage.encrypt(data[offset : offset + self.chunk_size], to)
            target = f"/devices/{device_id}/blobs/{sha256}?size={len(data)}&offset={offset}"
            response = self._request(
                "PUT",
                target,
                content=chunk,
                headers={
                    "Content-Type": "application/octet-stream",
                    **signed_headers(device_id, signing_secret, "PUT", target),
                },
            )
            status = self._typed(BlobStatus, response)
            if not status.complete and status.received <= offset:
                raise InboxServerError()  # no progress: try again in a later round
        return status

    def status(self, device_id: str, signing_secret: str) -> dict[str, Any]:
        """The device's state at the inbox (``last_sequence``, ``last_bundle_id``,
        ``last_sha256``); raises ``DeviceRevokedError`` when revoked."""
        target = f"/devices/{device_id}/status"
        response = self._request(
            "GET", target, headers=signed_headers(device_id, signing_secret, "GET", target)
        )
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
                unavailable = self._transport_failure(exc)
                if isinstance(unavailable, InboxCertificateError):
                    raise unavailable from exc  # trying again will not change the certificate
            else:
                if response.status_code not in RETRYABLE_STATUS:
                    return self._checked(response)
                failure = SyncError(f"status {response.status_code}")
                unavailable = _server_failure(response)
            attempt += 1
            if attempt > self.retries:
                raise unavailable from failure
            self._sleep(min(self.backoff * 2 ** (attempt - 1), self.backoff_cap))

    def _transport_failure(self, exc: httpx.TransportError) -> InboxUnavailableError:
        """What went wrong in plain words, from the exception and what caused it."""
        chain: list[BaseException] = []
        current: BaseException | None = exc
        while current is not None and len(chain) < 10:
            chain.append(current)
            current = current.__cause__ or current.__context__
        text = " ".join(str(e) for e in chain)
        if (
            any(isinstance(e, ssl.SSLCertVerificationError) for e in chain)
            or "CERTIFICATE_VERIFY_FAILED" in text
        ):
            return InboxCertificateError()
        if isinstance(exc, httpx.ProxyError):
            return InboxProxyError()
        if (
            any(isinstance(e, socket.gaierror) for e in chain)
            or "Name or service not known" in text
            or "nodename nor servname" in text
        ):
            return InboxNameError()
        if self._proxy and isinstance(exc, httpx.ConnectError):
            return InboxProxyError()  # the only host we connect to is the proxy
        return InboxUnavailableError()

    @staticmethod
    def _typed(tp: type[T], response: httpx.Response) -> T:
        try:
            return convert(tp, response.json())
        except (ValueError, WireError) as exc:
            raise SyncError("The agency's inbox sent an answer HomeStudy cannot read.") from exc

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
        if response.status_code == 413:
            raise InboxRefusedError(
                413,
                "too_large",
                "it is larger than the agency's inbox "
                "accepts. Ask the agency to raise its size limit.",
            )
        raise InboxRefusedError(
            response.status_code,
            code or str(response.status_code),
            message or f"status {response.status_code}",
        )

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


def _server_failure(response: httpx.Response) -> InboxUnavailableError:
    try:
        code = str(response.json().get("error", ""))
    except (ValueError, AttributeError):
        code = ""
    if code in ("database_unavailable", "database_down"):  # the pool's name for it too
        return InboxDatabaseError()
    return InboxServerError()


@dataclass(frozen=True)
class Poll:
    key_lists: list[SignedDocument]  # [] when the laptop's version is still current
    status: dict[str, Any]  # as ``InboxClient.status``
    assignments: list[dict[str, Any]]  # as ``InboxClient.assignments``


def _decoded(found: list[AssignmentEntry]) -> list[dict[str, Any]]:
    try:
        return [
            {"bundle_id": a.bundle_id, "sequence": a.sequence, "data": base64.b64decode(a.data)}
            for a in found
        ]
    except ValueError as exc:
        raise SyncError("The agency's inbox sent an answer HomeStudy cannot read.") from exc


def compact_signed_headers(signing_secret: str, method: str, target: str) -> dict[str, str]:
    """A signed request in 2 headers, ~120 bytes: the time and a bare Ed25519 signature
    over the same ``request_text`` (the device is the one in the path)."""
    stamp = str(int(time.time()))
    signature = keys.sign_raw(signing_secret, request_text(method, target, stamp))
    return {
        "X-HomeStudy-Time": stamp,
        "X-HomeStudy-Signature": base64.b64encode(signature).decode("ascii"),
    }


def signed_headers(device_id: str, signing_secret: str, method: str, target: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = keys.sign(signing_secret, request_text(method, target, stamp), "request")
    return {
        "X-HomeStudy-Device": device_id,
        "X-HomeStudy-Time": stamp,
        "X-HomeStudy-Signature": base64.b64encode(signature).decode("ascii"),
    }
