"""Any text the assessor types survives the vault exactly, and any query is safe."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homestudy.model import Case, ParSectionDraft, Visit
from homestudy.vault import Vault

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=400)
FAST = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(text=TEXT, notes=TEXT)
def test_any_text_round_trips(demo_vault: Vault, demo_case: Case, text: str, notes: str) -> None:
    demo_vault.cases.save_par_section(demo_case.id, ParSectionDraft("matching", text))
    visit = Visit(20, "Extra", id="extra-visit", notes=notes)
    demo_vault.cases.save_visit(demo_case.id, visit)
    loaded = demo_vault.cases.load_case(demo_case.id)
    assert loaded.par_sections["matching"].text == text
    assert next(v for v in loaded.visits if v.id == "extra-visit").notes == notes


@FAST
@given(query=TEXT)
def test_any_query_is_safe(demo_vault: Vault, query: str) -> None:
    for hit in demo_vault.cases.search(query, limit=5):
        assert all(0 <= s <= e <= len(hit.snippet) for s, e in hit.highlights)


def test_marker_characters_in_text_do_not_fake_highlights(
    demo_vault: Vault, demo_case: Case
) -> None:
    demo_vault.cases.save_par_section(
        demo_case.id, ParSectionDraft("matching", "odd \x02control\x03 quokka text")
    )
    (hit,) = demo_vault.cases.search("quokka")
    (span,) = hit.highlights
    assert hit.snippet[span[0] : span[1]] == "quokka"
