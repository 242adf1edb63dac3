"""``/metrics`` for Prometheus (prometheus-client).

Counted as they happen, per process (summed over workers through prometheus-client's
multiprocess mode when ``serve --workers N`` sets ``PROMETHEUS_MULTIPROC_DIR``):

    homestudy_inbox_bundles_accepted_total      bundles stored (new, not retries)
    homestudy_inbox_refusals_total{code}        refused requests, by refusal code

Read from the database at each scrape, so every worker reports the same:

    homestudy_inbox_bundles_stored              bundles held
    homestudy_inbox_alerts{kind}                alerts raised (sequence_reused, chain_broken)
    homestudy_inbox_devices{state}              enrolled devices, active or revoked
    homestudy_inbox_device_last_seen_timestamp_seconds{device_id}
                                                when each device last sent a bundle
    homestudy_inbox_database_up                 1 when the database answered this scrape

Only ids and counts: no case content, no names.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

_PROCESS = CollectorRegistry()
ACCEPTED = Counter(
    "homestudy_inbox_bundles_accepted", "Bundles stored by the inbox.", registry=_PROCESS
)
REFUSALS = Counter(
    "homestudy_inbox_refusals", "Requests the inbox refused, by code.", ["code"], registry=_PROCESS
)


class DatabaseCollector(Collector):
    def __init__(self, db: Any) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "homestudy_inbox_database_up", "1 when the inbox database answered this scrape."
        )
        try:
            if not self.db.ping():  # quick: do not wait out the pool's timeout per scrape
                raise ConnectionError
            families = list(self._from_db())
        except Exception:  # a scrape while the database is down still answers
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _from_db(self) -> Iterator[Metric]:
        with self.db.transaction() as cur:
            stored = cur.one("SELECT COUNT(*) FROM bundles")
            alerts = cur.all("SELECT kind, COUNT(*) FROM alerts GROUP BY kind")
            devices = cur.all(
                "SELECT revoked_at IS NULL, COUNT(*) FROM devices GROUP BY revoked_at IS NULL"
            )
            seen = cur.all("SELECT device_id, MAX(received_at) FROM bundles GROUP BY device_id")
        g = GaugeMetricFamily("homestudy_inbox_bundles_stored", "Bundles held by the inbox.")
        g.add_metric([], float(stored[0] if stored else 0))
        yield g
        g = GaugeMetricFamily("homestudy_inbox_alerts", "Alerts raised, by kind.", labels=["kind"])
        for kind, count in alerts:
            g.add_metric([kind], float(count))
        yield g
        g = GaugeMetricFamily(
            "homestudy_inbox_devices", "Enrolled devices, by state.", labels=["state"]
        )
        counts = {("active" if bool(active) else "revoked"): n for active, n in devices}
        for state in ("active", "revoked"):
            g.add_metric([state], float(counts.get(state, 0)))
        yield g
        g = GaugeMetricFamily(
            "homestudy_inbox_device_last_seen_timestamp_seconds",
            "When each device last sent a bundle (Unix time).",
            labels=["device_id"],
        )
        for device_id, when in seen:
            g.add_metric([device_id], datetime.fromisoformat(when).timestamp())
        yield g


def render(db: Any) -> bytes:
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped
    else:
        for collector in (ACCEPTED, REFUSALS):
            registry.register(collector)
    registry.register(DatabaseCollector(db))
    return generate_latest(registry)
