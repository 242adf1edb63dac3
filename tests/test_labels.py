"""Enum values have proper labels, defined once (homestudy/labels.py) and used by the
report: "Enhanced DBS", "Ex-partner", never "Dbs" or "Ex partner"."""

from __future__ import annotations

import inspect
from datetime import date
from enum import Enum

from homestudy import labels, model
from homestudy.demo import build_demo_case
from homestudy.forms import load_library
from homestudy.labels import check_label, label, value_label
from homestudy.model import CheckKind, ReferenceKind, SignificantOtherKind
from homestudy.report import build_par_document
from homestudy.report.values import humanise


def _model_enums() -> list[type[Enum]]:
    return [
        obj
        for _, obj in inspect.getmembers(model, inspect.isclass)
        if issubclass(obj, Enum) and obj.__module__ == model.__name__
    ]


def test_every_member_of_every_model_enum_has_a_label():
    enums = _model_enums()
    assert len(enums) >= 10
    for enum in enums:
        for member in enum:
            words = label(member)
            assert words and words[0].isupper(), member
            assert "_" not in words, member


def test_a_value_shared_by_two_enums_means_the_same_words():
    seen: dict[str, tuple[str, type]] = {}
    for enum, table in labels.LABELS.items():
        for member, words in table.items():
            value = str(member.value)
            if value in seen:
                assert seen[value][0] == words, (value, enum, seen[value][1])
            seen[value] = (words, enum)
    assert label(ReferenceKind.EX_PARTNER) == label(SignificantOtherKind.EX_PARTNER)


def test_labels_read_as_a_person_would_write_them():
    assert (
        label(CheckKind.DBS) == "Enhanced DBS"
        and check_label(CheckKind.DBS) == "Enhanced DBS check"
    )
    assert label(SignificantOtherKind.EX_PARTNER) == "Ex-partner"
    assert value_label("previous_employer_caring") == "Previous employer (caring role)"
    assert value_label("not a value") is None
    assert humanise("dbs") == "Enhanced DBS" and humanise("ex_partner") == "Ex-partner"
    assert humanise("some_question_id") == "Some question id"  # not an enum: as before


def test_the_par_uses_the_labels():
    case = build_demo_case(date(2026, 11, 20))
    doc = build_par_document(case, "panel", forms=load_library(), today=date(2026, 11, 20))
    text = doc.plain_text()
    assert "Dbs" not in text and "Ex partner" not in text and "Information disclosed" in text
    assert "Enhanced DBS check completed" in text  # the chronology
    assert "Ex-partner" in text
