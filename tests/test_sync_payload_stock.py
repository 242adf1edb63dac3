"""A change-set bundle read as docs/sync-payload.md tells an agency to, with stock
``minisign`` and ``age`` and Python's standard library only (zipfile, gzip, json,
hashlib): none of HomeStudy's code touches the reading side."""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sync_helpers import offline_profile, stand_in_receipt

from homestudy.demo import build_demo_case
from homestudy.model import Visit
from homestudy.serial import to_jsonable
from homestudy.sync import keys, outbox
from homestudy.vault import Vault

pytestmark = [
    pytest.mark.skipif(
        shutil.which("age") is None or shutil.which("minisign") is None,
        reason="stock age and minisign are not installed (tests/setup_system.sh)",
    ),
]


# ------------------------------------------------------------- the agency's own reader


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def step_into(value: Any, step: Any) -> Any:
    if isinstance(step, dict):
        return next(r for r in value if r["id"] == step["id"])
    return value[step]


def apply_ops(case: Any, ops: list[dict[str, Any]]) -> Any:
    """Section 4 of docs/sync-payload.md, written from the page alone."""
    root = {"top": copy.deepcopy(case)}
    for op in ops:
        path = ["top", *op["path"]]
        parent = root
        for step in path[:-1]:
            parent = step_into(parent, step)
        last = path[-1]
        if op["op"] == "set":
            value = op.get("value")
            if isinstance(last, dict):
                index = [i for i, r in enumerate(parent) if r.get("id") == last["id"]]
                if index:
                    parent[index[0]] = value
                else:
                    parent.append(value)
            else:
                parent[last] = value
        elif op["op"] == "order":
            records = step_into(parent, last)
            by_id = {r["id"]: r for r in records}
            records[:] = [by_id.get(i, {"id": i}) for i in op["ids"]]
        elif op["op"] == "unset":
            del parent[last]
        elif op["op"] == "text":
            text = step_into(parent, last)
            edited = text[: op["at"]] + op["insert"] + text[op["at"] + op["cut"] :]
            if isinstance(last, dict):
                raise AssertionError("text ops name a text field")
            parent[last] = edited
    return root["top"]


def read_bundle(data: bytes, folder: Path, sender_public: str, agency_key: Path) -> dict:
    folder.mkdir()
    zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
    done = subprocess.run(
        ["minisign", "-Vm", "manifest.json", "-P", sender_public],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    manifest = json.loads((folder / "manifest.json").read_bytes())
    assert manifest["format_version"] == 2
    ciphertext = (folder / "payload.age").read_bytes()
    assert hashlib.sha256(ciphertext).hexdigest() == manifest["members"]["payload.age"]["sha256"]
    plain = subprocess.run(
        ["age", "-d", "-i", str(agency_key), "payload.age"],
        cwd=folder,
        capture_output=True,
        check=True,
    ).stdout
    inner = zipfile.ZipFile(io.BytesIO(gzip.decompress(plain)))
    header = json.loads(inner.read("payload.json"))
    for key in ("bundle_id", "kind", "agency_id", "device_id", "sequence", "case_id"):
        assert header[key] == manifest[key]
    change_bytes = inner.read("change.json")
    assert hashlib.sha256(change_bytes).hexdigest() == header["members"]["change.json"]["sha256"]
    change = json.loads(change_bytes)
    assert change["format"] == "homestudy-change" and change["case_id"] == manifest["case_id"]
    return change


# ------------------------------------------------------------- the laptop's side


def test_an_agency_reads_whole_case_then_change_with_stock_tools(
    tmp_path: Path, vault: Vault
) -> None:
    device, agency = keys.generate_keys(), keys.generate_keys()
    agency_key = tmp_path / "agency.key"
    agency_key.write_text(agency.age_identity + "\n")
    state = offline_profile(vault, agency, device, agency_id="AG-1", device_id="dev-1")
    case = build_demo_case()
    case.agency_profile_id = state.id
    vault.cases.save_case(case)
    outbox.freeze(vault, state, vault.cases.load_case(case.id), None)
    (first,) = outbox.all_items(vault)
    stand_in_receipt(vault, state, first)
    # the worker edits: a word in a visit's notes, a new visit, a reference removed
    visit = case.visits[0]
    visit.notes = (visit.notes or "") + " Both were relaxed."
    vault.cases.save_visit(case.id, visit)
    vault.cases.save_visit(case.id, Visit(sequence=99, title="Extra visit"))
    now = vault.cases.load_case(case.id)
    outbox.freeze(vault, state, now, None)
    (second,) = outbox.all_items(vault)

    whole = read_bundle(first.data, tmp_path / "b1", device.signing_public, agency_key)
    change = read_bundle(second.data, tmp_path / "b2", device.signing_public, agency_key)
    assert "full" in whole and "full" not in change
    assert hashlib.sha256(canonical(whole["full"])).hexdigest() == whole["state_sha256"]
    assert change["base_sha256"] == whole["state_sha256"]
    assert change["base_bundle_id"] == first.bundle_id
    rebuilt = apply_ops(whole["full"], change["ops"])
    assert hashlib.sha256(canonical(rebuilt)).hexdigest() == change["state_sha256"]
    assert rebuilt == to_jsonable(now)
    assert len(second.data) < 4096  # a small change is a small bundle
