"""Helpers for the console tests: an agency with three laptops' demo cases, staff
accounts, and the console served by uvicorn on 127.0.0.1 in a thread."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pyotp
import pytest
import uvicorn

from homestudy.agency.console import audit, auth
from homestudy.agency.console.schema import migrate_console
from homestudy.agency.console.web import create_console_app
from homestudy.agency.home import AgencyHome
from homestudy.agency.inbox import Inbox
from homestudy.demo import build_demo_case
from tests.sync_helpers import TestDevice, make_agency

TODAY = date(2026, 12, 3)
PASSWORD = "correct horse battery"
# (assessor id, name, the demo's "today" for the case: earlier = further into Stage 2)
LAPTOPS = [
    ("priya.raman", "Priya Raman", TODAY),
    ("sam.jones", "Sam Jones", TODAY - timedelta(days=40)),
    ("alex.khan", "Alex Khan", TODAY - timedelta(days=120)),
]


@dataclass
class Agency:
    home: AgencyHome
    devices: list[TestDevice]
    cases: list[Any]
    totp: dict[str, str]  # username -> TOTP secret


def enrol_device(home: AgencyHome, inbox: Inbox, assessor: str, name: str) -> TestDevice:
    device = TestDevice(home)
    token = inbox.new_token(assessor, name)
    inbox.enrol(device.registration(token, assessor, device_name=f"{name}'s laptop"))
    return device


def make_console_agency(folder: Path, *, database_url: str = "", extra_cases: int = 0) -> Agency:
    """Three laptops, each sending one demo case (signed, encrypted bundles through the
    inbox's own verify-and-store path); three staff accounts, one per role."""
    home = make_agency(folder, database_url=database_url)
    db = home.database(pool_size=2)
    inbox = Inbox(home, db)
    devices, cases = [], []
    for i, (assessor, name, as_of) in enumerate(LAPTOPS):
        device = enrol_device(home, inbox, assessor, name)
        for n in range(1 + (extra_cases if i == 0 else 0)):
            case = build_demo_case(
                as_of, seed=f"{assessor}-{n}", reference=f"HS-2026-{100 + i * 1000 + n:04d}"
            )
            case.assessor_name = name
            bundle_id, data = device.bundle(case)
            inbox.accept(bundle_id, data)
            cases.append(case)
        devices.append(device)
    migrate_console(db)
    totp = {
        u: auth.add_staff(db, u, n, r, PASSWORD)
        for u, n, r in [
            ("admin", "Ada Admin", "admin"),
            ("manager", "Morgan Manager", "team_manager"),
            ("adviser", "Pat Adviser", "panel_adviser"),
        ]
    }
    db.close()
    return Agency(home, devices, cases, totp)


def audit_entries(home: AgencyHome, limit: int = 500) -> list[audit.AuditEntry]:
    """The console's audit log, newest first, read on a connection of its own."""
    db = home.database(pool_size=1)
    try:
        return audit.entries(db, limit=limit)
    finally:
        db.close()


def send_with_replies(
    home: AgencyHome, device: TestDevice, case: Any, replies: list[dict[str, Any]]
) -> str:
    """The laptop's next bundle of ``case`` carrying the worker's review replies
    (``review_replies.json``, as the laptop's sync sends them); stored by the inbox."""
    bundle_id, data = device.bundle(
        case, extras={"review_replies.json": json.dumps(replies).encode()}
    )
    db = home.database(pool_size=1)
    try:
        Inbox(home, db).accept(bundle_id, data)
    finally:
        db.close()
    return bundle_id


class ConsoleServer:
    """The console app under uvicorn on a free 127.0.0.1 port, in a thread."""

    def __init__(self, home: AgencyHome, today: date = TODAY, secure: bool = True) -> None:
        self.app = create_console_app(home, today=lambda: today, secure_cookies=secure)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        SERVED[self.url] = home
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, log_level="warning", access_log=False)
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self.thread.start()
        for _ in range(400):
            if self.server.started:
                break
            time.sleep(0.025)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.app.state.console.db.close()


#: each running ConsoleServer's home, by URL (Staff.sign_in reaches its database)
SERVED: dict[str, AgencyHome] = {}


def forget_totp_step(home: AgencyHome, username: str) -> None:
    """Let ``username`` sign in again with this 30-second window's code: tests sign the
    same account in many times a minute, which the console refuses as a replayed code
    (that refusal has its own test)."""
    db = home.database(pool_size=1)
    try:
        with db.transaction() as cur:
            cur.execute(
                "UPDATE console_staff SET totp_last_step = 0 WHERE username = ?", (username,)
            )
    finally:
        db.close()


class Staff:
    """A signed-in member of staff over real HTTP. Cookies are kept by hand: they are
    ``Secure``, which httpx rightly will not send over plain http."""

    opened: ClassVar[list[Staff]] = []  # closed by close_all() after each test

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30, follow_redirects=False)
        Staff.opened.append(self)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def _keep(self, resp: httpx.Response) -> httpx.Response:
        for header in resp.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        m = re.search(r'name="csrf" value="([^"]+)"', resp.text)
        if m:
            self.csrf = m.group(1)
        return resp

    def _cookie_header(self) -> dict[str, str]:
        return {"cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self._keep(self.http.get(path, headers=self._cookie_header(), **kw))

    def post(self, path: str, data: dict[str, str], csrf: bool = True) -> httpx.Response:
        body = {**({"csrf": self.csrf} if csrf else {}), **data}
        return self._keep(self.http.post(path, data=body, headers=self._cookie_header()))

    def sign_in(
        self, username: str, secret: str, password: str = PASSWORD, *, code: str = ""
    ) -> httpx.Response:
        """Sign in with the current code, or ``code`` as given (no step forgotten)."""
        home = SERVED.get(str(self.http.base_url).rstrip("/"))
        if home is not None and not code:
            forget_totp_step(home, username)
        self.get("/login")
        return self.post(
            "/login",
            {"username": username, "password": password, "code": code or pyotp.TOTP(secret).now()},
        )

    def close(self) -> None:
        self.http.close()


def close_all() -> None:
    while Staff.opened:
        Staff.opened.pop().close()


# Fixtures for a test module that works against one running console (import them into
# the module: ``from tests.console_helpers import close_clients, env, signed_in``).


@pytest.fixture(autouse=True)
def close_clients():
    """Each test's clients are closed after it; the module's server outlives them."""
    yield
    close_all()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """A console with three laptops' cases on a real server on 127.0.0.1."""
    agency = make_console_agency(tmp_path_factory.mktemp("console") / "agency")
    server = ConsoleServer(agency.home)
    yield agency, server
    server.stop()


def signed_in(env: tuple[Any, Any], who: str) -> Staff:
    """``who`` (a demo staff account) signed in with their password and TOTP code."""
    agency, server = env
    staff = Staff(server.url)
    resp = staff.sign_in(who, agency.totp[who])
    assert resp.status_code == 303 and "hs_session" in staff.cookies
    return staff
