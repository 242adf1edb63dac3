"""The Markdown subset written back from blocks (homestudy.richtext): stable round trips,
no words ever lost, and paragraphs counted as evidence links count them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from homestudy.report.docmodel import ListBlock, ListItem, Paragraph, Run
from homestudy.report.markdown import parse_blocks
from homestudy.report.sanitize import clean_text
from homestudy.richtext import (
    canonical,
    paragraph_map,
    paragraph_spans,
    plain_text,
    same_blocks,
    to_markdown,
)

WORD = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd")), min_size=1, max_size=8)
NICE_TEXT = st.lists(WORD, min_size=1, max_size=5).map(" ".join)
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


def _runs(text: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[Run, ...]]:
    run = st.builds(Run, text, st.booleans(), st.booleans())
    return st.lists(run, min_size=1, max_size=5).map(tuple)


def _spaced(runs: tuple[Run, ...]) -> tuple[Run, ...]:
    """Runs as a person writes them: words, with a plain space between styled stretches."""
    out: list[Run] = []
    for run in runs:
        if out:
            out.append(Run(" "))
        out.append(run)
    return tuple(out)


def _blocks(text: st.SearchStrategy[str], spaced: bool) -> st.SearchStrategy[list]:
    runs = _runs(text).map(_spaced) if spaced else _runs(text)
    paragraph = st.builds(Paragraph, runs)
    items = st.lists(st.tuples(runs, st.integers(0, 2), st.booleans()), min_size=1, max_size=5)

    def as_list(raw: list) -> ListBlock:
        out, level = [], -1
        for item_runs, want, ordered in raw:
            level = min(want, level + 1)
            out.append(ListItem(item_runs, level, 1 if ordered else 0))
        return ListBlock(tuple(out))

    return st.lists(st.one_of(paragraph, items.map(as_list)), min_size=1, max_size=4)


@settings(max_examples=300)
@given(_blocks(NICE_TEXT, spaced=True))
def test_what_a_worker_writes_reads_back_exactly(blocks) -> None:
    text = to_markdown(blocks)
    assert same_blocks(parse_blocks(text), _split(blocks))
    assert canonical(text) == text


def _split(blocks):
    from homestudy.richtext import units

    return units(blocks)


@settings(max_examples=500)
@given(_blocks(ANY_TEXT, spaced=False))
def test_anything_at_all_is_stable_and_keeps_every_word(blocks) -> None:
    text = to_markdown(blocks)
    again = to_markdown(parse_blocks(text))
    assert again == text  # a second round trip changes nothing
    words = clean_text(plain_text(blocks)).split()  # control characters are never kept
    assert plain_text(parse_blocks(text)).split() == words  # no word lost or changed


@given(_blocks(NICE_TEXT, spaced=True))
def test_paragraphs_counted_for_evidence_links(blocks) -> None:
    text = to_markdown(blocks)
    assert len(paragraph_spans(text)) == len(_split(blocks))


def test_markup_characters_typed_as_text_stay_text() -> None:
    blocks = [
        Paragraph((Run("5 * 3 = 15, snake_case and a \\ back slash"),)),
        Paragraph((Run("- not a list"),)),
        Paragraph((Run("2015. A year, not a list"),)),
    ]
    text = to_markdown(blocks)
    assert same_blocks(parse_blocks(text), blocks)
    assert text.startswith("5 \\* 3")


def test_the_analysis_marker_is_written_as_readiness_reads_it() -> None:
    from homestudy.readiness_rules import has_analysis

    text = to_markdown([Paragraph((Run("Analysis:", bold=True), Run(" they cope well.")))])
    assert text == "**Analysis:** they cope well." and has_analysis(text)


def test_older_text_keeps_its_paragraph_numbers() -> None:
    old = "Intro line\n- a\n- b\n\nNext\n\n- c\n\n- d\n\nEnd"
    new = canonical(old)
    assert new == "Intro line\n\n- a\n- b\n\nNext\n\n- c\n- d\n\nEnd"
    moved = paragraph_map(old)
    assert moved == [0, 2, 3, 3, 4]
    spans = paragraph_spans(new)
    assert new[slice(*spans[moved[1]])] == "Next" and new[slice(*spans[moved[4]])] == "End"
