"""``/health``: 200 only when the database answers and the role's keys are usable.

    {"status": "ok"|"down", "agency_id", "name", "role",
     "database": "ok"|"down", "keys": "ok"|"missing"}

503 when anything is down, so a load balancer or systemd watchdog takes the process
out of service. The inbox role needs only its receipt key; the console and the
one-process role need the signing and decryption keys.
"""

from __future__ import annotations

from typing import Any

from homestudy.errors import HomeStudyError


def check(home: Any, db: Any) -> tuple[int, dict[str, Any]]:
    database = db.ping()
    try:
        home.refresh()
        _ = home.receipt_secret
        if home.role != "inbox":
            _ = home.signing_secret
            _ = home.age_identities
        keys_ok = True
    except HomeStudyError:
        keys_ok = False
    ok = database and keys_ok
    return (200 if ok else 503), {
        "status": "ok" if ok else "down",
        "agency_id": home.agency_id,
        "name": home.config.name,
        "role": home.role,
        "database": "ok" if database else "down",
        "keys": "ok" if keys_ok else "missing",
    }
