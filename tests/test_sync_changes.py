"""Changes, not copies: the record-level diff, the change-set bundle (format 2), the
inbox rebuilding each case from the chain, and typed input from other machines."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sync_helpers import whole_change

from homestudy.demo import build_demo_case
from homestudy.errors import BundleError
from homestudy.model import Case, Visit
from homestudy.serial import SerialError, from_jsonable, to_jsonable
from homestudy.sync import changes, keys
from homestudy.sync.bundle import KIND_CASE, Manifest, build_change_bundle, open_bundle
from homestudy.sync.wire import CHANGE_FORMAT, ChangeSet, Op, WireError, convert, decode, encode

# ----------------------------------------------------------------------------- diff


def _demo() -> dict[str, Any]:
    return to_jsonable(build_demo_case())


def test_a_one_word_edit_is_one_small_operation() -> None:
    old = _demo()
    new = json.loads(json.dumps(old))
    section = max(new["par_sections"], key=lambda k: len(new["par_sections"][k]["text"]))
    new["par_sections"][section]["text"] = new["par_sections"][section]["text"] + " indeed"
    ops = changes.diff(old, new)
    assert ops == [
        {
            "op": "text",
            "path": ["par_sections", section, "text"],
            "at": len(old["par_sections"][section]["text"]),
            "cut": 0,
            "insert": " indeed",
        }
    ]
    assert changes.apply(old, ops) == new


def test_records_are_matched_by_id_added_removed_and_reordered() -> None:
    old = _demo()
    new = json.loads(json.dumps(old))
    first, *rest = new["visits"]
    first["notes"] = "Changed."
    new["visits"] = [*reversed(rest), first, to_jsonable(Visit(sequence=9, title="New"))]
    del new["references"][0]
    new["par_sections"]["brand_new"] = {"section_id": "brand_new", "text": "x"}
    del new["par_sections"][sorted(old["par_sections"])[0]]
    ops = changes.diff(old, new)
    assert changes.apply(old, ops) == new
    assert changes.state_sha256(changes.apply(old, ops)) == changes.state_sha256(new)
    # the changed visit travels alone, not the whole list of visits
    sets = [o for o in ops if o["op"] in ("set", "text") and o["path"][0] == "visits"]
    assert {json.dumps(o["path"]) for o in sets} == {
        json.dumps(["visits", {"id": first["id"]}, "notes"]),
        json.dumps(["visits", {"id": new["visits"][-1]["id"]}]),
    }


def test_operations_that_do_not_fit_their_state_are_refused() -> None:
    old = _demo()
    with pytest.raises(changes.ChangeError):
        changes.apply(
            old, [{"op": "set", "path": ["visits", {"id": "nope"}, "notes"], "value": "x"}]
        )
    with pytest.raises(changes.ChangeError):
        changes.apply(old, [{"op": "order", "path": ["visits"], "ids": ["missing"]}])
    with pytest.raises(changes.ChangeError):
        changes.apply(old, [{"op": "unset", "path": ["no_such_field"]}])


_leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=5)
    | st.text(alphabet="ab\u00e9\U0001f600", min_size=78, max_size=90)
)
_ids = st.sampled_from(["a", "b", "c", "d"])


def _record(children: Any) -> Any:
    return st.fixed_dictionaries({"id": _ids}, optional={"x": children, "y": children})


_json = st.recursive(
    _leaf,
    lambda children: (
        st.lists(children, max_size=3)
        | st.lists(_record(children), max_size=4, unique_by=lambda r: r["id"])
        | st.dictionaries(st.sampled_from(["p", "q", "r", "id"]), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(old=_json, new=_json)
def test_apply_of_diff_gives_the_new_state(old: Any, new: Any) -> None:
    ops = changes.diff(old, new)
    assert changes.apply(old, ops) == new
    # and after the trip through the typed wire schema
    change = ChangeSet(
        format=CHANGE_FORMAT,
        format_version=1,
        case_id="c",
        case_format_version=1,
        state_sha256="",
        ops=[convert(Op, o) for o in ops],
    )
    assert changes.apply(old, decode(ChangeSet, encode(change)).ops_as_dicts()) == new


@settings(max_examples=300, deadline=None)
@given(old=_json, new=_json)
def test_apply_sharing_untouched_parts_changes_nothing_it_was_given(old: Any, new: Any) -> None:
    ops = changes.diff(old, new)
    before, ops_before = json.dumps(old, sort_keys=True), json.dumps(ops, sort_keys=True)
    shared = changes.apply(old, ops, share=True)
    assert shared == new == changes.apply(old, ops)
    assert json.dumps(old, sort_keys=True) == before  # the input state is untouched
    assert json.dumps(ops, sort_keys=True) == ops_before
    # and a second change made on top of the shared result leaves that one alone
    again = changes.apply(shared, changes.diff(new, old), share=True)
    assert again == old and shared == new


def test_apply_sharing_copies_only_the_path_it_changes() -> None:
    old = _demo()
    new = json.loads(json.dumps(old))
    new["par_sections"][next(iter(new["par_sections"]))]["text"] += " word"
    result = changes.apply(old, changes.diff(old, new), share=True)
    assert result == new and result is not old
    assert result["par_sections"] is not old["par_sections"]
    untouched = [k for k in old if k != "par_sections" and isinstance(old[k], dict | list)]
    assert untouched and all(result[k] is old[k] for k in untouched)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(min_size=80, max_size=200),
    at=st.integers(0, 200),
    cut=st.integers(0, 5),
    insert=st.text(max_size=6),
)
def test_small_edits_of_long_texts_travel_as_splices(
    text: str, at: int, cut: int, insert: str
) -> None:
    at = min(at, len(text))
    edited = text[:at] + insert + text[at + cut :]
    ops = changes.diff({"t": text}, {"t": edited})
    assert changes.apply({"t": text}, ops) == {"t": edited}
    assert all(o["op"] == "text" and len(o["insert"]) <= len(insert) for o in ops)


# ----------------------------------------------------------------------------- bundle


def _manifest(case: dict[str, Any], device: str, sequence: int = 1) -> Manifest:
    return Manifest(
        bundle_id=str(uuid.uuid4()),
        kind=KIND_CASE,
        agency_id="AG-T",
        device_id=device,
        case_id=case["id"],
        case_reference=case["reference"],
        sequence=sequence,
        previous_bundle_id="",
        previous_sha256="",
        created_at=datetime.now(UTC).isoformat(),
    )


def test_a_change_bundle_opens_and_its_payload_is_compressed() -> None:
    sender, agency = keys.generate_keys(), keys.generate_keys()
    case = _demo()
    data = build_change_bundle(
        _manifest(case, "dev-1"),
        change=encode(whole_change(case)),
        signing_secret=sender.signing_secret,
        recipient=agency.age_recipient,
    )
    assert len(data) < len(changes.canonical(case)) / 3  # gzip before age
    opened = open_bundle(
        data,
        signer_public_key=sender.signing_public,
        identity=agency.age_identity,
        expected_device_id="dev-1",
    )
    assert opened.manifest.format_version == 2
    assert opened.change is not None and opened.change.full == case


def test_a_change_of_the_wrong_shape_is_refused_naming_the_field() -> None:
    sender, agency = keys.generate_keys(), keys.generate_keys()
    case = _demo()
    bad = json.loads(encode(whole_change(case)))
    bad["ops"] = [{"op": "set", "path": ["visits", 3], "value": 1}]  # 3 is no path step
    data = build_change_bundle(
        _manifest(case, "dev-1"),
        change=json.dumps(bad).encode(),
        signing_secret=sender.signing_secret,
        recipient=agency.age_recipient,
    )
    with pytest.raises(BundleError) as caught:
        open_bundle(data, signer_public_key=sender.signing_public, identity=agency.age_identity)
    assert caught.value.check == "payload" and "$.ops[0].path[1]" in caught.value.message


# ----------------------------------------------------------------------------- typed input


def test_wire_decoding_names_the_path_of_the_error() -> None:
    raw = encode(whole_change({"id": "c1", "reference": "R"}))
    as_dict = json.loads(raw)
    as_dict["case_format_version"] = "2"
    with pytest.raises(WireError, match=r"Expected `int`, got `str` - at `\$.case_format_version`"):
        decode(ChangeSet, json.dumps(as_dict))
    with pytest.raises(WireError, match="not readable JSON"):
        decode(ChangeSet, b"{nope")


def test_serial_refuses_a_string_for_a_number_or_a_list() -> None:
    case = to_jsonable(build_demo_case())
    case["visits"][1]["sequence"] = "2"
    with pytest.raises(SerialError, match=r"\$\.visits\[1\]\.sequence: expected a whole number"):
        from_jsonable(Case, case)
    case = to_jsonable(build_demo_case())
    case["lines_of_enquiry"] = "abc"
    with pytest.raises(SerialError, match=r"\$\.lines_of_enquiry: expected a list"):
        from_jsonable(Case, case)
    case = to_jsonable(build_demo_case())
    case["visits"][0]["done_date"] = "last Tuesday"
    with pytest.raises(SerialError, match=r"visits\[0\]\.done_date"):
        from_jsonable(Case, case)
    assert from_jsonable(Case, to_jsonable(build_demo_case())) == build_demo_case()


def test_receipts_and_enrolment_files_are_typed() -> None:
    import json as _json

    from homestudy.errors import EnrolmentError, SyncError
    from homestudy.sync.enrolment import EnrolmentFile
    from homestudy.sync.signed import RECEIPT_FORMAT, verify_receipt

    agency = keys.generate_keys()
    body = _json.dumps(
        {
            "format": RECEIPT_FORMAT,
            "format_version": 1,
            "bundle_id": "b",
            "sha256": "s",
            "size": "10",
            "received_at": "now",
            "agency_id": "A",
            "device_id": "d",
            "sequence": 1,
        },
        sort_keys=True,
    ).encode()
    from homestudy.sync.signed import SignedDocument

    doc = SignedDocument(body, keys.sign(agency.signing_secret, body, "homestudy receipt b"))
    with pytest.raises(SyncError) as caught:
        verify_receipt(doc, agency_public_key=agency.signing_public, bundle_id="b", sha256="s")
    assert "$.size" in str(caught.value.__cause__)

    good = {
        "format": "homestudy-enrolment",
        "format_version": 1,
        "agency_id": "A",
        "agency_name": "Agency",
        "inbox_url": "https://inbox.example.org",
        "agency_age_recipient": agency.age_recipient,
        "agency_signing_public_key": agency.signing_public,
        "token": "t",
        "assessor_id": "a",
    }
    assert EnrolmentFile.parse(_json.dumps(good).encode()).token == "t"
    with pytest.raises(EnrolmentError, match=r"\$\.token"):
        EnrolmentFile.parse(_json.dumps(dict(good, token=5)).encode())
    with pytest.raises(EnrolmentError, match="not encrypted"):
        EnrolmentFile.parse(_json.dumps(dict(good, inbox_url="http://inbox.example.org")).encode())
