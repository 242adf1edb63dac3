"""Entry point of the frozen HomeStudy app (PyInstaller runs this file as __main__).

It only hands over to the same ``homestudy.cli.main`` that the ``homestudy``
console script calls, so the frozen app and a pip install behave alike.
"""

from __future__ import annotations

import multiprocessing
import sys

from homestudy.cli import main

if __name__ == "__main__":
    # A frozen app that ever starts a process pool must call this first (Windows/macOS).
    multiprocessing.freeze_support()
    sys.exit(main())
