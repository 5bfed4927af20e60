"""Learned attribution taggers: CRFs trained on PolNeAR's training split.

Two conditional random fields (python-crfsuite) work on top of the parse:

- the **cue tagger** labels the tokens of each sentence B-CUE / I-CUE / O, finding cues the
  rules miss ("is backing", "called for", "wants");
- the **role tagger** labels, for one cue, the tokens of its sentence and the sentences
  around it B-SRC / I-SRC / B-CON / I-CON / O, using where each token sits relative to the
  cue in the dependency tree.

Features are strings built from the parse only; ``scripts/train_taggers.py`` trains both
models with the same functions, so training and prediction cannot drift apart.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Sequence
from importlib import resources
from typing import NamedTuple

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

CUE_MODEL = "data/cue_tagger.crfsuite"
# Positions in a ``token_features`` row: the first six describe the word itself (bias, word,
# lemma, tag, dependency, shape); the tenth says whether it is inside a quotation.
WORD_FEATURES = 6
IN_QUOTE_FEATURE = 9
ROLE_MODEL = "data/role_tagger.crfsuite"
# How many sentences before and after the cue's sentence the role tagger looks at.
ROLE_CONTEXT_SENTENCES = 1
# The most tokens the role tagger reads on either side of a cue; news sentences and their
# neighbours are far shorter.
MAX_ROLE_REACH = 250
# Quotation marks, for the in-quote feature.
_OPEN_QUOTES = frozenset('“«„"')
_CLOSE_QUOTES = frozenset('”»“"')


def _shape(token: Token) -> str:
    text = token.text
    if text.isupper() and len(text) > 1:
        return "XX"
    if text[:1].isupper():
        return "Xx"
    if text.isdigit():
        return "d"
    return "x" if text[:1].isalpha() else "p"


def _quote_depth(doc: Doc) -> list[bool]:
    """Whether each token lies between quotation marks (straight quotes alternate)."""
    inside = False
    flags = []
    for token in doc:
        text = token.text
        if not inside and text in _OPEN_QUOTES:
            inside = True
            flags.append(True)
        elif inside and text in _CLOSE_QUOTES:
            flags.append(True)
            inside = False
        else:
            flags.append(inside)
    return flags


def token_features(doc: Doc) -> list[list[str]]:
    """Per-token features that do not depend on any cue; computed once per document.

    Children are collected in one pass over the tokens (walking ``token.children`` for every
    token cost more than the tagging itself).
    """
    in_quote = _quote_depth(doc)
    child_deps: list[set[str]] = [set() for _ in doc]
    subjects: list[str | None] = [None] * len(doc)
    for token in doc:
        head = token.head.i
        if head == token.i:
            continue
        child_deps[head].add(token.dep_)
        if subjects[head] is None and token.dep_ in ("nsubj", "nsubjpass"):
            subjects[head] = token.ent_type_ or token.pos_
    rows: list[list[str]] = []
    for token in doc:
        lemma = token.lemma_.lower()
        head = token.head
        row = [
            "b",
            "w=" + token.lower_,
            "l=" + lemma,
            "p=" + token.tag_,
            "d=" + token.dep_,
            "s=" + _shape(token),
            "hl=" + head.lemma_.lower(),
            "hd=" + head.dep_,
            "ld=" + lemma + "|" + token.dep_,
            "q=" + str(in_quote[token.i]),
        ]
        row += ["c=" + dep for dep in child_deps[token.i]]
        subject = subjects[token.i]
        if subject is not None:
            row.append("subj=" + subject)
        rows.append(row)
    return rows


def cue_sequence(base: list[list[str]], doc: Doc, start: int, end: int) -> list[list[str]]:
    """Features of the tokens ``start:end`` for the cue tagger, with their neighbours'."""
    rows = []
    for i in range(start, end):
        row = list(base[i])
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if start <= j < end:
                token = doc[j]
                row.append(f"{offset}l={token.lemma_.lower()}")
                row.append(f"{offset}p={token.tag_}")
            else:
                row.append(f"{offset}=edge")
        rows.append(row)
    return rows


def _path_label(token: Token, cue_head: Token, above_cue: frozenset[int]) -> str:
    """How a token hangs off the cue: via which child of the cue head, or as an ancestor
    (``above_cue``: the indices of the cue head's ancestors, found once per cue)."""
    if token.i == cue_head.i:
        return "cue"
    current = token
    for _ in range(12):
        if current.head.i == cue_head.i and current.i != cue_head.i:
            return "under:" + current.dep_
        if current.head.i == current.i:
            break
        current = current.head
    if token.i in above_cue:
        return "ancestor"
    return "outside"


def _distance_bin(distance: int) -> str:
    size = abs(distance)
    if size <= 3:
        return str(distance)
    sign = "+" if distance > 0 else "-"
    return sign + ("near" if size <= 10 else "far")


def role_sequence(
    base: list[list[str]], doc: Doc, cue: Sequence[int], window: RoleWindow
) -> list[list[str]]:
    """Features of the window's tokens relative to the cue tokens ``cue``."""
    cue_set = set(cue)
    cue_head = cue_root(doc, cue)
    above_cue = frozenset(a.i for a in cue_head.ancestors)
    cue_lemma = cue_head.lemma_.lower()
    start, end = window.start, window.end
    rows = []
    for i in range(start, end):
        token = doc[i]
        if i in cue_set:
            rel = "cue"
        elif i < cue[0]:
            rel = "before"
        else:
            rel = "after"
        path = _path_label(token, cue_head, above_cue)
        same = "same" if window.sent_start <= i < window.sent_end else "other"
        row = [
            *base[i][:WORD_FEATURES],
            "rel=" + rel,
            "dist=" + _distance_bin(i - cue[0] if i < cue[0] else i - cue[-1]),
            "path=" + path,
            "path|rel=" + path + "|" + rel,
            "sent=" + same,
            "cue=" + cue_lemma,
            "cue|rel=" + cue_lemma + "|" + rel,
            "cue|path=" + cue_lemma + "|" + path,
            "qd=" + base[i][IN_QUOTE_FEATURE],
            "d|path=" + token.dep_ + "|" + path,
        ]
        for offset in (-1, 1):
            j = i + offset
            row.append(f"{offset}w=" + (doc[j].lower_ if start <= j < end else "edge"))
        rows.append(row)
    return rows


class RoleWindow(NamedTuple):
    """Tokens the role tagger reads for one cue (``start:end``), and the cue's sentence."""

    start: int
    end: int
    sent_start: int
    sent_end: int


def cue_root(doc: Doc, cue: Sequence[int]) -> Token:
    """The token of a cue highest in the dependency tree (the first, at equal depth). Depths
    are counted once per token along the way up: counting each token's ancestors afresh is
    quadratic in a long run-on sentence, whose parse can be a chain thousands deep."""
    depth: dict[int, int] = {}
    for i in cue:
        path = []
        token = doc[i]
        while token.i not in depth and token.head.i != token.i:
            path.append(token.i)
            token = token.head
        known = depth.setdefault(token.i, 0)
        for step, index in enumerate(reversed(path), start=1):
            depth[index] = known + step
    return doc[min(cue, key=lambda i: depth[i])]


def role_window(sentences: Sequence[TokenSpan], cue_head: Token) -> RoleWindow:
    """The cue's sentence with its neighbouring sentences, at most ``MAX_ROLE_REACH`` tokens
    either side of the cue: a run-on text of thousands of tokens in one "sentence" would
    otherwise be read whole for every cue in it."""
    starts = [s.start for s in sentences]
    index = bisect_right(starts, cue_head.i) - 1
    first = sentences[max(0, index - ROLE_CONTEXT_SENTENCES)]
    last = sentences[min(len(sentences) - 1, index + ROLE_CONTEXT_SENTENCES)]
    sent = sentences[index]
    start = max(first.start, cue_head.i - MAX_ROLE_REACH)
    end = min(last.end, cue_head.i + MAX_ROLE_REACH + 1)
    return RoleWindow(start, end, sent.start, sent.end)


def spans_from_labels(labels: Sequence[str], offset: int, role: str) -> list[tuple[int, int]]:
    """Token ranges labelled B-role/I-role in a sequence that starts at token ``offset``; an
    I- label that does not continue the same role starts a span, as a B- would."""
    spans: list[tuple[int, int]] = []
    start = None
    for k, label in enumerate([*labels, "O"]):
        inside = label == "I-" + role and start is not None
        if inside:
            continue
        if start is not None:
            spans.append((offset + start, offset + k))
            start = None
        if label in ("B-" + role, "I-" + role):
            start = k
    return spans


_TAGGERS = threading.local()


def _tagger(name: str):  # -> pycrfsuite.Tagger
    """The tagger for a model file, one per thread: ``marginal()`` reads the sequence
    tagged last, so two threads must never share one."""
    taggers = _TAGGERS.__dict__.setdefault("by_name", {})
    if name not in taggers:
        import pycrfsuite

        tagger = pycrfsuite.Tagger()
        with resources.as_file(resources.files("sayso").joinpath(name)) as path:
            tagger.open(str(path))
        taggers[name] = tagger
    return taggers[name]


def predict_cues(
    doc: Doc,
    base: list[list[str]],
    sentences: Sequence[TokenSpan],
    min_confidence: float = 0.0,
) -> list[list[int]]:
    """Token indices of every cue the cue tagger finds, sentence by sentence, keeping those
    whose every token the model labels a cue with at least ``min_confidence``."""
    tagger = _tagger(CUE_MODEL)
    cues: list[list[int]] = []
    for sent in sentences:
        labels = tagger.tag(cue_sequence(base, doc, sent.start, sent.end))
        for start, end in spans_from_labels(labels, sent.start, "CUE"):
            confidence = min(
                tagger.marginal(labels[k - sent.start], k - sent.start) for k in range(start, end)
            )
            if confidence >= min_confidence:
                cues.append(list(range(start, end)))
    return cues


def predict_roles(
    doc: Doc, base: list[list[str]], sentences: Sequence[TokenSpan], cue: list[int]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Source and content token ranges for one cue."""
    window = role_window(sentences, cue_root(doc, cue))
    labels = _tagger(ROLE_MODEL).tag(role_sequence(base, doc, cue, window))
    return (
        spans_from_labels(labels, window.start, "SRC"),
        spans_from_labels(labels, window.start, "CON"),
    )
