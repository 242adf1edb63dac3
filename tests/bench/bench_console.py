"""The agency console with 500 cases (demo households at different points of Stage 2,
sent as real signed, encrypted bundles): caseload page and case page, timed over real
HTTP to the server on 127.0.0.1 (so the time includes the loopback round trip).

Aim (issue 14): caseload <= 300 ms, case page <= 200 ms, warm. The first caseload
load decrypts every case once (reported as "cold"). ``BENCH_CONSOLE_CASES`` changes
the count.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[1])]

from _timing import median_ms  # noqa: E402

from tests.console_helpers import (  # noqa: E402
    ConsoleServer,
    Staff,
    close_all,
    make_console_agency,
)

CASES = int(os.environ.get("BENCH_CONSOLE_CASES", "500"))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        agency = make_console_agency(Path(tmp) / "agency", extra_cases=CASES - 3)
        print(f"console_setup_{CASES}_cases: {time.perf_counter() - start:.1f} s", flush=True)
        server = ConsoleServer(agency.home)
        try:
            staff = Staff(server.url)
            staff.sign_in("manager", agency.totp["manager"])
            start = time.perf_counter()
            assert staff.get("/").status_code == 200
            print(
                f"console_caseload_{CASES}_cold: {(time.perf_counter() - start) * 1000:.0f} "
                "ms (n=1)",
                flush=True,
            )

            def caseload() -> None:
                resp = staff.get("/")
                assert resp.status_code == 200 and agency.cases[0].reference in resp.text

            print(
                f"console_caseload_{CASES}: median {median_ms(caseload, 9):.0f} ms (n=9)",
                flush=True,
            )

            def filtered() -> None:
                assert staff.get("/?blocked=1&sort=panel").status_code == 200

            print(
                f"console_caseload_{CASES}_filtered: median {median_ms(filtered, 9):.0f} ms (n=9)",
                flush=True,
            )
            case = agency.cases[len(agency.cases) // 2]

            def case_page() -> None:
                resp = staff.get(f"/cases/{case.id}")
                assert resp.status_code == 200

            print(f"console_case_page: median {median_ms(case_page, 9):.0f} ms (n=9)", flush=True)
        finally:
            close_all()
            server.stop()


if __name__ == "__main__":
    main()
