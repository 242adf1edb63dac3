"""A vault of many cases for benchmarks: the demo case again and again, each with its
own ids, reference and names (applicants, household, significant others, referees).

    from many_cases import make_vault
    make_vault(folder, passphrase, n=200)            # calibrated KDF unless kdf= is given

The narrative is the demo's in every case, so a search for a common phrase hits all
of them (the worst case for search); a search for a name finds a handful.
"""

from __future__ import annotations

from pathlib import Path

from homestudy.demo import build_demo_case
from homestudy.model import Case
from homestudy.vault import KdfParams, Vault

FIRST = (
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Femi",
    "Grace",
    "Harry",
    "Imran",
    "Jess",
    "Kwame",
    "Laura",
    "Mohammed",
    "Niamh",
    "Owen",
    "Priya",
    "Rhys",
    "Sian",
    "Tom",
    "Uma",
    "Victor",
    "Wendy",
    "Yusuf",
    "Zara",
    "Callum",
    "Dolores",
    "Eilidh",
    "Hamza",
    "Ioana",
    "Joanna",
    "Krzysztof",
    "Leah",
    "Mei",
    "Nadia",
    "Oluwaseun",
    "Patrick",
)
LAST = (
    "Ahmed",
    "Barker",
    "Campbell",
    "Dlamini",
    "Evans",
    "Fitzgerald",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lewis",
    "Murphy",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Uddin",
    "Vaughan",
    "Walker",
    "Xu",
    "Young",
    "Zielinski",
    "Adebayo",
    "Begum",
    "Chen",
    "Doherty",
    "Edwards",
    "Farah",
)


def varied_case(i: int) -> Case:
    """The demo case number ``i``: its own ids, reference and people's names."""
    case = build_demo_case(seed=f"bench-case-{i}", reference=f"HS-2027-{i:04d}")
    a1, a2 = case.applicants[0], case.applicants[1]
    surname = LAST[i % len(LAST)]
    a1.first_name, a1.last_name = FIRST[i % len(FIRST)], surname
    a2.first_name = FIRST[(i * 7 + 3) % len(FIRST)]
    a2.last_name = LAST[(i * 5 + 11) % len(LAST)]
    for n, member in enumerate(case.household):
        member.name = f"{FIRST[(i + n * 13) % len(FIRST)]} {surname}"
    for n, other in enumerate(case.significant_others):
        other.name = f"{FIRST[(i + n * 17 + 5) % len(FIRST)]} {LAST[(i + n + 7) % len(LAST)]}"
    for n, reference in enumerate(case.references):
        reference.referee_name = (
            f"{FIRST[(i * 3 + n) % len(FIRST)]} {LAST[(i * 11 + n * 3) % len(LAST)]}"
        )
    return case


def make_vault(
    folder: Path,
    passphrase: str,
    n: int = 200,
    kdf: KdfParams | None = None,
) -> list[Case]:
    """A new vault in ``folder`` holding ``n`` varied cases (closed again)."""
    vault = Vault.create(folder, passphrase, kdf=kdf)
    cases = []
    with vault.reading() as conn:  # generating test data: no fsync per case
        conn.execute("PRAGMA synchronous = OFF")
    try:
        for i in range(n):
            case = varied_case(i)
            vault.cases.save_case(case)
            cases.append(case)
    finally:
        vault.close()
    return cases
