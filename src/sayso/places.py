"""Places: every place name, geocoded offline and told apart by the article's context.

A name with several GeoNames entries (Ukraine has two Borovas) is decided by the regions and
countries the article mentions ("the Kharkiv region" points to the Borova of Kharkiv oblast),
then by population; the alternatives stay in the output with a confidence. Regions ("the
Kharkiv region") resolve to their first-level division; front-line "directions" named after a
town ("the Borovsky direction") to that town. A name the gazetteer does not know stays in the
output, unresolved.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from sayso.gazetteer import GeoEntry, gazetteer
from sayso.model import Place
from sayso.spans import doc_text

PLACE_LABELS = ("GPE", "LOC")
# Buildings, bridges, airports: listed, never geocoded by name alone ("the White House" is
# also an old name of Casablanca in the gazetteer; a wrong place is worse than none).
FACILITY_LABEL = "FAC"
# Nationality words ("Turkish", "Russian") stand for their country, as geoparsing gold has it.
DEMONYM_LABEL = "NORP"
# Words after a place name that make it a region rather than the town itself.
REGION_WORDS = ("region", "oblast", "province", "governorate", "krai", "county")
# "the Borovsky direction", "the Pokrovsk direction": a front sector named after a town.
_DIRECTION = re.compile(r"\b([A-Z][a-z’'-]+?)(?:skyi|skiy|sky|ske|skoye|sk)?\s+direction\b")
_REGION = re.compile(r"\b([A-Z][a-z’'-]+)\s+(" + "|".join(REGION_WORDS) + r")\b", re.I)
# Endings tried to turn the stem of a "-sky" adjective back into a town ("Borov" -> "Borova").
TOWN_ENDINGS = ("", "a", "e", "o", "y", "ye", "sk")
# Score of a candidate in the region / country the article names, before population decides.
REGION_MATCH = 2.0
COUNTRY_MATCH = 1.0
MAX_ALTERNATIVES = 3


def find_places(doc: Doc) -> list[Place]:
    """Every place mention in reading order, each resolved or marked unresolved."""
    text = doc_text(doc)
    mentions: dict[tuple[int, int], str] = {}
    for match in _REGION.finditer(text):
        mentions[(match.start(), match.end())] = "region"
    for match in _DIRECTION.finditer(text):
        mentions[(match.start(), match.end())] = "direction"
    for ent in doc.ents:
        span = (ent.start_char, ent.end_char)
        if any(_inside(span, other) for other in mentions):
            continue
        is_demonym = ent.label_ == DEMONYM_LABEL and _is_country(ent.text)
        if ent.label_ == FACILITY_LABEL:
            mentions[span] = "facility"
        elif ent.label_ in PLACE_LABELS or is_demonym:
            mentions[span] = "place"
    context = _context(text, mentions)
    places = [_resolve(text, span, kind, context) for span, kind in sorted(mentions.items())]
    return places


def _is_country(name: str) -> bool:
    return any(entry.is_country for entry in gazetteer().candidates(name))


def _inside(span: tuple[int, int], other: tuple[int, int]) -> bool:
    return other[0] <= span[0] and span[1] <= other[1] and span != other


def _stem_name(text: str, kind: str) -> str:
    """The place name inside a mention: "the Kharkiv region" -> "Kharkiv"."""
    if kind == "region":
        match = _REGION.search(text)
        return match.group(1) if match else text
    if kind == "direction":
        match = _DIRECTION.search(text)
        return match.group(1) if match else text
    return re.sub(r"^the\s+", "", text, flags=re.I)


def _candidates(name: str, kind: str) -> list[GeoEntry]:
    found = gazetteer().candidates(name)
    if found or kind != "direction":
        return found
    for ending in TOWN_ENDINGS:
        found = gazetteer().candidates(name + ending)
        if found:
            return found
    return []


def _context(text: str, mentions: dict[tuple[int, int], str]) -> tuple[set, set]:
    """Countries and first-level regions the article names, read off the unambiguous or
    most populous reading of each mention."""
    countries: set[str] = set()
    regions: set[tuple[str, str]] = set()
    for (start, end), kind in mentions.items():
        candidates = _candidates(_stem_name(text[start:end], kind), kind)
        if not candidates:
            continue
        best = candidates[0]
        countries.add(best.country)
        if kind == "region" and best.admin1:
            regions.add((best.country, best.admin1))
    return countries, regions


def _score(entry: GeoEntry, context: tuple[set, set]) -> float:
    countries, regions = context
    score = 0.0
    if (entry.country, entry.admin1) in regions:
        score += REGION_MATCH
    if entry.country in countries:
        score += COUNTRY_MATCH
    return score


def _resolve(text: str, span: tuple[int, int], kind: str, context: tuple[set, set]) -> Place:
    start, end = span
    mention = text[start:end]
    candidates = [] if kind == "facility" else _candidates(_stem_name(mention, kind), kind)
    if not candidates:
        return Place(start, end, mention, mention, None, None, None, None, None, 0.0, [])
    ranked = sorted(
        candidates, key=lambda e: (-_score(e, context), not e.is_country, -e.population)
    )
    best = ranked[0]
    alternatives = [_alternative(e) for e in ranked[1 : 1 + MAX_ALTERNATIVES]]
    confidence = _confidence(ranked, context)
    if kind == "region":
        name = f"{best.name} ({best.country} region {best.admin1})"
        return Place(
            start,
            end,
            mention,
            name,
            None,
            None,
            None,
            best.country,
            best.admin1,
            confidence,
            alternatives,
        )
    return Place(
        start,
        end,
        mention,
        best.name,
        best.lat,
        best.lon,
        best.geonames_id,
        best.country,
        best.admin1,
        confidence,
        alternatives,
    )


def _confidence(ranked: list[GeoEntry], context: tuple[set, set]) -> float:
    """1.0 for a single reading; else how clearly the context picked the first."""
    if len(ranked) == 1:
        return 1.0
    first, second = _score(ranked[0], context), _score(ranked[1], context)
    if first > second:
        return 0.9
    if ranked[0].population > 10 * max(1, ranked[1].population):
        return 0.7
    return 0.5


def _alternative(entry: GeoEntry) -> dict[str, object]:
    return {
        "geonames_id": entry.geonames_id,
        "name": entry.name,
        "country": entry.country,
        "admin1": entry.admin1,
        "lat": entry.lat,
        "lon": entry.lon,
    }
