"""Operations on SQLite over real HTTP: body limits before reading, /metrics, JSON logs
with request ids and no case content, --version, and plain one-line failures."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest
from ops_helpers import PASSPHRASE, Server, agency_cli, agency_env
from sync_helpers import TestDevice, enrolment_for, make_agency

from homestudy import __version__


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    home = make_agency(tmp_path_factory.mktemp("ops") / "agency", max_bundle_size=1024 * 1024)
    server = Server(home.path)
    yield home, server
    server.stop()


def _raw(url: str, request: bytes, then: bytes = b"") -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(request)
        if then:
            sock.sendall(then)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def test_body_over_the_limit_is_refused_before_it_is_read(served) -> None:
    _home, server = served
    # 200 MB declared, not one byte sent: the answer comes anyway
    answer = _raw(
        server.url, b"PUT /bundles/x HTTP/1.1\r\nHost: t\r\nContent-Length: 200000000\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"too_large"' in answer
    # no length given (chunked): counted as it streams, refused past the limit
    chunk = b"x" * 600_000
    body = b"".join(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(2))
    answer = _raw(
        server.url,
        b"PUT /bundles/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n",
        body + b"0\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # small routes have a small limit
    with httpx.Client(base_url=server.url, timeout=20) as client:
        assert client.post("/enrol", content=b"{" * (2 * 1024 * 1024)).status_code == 413
        assert client.get("/health").status_code == 200  # and the server is fine


def test_metrics_and_json_logs_without_case_content(served, tmp_path: Path) -> None:
    home, server = served
    with httpx.Client(base_url=server.url, timeout=20) as client:
        device = TestDevice(home)
        assert device.register(client, enrolment_for(home, server.url).token).status_code == 200
        bundle_id, data = device.bundle()
        assert (
            client.put(
                f"/bundles/{bundle_id}", content=data, headers={"X-Request-Id": "req-123"}
            ).status_code
            == 200
        )
        forged_id, forged = TestDevice(home, device_id=device.device_id).bundle()
        refused = client.put(f"/bundles/{forged_id}", content=forged)
        assert refused.status_code == 401 and refused.headers["x-request-id"]
        text = client.get("/metrics").text
    assert "homestudy_inbox_bundles_stored 1.0" in text
    assert 'homestudy_inbox_refusals_total{code="bad_signature"} 1.0' in text
    assert "homestudy_inbox_bundles_accepted_total 1.0" in text
    assert (
        f'homestudy_inbox_device_last_seen_timestamp_seconds{{device_id="{device.device_id}"}}'
        in text
    )
    assert 'homestudy_inbox_devices{state="active"} 1.0' in text
    log = server.stop()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(r.get("request_id") == "req-123" and r.get("status") == 200 for r in lines)
    # the module's server also refused the earlier tests' oversized bodies: this test's
    # refusal is the forged bundle's
    refusals = [r for r in lines if r.get("event") == "refusal" and r["code"] == "bad_signature"]
    assert refusals and refusals[0]["request_id"]
    for secret in ("Sam Assessor", "No concerns", "support network", "HS-2026-0001"):
        assert secret not in log


def test_version_and_plain_one_line_failures(tmp_path: Path) -> None:
    done = agency_cli(tmp_path, "--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"homestudy-agency {__version__}")
    env = agency_env(HOMESTUDY_AGENCY_PASSPHRASE=PASSPHRASE)

    def one_line(result) -> str:
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        return lines[0]

    def init_refused(folder: Path, inbox_url: str, *database: str) -> str:
        return one_line(
            agency_cli(
                folder,
                "init",
                "--agency-id",
                "AG-1",
                "--name",
                "A",
                "--inbox-url",
                inbox_url,
                *database,
                env=env,
            )
        )

    bad = tmp_path / "bad"
    assert "is not a web address" in init_refused(bad, "inbox.example")
    assert "database URL is not valid" in init_refused(
        bad, "https://x.org", "--database", "postgresql://u@h:notaport/db"
    )
    # a database that does not answer: init fails and leaves nothing behind
    silent = ("--database", "postgresql://u@127.0.0.1:1/db")
    assert "not answering" in init_refused(bad, "https://x.org", *silent)
    assert not bad.exists()
    kept = tmp_path / "kept"  # a folder made beforehand (systemd StateDirectory) stays, empty
    kept.mkdir()
    init_refused(kept, "https://x.org", *silent)
    assert list(kept.iterdir()) == []
    # port in use
    home = make_agency(tmp_path / "agency")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for command in ("serve", "console"):
            line = one_line(agency_cli(home.path, command, "--port", str(port)))
            assert line == (
                f"homestudy-agency: Port {port} on 127.0.0.1 is already in use: another "
                "HomeStudy server or program is listening there. Stop it or choose --port."
            ), command
    assert "No agency is set up" in one_line(agency_cli(tmp_path / "none", "inbox"))


def test_assignment_json_is_checked_against_the_model_with_paths(tmp_path: Path) -> None:
    from sync_helpers import sample_case

    from homestudy.agency.case_schema import CaseFileError, check_case_document
    from homestudy.model import Applicant
    from homestudy.serial import to_jsonable

    case = sample_case()
    case.applicants = [Applicant(first_name="Alex", last_name="Smith")]
    good = to_jsonable(case)
    assert check_case_document({"format": "homestudy-case", "case": good}) == case
    bad = dict(good)
    bad["aplicants"] = bad.pop("applicants")  # the typo that once sent a case with nobody
    bad["panel_date"] = "31/12/2026"
    bad["visits"] = [{"bogus": 1}]
    with pytest.raises(CaseFileError) as caught:
        check_case_document(bad)
    assert caught.value.errors == [
        "$.aplicants: unknown field",
        "$.panel_date: Invalid RFC3339 encoded date",
        "$.visits[0]: Object contains unknown field `bogus`",
    ]
    # and the command refuses it, naming them, sending nothing
    home = make_agency(tmp_path / "agency")
    (tmp_path / "case.json").write_text(json.dumps(bad))
    done = agency_cli(home.path, "assign", "--assessor", "assessor-1", str(tmp_path / "case.json"))
    assert done.returncode == 1 and "$.aplicants: unknown field" in done.stderr
    assert "Traceback" not in done.stderr


def test_memory_returns_after_large_refused_uploads(tmp_path: Path) -> None:
    """Junk just under the limit is read, refused, and its memory given back: without
    that, each idle thread-pool thread kept a 30 MB body (once 0.8 GB for 20 uploads)."""
    import os

    def rss_mb(pid: int) -> float:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS")

    home = make_agency(tmp_path / "agency", max_bundle_size=32 * 1024 * 1024)
    server = Server(home.path)
    try:
        junk = os.urandom(30 * 1024 * 1024)
        with httpx.Client(base_url=server.url, timeout=120) as client:
            before = rss_mb(server.process.pid)
            for _ in range(20):
                assert client.put("/bundles/junk", content=junk).status_code == 400
            after = rss_mb(server.process.pid)
    finally:
        server.stop()
    print(f"\nresident before {before:.0f} MB, after 20 x 30 MB {after:.0f} MB")
    assert after - before < 100
