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


class SerialError(ValueError):
    """Data of the wrong shape; the message names where (``$.visits[2].sequence``)."""


def from_jsonable(cls: type[T], data: Any) -> T:
    """Build ``cls`` (a dataclass or a type hint) from what ``to_jsonable`` made.

    Types are checked: a string where a number belongs, or a string where a list
    belongs, raises ``SerialError`` naming the path rather than slipping through.
    """
    return typing.cast(T, _convert(cls, data, "$"))


def _expect(data: Any, kinds: type | tuple[type, ...], path: str, what: str) -> None:
    if not isinstance(data, kinds) or (isinstance(data, bool) and bool not in (
            kinds if isinstance(kinds, tuple) else (kinds,))):
        raise SerialError(f"{path}: expected {what}, got {type(data).__name__}")


def _convert(tp: Any, data: Any, path: str) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(args[0], data, path) if len(args) == 1 else data
    if origin is typing.Literal:
        if data not in typing.get_args(tp):
            raise SerialError(f"{path}: {data!r} is not one of {typing.get_args(tp)}")
        return data
    if origin is list:
        _expect(data, list, path, "a list")
        (item,) = typing.get_args(tp) or (Any,)
        return [_convert(item, v, f"{path}[{i}]") for i, v in enumerate(data)]
    if origin is tuple:
        _expect(data, (list, tuple), path, "a list")
        args = typing.get_args(tp)
        return tuple(_convert(args[0] if args else Any, v, f"{path}[{i}]")
                     for i, v in enumerate(data))
    if origin is dict:
        _expect(data, dict, path, "an object")
        _, val = typing.get_args(tp) or (Any, Any)
        return {k: _convert(val, v, f"{path}.{k}") for k, v in data.items()}
    if tp is Any:
        return data
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            _expect(data, dict, path, "an object")
            hints = _hints(tp)
            kwargs = {
                f.name: _convert(hints[f.name], data[f.name], f"{path}.{f.name}")
                for f in dataclasses.fields(tp)
                if f.name in data and f.init
            }
            return tp(**kwargs)
        if issubclass(tp, Enum):
            try:
                return tp(data)
            except ValueError as exc:
                raise SerialError(f"{path}: {data!r} is not a known value") from exc
        if tp is datetime or tp is date:
            _expect(data, str, path, "a date")
            try:
                return tp.fromisoformat(data)
            except ValueError as exc:
                raise SerialError(f"{path}: {data!r} is not a date") from exc
        if tp is float:
            _expect(data, (int, float), path, "a number")
            return float(data)
        if tp is bool:
            _expect(data, bool, path, "true or false")
        elif tp is int:
            _expect(data, int, path, "a whole number")
        elif tp is str:
            _expect(data, str, path, "text")
    return data
