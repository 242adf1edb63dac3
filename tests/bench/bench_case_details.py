"""Benchmark: saving the Case details tab, and showing a case in it.

A save there runs on the DB worker as load the stored case, put the tab's parts in,
``save_case`` (``ui.views.case_details.save_details``), once per pause in typing.
Run: ``QT_QPA_PLATFORM=offscreen python tests/bench/bench_case_details.py``.
"""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

from _timing import indexed_median_ms


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from homestudy.demo import build_demo_case
    from homestudy.settings import AppSettings
    from homestudy.vault import KdfParams, Vault
    from ui.context import make_context
    from ui.views.case_details import DETAIL_FIELDS, CaseDetailsView, save_details

    case = build_demo_case()
    with tempfile.TemporaryDirectory() as tmp:
        vault = Vault.create(
            Path(tmp) / "v",
            "bench passphrase",
            kdf=KdfParams(time_cost=1, memory_kib=64, parallelism=1),
        )
        try:
            vault.cases.save_case(case)

            def save(i: int) -> None:
                case.stage1.notes = f"note {i}"
                parts = {f: copy.deepcopy(getattr(case, f)) for f in DETAIL_FIELDS}
                save_details(vault, case.id, parts)

            n = 50
            ms = indexed_median_ms(save, n)
            print(f"case details save (demo case): median {ms:.1f} ms (n={n})")
        finally:
            vault.close()

        app = QApplication.instance() or QApplication([])
        ctx = make_context(AppSettings(), Path(tmp) / "none")
        view = CaseDetailsView(ctx)
        n = 50
        ms = indexed_median_ms(lambda _i: view.set_case(copy.deepcopy(case)), n)
        print(f"case details set_case (demo case): median {ms:.1f} ms (n={n})")
        view.deleteLater()
        app.processEvents()
        ctx.shutdown()


if __name__ == "__main__":
    main()
