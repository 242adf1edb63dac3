"""What a sync round costs on the wire (issue 13: a one-word edit's whole round is at
most 4 KB, whatever the case's size). The figure itself is asserted end to end in
test_sync_changes_e2e.py; here, the parts that keep it from growing with the case."""

from __future__ import annotations

import base64
import random
from pathlib import Path

import pytest
from sync_helpers import InboxServer, enrolled_with_case, held_case, make_agency

from homestudy.demo import build_demo_case
from homestudy.sync import engine, keys
from homestudy.sync.bundle import read_stored_payload
from homestudy.sync.client import InboxClient, compact_signed_headers
from homestudy.sync.signed import request_text
from homestudy.vault import Vault


def test_a_change_set_lists_only_the_attachments_new_since_its_base(
    tmp_path: Path, vault: Vault
) -> None:
    home = make_agency(tmp_path / "agency")
    server = InboxServer(home.path)
    try:
        case = build_demo_case()
        enrolled_with_case(vault, home, server.url, case)
        rng = random.Random(5)
        old = [
            vault.cases.add_attachment(
                case.id, f"old{i}.pdf", "application/pdf", rng.randbytes(999)
            )
            for i in range(12)
        ]

        def listed() -> list[str]:
            (plan,) = engine.prepare(vault)
            (item,) = plan.items
            opened = read_stored_payload(item.data, home.age_identity)
            assert opened is not None
            (report,) = engine.sync_round(vault, lambda s: InboxClient(s.profile.inbox_url))
            assert (report.sent, report.waiting, report.error) == (1, 0, ""), report
            return [b.sha256 for b in opened[0].blobs]

        assert sorted(listed()) == sorted(a.sha256 for a in old)  # the whole case: all
        draft = next(d for d in vault.cases.load_case(case.id).par_sections.values() if d.text)
        draft.text += " more"
        vault.cases.save_par_section(case.id, draft)
        assert listed() == []  # an edit: none, however many the case has
        new = vault.cases.add_attachment(case.id, "new.pdf", "application/pdf", b"%PDF new")
        assert listed() == [new.sha256]  # one added: that one
        with held_case(home, case.id) as got:  # and the agency's case still has every attachment
            assert got is not None
            assert sorted(got.attachment_hashes) == sorted(a.sha256 for a in [*old, new])
            assert got.attachment(new.sha256) == b"%PDF new"
    finally:
        server.stop()


def test_the_compact_request_signature_is_a_bare_ed25519_signature() -> None:
    device = keys.generate_keys()
    headers = compact_signed_headers(device.signing_secret, "GET", "/devices/d/poll?after=0")
    assert set(headers) == {"X-HomeStudy-Time", "X-HomeStudy-Signature"}
    assert len(headers["X-HomeStudy-Signature"]) == 88  # 64 bytes, base64
    signature = base64.b64decode(headers["X-HomeStudy-Signature"])
    text = request_text("GET", "/devices/d/poll?after=0", headers["X-HomeStudy-Time"])
    keys.verify_raw(device.signing_public, text, signature)
    with pytest.raises(ValueError):  # another device's key
        keys.verify_raw(keys.generate_keys().signing_public, text, signature)
    with pytest.raises(ValueError):  # another query
        keys.verify_raw(device.signing_public, text.replace(b"after=0", b"after=9"), signature)
