"""Honest errors: each way a sync can fail gets its own plain message in the sync status,
caused for real where it can be (DNS, an untrusted certificate, a dead proxy, a
refusing proxy, the inbox's PostgreSQL stopped, nothing listening); the client trusts
the operating system's certificate store; plain http:// only to this computer."""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pg import PgCluster, available, free_port
from sync_helpers import InboxServer, enrolled_with_case, make_agency, sample_case

from homestudy.errors import (
    InboxCertificateError,
    InboxDatabaseError,
    InboxNameError,
    InboxProxyError,
    InboxRefusedError,
    InboxServerError,
    InboxUnavailableError,
    SyncError,
)
from homestudy.sync import outbox
from homestudy.sync.client import InboxClient, check_inbox_url
from homestudy.sync.engine import describe, sync_round
from homestudy.vault import Vault


def quick(url: str, **kwargs) -> InboxClient:
    return InboxClient(url, retries=1, sleep=lambda _s: None, timeout=5, **kwargs)


def test_plain_http_is_refused_unless_it_is_this_computer() -> None:
    for url in ("http://127.0.0.1:8000", "http://localhost:8000", "https://inbox.example.org"):
        assert check_inbox_url(url) == url
    with pytest.raises(SyncError, match="not encrypted"):
        InboxClient("http://inbox.example.org")
    with pytest.raises(SyncError, match="not a web address"):
        InboxClient("ftp://inbox.example.org")


def test_a_name_that_does_not_resolve_is_a_dns_problem() -> None:
    with quick("https://no-such-inbox.invalid") as client, pytest.raises(InboxNameError) as e:
        client.key_lists()
    assert "address could not be found" in e.value.message


def test_nothing_listening_is_offline() -> None:
    with (
        quick(f"http://127.0.0.1:{free_port()}") as client,
        pytest.raises(InboxUnavailableError) as caught,
    ):
        client.key_lists()
    assert type(caught.value) is InboxUnavailableError
    assert "cannot be reached" in caught.value.message


# ----------------------------------------------------------------------------- TLS


def _cert(tmp: Path) -> tuple[Path, Path, Path]:
    """A council-style private CA and a certificate it issued for 127.0.0.1."""
    now = dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=2)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Council CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = tmp / "ca.pem", tmp / "cert.pem", tmp / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class _Keys(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"hello": "inbox"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    ca, cert, key = _cert(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Keys)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with _serving(server) as port:
        yield f"https://127.0.0.1:{port}", ca


@contextmanager
def _serving(server: http.server.ThreadingHTTPServer) -> Iterator[int]:
    """``server`` answering on a thread of its own until the block ends; its port."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_an_untrusted_certificate_is_named_and_the_os_store_is_used(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ca = tls_server
    with quick(url) as client, pytest.raises(InboxCertificateError) as caught:
        client._request("GET", "/health")
    assert "certificate" in caught.value.message
    # the council's CA added to the operating system's store (OpenSSL's default paths
    # on Linux, which truststore reads): now it is trusted, no HomeStudy setting needed
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    with quick(url) as client:
        assert client._request("GET", "/health").json() == {"hello": "inbox"}


# ----------------------------------------------------------------------------- proxy


class _RefusingProxy(http.server.BaseHTTPRequestHandler):
    def do_CONNECT(self) -> None:
        self.send_response(403, "Forbidden by policy")
        self.end_headers()

    do_GET = do_CONNECT

    def log_message(self, *args: object) -> None:
        pass


def test_a_proxy_that_is_down_or_refuses_is_named(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ca = tls_server
    dead = f"http://127.0.0.1:{free_port()}"
    with quick(url, proxy=dead) as client, pytest.raises(InboxProxyError) as caught:
        client._request("GET", "/health")
    assert "proxy" in caught.value.message
    with _serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RefusingProxy)) as port:
        refusing = f"http://127.0.0.1:{port}"
        with quick(url, proxy=refusing) as client, pytest.raises(InboxProxyError):
            client._request("GET", "/health")


def test_a_tunnel_through_a_proxy_checks_the_certificate_against_the_os_store(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CONNECT proxy on 127.0.0.1: the council CA in the OS store works through it."""
    url, ca = tls_server
    target_port = int(url.rsplit(":", 1)[1])
    listener = socket.create_server(("127.0.0.1", 0))

    def tunnel() -> None:
        conn, _ = listener.accept()
        head = b""
        while b"\r\n\r\n" not in head:
            head += conn.recv(4096)
        upstream = socket.create_connection(("127.0.0.1", target_port))
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

        def pipe(a: socket.socket, b: socket.socket) -> None:
            try:
                while data := a.recv(65536):
                    b.sendall(data)
            except OSError:
                pass
            finally:
                b.close()

        threading.Thread(target=pipe, args=(upstream, conn), daemon=True).start()
        pipe(conn, upstream)

    threading.Thread(target=tunnel, daemon=True).start()
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    proxy = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        with quick(url, proxy=proxy) as client:
            assert client._request("GET", "/health").json() == {"hello": "inbox"}
    finally:
        listener.close()


# ----------------------------------------------------------------------------- HTTP status


def _answering(status: int, body: dict | None = None) -> InboxClient:
    transport = httpx.MockTransport(lambda r: httpx.Response(status, json=body or {}))
    return quick("http://127.0.0.1:1", transport=transport)


def test_413_and_5xx_have_their_own_words() -> None:
    with _answering(413) as client, pytest.raises(InboxRefusedError) as refused:
        client.upload("b", b"x")
    assert refused.value.code == "too_large" and "size limit" in refused.value.message
    with _answering(500) as client, pytest.raises(InboxServerError) as server:
        client.upload("b", b"x")
    assert "server error" in server.value.message
    with (
        _answering(503, {"error": "database_unavailable"}) as client,
        pytest.raises(InboxDatabaseError),
    ):
        client.upload("b", b"x")
    messages = {
        InboxUnavailableError().message,
        InboxNameError().message,
        InboxCertificateError().message,
        InboxProxyError().message,
        InboxServerError().message,
        InboxDatabaseError().message,
    }
    assert len(messages) == 6  # each cause its own words


@pytest.mark.postgres
def test_the_inbox_database_down_is_said_so(tmp_path: Path, vault: Vault) -> None:
    """The real inbox on a PostgreSQL that is then stopped: the laptop's status says the
    inbox cannot reach its database (not "offline"), and the work waits."""
    reason = available()
    if reason:
        pytest.skip(reason)
    cluster = PgCluster().start()
    home = make_agency(tmp_path / "agency", database_url=cluster.new_database())
    server = InboxServer(home.path)
    try:
        enrolled_with_case(vault, home, server.url, sample_case("HS-2026-0950"))
        cluster.stop()

        def client(s: outbox.ProfileState) -> InboxClient:
            # longer than the inbox waits for a database connection (the pool's 5 s),
            # as the laptop's own 30 s is: else the laptop gives up first, "offline"
            return InboxClient(s.profile.inbox_url, retries=1, sleep=lambda _s: None, timeout=20)

        (report,) = sync_round(vault, client)
        assert report.offline and report.waiting == 1
        assert report.error == InboxDatabaseError().message
        assert "cannot reach its database" in describe(report)
        (status,) = outbox.statuses(vault)
        assert not status.offline and status.last_error == InboxDatabaseError().message
    finally:
        server.stop()
        cluster.stop()
