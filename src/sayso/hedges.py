"""Hedges and distancing: the marks by which an author does not vouch for a claim.

"reportedly", "allegedly", "so-called", a distancing cue ("claimed", "what he describes
as") and scare quotes (a few words in quotation marks inside the reported content).
The hedge words of a document are found once; each attribution then takes those in the
stretch of text it covers.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from sayso import lexicon
from sayso.model import Attribution, Hedge, Span
from sayso.quotes import Quote
from sayso.spans import doc_text


class HedgeFinder:
    """The hedges of one document, handed out to the attributions they bear on."""

    def __init__(self, doc: Doc, quotes: list[Quote]) -> None:
        self.doc = doc
        text = doc_text(doc)
        self.words = [
            Span.of(text, t.idx, t.idx + len(t.text))
            for t in doc
            if t.lower_ in lexicon.HEDGE_WORDS
        ]
        lowered = text.lower()
        for phrase in lexicon.HEDGE_PHRASES:
            at = lowered.find(phrase)
            while at != -1:
                self.words.append(Span.of(text, at, at + len(phrase)))
                at = lowered.find(phrase, at + len(phrase))
        self.short_quotes = [Span.of(text, q.start, q.end) for q in quotes if q.is_short]

    def hedges_for(self, attribution: Attribution) -> list[Hedge]:
        """The hedges within the stretch an attribution covers, and its distancing cue."""
        spans = [s for s in (attribution.source, attribution.cue, attribution.content) if s]
        start = min(s.start for s in spans)
        end = max(s.end for s in spans)
        hedges = [Hedge("hedge", w) for w in self.words if start <= w.start and w.end <= end]
        cue = attribution.cue
        if cue is not None:
            cue_tokens = self.doc.char_span(cue.start, cue.end, alignment_mode="expand")
            if cue_tokens is not None and _distances(cue_tokens.root):
                hedges.append(Hedge("distancing", cue))
        content = attribution.content
        if content is not None and attribution.kind != "direct":
            hedges += [
                Hedge("scare_quote", q)
                for q in self.short_quotes
                if content.start <= q.start and q.end <= content.end
            ]
        return _unique(hedges)


def _distances(verb: Token) -> bool:
    """ "claimed", "allegedly said", or "what he describes as"."""
    lemma = verb.lemma_.lower()
    if lemma in lexicon.DISTANCING_CUES:
        return True
    return lemma in lexicon.WHAT_DISTANCING_CUES and any(
        child.dep_ == "dobj" and child.lower_ == "what" for child in verb.children
    )


def _unique(hedges: list[Hedge]) -> list[Hedge]:
    seen: set[tuple[str, int]] = set()
    kept = []
    for hedge in sorted(hedges, key=lambda h: h.span.start):
        key = (hedge.kind, hedge.span.start)
        if key not in seen:
            seen.add(key)
            kept.append(hedge)
    return kept
