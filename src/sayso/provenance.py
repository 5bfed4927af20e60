"""Provenance: link every named source to the registry, and say what each claim rests on.

Runs after attribution. Each chain link and each organisation the article names is matched to
a registry record (an ambiguous name stays unlinked, with its candidates); the article's own
outlet is found from its URL or name. Every claim then gets a ``Provenance``: its origin, its
relays, and flags, each with a reason a reader can check and the span that shows it.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Doc
from spacy.tokens import Span as TokenSpan

from sayso.model import Attribution, Claim, Flag, Meta, NamedSource, Provenance, Source, Span
from sayso.registry import MAX_NAME_WORDS, OFFICIAL_KINDS, Entry, Registry
from sayso.spans import doc_text

# Web addresses cited in the text ("https://tass.com/...", "www.ria.ru"): linked by domain.
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'“”«»()]+", re.IGNORECASE)
# Entity labels whose mentions are listed as sources even when no attribution cites them.
NAMED_ORGANISATION_LABELS = ("ORG",)


def link(source: Source, registry: Registry) -> None:
    """Set ``registry_id`` (or ``candidates``) on one chain link, from its name or mention.

    A linked source takes the registry's name and kind: the registry knows that "Ria
    Novosti" is an agency even where the tagger took it for a person."""
    match = registry.by_name(source.name)
    if match.entry is None and not match.candidates and source.mention is not None:
        match = registry.by_name(source.mention.text)
    source.candidates = list(match.candidates)
    entry = match.entry
    source.registry_id = entry.id if entry else None
    if entry is not None:
        source.name = entry.name
        source.kind = "person" if entry.kind == "person" else "organisation"


def link_outlet(meta: Meta, registry: Registry) -> None:
    """The article's own outlet, from its URL first, else from its name."""
    entry = registry.by_domain(meta.url) if meta.url else None
    if entry is None and meta.outlet:
        entry = registry.by_name(meta.outlet).entry
    meta.outlet_id = entry.id if entry else None


def named_sources(
    doc: Doc, attributions: list[Attribution], registry: Registry
) -> list[NamedSource]:
    """Every source in a chain and every organisation named, once each, in reading order."""
    by_key: dict[str, NamedSource] = {}
    for attribution in attributions:
        for source in attribution.chain:
            if source.kind == "anonymous" and source.mention is None:
                continue
            _add(by_key, source.registry_id or source.name, source, registry)
    text = doc_text(doc)
    for ent in doc.ents:
        if ent.label_ not in NAMED_ORGANISATION_LABELS:
            continue
        source = _longest_known(ent, registry) or Source(
            ent.text, "organisation", Span.of(text, ent.start_char, ent.end_char)
        )
        link(source, registry)
        _add(by_key, source.registry_id or source.name, source, registry)
    for match in URL.finditer(text):
        address = match.group(0).rstrip(".,;:!?")
        entry = registry.by_domain(address)
        if entry is not None:
            mention = Span.of(text, match.start(), match.start() + len(address))
            kind = "person" if entry.kind == "person" else "organisation"
            _add(by_key, entry.id, Source(entry.name, kind, mention, entry.id), registry)
    named = list(by_key.values())
    named.sort(key=lambda s: s.mentions[0].start if s.mentions else -1)
    return named


def _longest_known(ent: TokenSpan, registry: Registry) -> Source | None:
    """The longest stretch of an entity that names a registry record: the tagger's "Ria
    Novosti Reports" holds "Ria Novosti"."""
    for size in range(min(len(ent), MAX_NAME_WORDS), 0, -1):
        for start in range(ent.start, ent.end - size + 1):
            words = ent.doc[start : start + size]
            if registry.by_name(words.text).entry is not None:
                mention = Span(words.start_char, words.end_char, words.text)
                return Source(words.text, "organisation", mention)
    return None


def _add(by_key: dict[str, NamedSource], key: str, source: Source, registry: Registry) -> None:
    known = by_key.get(key)
    if known is None:
        entry = registry.get(source.registry_id) if source.registry_id else None
        known = NamedSource(
            name=entry.name if entry else source.name,
            kind=source.kind,
            mentions=[],
            registry_id=source.registry_id,
            candidates=list(source.candidates),
            facts=entry.to_dict() if entry else None,
        )
        by_key[key] = known
    mention = source.mention
    if mention is not None and all(m.start != mention.start for m in known.mentions):
        known.mentions.append(mention)
        known.mentions.sort(key=lambda m: m.start)


def claim_provenance(
    claim: Claim, attributions: list[Attribution], registry: Registry
) -> Provenance:
    """Origin, relays and flags of one claim, from the chains of its attributions."""
    claim_span = Span(claim.start, claim.end, claim.text)
    if claim.kind == "author":
        reason = "the article states this on its own authority: no source is given"
        return Provenance(None, [], [Flag("no_source", reason, claim_span)])
    chains = [a.chain for a in attributions if a.chain]
    chain = chains[0] if chains else []
    origin = chain[0] if chain else None
    relays = list(chain[1:])
    flags: list[Flag] = []
    origins = {c[0].registry_id or c[0].name for c in chains}
    for link_ in (c[0] for c in chains):
        if link_.kind == "anonymous":
            reason = f"the origin is not named: '{link_.name}'"
            flags.append(Flag("anonymous_source", reason, link_.mention or _cue(attributions)))
            break
    if len(origins) == 1 and origin is not None:
        reason = f"no other source in this article is given for it: only {origin.name}"
        flags.append(Flag("single_source", reason, origin.mention))
    if origin is not None:
        flags += _state_flags("state_owned_origin", [origin], registry)
        flags += _official_flags(origin, registry)
    flags += _state_flags("state_owned_relay", relays, registry)
    hedges = [h for a in attributions for h in a.hedges]
    if hedges:
        words = ", ".join(f"'{h.span.text}' ({h.kind})" for h in hedges)
        flags.append(Flag("hedged", f"the article distances itself: {words}", hedges[0].span))
    return Provenance(origin, relays, flags)


def _cue(attributions: list[Attribution]) -> Span | None:
    return next((a.cue for a in attributions if a.cue), None)


def _state_flags(name: str, links: list[Source], registry: Registry) -> list[Flag]:
    flags = []
    for link_ in links:
        entry = registry.get(link_.registry_id) if link_.registry_id else None
        if entry is not None and entry.is_state_owned:
            flags.append(Flag(name, _state_reason(entry), link_.mention))
    return flags


def _state_reason(entry: Entry) -> str:
    owner = f"; owner: {entry.owner}" if entry.owner else ""
    citation = f"; per {entry.sources[0]}" if entry.sources else ""
    return f"{entry.name} is state-owned ({entry.country or 'country unknown'}{owner}{citation})"


def _official_flags(origin: Source, registry: Registry) -> list[Flag]:
    """A government, military or party body, or a person affiliated with one."""
    entry = registry.get(origin.registry_id) if origin.registry_id else None
    if entry is None:
        return []
    body = entry
    if entry.kind == "person" and entry.affiliation:
        body = registry.get(entry.affiliation) or entry
    if body.kind not in OFFICIAL_KINDS:
        return []
    if body is entry:
        kind = entry.kind.replace("_", " ")
        reason = f"{entry.name} is a {kind} ({entry.country or 'country unknown'})"
    else:
        role = f", {entry.role}" if entry.role else ""
        reason = f"{entry.name}{role}, speaks for {body.name} ({body.country or 'country unknown'})"
    return [Flag("official_source", reason, origin.mention)]


def summarise(claims: list[Claim]) -> dict[str, Any]:
    """How many claims rest on which origin (through which relays), on unnamed sources, and
    on the author alone."""
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    anonymous = author = 0
    for claim in claims:
        record = claim.provenance
        if claim.kind == "author" or record is None:
            author += 1
            continue
        if record.origin is None:
            continue
        anonymous += any(f.name == "anonymous_source" for f in record.flags)
        chain = [record.origin, *record.relays]
        key = tuple(link.registry_id or link.name for link in chain)
        group = groups.setdefault(
            key,
            {
                "chain": [
                    {"name": link.name, "kind": link.kind, "registry_id": link.registry_id}
                    for link in chain
                ],
                "claims": [],
            },
        )
        group["claims"].append(claim.id)
    ranked = sorted(groups.values(), key=lambda g: -len(g["claims"]))
    return {
        "claims": len(claims),
        "author": author,
        "anonymous": anonymous,
        "by_chain": ranked,
    }


def annotate(
    doc: Doc,
    attributions: list[Attribution],
    claims: list[Claim],
    meta: Meta,
    registry: Registry,
) -> list[NamedSource]:
    """Link sources, find the outlet, give each claim its provenance; returns the sources."""
    for attribution in attributions:
        for source in attribution.chain:
            link(source, registry)
    link_outlet(meta, registry)
    by_claim: dict[str, list[Attribution]] = {}
    for attribution in attributions:
        if attribution.claim_id:
            by_claim.setdefault(attribution.claim_id, []).append(attribution)
    for claim in claims:
        claim.provenance = claim_provenance(claim, by_claim.get(claim.id, []), registry)
    return named_sources(doc, attributions, registry)
