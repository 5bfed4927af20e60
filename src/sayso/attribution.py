"""Attributions: who says what, through which cue, relayed by whom.

Rules on spaCy's dependency parse, one small function per construction:

- verbs of saying ("X said (that) ...", "X told Y ...", "it was reported that ...",
  "X is said to ...", "as X put it", "“...,” he said");
- "according to X", with relays from "citing Y";
- nouns of saying ("X's statement that ...");
- hedging adverbs with no named source ("were reportedly caught ...");
- direct quotes, tied to the cue in their sentence, to a colon before them, or, for
  continuation quotes, to the speaker of the previous attribution.

Each finder yields ``Found`` records in token offsets; ``find_attributions`` turns them into
``Attribution`` objects with resolved chains.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from sayso import lexicon, tagger
from sayso.model import Attribution, AttributionKind, Source, Span
from sayso.quotes import Quote
from sayso.sources import SourceResolver, anonymous_source

# Dependency labels whose subtrees are not part of a source's noun phrase.
NP_EXCLUDED_DEPS = frozenset("""relcl acl advcl ccomp parataxis punct cc conj case""".split())
# Verb lemmas handled by their own rules ("according to", "citing X"), not as speech verbs.
NOT_VERB_CUES = frozenset(("accord", "cite"))
# Modifiers written before a verb cue that belong to it ("has also said", "did not deny").
CUE_MODIFIER_DEPS = frozenset(("aux", "auxpass", "neg", "advmod"))
# Verbs that report only in the impersonal passive ("it is believed that ...").
IMPERSONAL_PASSIVE_CUES = frozenset(
    """believe think understand expect rumour rumor know claim allege report say suggest
    fear""".split()
)
CLAUSE_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
CONTENT_DEPS = ("ccomp",)
# A quote shorter than this many words is not taken as the content of a speech verb.
MIN_QUOTE_CONTENT_WORDS = 4
# Prefix of a headline or sentence ("..., Agency Reports") long enough to be content.
MIN_PREFIX_CONTENT_TOKENS = 3
# "Name: statement" headlines: at most this many tokens before the colon, and more than
# this many after it.
MAX_COLON_SOURCE_TOKENS = 5
MIN_COLON_CONTENT = 3
# Cues that only the learned tagger finds are kept from this marginal probability on
# (0.7: best relation F1 of 0.5, 0.7 and 0.85 on the last 120 PolNeAR training articles,
# held out from training).
TAGGED_CUE_CONFIDENCE = 0.7
EDGE_PUNCT = frozenset(",;:—–-()[]") | {"\n"}


@dataclass
class Found:
    """One attribution as found, in token (source, relays) and character (cue, content) terms."""

    cue: tuple[int, int]
    content: tuple[int, int] | None
    source: tuple[int, int] | None
    kind: AttributionKind = "indirect"
    relays: list[tuple[int, int]] = field(default_factory=list)
    origins: list[tuple[int, int]] = field(default_factory=list)
    anonymous: str | None = None


def noun_phrase(token: Token) -> tuple[int, int]:
    """Token range of the noun phrase headed by ``token``, without clauses hanging off it."""
    left = right = token.i
    for child in token.children:
        if child.dep_ in NP_EXCLUDED_DEPS:
            continue
        if child.dep_ == "appos" or (child.dep_ == "prep" and child.i > token.i):
            sub = list(child.subtree)
            if any(t.dep_ in ("relcl", "acl") for t in sub):
                continue
        sub_start, sub_end = child.left_edge.i, child.right_edge.i
        if child.i < token.i:
            left = min(left, sub_start)
        else:
            right = max(right, sub_end)
    doc = token.doc
    while left < right and (doc[left].is_punct or doc[left].is_space):
        left += 1
    while right > left and (doc[right].is_punct or doc[right].is_space):
        right -= 1
    return left, right + 1


def char_range(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Character range of tokens ``start:end``, trimmed of edge punctuation and space."""
    while start < end and (doc[start].is_space or doc[start].text in EDGE_PUNCT):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in EDGE_PUNCT | {"."}):
        end -= 1
    if start >= end:
        return doc[start].idx, doc[start].idx
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


def clause_without(head: Token, excluded: set[int]) -> tuple[int, int] | None:
    """Token range of ``head``'s clause, minus the excluded tokens at its edges."""
    tokens = [t.i for t in head.subtree if t.i not in excluded]
    if not tokens:
        return None
    # Keep the contiguous run around the head: an excluded stretch in the middle splits it.
    start = end = head.i
    kept = set(tokens)
    while start - 1 in kept:
        start -= 1
    while end + 1 in kept:
        end += 1
    return start, end + 1


def cue_range(verb: Token, sent: TokenSpan) -> tuple[int, int]:
    """Characters of a verb cue with its auxiliaries and negation: "did not mention"."""
    doc = verb.doc
    left = verb.i
    while left > sent.start:
        before = doc[left - 1]
        attached = before.head.i == verb.i and before.dep_ in CUE_MODIFIER_DEPS
        if not attached or before.lower_ in lexicon.HEDGE_WORDS:
            break
        left -= 1
    right = verb.i
    after = doc[right + 1] if right + 1 < len(doc) else None
    if (
        after is not None
        and after.head.i == verb.i
        and after.ent_type_ == "DATE"
        and after.dep_ == "npadvmod"
    ):
        right += 1
    return doc[left].idx, doc[right].idx + len(doc[right].text)


def _subject(verb: Token) -> Token | None:
    """The subject of a verb, climbing through conjoined and open-complement verbs."""
    current: Token | None = verb
    for _ in range(4):
        if current is None:
            return None
        subjects = [c for c in current.children if c.dep_ in CLAUSE_SUBJECTS]
        if subjects:
            before = [c for c in subjects if c.i < current.i]
            return before[-1] if before else subjects[0]
        if current.dep_ == "acl" and current.tag_ == "VBG" and current.head.pos_ != "VERB":
            # "voters saying they want a ban": the noun the participle hangs off.
            return current.head
        if current.dep_ == "pcomp" and current.head.head is not current.head:
            # "After saying he was nervous, the man ...": the subject of the main clause.
            current = current.head.head
        elif current.dep_ in ("conj", "xcomp", "advcl") and current.head is not current:
            current = current.head
        else:
            return None
    return None


def can_speak(token: Token) -> bool:
    """Whether a noun phrase head can be a source, ruling out abstract nouns.

    "Putin's emphasis on peace underscores ...": the parse puts an abstract subject before a
    verb of saying; people, organisations, documents and polls all pass.
    """
    if token.pos_ != "NOUN" or token.ent_type_:
        return True
    lemma = token.lemma_.lower()
    if lemma in lexicon.DOCUMENT_NOUNS or lemma in lexicon.CUE_NOUNS:
        return True
    return lemma not in lexicon.ABSTRACT_NOUNS and not lemma.endswith(lexicon.ABSTRACT_SUFFIXES)


def _impersonal_passive(verb: Token) -> bool:
    """ "It is believed that ...": a reporting verb in the passive with an empty subject."""
    return verb.lemma_.lower() in IMPERSONAL_PASSIVE_CUES and any(
        c.dep_ == "nsubjpass" and c.lower_ == "it" for c in verb.children
    )


def _as_put_it(verb: Token) -> bool:
    """ "..., as one officer put it": the clause it hangs off is the content."""
    return (
        verb.lemma_ == "put"
        and any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children)
        and any(c.dep_ == "dobj" and c.lower_ == "it" for c in verb.children)
    )


def _agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            return next((t for t in child.children if t.dep_ == "pobj"), None)
    return None


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)


def _relay_targets(verb: Token) -> list[Token]:
    """Who relays the words: "told RIA", "in an interview with Izvestia", "speaking to TASS"."""
    relays: list[Token] = []
    for child in verb.children:
        if verb.lemma_ == "tell" and child.dep_ in ("dative", "dobj"):
            relays.append(child)
        if child.dep_ == "prep" and child.lower_ in ("in", "to", "with"):
            for pobj in (t for t in child.children if t.dep_ == "pobj"):
                if pobj.lemma_ == "interview":
                    relays.extend(_interview_partner(pobj))
                elif child.lower_ in ("to", "with") and verb.lemma_ in ("speak", "talk"):
                    relays.append(pobj)
    return relays


def _interview_partner(interview: Token) -> list[Token]:
    for prep in interview.children:
        if prep.dep_ == "prep" and prep.lower_ in ("with", "to"):
            return [t for t in prep.children if t.dep_ == "pobj"]
    return []


def _content_of_verb(verb: Token) -> tuple[Token | None, str]:
    """The clause or phrase a speech verb reports, and how it was found."""
    for child in verb.children:
        if child.dep_ in CONTENT_DEPS:
            return child, "ccomp"
    for child in verb.children:
        if child.lemma_ == "cite" and child.dep_ == "advcl":
            clause = next((c for c in child.children if c.dep_ in CONTENT_DEPS), None)
            if clause is not None:
                return clause, "ccomp"
    if verb.lemma_.lower() in lexicon.NP_CONTENT_VERBS:
        for child in verb.children:
            if child.dep_ == "dobj" and child.lower_ not in ("what", "it", "this", "that"):
                return child, "dobj"
        for child in verb.children:
            if child.dep_ == "prep" and child.lower_ == "as":
                pobj = next((t for t in child.children if t.dep_ == "pobj"), None)
                if pobj is not None:
                    return pobj, "as"
    return None, ""


def find_verb_cues(doc: Doc, sent: TokenSpan) -> Iterator[Found]:
    """Reported speech around a verb of saying."""
    cues = lexicon.cue_lemmas()
    for verb in sent:
        if verb.pos_ not in ("VERB", "AUX"):
            continue
        lemma = verb.lemma_.lower()
        if lemma not in cues and not _impersonal_passive(verb) and not _as_put_it(verb):
            continue
        if verb.lemma_.lower() in NOT_VERB_CUES:
            continue
        if verb.tag_ == "VBG" and verb.dep_ in ("amod", "compound"):
            continue
        found = _verb_attribution(doc, sent, verb)
        if found is not None:
            yield found


def _verb_attribution(doc: Doc, sent: TokenSpan, verb: Token) -> Found | None:
    cue = cue_range(verb, sent)
    subject = _subject(verb)
    passive = _is_passive(verb)
    source_tok = _agent(verb) if passive else subject
    content_tok, how = _content_of_verb(verb)
    anonymous = None
    content: tuple[int, int] | None = None
    if passive and source_tok is None:
        anonymous = "unnamed source"
        if subject is not None and subject.lower_ not in ("it", "this") and how != "ccomp":
            # "X is said to have ...": the subject and its complement are the content.
            xcomp = next((c for c in verb.children if c.dep_ == "xcomp"), None)
            if xcomp is not None:
                content = char_range(doc, subject.left_edge.i, xcomp.right_edge.i + 1)
    if (
        source_tok is not None
        and source_tok.dep_ == "nsubj"
        and source_tok.lower_
        in (
            "who",
            "that",
            "which",
        )
    ):
        source_tok = verb.head if verb.dep_ == "relcl" else source_tok
    if content is None and content_tok is not None:
        if how == "dobj" and verb.lemma_ in ("describe", "call"):
            as_prep = next((c for c in verb.children if c.lower_ == "as"), None)
            end = as_prep.right_edge.i + 1 if as_prep is not None else content_tok.right_edge.i + 1
            content = char_range(doc, content_tok.left_edge.i, end)
        else:
            content = char_range(doc, content_tok.left_edge.i, content_tok.right_edge.i + 1)
    if content is None:
        content = _content_around(doc, sent, verb, source_tok)
    if content is not None and content[0] >= content[1]:
        return None
    if content is None and source_tok is None:
        return None
    if source_tok is None and anonymous is None:
        return None
    if source_tok is not None and not can_speak(source_tok):
        return None
    source = noun_phrase(source_tok) if source_tok is not None else None
    relays = [noun_phrase(t) for t in _relay_targets(verb)]
    return Found(cue=cue, content=content, source=source, relays=relays, anonymous=anonymous)


def _content_around(
    doc: Doc, sent: TokenSpan, verb: Token, source_tok: Token | None
) -> tuple[int, int] | None:
    """Content of a verb with no complement: "as X put it", "..., he said", "X said:"."""
    verb_tokens = {t.i for t in verb.subtree}
    if verb.dep_ in ("parataxis", "advcl", "conj") and verb.head is not verb:
        head = verb.head
        if verb.dep_ == "advcl" and not any(c.lower_ == "as" for c in verb.children):
            return None
        if verb.dep_ == "conj" and not _is_parenthetical(verb):
            return None
        clause = clause_without(head, verb_tokens)
        if clause:
            return char_range(doc, *clause)
    if verb.dep_ == "ROOT" and source_tok is not None:
        # "Headline text here, Agency Reports" or "“...,” she said": content before the source.
        first = min(verb.left_edge.i, source_tok.left_edge.i)
        if first == sent.start and source_tok.i < verb.i:
            # A headline whose parse hangs its content on the verb too: "X Happened, TASS Says".
            first = source_tok.left_edge.i
        if first - sent.start >= MIN_PREFIX_CONTENT_TOKENS:
            return char_range(doc, sent.start, first)
        # "The army will win, he said" parsed with the clause after the verb.
        after = [c for c in verb.children if c.i > verb.i and c.dep_ in ("dobj", "xcomp")]
        if after and verb.lemma_ != "tell":
            return char_range(doc, after[0].left_edge.i, after[0].right_edge.i + 1)
    return None


def _is_parenthetical(verb: Token) -> bool:
    """A cue set off by commas or a quote mark: "The army, he said, will win"."""
    doc = verb.doc
    left = verb.left_edge.i
    return left > 0 and doc[left - 1].text in (",", "”", '"', "’")


def find_according_to(doc: Doc, sent: TokenSpan) -> Iterator[Found]:
    """ "According to X, ..." and "..., according to X"."""
    for tok in sent:
        if tok.lower_ != "according" or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
            continue
        to = doc[tok.i + 1]
        pobj = next((t for t in to.children if t.dep_ == "pobj"), None)
        if pobj is None:
            pobj = next((t for t in tok.children if t.dep_ == "pobj"), None)
        if pobj is None:
            continue
        phrase = {t.i for t in tok.subtree} | {t.i for t in to.subtree}
        head = tok.head if tok.head is not tok else sent.root
        while head.dep_ not in ("ROOT",) and head.pos_ not in ("VERB", "AUX"):
            head = head.head
        clause = clause_without(head, phrase | _citing_phrases(sent))
        if clause is None:
            continue
        yield Found(
            cue=(tok.idx, to.idx + len(to.text)),
            content=char_range(doc, *clause),
            source=noun_phrase(pobj),
        )


def _citing_phrases(sent: TokenSpan) -> set[int]:
    tokens: set[int] = set()
    for tok in sent:
        if tok.lemma_ == "cite" and tok.tag_ == "VBG":
            tokens.update(t.i for t in tok.subtree)
            if tok.i > sent.start and tok.doc[tok.i - 1].text == ",":
                tokens.add(tok.i - 1)
    return tokens


def citing_origins(sent: TokenSpan) -> list[tuple[int, int]]:
    """Noun phrases after "citing" in a sentence: the origins behind its relays."""
    origins = []
    for tok in sent:
        if tok.lemma_ == "cite" and tok.tag_ == "VBG":
            obj = next((c for c in tok.children if c.dep_ in ("dobj", "pobj")), None)
            if obj is not None:
                origins.append(noun_phrase(obj))
    return origins


def quoted_by_relays(sent: TokenSpan) -> dict[int, tuple[int, int]]:
    """ "X, quoted by Y": the head token of X mapped to the noun phrase of Y."""
    relays = {}
    for tok in sent:
        if tok.lower_ == "quoted" and tok.dep_ == "acl":
            agent = _agent(tok)
            if agent is not None:
                relays[tok.head.i] = noun_phrase(agent)
    return relays


def find_noun_cues(doc: Doc, sent: TokenSpan) -> Iterator[Found]:
    """ "X's statement that ...", "claims by X that ..."."""
    for noun in sent:
        if noun.pos_ != "NOUN" or noun.lower_ not in lexicon.CUE_NOUNS:
            continue
        clause = next((c for c in noun.children if c.dep_ in ("acl", "ccomp", "relcl")), None)
        if clause is None or not any(
            c.lower_ == "that" and c.dep_ == "mark" for c in clause.children
        ):
            continue
        owner = next((c for c in noun.children if c.dep_ == "poss"), None)
        if owner is None:
            by = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "by"), None)
            owner = next((t for t in by.children if t.dep_ == "pobj"), None) if by else None
        yield Found(
            cue=(noun.idx, noun.idx + len(noun.text)),
            content=char_range(doc, clause.left_edge.i, clause.right_edge.i + 1),
            source=noun_phrase(owner) if owner is not None else None,
            anonymous=None if owner is not None else "unnamed source",
        )


def find_colon_statements(doc: Doc, sent: TokenSpan) -> Iterator[Found]:
    """Headline style "Graham: Trump's rhetoric is destroying the party"."""
    colon = next((t for t in sent if t.text == ":"), None)
    if colon is None or not 0 < colon.i - sent.start <= MAX_COLON_SOURCE_TOKENS:
        return
    speaker = doc[sent.start : colon.i]
    if any(t.pos_ in ("VERB", "AUX") for t in speaker) or not can_speak(speaker.root):
        return
    if speaker.root.pos_ not in ("PROPN", "NOUN") or sent.end - colon.i <= MIN_COLON_CONTENT:
        return
    yield Found(
        cue=(colon.idx, colon.idx + 1),
        content=char_range(doc, colon.i + 1, sent.end),
        source=(sent.start, colon.i),
    )


def find_hedged_statements(doc: Doc, sent: TokenSpan, cue_heads: set[int]) -> Iterator[Found]:
    """ "... were reportedly caught ...": a hedge adverb stands in for an unnamed source."""
    for tok in sent:
        if tok.lower_ not in lexicon.HEDGE_WORDS or tok.head.i in cue_heads:
            continue
        head = tok.head
        clause = clause_without(head, _conjoined_clauses(head))
        if clause is None:
            continue
        yield Found(
            cue=(tok.idx, tok.idx + len(tok.text)),
            content=char_range(doc, *clause),
            source=None,
            anonymous="unnamed source",
        )


def _conjoined_clauses(verb: Token) -> set[int]:
    """Tokens of clauses joined to ``verb`` by "and"/"but", with the conjunction itself."""
    tokens: set[int] = set()
    for child in verb.children:
        if child.dep_ == "conj" and child.pos_ in ("VERB", "AUX"):
            tokens.update(t.i for t in child.subtree)
        elif child.dep_ == "cc":
            tokens.add(child.i)
    return tokens


def attach_quotes(doc: Doc, quotes: list[Quote], found: list[Found]) -> list[Found]:
    """Make quotes the content of their cue, or continuation quotes of the last speaker."""
    long_quotes = [q for q in quotes if q.words >= MIN_QUOTE_CONTENT_WORDS]
    extra: list[Found] = []
    taken = _attach_adjacent_quotes(doc, long_quotes, found)
    for quote in long_quotes:
        if quote in taken:
            continue
        owners = [f for f in found if f.content and _overlaps(f.content, (quote.start, quote.end))]
        if owners:
            for owner in owners:
                _merge_quote(owner, quote)
            continue
        introducer = _colon_introducer(doc, found, quote)
        if introducer is not None:
            introducer.content = (quote.start, quote.end)
            introducer.kind = "direct"
            continue
        previous = [f for f in found + extra if f.cue[1] <= quote.start]
        if previous:
            last = max(previous, key=lambda f: f.cue[1])
            if _interrupted_quote(doc, last, quote):
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
    text = doc.text
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


def _close_quotes(
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


def _interrupted_quote(doc: Doc, last: Found, quote: Quote) -> bool:
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
    text = doc.text
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


def _colon_introducer(doc: Doc, found: list[Found], quote: Quote) -> Found | None:
    """A cue whose sentence ends in a colon or dash right before the quote."""
    before = doc.text[max(0, quote.start - 4) : quote.start].strip()
    if not before.endswith((":", "—", "–")):
        return None
    previous = [f for f in found if f.cue[1] <= quote.start and quote.start - f.cue[1] < 200]
    return max(previous, key=lambda f: f.cue[1]) if previous else None


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


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
    text = doc.text
    for f in found:
        f.content = _close_quotes(text, quotes, f.content)
    found.sort(key=lambda f: (f.content[0] if f.content else 0, f.cue[0]))
    return _to_attributions(doc, found, [sent.start for sent in sentences])


def find_tagged_cues(doc: Doc, found: list[Found], sentences: list[TokenSpan]) -> list[Found]:
    """Attributions whose cues only the learned tagger sees ("is backing", "called for")."""
    base = tagger.token_features(doc)
    known = [f.cue for f in found]
    extra = []
    for cue in tagger.predict_cues(doc, base, sentences, TAGGED_CUE_CONFIDENCE):
        chars = (doc[cue[0]].idx, doc[cue[-1]].idx + len(doc[cue[-1]].text))
        if any(_overlaps(chars, other) for other in known):
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
            f.origins += [o for o in origins if not set(range(*o)) & source_tokens]


def _drop_nested_duplicates(found: list[Found]) -> list[Found]:
    """Keep one record per cue; a "citing" verb is a relay, not an attribution of its own."""
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
    text = doc.text
    attributions: list[Attribution] = []
    for number, f in enumerate(found, start=1):
        chain: list[Source] = [resolver.resolve(*o) for o in f.origins]
        if f.source is not None:
            chain.append(resolver.resolve(*f.source))
        elif f.anonymous:
            chain.append(anonymous_source(f.anonymous))
        chain += [resolver.resolve(*r) for r in f.relays if _is_outlet(doc, r)]
        if len(chain) == 1:
            chain += _relays_named_before(chain[0], attributions)
        source_span = None
        if f.source is not None:
            source_tokens = doc[f.source[0] : f.source[1]]
            source_span = Span.of(text, source_tokens.start_char, source_tokens.end_char)
        assert f.content is not None
        attributions.append(
            Attribution(
                id=f"a{number}",
                source=source_span,
                cue=Span.of(text, *f.cue),
                content=Span.of(text, *f.content),
                chain=_dedupe_chain(chain),
                kind=f.kind,
            )
        )
    _nest_chains(attributions)
    return attributions


def _is_outlet(doc: Doc, mention: tuple[int, int]) -> bool:
    """Whether a relay ("told X") names an outlet or organisation, not a person: "told
    Izvestia", "told the regional newspaper", but not "told reporters"."""
    span = doc[mention[0] : mention[1]]
    head = span.root
    if head.lemma_.lower() in lexicon.OUTLET_NOUNS or head.lower_ in lexicon.KNOWN_OUTLETS:
        return True
    return any(e.label_ in ("ORG", "GPE", "NORP") for e in span.ents) or (
        head.pos_ == "PROPN" and head.ent_type_ != "PERSON"
    )


def _nest_chains(attributions: list[Attribution]) -> None:
    """An attribution reported inside another's content reaches us through that speaker:
    in "The minister said that X, officials confirmed" the minister's chain is
    [minister, officials]."""
    outermost_first = sorted(attributions, key=lambda a: -_length(a.content))
    for inner in reversed(outermost_first):
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
            inner.chain = _dedupe_chain(inner.chain + host.chain)


def _length(span: Span | None) -> int:
    return span.end - span.start if span else 0


def _relays_named_before(origin: Source, earlier: list[Attribution]) -> list[Source]:
    """Relays this article already gave for the same source: after "According to RIA,
    citing Marochko, ...", "Marochko detailed ..." still reaches us through RIA. The links
    keep the mentions where the article named them."""
    if origin.kind not in ("person", "organisation"):
        return []
    for attribution in reversed(earlier):
        names = [link.name for link in attribution.chain]
        if len(names) > 1 and names[0] == origin.name:
            return list(attribution.chain[1:])
    return []


def _dedupe_chain(chain: list[Source]) -> list[Source]:
    """Drop a link that repeats the one before it (an outlet citing itself)."""
    kept: list[Source] = []
    for link in chain:
        if kept and kept[-1].name == link.name:
            continue
        kept.append(link)
    return kept
