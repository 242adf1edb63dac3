"""The confidentiality guard: third-party words in the sections the applicants read.

The applicants' copy leaves out the confidential sections, but the shared narrative
can still name a referee, a former partner or a household member, or quote what a
referee said at interview. Each such sentence is a *flagged passage* (``Flag``); the
worker reviews every one before the applicants' copy can be exported: reword it (the
flag goes when the words no longer match), move it to the confidential references
section (``move_to_confidential``), or record that it may be shared
(``record_may_share``, e.g. a sentence about the applicants' own child).

A flag's ``key`` is the section id and a hash of the passage's words (case, spacing
and Markdown marks ignored), so a review survives edits elsewhere in the section and
lapses when the passage itself changes. Reviews are kept on the section's draft
(``ParSectionDraft.shared_text_reviews``), so they are saved with its text.

A section's details (its tables and answers, shown under its text in every copy) are
checked exactly as its text is, cell by cell; such a passage is reworded where it is
written or recorded as may be shared (it is not moved).

Names: every person's full name, and a first name or surname alone where it is
distinctive (not an ordinary English word, not a title, not part of an applicant's
name), and a common short form of a first name ("Josh" for Joshua) written with a
capital. Quotes: a run of ``QUOTE_WORDS`` or more words from a reference interview's
notes. Someone not named (``kind`` "source"): "his ex-wife", "a previous partner", "told
me" (not when an applicant speaks), a referee or reference with a word of saying
("one referee had doubts"). Nothing here logs or raises with case content.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache, lru_cache
from itertools import pairwise
from typing import Any

from homestudy.errors import ValidationError
from homestudy.model import (
    Case,
    ChecklistAnswer,
    ParSectionDraft,
    ReferenceKind,
    SectionStatus,
    SharedTextReview,
    SignificantOtherKind,
    utc_now,
)
from homestudy.report.variants import shared_section_ids

__all__ = [
    "CONFIDENTIAL_TARGET",
    "QUOTE_WORDS",
    "Flag",
    "FlagFinder",
    "clear_cache",
    "flagged_passages",
    "move_to_confidential",
    "passage_key",
    "plain_passage",
    "record_may_share",
    "unreviewed_flags",
]

#: a run of this many words from an interview's notes counts as a quote
QUOTE_WORDS = 6
#: where "Move to confidential references" puts a passage
CONFIDENTIAL_TARGET = "references_summary"
MAY_SHARE = "may_share"
#: the role of a passage that reports someone it does not name ("his ex-wife told me")
SOMEONE_ELSE = "someone else"

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir"})
# a sentence ends at . ! ? (with closing quotes, brackets or emphasis marks) before a space
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]*_]*(?=\s)")
_LIST_MARK = re.compile(r"[ \t]*(?:[-+*]|\d{1,9}[.)])[ \t]+")
_BARE_LINE = re.compile(r"[ \t]*(?:[-+*]|\d{1,9}[.)])?[ \t]*")
_MARKUP = re.compile(r"\\(?=[\\*_])|\*\*|__|(?<!\w)[*_]|[*_](?!\w)")


@dataclass(frozen=True)
class Flag:
    """A passage of a shared section that names or quotes a third party.

    ``start``/``end`` are offsets in the section's stored text (``ParSectionDraft.text``);
    ``kind`` is "quote" when it quotes an interview, "name" when it names someone, else
    "source" (it reports someone it does not name: ``who`` empty); ``who`` the people it
    names or quotes (for the worker's eyes only: never in a message or log); ``roles``
    what they are ("referee", "former partner", "household member"). A passage in one
    of the section's details (a table cell, an answer) has ``field`` set to where it is
    ("<question id>/<row>" or "<question id>/<row>/<column>"), ``where`` to the words
    for that place ("Vulnerabilities: Evidence"), and its offsets are in that answer.
    """

    section_id: str
    start: int
    end: int
    text: str
    kind: str
    who: tuple[str, ...]
    roles: tuple[str, ...]
    key: str
    field: str = ""
    where: str = ""


@dataclass(frozen=True)
class _Person:
    name: str
    roles: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]  # lower-case words: the full name, distinctive parts
    short: tuple[str, ...] = ()  # short forms of the first name ("josh"): with a capital only


# ------------------------------------------------------------------ the words


def _words(text: str) -> list[str]:
    return [w.lower().replace("\u2019", "'") for w in _WORD.findall(text)]


def passage_key(section_id: str, text: str) -> str:
    """The stable key of a passage: its section and a hash of its words."""
    digest = hashlib.sha256(" ".join(_words(text)).encode("utf-8")).hexdigest()[:20]
    return f"{section_id}:{digest}"


def plain_passage(text: str) -> str:
    """``text`` without its Markdown marks (bold, italic, escapes, a list marker), as the
    editor shows it: what the UI looks for in the section's document."""
    mark = _LIST_MARK.match(text)
    return _MARKUP.sub("", text[mark.end() :] if mark else text).strip()


@cache
def _ordinary_words() -> frozenset[str]:
    """Lower-case entries of the en-GB word list: words that are not only names."""
    from homestudy.resources import resource_path

    words: set[str] = set()
    for name in ("en_GB.txt", "homestudy_extra.txt"):
        path = resource_path("dictionary") / name
        if path.exists():
            words.update(w for w in path.read_text(encoding="utf-8").split() if w.islower())
    return frozenset(words)


@cache
def _short_names() -> dict[str, tuple[str, ...]]:
    """A first name -> its common short forms (``dictionary/short_names.txt``)."""
    from homestudy.resources import resource_path

    path = resource_path("dictionary") / "short_names.txt"
    names: dict[str, tuple[str, ...]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            full, colon, shorts = line.partition(":")
            if colon and not full.startswith("#"):
                names[full.strip().lower()] = tuple(shorts.lower().split())
    return names


#: words that say a passage reports someone else (a third party need not be named):
#: "his ex-wife described him as", "one referee told me"
_SOURCES = tuple(
    tuple(_WORD.findall(phrase))
    for phrase in (
        "ex partner", "ex wife", "ex husband", "ex boyfriend", "ex girlfriend",
        "ex fiance", "ex fiancee", "ex fiancé", "ex fiancée",
        "former partner", "former wife", "former husband",
        "first partner", "first wife", "first husband",
        "previous partner", "previous wife", "previous husband",
    )
)  # fmt: skip
#: reported words: flagged unless an applicant (or "he", "she", "they": the applicants
#: in a PAR's telling) is the one speaking ("Hannah told me", "she said that")
_REPORTED = (("told", "me"), ("told", "us"), ("said", "that"), ("described", "him", "as"),
             ("described", "her", "as"), ("described", "them", "as"))  # fmt: skip
_FIRST_WORDS = frozenset(p[0] for p in (*_SOURCES, *_REPORTED))
#: short forms that often open a sentence as ordinary words
_SENTENCE_OPENERS = frozenset({"will"})
_SPEAKERS = frozenset({"he", "she", "they", "both", "i", "we"})
#: a referee or a reference counts with a word of what they said in the same sentence
#: ("one referee had doubts"); "confirmed by a referee" alone quotes no one
_REFEREE = frozenset({"referee", "referees", "reference", "references"})
_SAYING = frozenset(
    _WORD.findall(
        "told said says described describes felt feels thought thinks believes believed "
        "raised expressed mentioned reported doubts doubt concerns concern concerned "
        "worried worries worry"
    )
)


def _looks_like_a_name(name: str) -> bool:
    parts = name.split()
    return 1 <= len(parts) <= 5 and all(
        p[:1].isupper() and re.fullmatch(r"[^\W\d_][\w'\u2019.-]*", p) for p in parts
    )


def _distinctive(token: str, applicant_words: set[str]) -> bool:
    word = token.strip(".").lower()
    pieces = re.split(r"[-']", word)
    return (
        len(word) >= 3
        and word not in _TITLES
        and word not in _ordinary_words()
        and not any(p in applicant_words for p in pieces)
    )


#: who the guard looks for, as plain values: (applicants' full names, (name, role) pairs,
#: (referee, interview notes) pairs). Equal signatures share one ``_Index``.
_Signature = tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]


def _signature(case: Case) -> _Signature:
    named = [
        (r.referee_name, "former partner" if r.kind is ReferenceKind.EX_PARTNER else "referee")
        for r in case.references
    ]
    named += [
        (
            o.name,
            "former partner" if o.kind is SignificantOtherKind.EX_PARTNER else "significant other",
        )
        for o in case.significant_others
    ]
    named += [(m.name, "household member") for m in case.household]
    return (
        tuple(a.full_name for a in case.applicants),
        tuple(named),
        tuple((r.referee_name, r.notes) for r in case.references),
    )


def _own_words(applicants: tuple[str, ...]) -> set[str]:
    """The applicants' names, word by word, with the short forms of their first names."""
    words = {w for a in applicants for w in _words(a)}
    return words | {s for w in words for s in _short_names().get(w, ())}


def _people(applicants: tuple[str, ...], named: tuple[tuple[str, str], ...]) -> list[_Person]:
    applicant_words = {w for a in applicants for w in _words(a)}
    own_words = _own_words(applicants)
    own = {a.lower() for a in applicants}
    roles: dict[str, tuple[str, list[str]]] = {}  # normalised name -> (name, roles)
    for raw, role in named:
        name = " ".join(raw.split())
        if not name or name.lower() in own:
            continue
        entry = roles.setdefault(name.lower(), (name, []))
        if role not in entry[1]:
            entry[1].append(role)
    people = []
    for name, found in roles.values():
        phrases = [tuple(_words(name))]
        short: tuple[str, ...] = ()
        if _looks_like_a_name(name):
            phrases += [tuple(_words(t)) for t in name.split() if _distinctive(t, applicant_words)]
            first = phrases[0][0] if phrases[0] else ""
            short = tuple(s for s in _short_names().get(first, ()) if s not in own_words)
        elif "," in name and len(_words(name.split(",")[0])) >= 2:
            # a referee known by role ("Station Manager, regional ambulance service"):
            # the role is how the text names them ("Daniel's station manager")
            phrases.append(tuple(_words(name.split(",")[0])))
        people.append(
            _Person(name, tuple(found), tuple(dict.fromkeys(p for p in phrases if p)), short)
        )
    return people


def _interviews(notes: tuple[tuple[str, str], ...]) -> dict[tuple[str, ...], str]:
    """Every run of ``QUOTE_WORDS`` words of an interview's notes -> the referee."""
    grams: dict[tuple[str, ...], str] = {}
    for referee, text in notes:
        words = _words(text)
        for i in range(len(words) - QUOTE_WORDS + 1):
            grams.setdefault(tuple(words[i : i + QUOTE_WORDS]), referee)
    return grams


class _Index:
    """The people and interview phrases of one signature (hashed by identity: cached)."""

    def __init__(self, signature: _Signature) -> None:
        self.people = _people(signature[0], signature[1])
        self.grams = _interviews(signature[2])
        self.own = frozenset(_own_words(signature[0]))

    def __bool__(self) -> bool:
        return True  # words such as "his ex-wife told me" are looked for in every case


@lru_cache(maxsize=16)
def _index(signature: _Signature) -> _Index:
    return _Index(signature)


@lru_cache(maxsize=512)
def _cached_flags(section_id: str, text: str, index: _Index) -> tuple[Flag, ...]:
    # readiness runs after every edit: a section not changed since is not read again
    return tuple(_section_flags(section_id, text, index.people, index.grams, index.own))


def clear_cache() -> None:
    """Forget every text and name held for speed (call when the vault locks)."""
    _cached_flags.cache_clear()
    _index.cache_clear()


# ------------------------------------------------------------------ passages


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of each line of ``text``, trimmed of spaces."""
    offset = 0
    for line in text.split("\n"):
        mark = _LIST_MARK.match(line)  # a list item's marker stays with the list
        first = mark.end() if mark else 0
        cuts = [first, *(m.end() for m in _SENTENCE_END.finditer(line, first)), len(line)]
        for a, b in pairwise(cuts):
            piece = line[a:b]
            lead = len(piece) - len(piece.lstrip())
            if piece.strip():
                yield offset + a + lead, offset + a + len(piece.rstrip())
        offset += len(line) + 1


def _lower(text: str) -> str:
    """``text`` in lower case with curly apostrophes straight, offsets unchanged."""
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer: keep offsets true
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.replace("\u2019", "'")


def _sourced_at(
    matches: list[re.Match[str]], words: list[str], own: frozenset[str]
) -> tuple[list[int], list[int], list[int]]:
    """Offsets of words that report a third party, named or not: (sources such as "his
    ex-wife" or "told me", not when an applicant speaks; "referee" and "reference";
    words of saying such as "doubts"), the last two counting only together."""
    found: list[int] = []
    referee = [m.start() for m, w in zip(matches, words, strict=True) if w in _REFEREE]
    saying = [m.start() for m, w in zip(matches, words, strict=True) if w in _SAYING]
    for i, word in enumerate(words):
        if word not in _FIRST_WORDS:  # most words start no phrase: one look-up
            continue
        for phrase in _SOURCES:
            if word == phrase[0] and tuple(words[i : i + len(phrase)]) == phrase:
                found.append(matches[i].start())
        for phrase in _REPORTED:
            if word == phrase[0] and tuple(words[i : i + len(phrase)]) == phrase:
                speaker = words[i - 1] if i else ""
                speaker = speaker[:-2] if speaker.endswith("'s") else speaker
                if speaker not in own and speaker not in _SPEAKERS:
                    found.append(matches[i].start())
    return found, referee, saying


def _short_named_at(
    text: str, matches: list[re.Match[str]], bare: list[str], people: list[_Person]
) -> list[tuple[int, int]]:
    """(offset, person) of each short form of a first name written with a capital
    ("Josh"); "Will" not at a sentence's start ("Will they cope?")."""
    short: dict[str, list[int]] = {}
    for k, person in enumerate(people):
        for form in person.short:
            short.setdefault(form, []).append(k)
    if not short:
        return []
    starts = {a for a, _b in _sentences(text)}
    found = []
    for i, word in enumerate(bare):
        at = matches[i].start()
        if word in short and text[at].isupper():
            if word in _SENTENCE_OPENERS and at in starts:
                continue
            found += [(at, k) for k in short[word]]
    return found


def _section_flags(
    section_id: str,
    text: str,
    people: list[_Person],
    grams: dict[tuple[str, ...], str],
    own: frozenset[str] = frozenset(),
) -> list[Flag]:
    # one pass over the words: dictionary look-ups, no pattern per person
    matches = list(_WORD.finditer(_lower(text)))
    words = [m.group() for m in matches]
    bare = [w[:-2] if w.endswith("'s") else w.rstrip("'") for w in words]  # Claire's
    single: dict[str, list[int]] = {}  # a one-word phrase -> the people it names
    longer: dict[tuple[str, ...], list[int]] = {}
    for k, person in enumerate(people):
        for phrase in person.phrases:
            (
                single.setdefault(phrase[0], [])
                if len(phrase) == 1
                else longer.setdefault(phrase, [])
            ).append(k)
    starters = {p[0] for p in longer}
    lengths = sorted({len(p) for p in longer})
    named_at = _short_named_at(text, matches, bare, people)  # (offset, person)
    for i, word in enumerate(words):
        for k in single.get(bare[i], ()):
            named_at.append((matches[i].start(), k))
        if word in starters:
            for n in lengths:
                key = (*words[i : i + n - 1], bare[i + n - 1]) if i + n <= len(words) else ()
                for k in longer.get(key, ()):
                    named_at.append((matches[i].start(), k))
    quoted: list[tuple[int, int, str]] = []  # (start, end, referee) of quoted words
    if grams:
        n = QUOTE_WORDS
        firsts = {g[0] for g in grams}
        for i in range(len(words) - n + 1):
            if words[i] in firsts:
                who = grams.get(tuple(words[i : i + n]))
                if who is not None:
                    quoted.append((matches[i].start(), matches[i + n - 1].end(), who))
    sourced, referee, saying = _sourced_at(matches, words, own)
    flags = []
    for start, end in _sentences(text):
        named = list(dict.fromkeys(people[k] for at, k in named_at if start <= at < end))
        quotes = [w for a, b, w in quoted if a < end and b > start]
        reports = any(start <= at < end for at in sourced) or (
            any(start <= at < end for at in referee) and any(start <= at < end for at in saying)
        )
        if not named and not quotes and not reports:
            continue
        sentence = text[start:end]
        names = list(dict.fromkeys([*quotes, *(p.name for p in named)]))
        roles = list(
            dict.fromkeys([*(["referee"] if quotes else []), *(r for p in named for r in p.roles)])
        )
        if not roles:  # only words such as "his ex-wife told me": someone not named
            roles = [SOMEONE_ELSE]
        flags.append(
            Flag(
                section_id,
                start,
                end,
                sentence,
                "quote" if quotes else "name" if named else "source",
                tuple(names),
                tuple(roles),
                passage_key(section_id, sentence),
            )
        )
    return flags


def _definition(forms: Any) -> Any:
    return getattr(forms, "par", forms)


def flagged_passages(case: Case, forms: Any, *, medical_summary_shared: bool = True) -> list[Flag]:
    """Every flagged passage of the sections the applicants' copy shows, in form order.
    ``forms`` is the forms library (or its PAR definition)."""
    index = _index(_signature(case))
    if not index:
        return []
    definition = _definition(forms)
    flags: list[Flag] = []
    for section_id in shared_section_ids(definition, medical_summary_shared):
        draft = case.par_sections.get(section_id)
        if draft is not None and draft.text.strip():
            flags.extend(_cached_flags(section_id, draft.text, index))
        flags.extend(_field_flags(case, definition, section_id, index))
    return flags


# ------------------------------------------------------------------ the section's details


def _section_fields(definition: Any, section_id: str) -> tuple[Any, ...]:
    section = next((s for s in getattr(definition, "sections", ()) if s.id == section_id), None)
    return tuple(getattr(section, "fields", ()) or ())


def _field_texts(
    case: Case, definition: Any, section_id: str
) -> Iterator[tuple[str, str, str, ChecklistAnswer]]:
    """(place, words for the place, text, answer) of each written answer in a section's
    details: a text answer, or each text cell of a table row, as the exports show them."""
    questions = {q.id: q for q in _section_fields(definition, section_id)}
    if not questions:
        return
    form_id = getattr(definition, "id", "")
    for answer in case.answers_for(form_id):
        question = questions.get(answer.question_id)
        if question is None or answer.archived:
            continue
        label = str(getattr(question, "label", "") or question.id)
        place = f"{question.id}/{answer.row}"
        if isinstance(answer.value, str):
            yield place, label, answer.value, answer
        elif isinstance(answer.value, dict):
            columns = {c.id: c for c in getattr(question, "columns", ()) or ()}
            for column_id, value in answer.value.items():
                if isinstance(value, str) and value.strip():
                    column = columns.get(column_id)
                    heading = str(getattr(column, "label", "") or column_id)
                    yield f"{place}/{column_id}", f"{label}: {heading}", value, answer


def _field_flags(case: Case, definition: Any, section_id: str, index: _Index) -> list[Flag]:
    """The flagged passages of a section's details, checked exactly as its text is."""
    flags: list[Flag] = []
    for place, where, text, _answer in _field_texts(case, definition, section_id):
        if text.strip():
            flags.extend(
                replace(f, field=place, where=where) for f in _cached_flags(section_id, text, index)
            )
    return flags


def _field_text(case: Case, definition: Any, flag: Flag) -> str | None:
    for place, _where, text, _answer in _field_texts(case, definition, flag.section_id):
        if place == flag.field:
            return text
    return None


def _reviewed(case: Case) -> set[str]:
    return {
        r.key
        for d in case.par_sections.values()
        for r in d.shared_text_reviews
        if r.decision == MAY_SHARE
    }


def unreviewed_flags(case: Case, forms: Any, *, medical_summary_shared: bool = True) -> list[Flag]:
    """The flagged passages with no "may be shared" review."""
    done = _reviewed(case)
    return [
        f
        for f in flagged_passages(case, forms, medical_summary_shared=medical_summary_shared)
        if f.key not in done
    ]


class FlagFinder:
    """The case's people and interviews, gathered once, for flagging one section's text
    again and again as it is typed (the PAR editor)."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self._index = _index(_signature(case))

    def flags(self, section_id: str, text: str) -> list[Flag]:
        if not text.strip() or not self._index:
            return []
        return list(_cached_flags(section_id, text, self._index))

    def field_flags(self, forms: Any, section_id: str) -> list[Flag]:
        """The flagged passages of the section's details (its tables and answers)."""
        if not self._index:
            return []
        return _field_flags(self.case, _definition(forms), section_id, self._index)

    def reviewed(self) -> set[str]:
        return _reviewed(self.case)


def is_reviewed(case: Case, flag: Flag) -> bool:
    return flag.key in _reviewed(case)


# ------------------------------------------------------------------ the worker's decisions


_CHANGED = "That passage has changed since it was flagged. Look at the section again."


def _check_current(case: Case, flag: Flag) -> ParSectionDraft:
    draft = case.par_sections.get(flag.section_id)
    if draft is None or draft.text[flag.start : flag.end] != flag.text:
        raise ValidationError(_CHANGED)
    return draft


def record_may_share(
    case: Case,
    flag: Flag,
    *,
    note: str = "",
    by: str = "",
    at: datetime | None = None,
    forms: Any = None,
) -> SharedTextReview:
    """Record that the passage may be shared with the applicants; returns the review.
    A passage in the section's details (``flag.field``) needs ``forms`` (the forms
    library or its PAR definition) to find its answer; its review is kept on the
    section's draft like any other."""
    if flag.field:
        text = _field_text(case, _definition(forms), flag) if forms is not None else None
        if text is None or text[flag.start : flag.end] != flag.text:
            raise ValidationError(_CHANGED)
        draft = case.section(flag.section_id)
    else:
        draft = _check_current(case, flag)
    review = SharedTextReview(
        flag.key, flag.section_id, MAY_SHARE, note.strip(), by, at or utc_now()
    )
    draft.shared_text_reviews = [r for r in draft.shared_text_reviews if r.key != flag.key]
    draft.shared_text_reviews.append(review)
    return review


def move_to_confidential(
    case: Case, flag: Flag, *, section_title: str = "", target: str = CONFIDENTIAL_TARGET
) -> tuple[ParSectionDraft, ParSectionDraft]:
    """Cut the passage out of its shared section and add it, as a paragraph saying where
    it came from, to the end of the confidential references section. Returns the two
    drafts changed (shared, confidential), both to be saved. A passage in the section's
    details is reworded there, or recorded as may be shared: it is not moved."""
    if flag.field:
        raise ValidationError(
            "A passage in this section's details cannot be moved: reword it there, or "
            "record that it may be shared."
        )
    draft = _check_current(case, flag)
    if flag.section_id == target:
        raise ValidationError("That passage is already in the confidential section.")
    draft.text, removed = _cut(draft.text, flag.start, flag.end)
    if removed is not None:  # a paragraph went: links after it move up one
        draft.evidence = [e for e in draft.evidence if e.paragraph != removed]
        for link in draft.evidence:
            if link.paragraph > removed:
                link.paragraph -= 1
    where = section_title or flag.section_id
    passage = plain_passage(flag.text)
    confidential = case.section(target)
    paragraph = f"*Moved from \u201c{_escape(where)}\u201d:* {_escape(passage)}"
    confidential.text = (confidential.text.rstrip() + "\n\n" + paragraph).lstrip()
    if confidential.status is SectionStatus.NOT_STARTED:
        confidential.status = SectionStatus.DRAFTING
    now = utc_now()
    draft.last_edited = confidential.last_edited = now
    return draft, confidential


def _escape(text: str) -> str:
    return re.sub(r"([\\*_])", r"\\\1", text)


def _cut(text: str, start: int, end: int) -> tuple[str, int | None]:
    """``text`` without [start, end) and the space beside it; the index of the paragraph
    (``richtext.paragraph_spans``) that was left empty and went, or None."""
    from homestudy.richtext import paragraph_spans

    spans = paragraph_spans(text)
    index = next((i for i, (a, b) in enumerate(spans) if a <= start < b), None)
    before, after = text[:start], text[end:]
    if after[:1] in (" ", "\t"):
        after = after.lstrip(" \t")
    else:
        before = before.rstrip(" \t")
    lines = (before + after).split("\n")
    here = before.count("\n")
    if _BARE_LINE.fullmatch(lines[here]):  # nothing (or only a list mark) is left
        del lines[here]
    new = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", "\n".join(lines)).strip("\n")
    gone = index if index is not None and len(paragraph_spans(new)) < len(spans) else None
    return new, gone


def reviews(case: Case) -> Iterable[SharedTextReview]:
    """Every recorded review, section by section."""
    for draft in case.par_sections.values():
        yield from draft.shared_text_reviews
