"""A smaller ICU data library for the frozen app on Linux (packaging/homestudy.spec).

The PySide6 wheel's ``libicudata.so.NN`` is one 30 MB table of ICU's data files, but
Qt calls only four ICU services (found with ``nm -D --undefined-only`` on its
libraries): collation (``QCollator``), text converters (``QStringConverter``'s
legacy encodings), time-zone names (``ucal_*``) and upper/lower case. None of those
reads the display names of languages, currencies or units, spelled-out numbers,
transliteration or the word-break dictionaries of Chinese, Japanese, Thai, Lao,
Khmer and Burmese (Qt and HomeStudy break text with their own code), so the
library built here leaves those out and keeps every other item as it was.

    python packaging/icu_data.py SOURCE.so DEST.so    # prints what it saved

The data is ICU's "common data" format: a header, a table of contents (item name
and offset, sorted by name, which ICU searches by bisection), then the items. The
new library exports the same symbol (``icudtNN_dat``) so ``libicuuc`` loads it
unchanged; it is assembled with the C compiler (``cc``), which every Linux build
machine has. ``tests/test_icu_data.py`` runs Qt against it.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

#: Trees of ICU data no Qt call reads (see the module docstring).
DROPPED_TREES = ("curr", "lang", "unit", "translit", "rbnf")
#: Word-break dictionaries (2.9 MB): only ICU's break iterators use them, which Qt does
#: not call; the break rules beside them (small) stay.
DROPPED_SUFFIXES = (".dict",)
_ALIGN = 16  # ICU's own tools align each item to 16 bytes


def _section_headers(elf: bytes) -> list[tuple[int, int, int, int, int, int]]:
    """(type, addr, offset, size, link, entsize) of each section of a 64-bit ELF file."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    shoff = struct.unpack_from("<Q", elf, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    out = []
    for i in range(shnum):
        base = shoff + i * shentsize
        sh_type = struct.unpack_from("<I", elf, base + 4)[0]
        addr, offset, size = struct.unpack_from("<QQQ", elf, base + 0x10)
        link = struct.unpack_from("<I", elf, base + 0x28)[0]
        entsize = struct.unpack_from("<Q", elf, base + 0x38)[0]
        out.append((sh_type, addr, offset, size, link, entsize))
    return out


def read_library(path: Path) -> tuple[str, bytes]:
    """The exported symbol's name (``icudt73_dat``) and the data it points to."""
    elf = path.read_bytes()
    sections = _section_headers(elf)
    for sh_type, _addr, offset, size, link, entsize in sections:
        if sh_type != 11:  # SHT_DYNSYM
            continue
        strtab = sections[link][2]
        for pos in range(offset, offset + size, entsize):
            name_at, _info, _other, shndx, value, sym_size = struct.unpack_from("<IBBHQQ", elf, pos)
            name = elf[strtab + name_at : elf.index(b"\0", strtab + name_at)].decode()
            if name.startswith("icudt") and name.endswith("_dat") and sym_size:
                _t, sec_addr, sec_offset, *_rest = sections[shndx]
                start = sec_offset + value - sec_addr
                return name, elf[start : start + sym_size]
    raise ValueError(f"{path.name} exports no ICU data symbol")


def parse(data: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The header and the (name, item) pairs of ICU common data, in their order."""
    header_size = struct.unpack_from("<H", data, 0)[0]
    if data[2:4] != b"\xda\x27" or data[12:16] != b"CmnD":
        raise ValueError("not ICU common data")
    toc = header_size
    count = struct.unpack_from("<I", data, toc)[0]
    entries = [struct.unpack_from("<II", data, toc + 4 + 8 * i) for i in range(count)]
    starts = [toc + data_at for _name_at, data_at in entries] + [len(data)]
    items = []
    for i, (name_at, _data_at) in enumerate(entries):
        name = data[toc + name_at : data.index(b"\0", toc + name_at)].decode("ascii")
        items.append((name, data[starts[i] : starts[i + 1]]))
    return data[:header_size], items


def build(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """ICU common data holding ``items`` (already sorted, each padded to 16 bytes)."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _item in items)
    toc_size = 4 + 8 * len(items)
    first_item = -(-(toc_size + len(names)) // _ALIGN) * _ALIGN
    table = [struct.pack("<I", len(items))]
    name_at, data_at = toc_size, first_item
    for name, item in items:
        table.append(struct.pack("<II", name_at, data_at))
        name_at += len(name) + 1
        data_at += len(item)
    body = b"".join(table) + names
    body += b"\xaa" * (first_item - len(body))  # ICU's own padding byte
    return header + body + b"".join(item for _name, item in items)


def is_kept(name: str) -> bool:
    """Whether an item (``icudt73l/lang/fr.res``) stays in the trimmed data."""
    parts = name.split("/")
    if len(parts) > 2 and parts[1] in DROPPED_TREES:
        return False
    return not name.endswith(DROPPED_SUFFIXES)


def trimmed(data: bytes) -> bytes:
    header, items = parse(data)
    return build(header, [(name, item) for name, item in items if is_kept(name)])


def write_library(symbol: str, data: bytes, soname: str, dest: Path, cc: str = "cc") -> None:
    """A shared library exporting ``symbol`` = ``data``, as ICU's own build makes it."""
    with tempfile.TemporaryDirectory(prefix="homestudy-icu-") as scratch:
        blob = Path(scratch) / "icudata.dat"
        blob.write_bytes(data)
        source = Path(scratch) / "icudata.S"
        source.write_text(
            f"\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n"
            f'\t.balign 16\n{symbol}:\n\t.incbin "{blob}"\n\t.size {symbol}, .-{symbol}\n'
            '\t.section .note.GNU-stack,"",@progbits\n',
            encoding="ascii",
        )
        subprocess.run(
            [cc, "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-o", str(dest), str(source)],
            check=True,
            capture_output=True,
        )


def make_trimmed_library(source: Path, dest: Path) -> tuple[int, int]:
    """Write the trimmed copy of ``source`` to ``dest``; (bytes before, bytes after)."""
    if shutil.which("cc") is None:
        raise FileNotFoundError("no C compiler (cc) to assemble the ICU data library")
    symbol, data = read_library(source)
    small = trimmed(data)
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_library(symbol, small, source.name, dest)
    return len(data), len(small)


if __name__ == "__main__":
    before, after = make_trimmed_library(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"ICU data: {before / 2**20:.1f} MB -> {after / 2**20:.1f} MB")
