"""Found attributions and the token and character ranges they are made of.

Every finder in ``sayso.cues`` yields ``Found`` records; ``sayso.quote_speakers`` widens them
to their quotes and ``sayso.attribution`` turns them into ``Attribution`` objects. The record
and its span helpers live here so that each of those modules can use them without importing
another.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from sayso.model import AttributionKind

# Dependency labels whose subtrees are not part of a source's noun phrase.
NP_EXCLUDED_DEPS = frozenset("""relcl acl advcl ccomp parataxis punct cc conj case""".split())
# Where ``doc_text`` keeps the text of a Doc (``Doc.user_data`` travels with the Doc).
TEXT_KEY = "sayso.text"
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


def clause_without(head: Token, excluded: Collection[int]) -> tuple[int, int] | None:
    """Token range of ``head``'s clause, minus the excluded tokens at its edges. The clause
    is the run from the head's left edge to its right edge (its subtree, but for a rare
    non-projective arc), and only the run around the head is walked: listing the subtree
    costs most of the text in a long run-on sentence."""
    first, last = head.left_edge.i, head.right_edge.i
    if last - first + 1 <= len(excluded) and all(i in excluded for i in range(first, last + 1)):
        return None
    # Keep the contiguous run around the head: an excluded stretch in the middle splits it.
    start = end = head.i
    while start - 1 >= first and start - 1 not in excluded:
        start -= 1
    while end + 1 <= last and end + 1 not in excluded:
        end += 1
    return start, end + 1


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two character ranges share a character."""
    return a[0] < b[1] and b[0] < a[1]


def doc_text(doc: Doc) -> str:
    """The text of a Doc, built once: spaCy joins every token again on each ``doc.text``,
    which cost more than some of the stages that asked for it."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.text
        doc.user_data[TEXT_KEY] = text
    return text
