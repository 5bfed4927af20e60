"""Who a source mention stands for: names, kinds, pronouns, nominals and short forms.

One ``SourceResolver`` walks an article once, in reading order, remembering the people and
organisations named so far; "he", "the agency" or a bare surname then resolve to the most
recent compatible name. Resolution is deliberately conservative: a mention that cannot be
resolved keeps its own text and the kind ``unknown`` rather than a guessed name.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from sayso import lexicon
from sayso.model import Source, SourceKind, Span
from sayso.registry import MAX_NAME_WORDS, Registry, default_registry

PERSON_LABELS = ("PERSON",)
ORGANISATION_LABELS = ("ORG", "NORP", "GPE", "FAC")
# How far back (in characters) a pronoun may reach for its antecedent.
PRONOUN_REACH = 1500
# A source that spoke this recently wins over a nearer name that did not speak: news
# keeps its speaker as the subject ("Putin said ... He also emphasized ...").
SPEAKER_REACH = 600
# Words before a name read as its role ("military expert Andrei Marochko").
CONTEXT_TOKENS = 3


@dataclass
class _Known:
    """A person or organisation named before: its name, and the words around the naming
    ("military expert Andrei Marochko") that let "the expert" find it again."""

    name: str
    kind: SourceKind
    end: int
    tokens: tuple[str, ...] = ()
    context: str = ""


@dataclass
class SourceResolver:
    """Resolves source mentions of one document, remembering what it has seen.

    ``sentence_starts`` are the token offsets where the document's sentences start, in
    order; the entities are read once, when the resolver is made.
    """

    doc: Doc
    sentence_starts: list[int]
    _seen_sources: list[_Known] = field(default_factory=list)
    _entities: list[tuple[TokenSpan, str | None, str]] = field(default_factory=list)
    _named_people: list[_Known] = field(default_factory=list)

    def __post_init__(self) -> None:
        for ent in self.doc.ents:
            if ent.label_ not in PERSON_LABELS + ORGANISATION_LABELS:
                continue
            self._entities.append((ent, _known_outlet(ent), self._context(ent)))
            if ent.label_ in PERSON_LABELS and len(ent) > 1:
                name = " ".join(t.text for t in ent if not _title_word(t))
                self._named_people.append(_Known(name, "person", ent.end_char, tuple(name.split())))

    def _context(self, entity: TokenSpan) -> str:
        """An entity with the few words before it in its sentence: "mayor jonas berg"."""
        sentence_start = self.sentence_starts[bisect_right(self.sentence_starts, entity.start) - 1]
        first = max(sentence_start, entity.start - CONTEXT_TOKENS)
        return self.doc[first : entity.end].text.lower()

    def resolve(self, start: int, end: int) -> Source:
        """The source named by the tokens ``doc[start:end]`` (token offsets)."""
        mention = self.doc[start:end]
        span = Span(mention.start_char, mention.end_char, mention.text)
        name, kind = self._name_and_kind(mention)
        known = _Known(name, kind, mention.end_char, tuple(name.split()), mention.text.lower())
        self._seen_sources.append(known)
        return Source(name=name, kind=kind, mention=span)

    def _name_and_kind(self, mention: TokenSpan) -> tuple[str, SourceKind]:
        head = mention.root
        lower = head.lower_
        outlet = _known_outlet(mention)
        if outlet:
            return outlet, "organisation"
        if len(mention) == 1 and (lower in lexicon.PERSON_PRONOUNS or lower == "who"):
            return self._antecedent(mention, "person") or (mention.text, "unknown")
        if len(mention) == 1 and lower in lexicon.PLURAL_PRONOUNS | {"it", "which"}:
            return self._antecedent(mention, "organisation") or (mention.text, "unknown")
        if lower in lexicon.FIRST_PERSON:
            return mention.text, "unknown"
        surname = self._known_surname(mention)
        if surname:
            return surname, "person"
        entity = _main_entity(mention)
        institution = head.lemma_.lower() in lexicon.OUTLET_NOUNS | lexicon.ORGANISATION_NOUNS
        if entity is not None and entity.label_ in PERSON_LABELS and not institution:
            return self._full_person_name(entity), "person"
        if _is_anonymous(mention):
            return mention.text, "anonymous"
        if entity is not None and _has_person_role(mention, entity):
            # "lawmaker Tomas Okafor": the role says person whatever the tagger's label.
            return self._full_person_name(entity), "person"
        if entity is not None:
            return _strip_determiner(entity), "organisation"
        lemma = head.lemma_.lower()
        definite = _is_definite(mention)
        if definite and lemma in lexicon.OUTLET_NOUNS:
            # "the newspaper": the outlet named last; unnamed outlets stay vague.
            return self._antecedent(mention, "organisation") or (mention.text, "anonymous")
        if lemma in lexicon.OUTLET_NOUNS:
            # "Regional Paper Reports" names an outlet; "a local newspaper" stays vague.
            return mention.text, "organisation" if head.pos_ == "PROPN" else "anonymous"
        if lemma in lexicon.ORGANISATION_NOUNS:
            # "the ministry": an organisation named with that word, else this one, unnamed.
            found = self._antecedent(mention, "organisation", role=lemma) if definite else None
            return found or (mention.text, "organisation")
        if lemma in lexicon.PERSON_NOUNS:
            # "the expert": a person introduced with that role; "a spokesman" stays vague.
            found = self._antecedent(mention, "person", role=lemma) if definite else None
            return found or (mention.text, "anonymous")
        if head.pos_ == "PROPN":
            return self._full_person_name(mention), "person"
        if head.pos_ == "NOUN":
            # "farmers", "a senior engineer": people the article does not name.
            return mention.text, "anonymous"
        return mention.text, "unknown"

    def _full_person_name(self, entity: TokenSpan) -> str:
        """Strip titles from a name and expand a bare surname to the full name seen before."""
        words = [t.text for t in entity if not _title_word(t)]
        words = [w[:-2] if w.endswith(("’s", "'s")) else w for w in words] or [entity.text]
        if len(words) == 1:
            for earlier in self._earlier_people(entity.start_char):
                if earlier.tokens and earlier.tokens[-1] == words[0]:
                    return earlier.name
        return " ".join(words)

    def _known_surname(self, mention: TokenSpan) -> str | None:
        """The full name of a person named earlier, when the mention is their bare surname."""
        words = [t for t in mention if t.pos_ == "PROPN"]
        if len(words) != 1 or words[0].i != mention.root.i:
            return None
        for earlier in self._earlier_people(mention.start_char):
            if len(earlier.tokens) > 1 and earlier.tokens[-1] == words[0].text:
                return earlier.name
        return None

    def _earlier_people(self, before: int) -> list[_Known]:
        """People named before ``before``, the most recent first."""
        people = [k for k in self._seen_sources if k.kind == "person" and k.end <= before]
        people += [k for k in self._named_people if k.end <= before]
        return sorted(people, key=lambda k: k.end, reverse=True)

    def _antecedent(
        self, mention: TokenSpan, kind: SourceKind, role: str | None = None
    ) -> tuple[str, SourceKind] | None:
        """The most recent earlier source (preferred) or entity of the wanted kind; with a
        ``role``, only one introduced with that word ("the mayor" -> "Mayor Jonas Berg")."""
        start = mention.start_char
        sources = [k for k in self._seen_sources if k.end <= start and k.kind == kind]
        if role:
            sources = [k for k in sources if role in k.context]
        candidates = list(sources)
        for ent, outlet, context in self._entities:
            if ent.end_char > start or start - ent.end_char > PRONOUN_REACH:
                continue
            if kind == "person" and ent.label_ in PERSON_LABELS and not outlet:
                name = self._full_person_name(ent)
                candidates.append(_Known(name, "person", ent.end_char, context=context))
            elif kind == "organisation" and (ent.label_ in ORGANISATION_LABELS or outlet):
                name = outlet or _strip_determiner(ent)
                candidates.append(_Known(name, "organisation", ent.end_char, context=context))
        if role:
            candidates = [k for k in candidates if role in k.context]
        recent = [k for k in candidates if start - k.end <= PRONOUN_REACH]
        if not recent:
            return None
        speakers = [k for k in sources if start - k.end <= SPEAKER_REACH]
        best = max(speakers or recent, key=lambda k: k.end)
        return best.name, best.kind


def _has_person_role(mention: TokenSpan, entity: TokenSpan) -> bool:
    return any(
        t.lemma_.lower() in lexicon.PERSON_NOUNS
        for t in mention
        if not entity.start <= t.i < entity.end
    )


def _title_word(token: Token) -> bool:
    """A word before a name that is not part of it: a title or role from the list, or a
    nationality or other adjective ("Russian", "Israeli", "senior"), whatever the country."""
    return (
        token.lower_ in lexicon.NAME_PREFIX_WORDS or token.ent_type_ == "NORP" or token.tag_ == "JJ"
    )


# Where ``analyze_article`` puts the registry the caller chose (``--registry``), so the
# components read the same records the provenance stage links to.
REGISTRY_KEY = "sayso.registry"


def registry_of(doc: Doc) -> Registry:
    """The registry this document is analysed with: the caller's, else the default one."""
    return doc.user_data.get(REGISTRY_KEY) or default_registry()


def _known_outlet(mention: TokenSpan) -> str | None:
    """The organisation the registry knows by (part of) the mention: the tagger may take
    "Ria Novosti" for a person; the registry says it is an agency."""
    words = [t.text for t in mention if not t.is_punct]
    return registered_organisation(words, registry_of(mention.doc))


def registered_organisation(words: list[str], registry: Registry) -> str | None:
    """The longest run of ``words`` that names a registry record other than a person."""
    for size in range(min(len(words), MAX_NAME_WORDS), 0, -1):
        for i in range(len(words) - size + 1):
            entry = registry.by_name(" ".join(words[i : i + size])).entry
            if entry is not None and entry.kind != "person":
                return entry.name
    return None


def _entities_in(mention: TokenSpan) -> list[TokenSpan]:
    """Entities inside a mention, read off its tokens: ``Span.ents`` rebuilds every entity
    of the document on each call, which made long articles slow."""
    doc = mention.doc
    found: list[TokenSpan] = []
    start: int | None = None
    for token in [*mention, None]:
        begins = token is not None and (
            token.ent_iob_ == "B" or (token.ent_iob_ == "I" and start is None)
        )
        ends = token is None or token.ent_iob_ != "I" or begins
        if start is not None and ends:
            end = token.i if token is not None else mention.end
            found.append(TokenSpan(doc, start, end, label=doc[start].ent_type_))
            start = None
        if begins:
            start = token.i
    return found


def _main_entity(mention: TokenSpan) -> TokenSpan | None:
    """The named entity a mention is about: the one holding its head word, else the person
    it names. A nationality ("Russian lawmaker ...") is never the source itself."""
    ents = [e for e in _entities_in(mention) if e.label_ in PERSON_LABELS + ORGANISATION_LABELS]
    head = mention.root.i
    holding = [e for e in ents if e.start <= head < e.end]
    if holding:
        return holding[0]
    people = [e for e in ents if e.label_ in PERSON_LABELS]
    if people:
        return people[-1]
    named = [e for e in ents if e.label_ != "NORP"]
    return named[0] if named else None


def _is_definite(mention: TokenSpan) -> bool:
    return any(t.dep_ == "det" and t.lower_ in ("the", "this", "that") for t in mention)


def _is_anonymous(mention: TokenSpan) -> bool:
    """A vague source: "sources", "a senior official", "some experts", "Western analysts"."""
    head = mention.root
    if head.lemma_.lower() not in lexicon.ANONYMOUS_NOUNS and head.lower_ not in (
        lexicon.ANONYMOUS_NOUNS
    ):
        return False
    dets = [t.lower_ for t in head.children if t.dep_ in ("det", "nummod", "quantmod")]
    plural = head.tag_ in ("NNS", "NNPS")
    return plural or any(d in lexicon.INDEFINITE_DETERMINERS or d.isdigit() for d in dets)


def _strip_determiner(entity: TokenSpan) -> str:
    words = [t for t in entity if not (t.i == entity.start and t.lower_ == "the")]
    text = " ".join(t.text for t in words) if words else entity.text
    return text[:-2] if text.endswith(("’s", "'s")) else text


def anonymous_source(name: str = "unnamed source") -> Source:
    """The chain link for an attribution with no one named ("it is believed", "reportedly")."""
    return Source(name=name, kind="anonymous", mention=None)
