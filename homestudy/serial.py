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


_PLAIN = (str, int, float, bool, type(None))


def to_jsonable(value: Any) -> Any:
    kind: type = type(value)  # plain `type`: mypy does not count `type[Any]` as Hashable
    if kind in _PLAIN:
        return value
    names = _field_names(kind)
    if names is not None:
        return {name: to_jsonable(getattr(value, name)) for name in names}
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
def _field_names(kind: type) -> tuple[str, ...] | None:
    if dataclasses.is_dataclass(kind):
        return tuple(f.name for f in dataclasses.fields(kind))
    return None


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


class SerialError(ValueError):
    """Data of the wrong shape; the message names where (``$.visits[2].sequence``)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"${where}: {problem}")
        self.where, self.problem = where, problem

    def inside(self, step: str) -> SerialError:
        return SerialError(step + self.where, self.problem)


def from_jsonable(cls: type[T], data: Any) -> T:
    """Build ``cls`` (a dataclass or a type hint) from what ``to_jsonable`` made.

    Types are checked: a string where a number belongs, or a string where a list
    belongs, raises ``SerialError`` naming the path rather than slipping through.
    """
    tp: type = cls  # as above: `type[T]` is not Hashable to mypy, `type` is
    return typing.cast(T, _converter(tp)(data))


Converter = typing.Callable[[Any], Any]


def _wrong(what: str, data: Any) -> SerialError:
    return SerialError("", f"expected {what}, got {type(data).__name__}")


@cache
def _converter(tp: Any) -> Converter:
    """A function that checks and converts one value of type ``tp`` (made once per type;
    the path of an error is put together only when there is one)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:
            return lambda data: data
        inner = _converter(args[0])
        return lambda data: None if data is None else inner(data)
    if origin is typing.Literal:
        allowed = typing.get_args(tp)

        def literal(data: Any) -> Any:
            if data is not None and data not in allowed:
                raise SerialError("", f"{data!r} is not one of {allowed}")
            return data

        return literal
    if origin in (list, tuple):
        params = typing.get_args(tp)
        item = _converter(params[0] if params else Any)
        make = list if origin is list else tuple

        def sequence(data: Any) -> Any:
            if data is None:
                return None
            if not isinstance(data, list | tuple):
                raise _wrong("a list", data)
            out = []
            for index, value in enumerate(data):
                try:
                    out.append(item(value))
                except SerialError as exc:
                    raise exc.inside(f"[{index}]") from None
            return make(out)

        return sequence
    if origin is dict:
        _, val = typing.get_args(tp) or (Any, Any)
        value_of = _converter(val)

        def mapping(data: Any) -> Any:
            if data is None:
                return None
            if not isinstance(data, dict):
                raise _wrong("an object", data)
            out = {}
            for key, value in data.items():
                try:
                    out[key] = value_of(value)
                except SerialError as exc:
                    raise exc.inside(f".{key}") from None
            return out

        return mapping
    if tp is Any or not isinstance(tp, type):
        return lambda data: data
    if dataclasses.is_dataclass(tp):
        return _dataclass_converter(tp)
    if issubclass(tp, Enum):

        def enum(data: Any) -> Any:
            if data is None:
                return None
            try:
                return tp(data)
            except ValueError:
                raise SerialError("", f"{data!r} is not a known value") from None

        return enum
    if tp is datetime or tp is date:

        def when(data: Any) -> Any:
            if data is None:
                return None
            if not isinstance(data, str):
                raise _wrong("a date", data)
            try:
                return tp.fromisoformat(data)
            except ValueError:
                raise SerialError("", f"{data!r} is not a date") from None

        return when
    checks: dict[type, tuple[tuple[type[Any], ...], str]] = {
        float: ((int, float), "a number"),
        int: ((int,), "a whole number"),
        bool: ((bool,), "true or false"),
        str: ((str,), "text"),
    }
    if tp in checks:
        kinds, what = checks[tp]
        allow_bool = tp is bool

        def plain(data: Any) -> Any:
            if data is None:
                return None
            if not isinstance(data, kinds) or (isinstance(data, bool) and not allow_bool):
                raise _wrong(what, data)
            return float(data) if tp is float else data

        return plain
    return lambda data: data


def _dataclass_converter(tp: type) -> Converter:
    hints = _hints(tp)
    fields = [(f.name, _converter_later(hints[f.name])) for f in dataclasses.fields(tp) if f.init]

    def build(data: Any) -> Any:
        if data is None:
            return None
        if not isinstance(data, dict):
            raise _wrong("an object", data)
        kwargs = {}
        for name, convert in fields:
            if name in data:
                try:
                    kwargs[name] = convert()(data[name])
                except SerialError as exc:
                    raise exc.inside(f".{name}") from None
        return tp(**kwargs)

    return build


def _converter_later(tp: Any) -> typing.Callable[[], Converter]:
    """Resolved on first use: a dataclass may refer to itself or to one defined later."""
    found: list[Converter] = []

    def get() -> Converter:
        if not found:
            found.append(_converter(tp))
        return found[0]

    return get
