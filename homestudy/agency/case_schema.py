"""The case JSON an agency sends with ``homestudy-agency assign``, checked before it is sent.

The schema is the model itself: msgspec Structs are made from ``homestudy.model``'s
dataclasses (same field names and types, unknown fields forbidden), so it cannot drift
from what the laptop reads. Each top-level field is checked on its own, so one run names
every wrong field with its path (``$.applicants[0].date_of_birth: Expected `date`...``);
inside one field msgspec stops at the first error. A misspelt ``"aplicants"`` is an
unknown field, not a case with nobody in it; a reference is required and not empty.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any

import msgspec

from homestudy.errors import AgencyError
from homestudy.model import Case
from homestudy.serial import from_jsonable


class CaseFileError(AgencyError):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("The case file has mistakes:\n" + "\n".join(f"  {e}" for e in errors))


@cache
def _struct_for(cls: type) -> Any:
    hints = typing.get_type_hints(cls)
    fields: list[tuple[str, Any, Any]] = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        tp = _mapped(hints[f.name])
        fields.append((f.name, tp) if required else (f.name, tp, None))  # type: ignore[arg-type]
    return msgspec.defstruct(cls.__name__, fields, forbid_unknown_fields=True, kw_only=True)


def _mapped(tp: Any) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_mapped(a) for a in args)]  # noqa: UP007
    if origin is list:
        return list[_mapped(args[0])] if args else list  # type: ignore[misc]  # made at run time
    if origin is tuple:
        return tuple[_mapped(args[0]), ...] if args else tuple  # type: ignore[misc]  # run time
    if origin is dict:
        return dict[_mapped(args[0]), _mapped(args[1])] if args else dict  # type: ignore[misc]  # ditto
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _struct_for(tp)
    return tp


def check_case_document(data: Any) -> Case:
    """The Case in ``data`` (a bare case or ``{"format": "homestudy-case", "case": ...}``),
    or ``CaseFileError`` listing every mistake found, each with its path."""
    if isinstance(data, dict) and "case" in data and "format" in data:
        data = data["case"]
    if not isinstance(data, dict):
        raise CaseFileError(["$: expected an object (a case), got something else"])
    hints = typing.get_type_hints(Case)
    known = {f.name for f in dataclasses.fields(Case) if f.init}
    errors = [f"$.{key}: unknown field" for key in data if key not in known]
    for key in sorted(known & data.keys()):
        try:
            msgspec.convert(data[key], _mapped(hints[key]), strict=True)
        except msgspec.ValidationError as exc:
            errors.append(_with_path(str(exc), f"$.{key}"))
    if "reference" not in data:
        errors.append("$.reference: required, the agency's reference for the household")
    elif isinstance(data["reference"], str) and not data["reference"].strip():
        errors.append("$.reference: must not be empty")
    if errors:
        raise CaseFileError(errors)
    return from_jsonable(Case, data)


def _with_path(message: str, prefix: str) -> str:
    """msgspec says "... - at `$[0].name`" relative to the field; make it whole."""
    text, sep, where = message.partition(" - at `")
    path = prefix + where.rstrip("`").removeprefix("$") if sep else prefix
    return f"{path}: {text}"
