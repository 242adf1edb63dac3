"""UK English spell check: a word list we ship, an underline, and suggestions.

The word list is SCOWL's British English (Debian's ``wbritish``, licence in
``homestudy/data/dictionary/COPYING.en_GB``) loaded into pyspellchecker with
``language=None``, so "colour" and "organise" are right and "color" is not.
Words the assessor adds live in the vault settings (``spelling.user_words``),
never in a file. The open case's own names (applicants, household, significant
others, referees, pets, places) are known while that case is open
(``SpellingService.set_case``), and forgotten when it closes or the app locks.
Looking a word up is a set lookup; suggestions (edit distance)
are worked out only when the context menu asks for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from spellchecker import SpellChecker

from homestudy.resources import resource_path

if TYPE_CHECKING:
    from ui.context import AppContext

#: Vault setting holding the assessor's own words (a JSON list of str).
USER_WORDS_SETTING = "spelling.user_words"

# Letters with inner apostrophes ("don't", "child’s"); digits end a word.
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_POSSESSIVE_RE = re.compile(r"['’]s$", re.IGNORECASE)


def dictionary_dir() -> Path:
    """The shipped word lists (package data; see ``homestudy.resources``)."""
    return resource_path("dictionary")


@cache
def _base_words() -> frozenset[str]:
    words: set[str] = set()
    for name in ("en_GB.txt", "homestudy_extra.txt"):
        path = dictionary_dir() / name
        if path.exists():
            words.update(w.lower() for w in path.read_text(encoding="utf-8").split())
    return frozenset(words)


def iter_words(text: str) -> Iterator[tuple[int, str]]:
    """(offset, word) for each word in ``text``."""
    for match in _WORD_RE.finditer(text):
        yield match.start(), match.group()


class UkSpelling:
    """The checker. One per app; cheap to ask, heavy only to load (once, ~50 ms)."""

    def __init__(self, user_words: Iterable[str] = ()) -> None:
        self._checker: SpellChecker | None = None
        self._user: set[str] = {w.lower() for w in user_words}
        self._case: frozenset[str] = frozenset()

    @property
    def checker(self) -> SpellChecker:
        if self._checker is None:
            checker = SpellChecker(language=None, distance=1, case_sensitive=False)
            checker.word_frequency.load_words(sorted(_base_words()))
            self._checker = checker
        return self._checker

    @property
    def ready(self) -> bool:
        """True once the word list is in memory (``warm_up`` loads it off the GUI thread)."""
        return _base_words.cache_info().currsize > 0

    def warm_up(self) -> None:
        """Load the word list and the suggestion engine (call on a worker thread)."""
        _base_words()
        _ = self.checker

    @property
    def user_words(self) -> list[str]:
        return sorted(self._user)

    def set_user_words(self, words: Iterable[str]) -> None:
        self._user = {w.lower() for w in words}

    def add_word(self, word: str) -> None:
        self._user.add(word.lower())

    def set_case_words(self, words: Iterable[str]) -> None:
        """The open case's own names: known for as long as it is open."""
        self._case = frozenset(w.replace("’", "'").lower() for w in words)

    def is_known(self, word: str) -> bool:
        if len(word) < 2 or word.isupper():  # single letters, acronyms (DBS, ADM)
            return True
        plain = word.replace("’", "'").lower()
        bare = _POSSESSIVE_RE.sub("", plain)
        known = _base_words()
        return any(w in self._user or w in known or w in self._case for w in (plain, bare))

    def misspelt(self, text: str) -> list[tuple[int, int]]:
        """(start, length) of every word not known, in order."""
        return [(start, len(word)) for start, word in iter_words(text) if not self.is_known(word)]

    def suggestions(self, word: str, limit: int = 6) -> list[str]:
        """Closest known words, nearest first, keeping the word's capital letter."""
        lower = word.lower()
        checker = self.checker
        # One edit away, plus swapped neighbours ("teh"). Two edits away takes pyspellchecker
        # a third of a second or more, too slow for a context menu, so it is left out.
        swaps = {
            lower[:i] + lower[i + 1] + lower[i] + lower[i + 2 :] for i in range(len(lower) - 1)
        }
        found = set(checker.known(checker.edit_distance_1(lower) | swaps))
        found.discard(lower)
        ranked = sorted(
            found,
            key=lambda c: (
                _distance(lower, c),
                sorted(c) != sorted(lower),  # same letters, reordered: likely a slip
                -SequenceMatcher(None, lower, c).ratio(),
                c,
            ),
        )[:limit]
        if word[:1].isupper():
            ranked = [c[:1].upper() + c[1:] for c in ranked]
        return ranked


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (optimal string alignment)."""
    rows = [list(range(len(b) + 1))] + [[i] + [0] * len(b) for i in range(1, len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            best = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, rows[i - 2][j - 2] + 1)
            rows[i][j] = best
    return rows[-1][-1]


def word_at(text: str, offset: int) -> tuple[int, str] | None:
    """The word of ``text`` that covers ``offset`` (or ends at it), with its start."""
    for start, word in iter_words(text):
        if start <= offset <= start + len(word):
            return start, word
    return None


class SpellHighlighter(QSyntaxHighlighter):
    """Red wavy underline under unknown words. Qt calls it per changed block only."""

    def __init__(self, document: QTextDocument, spelling: UkSpelling) -> None:
        super().__init__(document)
        self.spelling = spelling
        self.enabled = True
        self._format = QTextCharFormat()
        self._format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self._format.setUnderlineColor(QColor("#d00000"))

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        # Until the word list has loaded (off the GUI thread) nothing is underlined;
        # the service re-highlights every editor once it is in.
        if not self.enabled or not self.spelling.ready:
            return
        for start, length in self.spelling.misspelt(text):
            self.setFormat(start, length, self._format)


class SpellingService(QObject):
    """One checker per app, shared by every editor; the user's words kept in the vault."""

    #: the user's word list changed: editors re-underline
    words_changed = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx.events)
        self._ctx = ctx
        self.spelling = UkSpelling()
        self.enabled = bool(getattr(ctx.settings, "spell_check", True))
        ctx.events.unlocked.connect(self.load)
        if self.enabled:
            from ui.operations import run_job

            run_job(
                ctx,
                None,
                self.spelling.warm_up,
                lambda _: self.words_changed.emit(),
                on_error=lambda _exc: None,
            )  # a missing list only means no underlines
        ctx.events.locked.connect(self._forget)

    def _forget(self) -> None:
        self.spelling.set_user_words(())
        self.spelling.set_case_words(())

    def set_case(self, case: Any) -> None:
        """Know the names in ``case`` (None: no case open) and re-underline."""
        words = case_words(case) if case is not None else set()
        if words != self.spelling._case:
            self.spelling.set_case_words(words)
            self.words_changed.emit()

    def load(self) -> None:
        """Read the user's words from the vault (on the DB worker)."""
        from ui.operations import run_db

        run_db(
            self._ctx,
            None,
            lambda vault: list(vault.get_setting(USER_WORDS_SETTING, []) or []),
            self._loaded,
            on_error=lambda _exc: None,  # locked or no vault yet: the base list still works
        )

    def _loaded(self, words: list[str]) -> None:
        self.spelling.set_user_words(str(w) for w in words)
        self.words_changed.emit()

    def add_word(self, word: str) -> None:
        self.spelling.add_word(word)
        self.words_changed.emit()
        word = word.lower()

        def store(vault: Any) -> None:
            # Read-modify-write on the DB worker, so words added elsewhere are kept.
            words = set(vault.get_setting(USER_WORDS_SETTING, []) or [])
            words.add(word)
            vault.set_setting(USER_WORDS_SETTING, sorted(words))

        from ui.operations import run_db

        run_db(self._ctx, None, store)


def case_words(case: Any) -> set[str]:
    """The words of a case's own names: people, referees, pets and places."""
    texts: list[str] = [case.assessor_name]
    for a in case.applicants:
        texts += [
            a.first_name,
            a.last_name,
            *a.previous_names,
            a.place_of_birth,
            a.local_authority_area,
            a.address,
            a.marriage_place,
            a.gp_name,
            a.gp_address,
            a.nationality,
            a.religion,
            *a.languages,
            *(p.place for p in a.places_lived),
        ]
    for m in case.household:
        texts += [m.name, *(p.place for p in m.places_lived)]
    texts += [o.name for o in case.significant_others]
    texts += [r.referee_name for r in case.references]
    texts += [a.name for a in case.animals] + [a.breed for a in case.animals]
    texts += [c.place for c in case.stage1.checks if getattr(c, "place", "")]
    return {
        word.replace("’", "'").lower()
        for text in texts
        if text
        for _start, word in iter_words(str(text))
    }


_services: WeakKeyDictionary[Any, SpellingService] = WeakKeyDictionary()


def spelling_service(ctx: AppContext) -> SpellingService:
    """The context's spelling service, made (and its words loaded) on first use."""
    service = _services.get(ctx)
    if service is None:
        service = SpellingService(ctx)
        _services[ctx] = service
        service.load()
    return service
