"""The one data model of sayso: every stage, the CLI and every output read and write these.

All records are plain dataclasses whose ``to_dict`` gives JSON-safe values; offsets are
character offsets into ``Analysis.text`` (end exclusive), so any span can be checked by
slicing the text that the output carries.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = "1.7.0"

SourceKind = Literal["person", "organisation", "anonymous", "unknown"]
ClaimKind = Literal["attributed", "author"]
AttributionKind = Literal["direct", "indirect", "mixed"]
HedgeKind = Literal["hedge", "distancing", "scare_quote"]


@dataclass(frozen=True)
class Span:
    """A stretch of the analysed text: ``text == analysed_text[start:end]``."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        return cls(start, end, text[start:end])


@dataclass
class Source:
    """One link of a chain of authority: who said it, as resolved from the article.

    ``mention`` is where the article names (or refers to) this source; ``name`` is the
    resolved name, which may differ from the mention ("he" -> "Andrei Marochko").
    """

    name: str
    kind: SourceKind
    mention: Span | None = None
    registry_id: str | None = None
    candidates: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "mention": self.mention.to_dict() if self.mention else None,
            "registry_id": self.registry_id,
            "candidates": list(self.candidates),
        }


@dataclass
class NamedSource:
    """A person or organisation the article names, once, with every mention of it and,
    when the registry knows it, the registry's documented facts (``facts``)."""

    name: str
    kind: SourceKind
    mentions: list[Span]
    registry_id: str | None = None
    candidates: list[str] = field(default_factory=list)
    facts: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "mentions": [m.to_dict() for m in self.mentions],
            "registry_id": self.registry_id,
            "candidates": list(self.candidates),
            "facts": self.facts,
        }


@dataclass
class Flag:
    """A provenance flag with the reason a reader can check and where the text shows it."""

    name: str
    reason: str
    evidence: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "reason": self.reason,
            "evidence": self.evidence.to_dict() if self.evidence else None,
        }


@dataclass
class Provenance:
    """What a claim rests on: its origin, the relays it came through, and flags."""

    origin: Source | None
    relays: list[Source]
    flags: list[Flag]

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin.to_dict() if self.origin else None,
            "relays": [r.to_dict() for r in self.relays],
            "flags": [f.to_dict() for f in self.flags],
        }


@dataclass
class DateExpression:
    """A date or time expression with its value resolved against the publication date:
    an ISO date ("2025-07-10") or interval ("2025-07-01/2025-07-31"), or null when it
    cannot be resolved (a relative expression and no publication date)."""

    start: int
    end: int
    text: str
    value: str | None
    precision: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Place:
    """A place the article names, geocoded offline: GeoNames id, coordinates, country
    (ISO 3166-1 alpha-2) and first-level region code; all null when unresolved, with the
    other readings of an ambiguous name in ``alternatives``."""

    start: int
    end: int
    text: str
    name: str
    lat: float | None
    lon: float | None
    geonames_id: int | None
    country: str | None
    admin1: str | None
    confidence: float
    alternatives: list[dict[str, Any]] = field(default_factory=list)
    # What the entry is: continent, country, admin1, admin2, place (a town) or area (one of
    # sayso's seas, rivers and regions); None when unresolved.
    kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Event:
    """Who did what to whom, where, when and how many, as one claim of the article reports
    it (``claim_id``: its chain and hedges are that claim's)."""

    type: str
    sub_type: str
    trigger: Span
    actor1: str | None
    actor2: str | None
    location: Place | None
    date: DateExpression | None
    quantities: list[Span]
    evidence: Span
    claim_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "sub_type": self.sub_type,
            "trigger": self.trigger.to_dict(),
            "actor1": self.actor1,
            "actor2": self.actor2,
            "location": self.location.to_dict() if self.location else None,
            "date": self.date.to_dict() if self.date else None,
            "quantities": [q.to_dict() for q in self.quantities],
            "evidence": self.evidence.to_dict(),
            "claim_id": self.claim_id,
        }


@dataclass
class Technique:
    """A span that uses a persuasion technique (SemEval-2023 name and group), with the
    model's score and a reason a reader can check against the span."""

    span: Span
    technique: str
    group: str
    score: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.span.to_dict(),
            "technique": self.technique,
            "group": self.group,
            "score": self.score,
            "reason": self.reason,
        }


@dataclass
class Frame:
    """A frame of the article (Media Frames Corpus, as in SemEval-2023) with its score."""

    frame: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Genre:
    """Reporting, opinion or satire, with the score of each."""

    label: str
    score: float
    scores: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "score": self.score, "scores": dict(self.scores)}


@dataclass
class Hedge:
    """A word or mark by which the author distances the text from a claim."""

    kind: HedgeKind
    span: Span

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.span.to_dict()}


@dataclass
class Attribution:
    """Source, cue and content of one act of saying, with its chain of authority.

    ``chain`` runs from the original speaker to the outermost relay; the article itself
    is the last relay and is not listed.
    """

    id: str
    source: Span | None
    cue: Span | None
    content: Span | None
    chain: list[Source]
    kind: AttributionKind
    hedges: list[Hedge] = field(default_factory=list)
    claim_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "source": self.source.to_dict() if self.source else None,
            "cue": self.cue.to_dict() if self.cue else None,
            "content": self.content.to_dict() if self.content else None,
            "chain": [link.to_dict() for link in self.chain],
            "hedges": [hedge.to_dict() for hedge in self.hedges],
            "claim_id": self.claim_id,
        }


@dataclass
class Claim:
    """A statement the article makes: on someone's say-so, or on the author's own."""

    id: str
    start: int
    end: int
    text: str
    kind: ClaimKind
    provenance: Provenance | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "provenance": self.provenance.to_dict() if self.provenance else None,
        }


@dataclass
class Meta:
    """What is known about the article besides its text."""

    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    language: str | None = None
    outlet_id: str | None = None
    # where the outlet is based, as the caller named it ("Norfolk, Neb."): local place names
    # with no other clue are read there
    home: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Article:
    """An input article after decoding and extraction: clean text plus metadata."""

    text: str
    meta: Meta = field(default_factory=Meta)
    id: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    """The full result for one article; ``to_dict`` is the versioned JSON record."""

    text: str
    meta: Meta
    attributions: list[Attribution]
    claims: list[Claim]
    sources: list[NamedSource] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    dates: list[DateExpression] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    # None when persuasion analysis was skipped (``fast``), unlike an empty result
    techniques: list[Technique] | None = None
    frames: list[Frame] | None = None
    genre: Genre | None = None
    warnings: list[str] = field(default_factory=list)
    id: str | None = None
    schema_version: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"schema_version": self.schema_version}
        if self.id is not None:
            record["id"] = self.id
        record.update(
            {
                "text": self.text,
                "meta": self.meta.to_dict(),
                "attributions": [a.to_dict() for a in self.attributions],
                "claims": [c.to_dict() for c in self.claims],
                "sources": [s.to_dict() for s in self.sources],
                "summary": self.summary,
                "dates": [d.to_dict() for d in self.dates],
                "places": [p.to_dict() for p in self.places],
                "events": [e.to_dict() for e in self.events],
                "techniques": _dicts(self.techniques),
                "frames": _dicts(self.frames),
                "genre": self.genre.to_dict() if self.genre else None,
                "warnings": list(self.warnings),
            }
        )
        return record

    def claim(self, claim_id: str) -> Claim | None:
        return next((c for c in self.claims if c.id == claim_id), None)


def _dicts(records: list[Any] | None) -> list[dict[str, Any]] | None:
    return None if records is None else [record.to_dict() for record in records]
