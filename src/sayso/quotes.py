"""Direct quotations: find every quoted stretch of text, whatever the quote style.

Works on characters, not tokens, so it needs no parse and is robust to the parser's
mistakes; the attribution stage then ties each quote to a speaker. Handles the English
convention for quotes over several paragraphs (each paragraph reopens the quote and only
the last one closes it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Opening mark -> the closing marks that may end it. „ closes with “ (German) or ” (Polish).
PAIRED_MARKS: dict[str, str] = {"“": "”", "«": "»", "„": "“”", "‹": "›", "‘": "’"}
STRAIGHT_MARKS = ('"',)
# A quote longer than this many characters without a close is treated as a stray mark.
MAX_QUOTE_CHARS = 6000
# Quotes of at most this many words are names, titles or scare quotes, not speech.
SHORT_QUOTE_WORDS = 3

_WORD = re.compile(r"\w+(?:[’'-]\w+)*")


@dataclass(frozen=True)
class Quote:
    """A quotation: ``start``/``end`` include the marks; ``inner_*`` exclude them."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    words: int

    @property
    def is_short(self) -> bool:
        return self.words <= SHORT_QUOTE_WORDS


def _is_opening_single(text: str, i: int) -> bool:
    """‘ opens a quote only after a space or bracket, never inside a word (‘90s aside)."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-:") and after.isalpha()


def _is_opening_straight(text: str, i: int) -> bool:
    """A straight " opens a quote at the start of a word, not after one (the 6'2" guard)."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-:") and not after.isspace()


def _is_closing_single(text: str, i: int) -> bool:
    """’ closes a quote when not inside a word (it’s); after an s it is read as a plural
    possessive (the players’ union) unless punctuation follows."""
    after = text[i + 1] if i + 1 < len(text) else " "
    before = text[i - 1] if i > 0 else " "
    if after.isalnum() or before.isspace():
        return False
    return before != "s" or after in ",.;:!?)"


def _find_close(text: str, opener: str, start: int) -> int | None:
    """Index of the mark that closes the quote opened at ``start``, across paragraphs."""
    closers = STRAIGHT_MARKS[0] if opener in STRAIGHT_MARKS else PAIRED_MARKS[opener]
    limit = min(len(text), start + MAX_QUOTE_CHARS)
    i = start + 1
    while i < limit:
        ch = text[i]
        closes = ch in closers and (opener != "‘" or _is_closing_single(text, i))
        if closes and (opener != '"' or not text[i - 1].isspace()):
            return i
        if ch == "\n" and text.startswith("\n\n", i):
            # A new paragraph either reopens the quote (continuation) or ends a stray mark.
            j = i + 2
            while j < limit and text[j] in " \t\n":
                j += 1
            if j >= limit or text[j] != opener:
                return None
            i = j
        i += 1
    return None


def find_quotes(text: str) -> list[Quote]:
    """All quotations in ``text``, outermost only, in order of their start."""
    quotes: list[Quote] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        opens = ch in PAIRED_MARKS or ch in STRAIGHT_MARKS
        if (ch == "‘" and not _is_opening_single(text, i)) or (
            ch == '"' and not _is_opening_straight(text, i)
        ):
            opens = False
        if not opens:
            i += 1
            continue
        close = _find_close(text, ch, i)
        if close is None:
            i += 1
            continue
        inner = text[i + 1 : close]
        quotes.append(Quote(i, close + 1, i + 1, close, len(_WORD.findall(inner))))
        i = close + 1
    return quotes
