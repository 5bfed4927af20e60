"""Hedges and distancing: the marks by which an author does not vouch for a claim.

"reportedly", "allegedly", "so-called", a distancing cue ("claimed", "what he describes
as") and scare quotes (a few words in quotation marks inside the reported content).
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from sayso import lexicon
from sayso.model import Attribution, Hedge, Span
from sayso.quotes import Quote


def hedges_for(doc: Doc, attribution: Attribution, quotes: list[Quote]) -> list[Hedge]:
    """The hedges that bear on one attribution, found in the stretch it covers."""
    spans = [s for s in (attribution.source, attribution.cue, attribution.content) if s]
    start = min(s.start for s in spans)
    end = max(s.end for s in spans)
    text = doc.text
    hedges: list[Hedge] = []
    region = doc.char_span(start, end, alignment_mode="expand")
    tokens = list(region) if region is not None else []
    for token in tokens:
        if token.lower_ in lexicon.HEDGE_WORDS:
            hedges.append(Hedge("hedge", Span.of(text, token.idx, token.idx + len(token))))
    lowered = text[start:end].lower()
    for phrase in lexicon.HEDGE_PHRASES:
        at = lowered.find(phrase)
        while at != -1:
            hedges.append(Hedge("hedge", Span.of(text, start + at, start + at + len(phrase))))
            at = lowered.find(phrase, at + len(phrase))
    cue = attribution.cue
    if cue is not None:
        cue_doc = doc.char_span(cue.start, cue.end, alignment_mode="expand")
        if cue_doc is not None and _distances(cue_doc.root):
            hedges.append(Hedge("distancing", cue))
    content = attribution.content
    if content is not None and attribution.kind != "direct":
        for quote in quotes:
            inside = content.start <= quote.start and quote.end <= content.end
            if inside and quote.is_short:
                hedges.append(Hedge("scare_quote", Span.of(text, quote.start, quote.end)))
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
