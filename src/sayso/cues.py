"""Cues of attribution, found sentence by sentence on spaCy's dependency parse.

One small function per construction:

- verbs of saying ("X said (that) ...", "X told Y ...", "it was reported that ...",
  "X is said to ...", "as X put it", "“...,” he said");
- "according to X", with relays from "citing Y" and "X, quoted by Y";
- nouns of saying ("X's statement that ...");
- headline colons ("Graham: Trump's rhetoric is destroying the party");
- hedging adverbs with no named source ("were reportedly caught ...").

Each finder yields ``Found`` records for one sentence; ``sayso.attribution`` runs them.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from sayso import lexicon
from sayso.spans import Found, char_range, clause_without, noun_phrase

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
# Prefix of a headline or sentence ("..., Agency Reports") long enough to be content.
MIN_PREFIX_CONTENT_TOKENS = 3
# "Name: statement" headlines: at most this many tokens before the colon, and more than
# this many after it.
MAX_COLON_SOURCE_TOKENS = 5
MIN_COLON_CONTENT = 3


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
    if verb.dep_ in ("parataxis", "advcl", "conj") and verb.head is not verb:
        head = verb.head
        if verb.dep_ == "advcl" and not any(c.lower_ == "as" for c in verb.children):
            return None
        if verb.dep_ == "conj" and not _is_parenthetical(verb):
            return None
        # the verb's own clause, from its left edge to its right edge
        clause = clause_without(head, range(verb.left_edge.i, verb.right_edge.i + 1))
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
    citing: set[int] | None = None  # found once per sentence, when first needed
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
        if citing is None:
            citing = _citing_phrases(sent)
        clause = clause_without(head, phrase | citing)
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
        if head.i == tok.i:  # "Reportedly." on its own says nothing
            continue
        excluded = _conjoined_clauses(head)
        if tok.i == head.left_edge.i:
            # "Reportedly, the army ...": the hedge and its comma are not the content.
            excluded |= {tok.i} | ({tok.i + 1} if doc[tok.i + 1].text == "," else set())
        clause = clause_without(head, excluded)
        if clause is None:
            continue
        yield Found(
            cue=(tok.idx, tok.idx + len(tok.text)),
            content=char_range(doc, *clause),
            source=None,
            anonymous="unnamed source",
        )


def _conjoined_clauses(verb: Token) -> set[int]:
    """Tokens of clauses with their own subject joined to ``verb`` by "and"/"but", with the
    conjunction: "residents reportedly left, and officials said ..." keeps the second
    claim apart, while "will win the war and come home" stays one."""
    tokens: set[int] = set()
    joined = [
        child
        for child in verb.children
        if child.dep_ == "conj"
        and child.pos_ in ("VERB", "AUX")
        and any(c.dep_ in ("nsubj", "nsubjpass") for c in child.children)
    ]
    for child in joined:
        tokens.update(t.i for t in child.subtree)
    if joined:
        tokens.update(c.i for c in verb.children if c.dep_ == "cc")
    return tokens
