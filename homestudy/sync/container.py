"""The zip container of a bundle and of its encrypted payload (standard library only).

Members are stored uncompressed (the payload is ciphertext, which does not compress,
and refusing compression rules out zip bombs). Reading is defensive: any oddity in
the bytes becomes ``ContainerError`` so callers can name the failed check.
"""

from __future__ import annotations

import io
import zipfile

# A fixed timestamp keeps the container free of the device's clock (the manifest has
# the time, signed) and makes two builds of the same members byte-identical.
_EPOCH = (1980, 1, 1, 0, 0, 0)


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
                if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
                    raise ContainerError("compressed or encrypted member")
                if info.file_size > max_member_size or info.file_size > len(data):
                    raise ContainerError("member too large")
                if info.filename.startswith("/") or ".." in info.filename.split("/"):
                    raise ContainerError("unsafe member name")
                members[info.filename] = archive.read(info)  # checks the CRC
            return members
    except ContainerError:
        raise
    except Exception as exc:  # zipfile raises many kinds on damaged input
        raise ContainerError(f"not a readable container ({type(exc).__name__})") from exc
