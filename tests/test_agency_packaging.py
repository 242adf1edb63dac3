"""packaging/agency: the units, container and compose files name commands and options
the program really has, and the nginx example lets the inbox's largest bundle through."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess

import pytest
import yaml
from sync_helpers import REPO

from homestudy.agency.cli import build_parser
from homestudy.agency.home import MAX_BUNDLE_SIZE

HERE = REPO / "packaging" / "agency"


def _parses(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)  # SystemExit (a failed test) if an option is wrong
    assert args.command == "serve"


def test_systemd_units_start_real_commands() -> None:
    roles = {}
    for name in ("homestudy-inbox.service", "homestudy-console.service"):
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.optionxform = str  # type: ignore[assignment,method-assign]
        unit.read_string((HERE / name).read_text())
        argv = shlex.split(unit["Service"]["ExecStart"])
        assert argv[0].endswith("homestudy-agency")
        _parses(argv[1:])
        roles[name] = argv[argv.index("--role") + 1]
        assert unit["Service"]["LoadCredentialEncrypted"] == "homestudy-agency-passphrase"
        assert unit["Service"]["UMask"] == "0077"
    assert roles == {"homestudy-inbox.service": "inbox", "homestudy-console.service": "console"}


def test_container_and_compose() -> None:
    container = (HERE / "Containerfile").read_text()
    for copied in re.findall(r"^COPY (\S+)", container, re.M):
        assert (REPO / copied).exists(), copied
    assert 'pip install --no-cache-dir ".[agency]"' in container  # the server stack too
    cmd = re.search(r"^CMD (\[.*\])$", container, re.M)
    assert cmd is not None
    _parses(yaml.safe_load(cmd.group(1)))
    compose = yaml.safe_load((HERE / "compose.yaml").read_text())
    assert {"db", "inbox", "console"} <= set(compose["services"])
    for service in ("inbox", "console"):
        _parses(compose["services"][service]["command"])
    assert compose["services"]["console"]["ports"][0].startswith("127.0.0.1:")


def test_nginx_lets_the_largest_bundle_through() -> None:
    conf = (HERE / "nginx-homestudy.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size is not None and int(size.group(1)) * 1024 * 1024 > MAX_BUNDLE_SIZE
    assert "ssl_certificate " in conf and "proxy_read_timeout" in conf
    assert "location = /metrics" in conf and "deny all" in conf


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_units(tmp_path) -> None:
    for name in ("homestudy-inbox.service", "homestudy-console.service"):
        text = (
            (HERE / name).read_text().replace("/opt/homestudy/bin/homestudy-agency", "/bin/true")
        )  # not installed here
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", *sorted(map(str, tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        env={"SYSTEMD_LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
