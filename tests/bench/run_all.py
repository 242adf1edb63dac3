"""Run every benchmark: each ``tests/bench/bench_*.py`` has a ``main()`` that prints
lines ``name: median X ms (n=N)``. Run: ``python tests/bench/run_all.py``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    sys.path.insert(0, str(HERE.parents[1]))  # the repo root, for `homestudy` and `ui`
    failed = 0
    for path in sorted(HERE.glob("bench_*.py")):
        print(f"# {path.stem}", flush=True)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            module.main()
        except Exception as exc:  # one broken benchmark must not hide the others
            failed += 1
            print(f"{path.stem}: failed: {exc!r}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
