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

Every step is a standard tool's, none parses a format by hand:

- binutils: ``nm -D -P`` names the exported data symbol (``icudt73_dat``) and its size,
  ``objcopy --only-section=.rodata`` copies the data out (the symbol is the whole
  section; a library where it is not is refused);
- ICU's ``icupkg`` (Debian's icu-devtools) removes the items. It checks that no kept
  item depends on a removed tree; the one dependency it would refuse, the break-rule
  table naming the dictionaries, is of the break iterators Qt never calls;
- ICU's ``genccode`` writes the assembly with the same exported symbol and the C
  compiler (``cc``) links it, as ICU's own build does, so ``libicuuc`` loads it
  unchanged.

``tests/test_icu_data.py`` runs Qt against the result.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Trees of ICU data no Qt call reads (see the module docstring).
DROPPED_TREES = ("curr", "lang", "unit", "translit", "rbnf")
#: Word-break dictionaries (2.9 MB): only ICU's break iterators use them, which Qt does
#: not call; the break rules beside them (small) stay.
DROPPED_DICTIONARIES = "brkitr/*.dict"
#: Debian puts icupkg and genccode in /usr/sbin, which a user's PATH may lack.
_EXTRA_PATH = ("/usr/sbin", "/sbin")
_TOOLS = {
    "nm": "binutils",
    "objcopy": "binutils",
    "icupkg": "icu-devtools",
    "genccode": "icu-devtools",
    "cc": "a C compiler",
}


def find_tools(path: str | None = None) -> dict[str, str]:
    """The full path of each tool, or FileNotFoundError naming the missing ones."""
    if path is None:
        path = os.pathsep.join([os.environ.get("PATH", os.defpath), *_EXTRA_PATH])
    found = {name: shutil.which(name, path=path) for name in _TOOLS}
    missing = [f"{name} ({_TOOLS[name]})" for name, where in found.items() if where is None]
    if missing:
        raise FileNotFoundError(f"missing tools to rebuild the ICU data: {', '.join(missing)}")
    return {name: where for name, where in found.items() if where is not None}


def _run(*args: str | Path) -> str:
    """A tool's standard output; CalledProcessError (with its stderr) if it fails."""
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True).stdout


def read_library(path: Path, dest: Path, tools: dict[str, str]) -> str:
    """Copy the ICU data of library ``path`` to ``dest``; its symbol's name (icudt73_dat)."""
    symbols = []
    # POSIX format (-P), in hexadecimal: "name type value size" a line
    listing = _run(tools["nm"], "-D", "--defined-only", "-P", "-t", "x", path)
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[0].startswith("icudt") and fields[0].endswith("_dat"):
            symbols.append((fields[0], int(fields[3], 16)))
    if len(symbols) != 1:
        raise ValueError(f"{path.name} does not export one ICU data symbol")
    symbol, size = symbols[0]
    _run(tools["objcopy"], "-O", "binary", "--only-section=.rodata", path, dest)
    if dest.stat().st_size != size:
        raise ValueError(f"{path.name}: {symbol} is not the whole .rodata section")
    return symbol


def list_items(data: Path, tools: dict[str, str]) -> list[str]:
    """The item names (``coll/root.res``) of an ICU .dat package, in its order."""
    # --auto_toc_prefix: the names' prefix (icudt73l) is taken from the data, not the file
    # name; --ignore-deps: the trimmed data lacks the dictionaries that brkitr/root.res names
    return _run(tools["icupkg"], "--auto_toc_prefix", "--ignore-deps", "-l", data).split()


def trim(data: Path, dest: Path, tools: dict[str, str]) -> None:
    """Write ``data`` without the dropped trees and dictionaries to ``dest``."""
    icupkg = [tools["icupkg"], "--auto_toc_prefix"]
    trees = dest.with_suffix(".trees.txt")
    trees.write_text("".join(f"{tree}/*\n" for tree in DROPPED_TREES), encoding="ascii")
    without_trees = dest.with_suffix(".trees.dat")
    # checked: fails if a kept item depends on one of the trees
    _run(*icupkg, "-r", trees, data, without_trees)
    _run(*icupkg, "--ignore-deps", "-r", DROPPED_DICTIONARIES, without_trees, dest)
    without_trees.unlink()
    trees.unlink()


def write_library(symbol: str, data: Path, soname: str, dest: Path, tools: dict[str, str]) -> None:
    """A shared library exporting ``symbol`` = the bytes of ``data``."""
    scratch = data.parent
    entry = symbol.removesuffix("_dat")  # genccode appends _dat
    _run(tools["genccode"], "-q", "-a", "gcc", "-e", entry, "-f", "icudata", "-d", scratch, data)
    _run(tools["cc"], "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-o", dest,
         scratch / "icudata.S")  # fmt: skip


def make_trimmed_library(source: Path, dest: Path, path: str | None = None) -> tuple[int, int]:
    """Write the trimmed copy of ``source`` to ``dest``; (bytes before, bytes after).

    ``path`` is where to look for the tools (default: PATH and /usr/sbin).
    """
    tools = find_tools(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="homestudy-icu-") as scratch:
        full, small = Path(scratch) / "full.dat", Path(scratch) / "small.dat"
        symbol = read_library(source, full, tools)
        trim(full, small, tools)
        write_library(symbol, small, source.name, dest, tools)
        return full.stat().st_size, small.stat().st_size


if __name__ == "__main__":
    before, after = make_trimmed_library(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"ICU data: {before / 2**20:.1f} MB -> {after / 2**20:.1f} MB")
