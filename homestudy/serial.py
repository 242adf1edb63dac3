"""Dataclasses of ``homestudy.model`` to JSON-able values and back.

Driven by the type hints, so a new field needs no code here. Dates are ISO
strings, enums their values, datetimes ISO 8601 with offset. Unknown keys in the
input are ignored (a newer device may send more); missing keys take defaults.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_jsonable(cls: type[T], data: Any) -> T:
    """Build ``cls`` (a dataclass or a type hint) from what ``to_jsonable`` made."""
    return typing.cast(T, _convert(cls, data))


def _convert(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(args[0], data) if len(args) == 1 else data
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        return [_convert(item, v) for v in data]
    if origin is tuple:
        args = typing.get_args(tp)
        return tuple(_convert(args[0] if args else Any, v) for v in data)
    if origin is dict:
        _, val = typing.get_args(tp) or (Any, Any)
        return {k: _convert(val, v) for k, v in data.items()}
    if tp is Any:
        return data
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            hints = _hints(tp)
            kwargs = {
                f.name: _convert(hints[f.name], data[f.name])
                for f in dataclasses.fields(tp)
                if f.name in data and f.init
            }
            return tp(**kwargs)
        if issubclass(tp, Enum):
            return tp(data)
        if tp is datetime:
            return datetime.fromisoformat(data)
        if tp is date:
            return date.fromisoformat(data)
        if tp is float and isinstance(data, int):
            return float(data)
    return data
