"""Direct quotes tied to their speakers.

A quote becomes the content of the cue in its sentence, of a cue right beside it
("“We are ready,” she said."), of a colon or dash before it, or, for a continuation quote, of
the speaker of the previous attribution; contents that stop just short of a closing quote
mark are widened to it.
"""

from __future__ import annotations

from spacy.tokens import Doc

from sayso.quotes import Quote
from sayso.spans import Found, doc_text, overlaps

# A quote shorter than this many words is not taken as the content of a speech verb.
MIN_QUOTE_CONTENT_WORDS = 4


def attach_quotes(doc: Doc, quotes: list[Quote], found: list[Found]) -> list[Found]:
    """Make quotes the content of their cue, or continuation quotes of the last speaker."""
    long_quotes = [q for q in quotes if q.words >= MIN_QUOTE_CONTENT_WORDS]
    text = doc_text(doc)
    extra: list[Found] = []
    taken = _attach_adjacent_quotes(doc, long_quotes, found)
    for quote in long_quotes:
        if quote in taken:
            continue
        owners = [f for f in found if f.content and overlaps(f.content, (quote.start, quote.end))]
        if owners:
            for owner in owners:
                _merge_quote(owner, quote)
            continue
        introducer = _colon_introducer(text, found, quote)
        if introducer is not None:
            introducer.content = (quote.start, quote.end)
            introducer.kind = "direct"
            continue
        previous = [f for f in found + extra if f.cue[1] <= quote.start]
        if previous:
            last = max(previous, key=lambda f: f.cue[1])
            if _interrupted_quote(doc, text, last, quote):
                assert last.content is not None
                last.content = (last.content[0], quote.end)
                continue
            extra.append(
                Found(
                    cue=last.cue,
                    content=(quote.start, quote.end),
                    source=last.source,
                    kind="direct",
                    relays=list(last.relays),
                    origins=list(last.origins),
                    anonymous=last.anonymous,
                )
            )
    return found + extra


def _attach_adjacent_quotes(doc: Doc, quotes: list[Quote], found: list[Found]) -> set[Quote]:
    """Give a cue with no content of its own the quotes right beside it.

    “We are ready,” she said. — and — He added: “We are ready.” — the quote before the
    source and cue, the one after, or both when the speech runs on around them.
    """
    taken: set[Quote] = set()
    text = doc_text(doc)
    for f in found:
        if f.content is not None or f.source is None:
            continue
        source = doc[f.source[0] : f.source[1]]
        start = min(f.cue[0], source.start_char)
        end = max(f.cue[1], source.end_char)
        before = next((q for q in reversed(quotes) if q.end <= start), None)
        after = next((q for q in quotes if q.start >= end), None)
        if before is not None and not _only_punctuation(text[before.end : start]):
            before = None
        if after is not None and not _introduces(text[end : after.start]):
            after = None
        if before is None and after is None:
            continue
        first, last = before or after, after or before
        assert first is not None and last is not None
        f.content = (first.start, last.end)
        f.kind = "direct"
        taken.update(q for q in (before, after) if q is not None)
    return taken


def _introduces(gap: str) -> bool:
    """The gap from a cue to its quote: punctuation, or a colon then a new paragraph."""
    return _only_punctuation(gap) or gap.strip() == ":"


def _only_punctuation(gap: str) -> bool:
    """A gap between a quote and its cue: punctuation and spaces, within one paragraph."""
    return "\n\n" not in gap and not _has_words(gap)


def close_quotes(
    text: str, quotes: list[Quote], content: tuple[int, int] | None
) -> tuple[int, int] | None:
    """Widen a content to the quote marks it stops just short of: to “take America back.”"""
    if content is None:
        return None
    start, end = content
    for quote in quotes:
        if start <= quote.start < end < quote.end and not _has_words(text[end : quote.end]):
            end = quote.end
        if quote.start < start < quote.end <= end and not _has_words(text[quote.start : start]):
            start = quote.start
    return start, end


def _has_words(gap: str) -> bool:
    return any(ch.isalnum() for ch in gap)


def _interrupted_quote(doc: Doc, text: str, last: Found, quote: Quote) -> bool:
    """One speech in two quotes of a paragraph, split only by its cue and source.

    “We will not retreat,” the general said, “and we will fight.” and “We hold,” she said.
    “We will go on.” are each one content, as PolNeAR annotates them.
    """
    if last.content is None or last.kind != "direct" or last.content[1] > quote.start:
        return False
    covered = set(range(*last.cue))
    if last.source is not None:
        source = doc[last.source[0] : last.source[1]]
        covered |= set(range(source.start_char, source.end_char))
    gap = range(last.content[1], quote.start)
    if "\n" in text[gap.start : gap.stop]:
        return False
    return all(i in covered or not text[i].isalnum() for i in gap)


def _merge_quote(owner: Found, quote: Quote) -> None:
    assert owner.content is not None
    start, end = owner.content
    if quote.start <= start + 1 and quote.end >= end - 1:
        owner.content = (quote.start, quote.end)
        owner.kind = "direct"
    elif start <= quote.start and end >= quote.end:
        owner.kind = "mixed"
    else:
        owner.content = (min(start, quote.start), max(end, quote.end))
        owner.kind = "mixed"


def _colon_introducer(text: str, found: list[Found], quote: Quote) -> Found | None:
    """A cue whose sentence ends in a colon or dash right before the quote."""
    before = text[max(0, quote.start - 4) : quote.start].strip()
    if not before.endswith((":", "—", "–")):
        return None
    previous = [f for f in found if f.cue[1] <= quote.start and quote.start - f.cue[1] < 200]
    return max(previous, key=lambda f: f.cue[1]) if previous else None
