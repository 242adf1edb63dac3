"""The zip container of a bundle and of its encrypted payload (standard library only).

Members are stored uncompressed (the payload is ciphertext, which does not compress,
and refusing compression rules out zip bombs). Reading is defensive: any oddity in
the bytes becomes ``ContainerError`` so callers can name the failed check.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

# A fixed timestamp keeps the container free of the device's clock (the manifest has
# the time, signed) and makes two builds of the same members byte-identical.
_EPOCH = (1980, 1, 1, 0, 0, 0)
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader
_LOCAL_MAGIC = b"PK\x03\x04"
_UNSUPPORTED_FLAGS = 0x1 | 0x20 | 0x40  # encrypted, compressed patch, strong encryption


class ContainerError(ValueError):
    """The bytes are not a well-formed container."""


def pack(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o600 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def unpack(data: bytes, *, max_member_size: int, max_members: int = 10_000) -> dict[str, bytes]:
    """Every member by name. Raises ``ContainerError`` on anything unexpected."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > max_members:
                raise ContainerError("too many members")
            members: dict[str, bytes] = {}
            for info in infos:
                if info.filename in members:
                    raise ContainerError("a member appears twice")
                if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & _UNSUPPORTED_FLAGS:
                    raise ContainerError("compressed or encrypted member")
                if info.file_size > max_member_size or info.file_size > len(data):
                    raise ContainerError("member too large")
                if info.filename.startswith("/") or ".." in info.filename.split("/"):
                    raise ContainerError("unsafe member name")
                members[info.filename] = _stored_member(data, info)
            return members
    except ContainerError:
        raise
    except Exception as exc:  # zipfile raises many kinds on damaged input
        raise ContainerError(f"not a readable container ({type(exc).__name__})") from exc


def _stored_member(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A stored member's bytes, checked as ``ZipFile.read`` checks them (the local header's
    magic and name, the size, the CRC) but sliced from ``data`` without a file object
    per member (the inbox reads two containers per upload)."""
    start = info.header_offset
    header = data[start : start + _LOCAL_HEADER.size]
    if len(header) != _LOCAL_HEADER.size:
        raise ContainerError("truncated member header")
    magic, _v, _s, flags, _m, _t, _d, _crc, _cs, _us, name_len, extra_len = _LOCAL_HEADER.unpack(
        header
    )
    if magic != _LOCAL_MAGIC:
        raise ContainerError("bad member header")
    name_at = start + _LOCAL_HEADER.size
    name = data[name_at : name_at + name_len].decode("utf-8" if flags & 0x800 else "cp437")
    if name != info.orig_filename:
        raise ContainerError("member names differ")
    begin = name_at + name_len + extra_len
    body = data[begin : begin + info.compress_size]
    if info.compress_size != info.file_size or len(body) != info.file_size:
        raise ContainerError("truncated member")
    if zlib.crc32(body) != info.CRC:
        raise ContainerError("member checksum differs")
    return body
