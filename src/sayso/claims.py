"""Claims: each attributed content, and every sentence the author asserts on no one's say-so.

A sentence counts as the author's own when no attribution covers its main verb.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc
from spacy.tokens import Span as TokenSpan

from sayso.model import Attribution, Claim
from sayso.spans import doc_text

# Share of a verbless sentence's word characters that attributions must cover to make it
# theirs.
ATTRIBUTED_SHARE = 0.5
# Sentences with fewer word tokens than this (bylines, datelines, stray headings) are skipped.
MIN_CLAIM_WORDS = 4


def build_claims(
    doc: Doc, attributions: list[Attribution], sentences: list[TokenSpan]
) -> list[Claim]:
    """Claims in reading order; sets ``claim_id`` on every attribution."""
    text = doc_text(doc)
    pending: list[tuple[int, int, str, list[Attribution]]] = []
    by_content: dict[tuple[int, int], list[Attribution]] = {}
    for attribution in attributions:
        if attribution.content is not None:
            key = (attribution.content.start, attribution.content.end)
            by_content.setdefault(key, []).append(attribution)
    for (start, end), owners in by_content.items():
        pending.append((start, end, "attributed", owners))
    covered = _Covered(attributions)
    for sent in sentences:
        if _is_author_assertion(sent, covered):
            start, end = _trimmed(sent)
            pending.append((start, end, "author", []))
    pending.sort(key=lambda item: (item[0], item[1]))
    claims = []
    for number, (start, end, kind, owners) in enumerate(pending, start=1):
        claim = Claim(id=f"c{number}", start=start, end=end, text=text[start:end], kind=kind)
        claims.append(claim)
        for attribution in owners:
            attribution.claim_id = claim.id
    return claims


class _Covered:
    """The characters some attribution's source, cue, content or chain covers, kept as
    merged ranges: a set of every character costs the length of each content, which nested
    contents in a long run-on text make quadratic."""

    def __init__(self, attributions: list[Attribution]) -> None:
        ranges = sorted(
            (span.start, span.end)
            for attribution in attributions
            for span in (
                attribution.source,
                attribution.cue,
                attribution.content,
                *(link.mention for link in attribution.chain),
            )
            if span is not None and span.end > span.start
        )
        merged: list[list[int]] = []
        for start, end in ranges:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def __contains__(self, char: int) -> bool:
        index = bisect_right(self.starts, char) - 1
        return index >= 0 and char < self.ends[index]


def _is_author_assertion(sent: TokenSpan, covered: _Covered) -> bool:
    """The author asserts a sentence whose main verb no attribution covers.

    "This revelation aligns with statements made by Putin, who highlighted X" is the
    author's (that it aligns) though it carries Putin's X; "X said Y" and "Y, according to
    X" are not. Where the parse gives no verb as root, most words must be uncovered.
    """
    words = [t for t in sent if t.is_alpha or t.like_num]
    if len(words) < MIN_CLAIM_WORDS or sent.text.rstrip().endswith("?"):
        return False
    root = sent.root
    if root.pos_ in ("VERB", "AUX"):
        return root.idx not in covered
    total = sum(len(t) for t in words)
    inside = sum(len(t) for t in words if t.idx in covered)
    return inside < ATTRIBUTED_SHARE * total


def _trimmed(sent: TokenSpan) -> tuple[int, int]:
    tokens = [t for t in sent if not t.is_space]
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
