"""Attributions: who says what, through which cue, relayed by whom.

``find_attributions`` runs the rule finders of ``sayso.cues`` on each sentence, adds the cues
only the learned tagger sees, ties direct quotes to their speakers (``sayso.quote_speakers``)
and turns the ``Found`` records (``sayso.spans``) into ``Attribution`` objects whose chains run
from the first speaker through every relay, and through the speaker of any attribution whose
content holds them.
"""

from __future__ import annotations

from spacy.tokens import Doc
from spacy.tokens import Span as TokenSpan

from sayso import lexicon, tagger
from sayso.cues import (
    NOT_VERB_CUES,
    citing_origins,
    find_according_to,
    find_colon_statements,
    find_hedged_statements,
    find_noun_cues,
    find_verb_cues,
    quoted_by_relays,
)
from sayso.model import Attribution, Source, Span
from sayso.quote_speakers import attach_quotes, close_quotes
from sayso.quotes import Quote
from sayso.sources import SourceResolver, anonymous_source, registered_organisation, registry_of
from sayso.spans import Found, char_range, doc_text, overlaps

# Cues that only the learned tagger finds are kept from this marginal probability on
# (0.7: best relation F1 of 0.5, 0.7 and 0.85 on the last 120 PolNeAR training articles,
# held out from training).
TAGGED_CUE_CONFIDENCE = 0.7
# More "citing X" phrases than this in one sentence are a string of them, not one origin its
# sources share (``_add_sentence_relays``).
MAX_SHARED_ORIGINS = 3
# Links a chain keeps: news nests reported speech a few levels deep, only junk nests it
# thousands ("A said that B said that ..."), where every chain would hold all the levels
# above it. A longer chain keeps its first links and its outermost relay.
MAX_CHAIN_LINKS = 8


def find_attributions(
    doc: Doc, quotes: list[Quote], sentences: list[TokenSpan]
) -> list[Attribution]:
    """Every attribution in ``doc``, in reading order, with resolved chains.

    ``sentences`` is ``list(doc.sents)``, made once by the caller: spaCy rebuilds the
    sentences on every ``doc.sents``, and that dominated the component's time.
    """
    found: list[Found] = []
    for sent in sentences:
        in_sentence = list(find_verb_cues(doc, sent))
        in_sentence += find_according_to(doc, sent)
        in_sentence += find_noun_cues(doc, sent)
        in_sentence += find_colon_statements(doc, sent)
        cue_heads = {doc.char_span(*f.cue, alignment_mode="expand").root.i for f in in_sentence}
        hedged = find_hedged_statements(doc, sent, cue_heads)
        in_sentence += [h for h in hedged if not _inside_content(h.cue, in_sentence)]
        _add_sentence_relays(sent, in_sentence)
        found += _drop_nested_duplicates(in_sentence)
    found += find_tagged_cues(doc, found, sentences)
    found = attach_quotes(doc, quotes, found)
    found = [f for f in found if f.content is not None and f.content[0] < f.content[1]]
    text = doc_text(doc)
    for f in found:
        f.content = close_quotes(text, quotes, f.content)
    found.sort(key=lambda f: (f.content[0] if f.content else 0, f.cue[0]))
    return _to_attributions(doc, found, [sent.start for sent in sentences])


def find_tagged_cues(doc: Doc, found: list[Found], sentences: list[TokenSpan]) -> list[Found]:
    """Attributions whose cues only the learned tagger sees ("is backing", "called for")."""
    base = tagger.token_features(doc)
    known = [f.cue for f in found]
    extra = []
    for cue in tagger.predict_cues(doc, base, sentences, TAGGED_CUE_CONFIDENCE):
        chars = (doc[cue[0]].idx, doc[cue[-1]].idx + len(doc[cue[-1]].text))
        if any(overlaps(chars, other) for other in known):
            continue
        lemma = tagger.cue_root(doc, cue).lemma_.lower()
        if lemma in NOT_VERB_CUES or lemma in lexicon.NON_SPEECH_LEMMAS:
            continue
        sources, contents = tagger.predict_roles(doc, base, sentences, cue)
        if not contents or not sources:
            # A cue with nobody saying it is, for the tagger, mostly the author's framing.
            continue
        content = max(contents, key=lambda span: span[1] - span[0])
        extra.append(
            Found(
                cue=chars,
                content=char_range(doc, *content),
                source=sources[0],
            )
        )
    return extra


def _inside_content(span: tuple[int, int], found: list[Found]) -> bool:
    return any(f.content and f.content[0] <= span[0] and span[1] <= f.content[1] for f in found)


def _add_sentence_relays(sent: TokenSpan, found: list[Found]) -> None:
    """Apply "citing X" and "X, quoted by Y" to the attributions of their sentence."""
    origins = citing_origins(sent)
    quoted_by = quoted_by_relays(sent)
    for f in found:
        if f.source is not None:
            source_tokens = set(range(*f.source))
            f.relays += [relay for head, relay in quoted_by.items() if head in source_tokens]
            own = [o for o in origins if not set(range(*o)) & source_tokens]
            if len(origins) > MAX_SHARED_ORIGINS:
                # Not one "citing X" a sentence's sources share but a string of them: each
                # source gets the one right after it (else every source of a run-on text
                # would carry every origin in it).
                own = [o for o in own if o[0] >= f.source[1]][:1]
            f.origins += own


def _drop_nested_duplicates(found: list[Found]) -> list[Found]:
    """Keep one record per cue, where two finders reached the same one."""
    seen: set[tuple[int, int]] = set()
    kept = []
    for f in found:
        if f.cue in seen:
            continue
        seen.add(f.cue)
        kept.append(f)
    return kept


def _to_attributions(doc: Doc, found: list[Found], sentence_starts: list[int]) -> list[Attribution]:
    resolver = SourceResolver(doc, sentence_starts)
    text = doc_text(doc)
    attributions: list[Attribution] = []
    # the relays of the last chain that began with each source's name (``_relays_named_before``)
    relayed: dict[str, list[Source]] = {}
    for number, f in enumerate(found, start=1):
        chain: list[Source] = [resolver.resolve(*o) for o in f.origins]
        if f.source is not None:
            chain.append(resolver.resolve(*f.source))
        elif f.anonymous:
            chain.append(anonymous_source(f.anonymous))
        chain += [resolver.resolve(*r) for r in f.relays if _is_outlet(doc, r)]
        if len(chain) == 1:
            chain += _relays_named_before(chain[0], relayed)
        source_span = None
        if f.source is not None:
            source_tokens = doc[f.source[0] : f.source[1]]
            source_span = Span.of(text, source_tokens.start_char, source_tokens.end_char)
        assert f.content is not None
        chain = _dedupe_chain(chain)
        attributions.append(
            Attribution(
                id=f"a{number}",
                source=source_span,
                cue=Span.of(text, *f.cue),
                content=Span.of(text, *f.content),
                chain=chain,
                kind=f.kind,
            )
        )
        if len(chain) > 1:
            relayed[chain[0].name] = chain[1:]
    _nest_chains(attributions)
    return attributions


def _is_outlet(doc: Doc, mention: tuple[int, int]) -> bool:
    """Whether a relay ("told X") names an outlet or organisation, not a person: "told
    Izvestia", "told the regional newspaper", but not "told reporters"."""
    span = doc[mention[0] : mention[1]]
    head = span.root
    if head.lemma_.lower() in lexicon.OUTLET_NOUNS:
        return True
    words = [t.text for t in span if not t.is_punct]
    if registered_organisation(words, registry_of(doc)) is not None:
        return True
    return any(t.ent_type_ in ("ORG", "GPE", "NORP") for t in span) or (
        head.pos_ == "PROPN" and head.ent_type_ != "PERSON"
    )


def _nest_chains(attributions: list[Attribution]) -> None:
    """An attribution reported inside another's content reaches us through that speaker:
    in "The minister said that X, officials confirmed" the minister's chain is
    [minister, officials]. Hosts are done before what they hold, so a chain reaches
    through every level: "A said that B confirmed that C said X" gives C [C, B, A]."""
    outermost_first = sorted(attributions, key=lambda a: -_length(a.content))
    for inner in outermost_first:
        anchor = inner.source or inner.cue
        if anchor is None:
            continue
        hosts = [
            a
            for a in outermost_first
            if a is not inner
            and a.content is not None
            and a.content.start <= anchor.start
            and anchor.end <= a.content.end
        ]
        if hosts:
            host = min(hosts, key=lambda a: _length(a.content))
            chain = _dedupe_chain(inner.chain + host.chain)
            if len(chain) > MAX_CHAIN_LINKS:
                chain = chain[: MAX_CHAIN_LINKS - 1] + chain[-1:]
            inner.chain = chain


def _length(span: Span | None) -> int:
    return span.end - span.start if span else 0


def _relays_named_before(origin: Source, relayed: dict[str, list[Source]]) -> list[Source]:
    """Relays this article already gave for the same source (``relayed``: the relays of the
    last earlier chain that began with each name): after "According to RIA, citing
    Marochko, ...", "Marochko detailed ..." still reaches us through RIA. The links keep the
    mentions where the article named them."""
    if origin.kind not in ("person", "organisation"):
        return []
    return list(relayed.get(origin.name, ()))


def _dedupe_chain(chain: list[Source]) -> list[Source]:
    """Drop a link that repeats the one before it (an outlet citing itself)."""
    kept: list[Source] = []
    for link in chain:
        if kept and kept[-1].name == link.name:
            continue
        kept.append(link)
    return kept
