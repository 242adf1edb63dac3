"""Signed, encrypted bundles and the client side of sync with agency inboxes.

    keys.py            Ed25519 (minisign format) and age X25519 key strings
    container.py       the zip container, read defensively
    bundle.py          build / verify / open a bundle (open standards only)
    signed.py          receipts and key lists signed by the agency
    enrolment.py       the agency's enrolment file
    enrolment_flow.py  make this laptop's keys for an agency; the registration request
    outbox.py          the durable outbox in the vault (tables from migration m0002)
    client.py          the HTTP client (httpx), retries with capped back-off
    engine.py          one sync round: prepare (vault) / exchange (network) / apply (vault)

Contracts: docs/DESIGN.md, "Sync and the agency inbox".
"""
