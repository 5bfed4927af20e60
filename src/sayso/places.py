"""Places: every place name, geocoded offline and told apart by the article's context.

A name with several GeoNames entries (Ukraine has two Borovas) is decided by the other
places the article names: a reading in a region or country the article mentions, or near
its other places, wins ("the Kharkiv region" points to the Borova of Kharkiv oblast); then
the reading under its own name over one under an alternate name; then population. The
alternatives stay in the output with a confidence. Regions ("the Kharkiv region", "Erie
County") resolve to their first- or second-level division; front-line "directions" named
after a town ("the Borovsky direction") to that town; the names of a list that ends in a
plural region word ("Butler, Clark or Warren counties") to regions of that level. Besides the
tagger's places, well-known places it misreads where the sentence puts a place ("shelled
Kharkiv", to the tagger a person), capitalised datelines ("KYIV (Reuters) -"), the names of
such lists and every repeat of a place name the article uses are places; streets and
numbered routes ("North Main Street", "Route 31") are listed like facilities, unresolved.
A name the gazetteer does not know stays in the output, unresolved.

Local news names local places with nothing around them ("Dublin" in an Ohio paper): an
outlet's ``Home``, the first-level regions it is based in or usually writes about (given by
name, or learned from its other articles' places), breaks such ties.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import islice

from spacy.tokens import Doc, Span, Token

from sayso.errors import UnknownPlaceError
from sayso.gazetteer import (
    ADMIN1,
    ADMIN2,
    AREA,
    BARE_WORDS,
    COUNTRY,
    PLACE,
    GeoEntry,
    distance_km,
    gazetteer,
)
from sayso.model import Place
from sayso.registry import normalise_name
from sayso.spans import doc_text, overlaps

PLACE_LABELS = ("GPE", "LOC")
# Buildings, bridges, airports: listed, never geocoded by name alone ("the White House" is
# also an old name of Casablanca in the gazetteer; a wrong place is worse than none).
FACILITY_LABEL = "FAC"
# A place name inside a longer person's name ("George Washington") is no place.
PERSON_LABEL = "PERSON"
# Nationality words ("Turkish", "Russian") stand for their country, as geoparsing gold has it.
DEMONYM_LABEL = "NORP"
# Words after a place name that make it a region rather than the town itself, and the level
# of division each names.
REGION_WORDS = {
    "region": ADMIN1,
    "oblast": ADMIN1,
    "province": ADMIN1,
    "governorate": ADMIN1,
    "krai": ADMIN1,
    "state": ADMIN1,
    "county": ADMIN2,
    "district": ADMIN2,
    "raion": ADMIN2,
    "parish": ADMIN2,
}
# Region words that are also everyday English words, trusted only after a known name.
COMMON_REGION_WORDS = frozenset({"state", "county", "district", "parish"})
# Entity labels a small tagger gives place names it never saw ("Kharkiv" a person,
# "Bakhmut" a product, "Mariupol" an organisation): such a name is still a place where the
# sentence puts one (``_misread_place``), as is a capitalised name it left untagged.
MISREAD_LABELS = frozenset(
    {"PERSON", "ORG", "PRODUCT", "EVENT", "WORK_OF_ART", "FAC", "NORP", "LAW"}
)
MIN_UNTAGGED_LENGTH = 4
# Towns this populous are known well enough to be found where the tagger misses them.
SALIENT_POPULATION = 20_000
LOCATIVE_PREPOSITIONS = frozenset(
    {"in", "near", "from", "to", "at", "outside", "around", "across", "into", "toward"}
    | {"towards", "through", "over", "on", "inside", "within", "throughout", "via"}
    | {"between", "of"}
)
# Verbs whose object is a place when it names one: "shelled Kharkiv", "captured Bakhmut".
PLACE_VERBS = frozenset(
    {"shell", "attack", "strike", "capture", "liberate", "bomb", "hit", "seize", "retake"}
    | {"enter", "leave", "evacuate", "visit", "encircle", "storm", "defend", "target"}
    | {"recapture", "reach", "occupy", "besiege", "raid", "flee"}
)
# Words that name no particular place, though a tagger may take "the state" for one.
GENERIC = frozenset({*REGION_WORDS, "city", "town", "country", "nation", "region"})
# A dateline: a capitalised place at the start of the text, a line or a sentence (after a
# headline), then perhaps its state or country and a news agency in brackets, then a dash or
# a colon ("ORLANDO, Fla. (AP) -", "KYIV (Reuters) -", "BEIRUT:"); "NATO, the alliance" is none.
_DATELINE = re.compile(
    r"(?:^|\n|[.!?]\s)[ \t]*([A-Z][A-Z.’'-]{2,}(?: [A-Z][A-Z.’'-]+){0,2})"
    r"(?=(?:,[ \t]*[A-Z][\w.]*(?:[ \t][A-Z][\w.]*)?)?(?:[ \t]*\([^()\n]{1,40}\))?[ \t]*[-–—:])"
)
# A street, road or highway: capitalised words and a street word ("North Main Street",
# "Kelley Lane", "Old Lexington Highway", "Clarksville St."), or a numbered route ("Route 31").
_STREET = re.compile(
    r"\b(?!(?:The|A|An|In|On|At|Of|For|And|But|From|To|By|Near|Off)\b)"
    r"(?:(?:[A-Z][\w’'-]*|[NSEW]\.|\d+(?:st|nd|rd|th))[ \t]+){1,4}"
    r"(?:Street|Avenue|Road|Lane|Drive|Boulevard|Highway|Parkway|Pike|Turnpike|"
    r"(?:St|Ave|Rd|Ln|Blvd|Hwy|Pkwy)\.)(?![\w-])"
    r"|\b(?:Route|Highway|Interstate|State Road)[ \t]+\d+\b"
)
# Shorter names are too often initials or words to look for elsewhere in the text.
MIN_REPEATED_LENGTH = 4
# "the Borovsky direction", "the Pokrovsk direction": a front sector named after a town.
_DIRECTION = re.compile(r"\b([A-Z][a-z’'-]+?)(?:skyi|skiy|sky|ske|skoye|sk)?\s+direction\b")
_REGION = re.compile(
    r"\b((?:[A-Z][\w’'-]+\s+){0,2}?[A-Z][\w’'-]+)\s+(?i:(" + "|".join(REGION_WORDS) + r"))\b"
)
# A list of names that ends in a plural region word ("Butler, Clark or Warren counties",
# "Hunan and Hubei provinces", "the Kharkiv/Kherson oblasts"): each name of the list is a
# region of that level.
LISTED_REGION_WORDS = {
    "counties": ADMIN2, "parishes": ADMIN2,
    "states": ADMIN1, "provinces": ADMIN1, "oblasts": ADMIN1,
}  # fmt: skip
_LISTED_NAME = r"[A-Z][\w.’'-]*(?:[ \t][A-Z][\w.’'-]*)?"
_LISTED_NAME_PATTERN = re.compile(_LISTED_NAME)
# (from the start of a run of spaces only: tried at every space of a long run, it is quadratic)
_PLURAL_REGION_WORD = re.compile(r"(?<![ \t])[ \t]+(" + "|".join(LISTED_REGION_WORDS) + r")\b")
# The list itself, matched backwards from its region word, within ``LIST_REACH`` characters.
_LIST_BEFORE = re.compile(
    rf"\b(?:{_LISTED_NAME}(?:,[ \t]*{_LISTED_NAME})*,?[ \t]+(?:and|or|&)[ \t]+{_LISTED_NAME}"
    rf"|{_LISTED_NAME}(?:/{_LISTED_NAME})+)\Z"
)
# How far a list may run before its region word, and how many region words are looked
# behind: a list's regex tries every start, so junk text must not get to try them all.
LIST_REACH = 250
MAX_LISTS = 1000
# What stands between a place and the region or country that qualifies it: "Dublin, Ohio"
_QUALIFIER_GAP = re.compile(r",[ \t]*")
# The parts of a home's description, between commas: "Norfolk, Neb."
_HOME_PART = re.compile(r"[^,;\s](?:[^,;]*[^,;\s])?")
# The kinds of mention whose other occurrences are places too (``_repeated``): plain names
# and the names of a list of regions.
NAMED_KINDS = frozenset({"place", ADMIN1, ADMIN2})
# A people's name ("Russian forces"): resolved to its country or region, but no clue to where
# the article's other places are, since it says who, not where: "Russian forces shelled
# Donetsk" and "Ukrainian forces shelled Donetsk" name the same Donetsk.
PEOPLE = "people"
# Suffixes a second-level region's name may carry in the gazetteer ("Butler" -> "Butler County").
REGION_SUFFIXES = (" County", " Parish")
# Endings tried to turn the stem of a "-sky" adjective back into a town ("Borov" -> "Borova").
TOWN_ENDINGS = ("", "a", "e", "o", "y", "ye", "sk")


@dataclass(frozen=True)
class Weights:
    """What each clue adds to a reading's score.

    The context: a reading inside a first-level region the article names (or whose other
    places lie in; ``region`` in full for the region most of them lie in, in proportion for
    the others), in a region where the article's other names could lie (``possible``: by
    their readings' share of population there, whatever their first readings), in a country
    it names, or, for a town, within ``near_km`` of another place it names; a town in the
    region or country written after it (``qualified``: "Dublin, Ohio"). Peoples' names
    ("Russian forces") are no context.

    The name: a reading under its own name beats one under an alternate name ("Kharkiv" the
    city, not the oblast GeoNames also calls Kharkiv; "St." is "Saint"); a first-level
    region under its own name gains more (``own_region``: "Delaware" the state; "Donetsk",
    only another name of Donetsk oblast, the city), and a town known by a country's or
    region's own name only as another of its names loses (``renamed_town``: "Delaware", an
    old name of West Point, Virginia).

    The kind of place (``levels``): a county yields to a town of its name, one of sayso's
    areas (Donbas, the Black Sea) wins because news means it, a country is named more than
    its namesake towns ("Russia"); a first-level region yields to the town of its name that
    is its largest, its country's capital or more populous than the region (``city_region``:
    "Kyiv", "Berlin", "Washington", "Gaza").

    The outlet: a reading in its ``Home`` gains ``home`` times that region's share and
    ``home_country`` times that country's. Then population (log10) breaks the ties. Fitted
    on the ``tune`` part of the geoparsing gold, except two rules for the war and politics
    news sayso is for, which cost a little on that local news: Washington is the capital
    (one toponym worse), and peoples' names are no context (three of the 881 LGL toponyms
    sayso finds there).
    """

    region: float = 0.5
    possible: float = 0.5
    city_region: float = -2.0
    country: float = 0.5
    near: float = 0.5
    near_km: float = 100.0
    own_name: float = 0.5
    own_region: float = 0.25
    renamed_town: float = -2.0
    qualified: float = 2.0
    home: float = 1.5
    home_country: float = 0.25
    population: float = 0.3
    levels: tuple[tuple[str, float], ...] = (
        (ADMIN2, -1.0),
        (AREA, 2.0),
        (COUNTRY, 0.5),
    )


WEIGHTS = Weights()
# The first words of place names that news abbreviates and GeoNames spells out.
ABBREVIATED_WORDS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort", "pt": "point"}
# Only places resolved at least this clearly teach an outlet's home, and a learned home's
# shares count this many articles more than it has, so that one article is no certainty
# (both fitted on ``tune``).
HOME_CONFIDENCE = 0.7
HOME_PRIOR = 1
MAX_ALTERNATIVES = 3
KM_PER_DEGREE = 111.0
# Names are compared in normalised form, and the same few thousand names recur.
_key = lru_cache(maxsize=1 << 16)(normalise_name)


@dataclass(frozen=True)
class Mention:
    """A place name in the text and how it is written: a plain ``place``, a ``region``
    ("the Kharkiv region"), a front-line ``direction``, a ``facility`` or a demonym, or a
    name in a list of regions (``admin1``, ``admin2``: "Butler, Clark or Warren counties")."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Home:
    """Where an outlet is at home: the share of its articles (0 to 1) that clearly place
    something in each first-level region, as (country, admin1 code) -> share, and in each
    country. A reading there gains in proportion; a region the outlet never writes about is
    no clue either way."""

    regions: dict[tuple[str, str], float] = field(default_factory=dict)
    countries: dict[str, float] = field(default_factory=dict)

    @classmethod
    def learned(cls, articles: Iterable[Sequence[Place]]) -> Home:
        """The home of an outlet from the places of its articles: each article counts once
        for each region and country it places a town, region or country in with a
        confidence of at least ``HOME_CONFIDENCE``."""
        regions: Counter[tuple[str, str]] = Counter()
        countries: Counter[str] = Counter()
        total = 0
        for places in articles:
            total += 1
            clear = [p for p in places if p.country and p.confidence >= HOME_CONFIDENCE]
            countries.update({p.country for p in clear if p.country})
            regions.update(
                {
                    (p.country, p.admin1)
                    for p in clear
                    if p.country and p.admin1 and p.kind in (PLACE, ADMIN1, ADMIN2)
                }
            )
        if not total:
            return cls()
        return cls(
            {region: n / (total + HOME_PRIOR) for region, n in regions.items()},
            {country: n / (total + HOME_PRIOR) for country, n in countries.items()},
        )

    @classmethod
    def named(cls, description: str) -> Home:
        """The home a reader names: a town, region or country, with its region or country
        after a comma if need be ("Norfolk, Neb.", "Kharkiv oblast", "Ukraine"). A
        ``UnknownPlaceError`` when sayso knows no place by that name."""
        spans = [match.span() for match in _HOME_PART.finditer(description)]
        places = resolve_places(description, given_mentions(description, spans))
        found = next((p for p in places if p.country), None)
        if found is None or found.country is None:
            raise UnknownPlaceError(f"{description!r} names no town, region or country sayso knows")
        regions = {(found.country, found.admin1): 1.0} if found.admin1 else {}
        return cls(regions, {found.country: 1.0})

    def share(self, entry: GeoEntry) -> tuple[float, float]:
        """The share of the outlet's articles in the entry's region and in its country."""
        region = self.regions.get((entry.country, entry.admin1), 0.0) if entry.admin1 else 0.0
        return region, self.countries.get(entry.country, 0.0) if entry.country else 0.0


NO_HOME = Home()


@lru_cache(maxsize=256)
def named_home(description: str | None) -> Home:
    """``Home.named``, once per description (a batch names the same home again and again);
    no home for none."""
    return Home.named(description) if description and description.strip() else NO_HOME


def find_places(doc: Doc, home: Home = NO_HOME) -> list[Place]:
    """Every place mention in reading order, each resolved or marked unresolved."""
    return resolve_places(doc_text(doc), find_mentions(doc), home)


def find_mentions(doc: Doc) -> list[Mention]:
    text = doc_text(doc)
    spans: dict[tuple[int, int], str] = {}
    named = [(e.start_char, e.end_char) for e in doc.ents if e.label_ in PLACE_LABELS]
    for match in _REGION.finditer(text):
        # "the Zzyzxograd region" is a region, known or not; "Erie County" is one that the
        # gazetteer or the tagger knows, "Republican state" or "Wright State" are not.
        if (
            match.group(2).lower() not in COMMON_REGION_WORDS
            or _names_a_place(match.group(1))
            or any(overlaps(match.span(1), span) for span in named)
        ):
            spans[match.span()] = "region"
    for match in _DIRECTION.finditer(text):
        if not any(overlaps(match.span(), other) for other in spans):
            spans[match.span()] = "direction"
    # The names of "Butler, Clark or Warren counties", whatever the tagger made of them.
    for start, end, level in listed_regions(text):
        for match in _LISTED_NAME_PATTERN.finditer(text, start, end):
            if not any(overlaps(match.span(), other) for other in spans):
                spans[match.span()] = level
    in_names = _words_of_full_names(doc)
    for ent in doc.ents:
        span = (ent.start_char, ent.end_char)
        if any(overlaps(span, other) for other in spans) or _key(ent.text) in GENERIC:
            continue
        # the tagger calls some regions facilities ("Kabardino-Balkaria")
        is_region = ent.label_ in (DEMONYM_LABEL, FACILITY_LABEL) and _is_country_or_region(
            ent.text
        )
        if ent.label_ == DEMONYM_LABEL and is_region:
            spans[span] = PEOPLE
        elif (
            ent.label_ in PLACE_LABELS
            or is_region
            or _is_area(ent.text)
            or (ent.label_ in MISREAD_LABELS and _misread_place(ent, in_names))
        ):
            spans[span] = "place"
        elif ent.label_ == FACILITY_LABEL:
            spans[span] = "facility"
    for token in doc:
        if token.ent_type_ or not (token.is_title and token.is_alpha and token.pos_ == "PROPN"):
            continue
        name = doc[token.i : token.i + 1]
        span = (token.idx, token.idx + len(token))
        if (
            len(token) >= MIN_UNTAGGED_LENGTH
            and not token.is_stop
            and _misread_place(name, in_names)
            and not any(overlaps(span, other) for other in spans)
        ):
            spans[span] = "place"
    for match in _STREET.finditer(text):
        if not any(overlaps(match.span(), other) for other in spans):
            spans[match.span()] = "facility"
    people = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == PERSON_LABEL]
    for span in [*_dateline(text), *_repeated(text, spans)]:
        in_a_name = any(overlaps(span, person) and span != person for person in people)
        if not in_a_name and not any(overlaps(span, other) for other in spans):
            spans[span] = "place"
    return [Mention(start, end, kind) for (start, end), kind in sorted(spans.items())]


def _words_of_full_names(doc: Doc) -> set[str]:
    """The words of the people's names of two words or more ("Abraham Lincoln"): a lone
    "Lincoln" in that article is the man, not the city."""
    return {t.lower_ for e in doc.ents if e.label_ == PERSON_LABEL and len(e) > 1 for t in e}


def _misread_place(name: Span, in_names: set[str]) -> bool:
    """A well-known place the tagger missed or called something else ("shelled Kharkiv":
    a person; "Bakhmut": a product; "Odesa": nothing), where the sentence puts a place:
    after "in", "near", "from"..., or as what is shelled, captured or left."""
    if not name.text[:1].isupper() or any(t.lower_ in in_names for t in name):
        return False
    return _in_place_position(name.root) and _salient(name.text)


def _in_place_position(token: Token) -> bool:
    if token.dep_ == "pobj" and token.head.lower_ in LOCATIVE_PREPOSITIONS:
        return True
    if token.dep_ in ("dobj", "nsubjpass") and token.head.lemma_.lower() in PLACE_VERBS:
        return True
    # "in Kharkiv and Sumy": the second name stands where the first does
    return token.dep_ == "conj" and token.head is not token and _in_place_position(token.head)


def _salient(name: str) -> bool:
    """A country, first-level region or sayso area by its own name, or a town of at least
    ``SALIENT_POPULATION`` people by any of its names."""
    key = _key(name)
    for entry in gazetteer().candidates(name):
        if entry.level == PLACE and entry.population >= SALIENT_POPULATION:
            return True
        if entry.level in (COUNTRY, ADMIN1, AREA) and _key(entry.name) == key:
            return True
    return False


def _dateline(text: str) -> list[tuple[int, int]]:
    """The places of capitalised datelines ("PORTLAND, Maine -", "KYIV (Reuters) -"), which
    taggers miss: they were trained on text in mixed case."""
    return [match.span(1) for match in _DATELINE.finditer(text) if _own_name(match.group(1))]


def _names_a_place(name: str) -> bool:
    """Whether a name is the own name of a town or region ("Erie"), not a demonym
    ("Russian state media") or a compass word ("Western state")."""
    return _key(name) not in BARE_WORDS and any(not e.is_country for e in _own_entries(name))


def _own_name(capitals: str) -> bool:
    """Whether a capitalised word is some place's own name ("KYIV"), not only an alternate
    one or a code ("NATO" is also a town's other name)."""
    return bool(_own_entries(capitals))


def _own_entries(name: str) -> list[GeoEntry]:
    """The entries whose own name (not an alternate one) this is."""
    key = _key(name)
    return [entry for entry in gazetteer().candidates(name) if _key(entry.name) == key]


def _repeated(text: str, spans: dict[tuple[int, int], str]) -> list[tuple[int, int]]:
    """Other occurrences of a place name the article already uses as one: a name keeps its
    sense within an article, while a tagger may read "Gainesville's VFW post" or "Alexandria
    police" as part of an organisation (and so they count in geoparsing gold)."""
    names = {text[start:end] for (start, end), kind in spans.items() if kind in NAMED_KINDS}
    found = []
    # Longest names first, so "New York" wins over the "York" inside it, whatever the order.
    for name in sorted(names, key=lambda n: (-len(n), n)):
        if len(name) < MIN_REPEATED_LENGTH or not name[0].isupper():
            continue
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            found.append(match.span())
    return found


def given_mentions(text: str, spans: Iterable[tuple[int, int]]) -> list[Mention]:
    """Mentions of place names found by other means (gold data, a reader), each of the
    kind its wording gives, or the level of region a list it belongs to names."""
    lists = listed_regions(text)
    return [Mention(start, end, _mention_kind(text, start, end, lists)) for start, end in spans]


def _mention_kind(text: str, start: int, end: int, lists: list[tuple[int, int, str]]) -> str:
    name = re.sub(r"^the\s+", "", text[start:end].strip(), flags=re.I)
    if _REGION.fullmatch(name):
        return "region"
    if _DIRECTION.fullmatch(name):
        return "direction"
    for first, last, level in lists:
        if first <= start and end <= last:
            return level
    return "place"


def _is_area(name: str) -> bool:
    """One of sayso's areas, whatever the tagger called it ("Donbass" is no person)."""
    return any(entry.level == AREA for entry in gazetteer().candidates(name))


def _is_country_or_region(name: str) -> bool:
    """A country or first-level region, or its people ("Ukrainians", "Texans", "Chechen")."""
    return any(e.is_country or e.level == ADMIN1 for e in gazetteer().candidates(name))


def _candidates(mention: str, kind: str) -> list[GeoEntry]:
    """Every reading of a mention: regions for "the X region", towns for a direction."""
    places = gazetteer()
    name = re.sub(r"^the\s+", "", mention.strip(), flags=re.I)
    if kind == "region":
        match = _REGION.search(name)
        level = REGION_WORDS[match.group(2).lower()] if match else ADMIN1
        whole = [e for e in places.candidates(name) if e.is_region]
        if whole or not match:
            return whole
        stem = places.candidates(match.group(1))
        regions = [e for e in stem if e.level == level] or [e for e in stem if e.is_region]
        if regions:
            return regions
        # A region the gazetteer lacks by name: the first-level region of its namesake town.
        towns = [places.region(e.country, e.admin1) for e in stem if e.country and e.admin1]
        return list({e.geonames_id: e for e in towns if e}.values())
    if kind == "direction":
        match = _DIRECTION.search(name)
        stem = match.group(1) if match else name
        for ending in TOWN_ENDINGS:
            found = [e for e in places.candidates(stem + ending) if not e.is_region]
            if found:
                return found
        return []
    if kind == "facility":
        return []
    if kind in (ADMIN1, ADMIN2):
        named = places.candidates(name)
        if kind == ADMIN2:
            named = named + [
                e for suffix in REGION_SUFFIXES for e in places.candidates(name + suffix)
            ]
        found = list({e.geonames_id: e for e in named if e.level == kind}.values())
        return found or places.candidates(name)
    return places.candidates(name)


def listed_regions(text: str) -> list[tuple[int, int, str]]:
    """Lists of two or more names that end in a plural region word, as (start, end of the
    last name, level): "Butler, Clark or Warren counties" are three counties, where
    "Kentucky counties" names none."""
    found = []
    for word in islice(_PLURAL_REGION_WORD.finditer(text), MAX_LISTS):
        end = word.start()
        listed = _LIST_BEFORE.search(text, max(0, end - LIST_REACH), end)
        if listed:
            found.append((listed.start(), end, LISTED_REGION_WORDS[word.group(1)]))
    return found


@dataclass
class _Tally:
    """What readings tell of an article: how many lie in each country and first-level
    region, and at each point (countries have no point here)."""

    countries: Counter[str] = field(default_factory=Counter)
    regions: Counter[tuple[str, str]] = field(default_factory=Counter)
    points: Counter[tuple[float, float]] = field(default_factory=Counter)

    def add(self, entry: GeoEntry) -> None:
        if entry.country:
            self.countries[entry.country] += 1
        if entry.country and entry.admin1:
            self.regions[(entry.country, entry.admin1)] += 1
        if entry.lat is not None and entry.lon is not None and entry.level != "country":
            self.points[(entry.lat, entry.lon)] += 1


@dataclass(frozen=True)
class _Clues:
    """What one name (as written: place, region, direction) brings to its own ranking."""

    # the share of its readings' population in each first-level region (``_possible``)
    own_share: dict[tuple[str, str], float]
    # its first-level regions that yield to a town of their name (``_city_regions``)
    city_regions: set[int]
    # the countries and (country, first-level region) pairs written after it, "Dublin, Ohio"
    qualifiers: set[tuple[str, str | None]]
    # whether it is a country's or first-level region's own name ("Delaware")
    names_a_region: bool


class _Readings:
    """The readings the article's names have so far, each under the name it stands for,
    counted once for the whole article: a name's context is all of them but its own
    (``context_for``), so an article of many names costs no more than linear time. With
    them, what holds for the whole article: how many names could lie in each first-level
    region (``_possible``) and the outlet's home."""

    def __init__(
        self,
        owned: Iterable[tuple[str, GeoEntry]],
        possible: Counter[tuple[str, str]],
        home: Home,
    ) -> None:
        self.possible = possible
        self.home = home
        self.all = _Tally()
        self.by_owner: dict[str, list[GeoEntry]] = {}
        for owner, entry in owned:
            self.by_owner.setdefault(owner, []).append(entry)
            self.all.add(entry)
        self.grid: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for point in self.all.points:
            self.grid.setdefault(_cell(*point), []).append(point)
        self.by_support = self.all.regions.most_common()

    def context_for(self, name: str, clues: _Clues) -> _Context:
        own = _Tally()
        for entry in self.by_owner.get(name, ()):
            own.add(entry)
        return _Context(self, own, clues)


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat), math.floor(lon)


@dataclass
class _Context:
    """What the rest of the article says about where one name is: the countries and
    first-level regions the other names name or lie in, and the points of their places
    (``readings`` less this name's ``own``)."""

    readings: _Readings
    own: _Tally
    clues: _Clues

    def names_country(self, country: str) -> bool:
        return self.readings.all.countries[country] > self.own.countries[country]

    def support(self, region: tuple[str, str]) -> int:
        """How many of the other names lie in (or name) a first-level region."""
        return self.readings.all.regions[region] - self.own.regions[region]

    @cached_property
    def most_support(self) -> int:
        """The support of the region most of the other names lie in."""
        best = 0
        for region, count in self.readings.by_support:
            if count <= best:
                break
            best = max(best, count - self.own.regions[region])
        return best

    def near(self, lat: float, lon: float, km: float) -> bool:
        """Whether another name's place lies within ``km`` (a grid of 1-degree cells
        narrows the search)."""
        reach_lat = km / KM_PER_DEGREE + 1
        widest = min(89.0, abs(lat) + reach_lat)
        reach_lon = km / (KM_PER_DEGREE * math.cos(math.radians(widest))) + 1
        low_lat, low_lon = _cell(lat - reach_lat, lon - reach_lon)
        high_lat, high_lon = _cell(lat + reach_lat, lon + reach_lon)
        if high_lon - low_lon >= 360:
            low_lon, high_lon = -180, 179
        for cell_lat in range(low_lat, high_lat + 1):
            for cell_lon in range(low_lon, high_lon + 1):
                wrapped = (cell_lon + 180) % 360 - 180
                for p_lat, p_lon in self.readings.grid.get((cell_lat, wrapped), ()):
                    if (
                        abs(lat - p_lat) * KM_PER_DEGREE <= km
                        and distance_km(lat, lon, p_lat, p_lon) <= km
                        and self.readings.all.points[(p_lat, p_lon)]
                        > self.own.points[(p_lat, p_lon)]
                    ):
                        return True
        return False


def _score(entry: GeoEntry, name: str, context: _Context) -> float:
    weights = WEIGHTS
    score = dict(weights.levels).get(entry.level, 0.0)
    clues = context.clues
    if entry.geonames_id in clues.city_regions:
        score += weights.city_region
    if entry.level in (PLACE, ADMIN2) and (
        (entry.country, None) in clues.qualifiers
        or (entry.country, entry.admin1) in clues.qualifiers
    ):
        score += weights.qualified
    if entry.country and entry.admin1:
        region = (entry.country, entry.admin1)
        support = context.support(region)
        if support > 0:
            # in full for the region most of the article's places lie in, in part for others
            score += weights.region * support / context.most_support
        # how many of all the names, and of this one, could lie there: the difference
        # counts the other names
        others = context.readings.possible[region] - clues.own_share.get(region, 0.0)
        score += weights.possible * min(1.0, others)
    if entry.country and context.names_country(entry.country):
        score += weights.country
    in_region, in_country = context.readings.home.share(entry)
    score += weights.home * in_region + weights.home_country * in_country
    # a town near the article's other places; a region's point (the mean of its towns') is
    # no place anything is near ("Kharkiv" near Borova is the city, not the oblast)
    located = entry.lat is not None and entry.lon is not None
    if (
        located
        and not entry.is_country
        and not entry.is_region
        and context.near(entry.lat, entry.lon, weights.near_km)
    ):
        score += weights.near
    if _spelled_out(_key(entry.name)) == _spelled_out(name):
        score += weights.own_name + (weights.own_region if entry.level == ADMIN1 else 0.0)
    elif entry.level == PLACE and clues.names_a_region:
        score += weights.renamed_town
    return score + weights.population * math.log10(entry.population + 1)


def _spelled_out(key: str) -> str:
    """A normalised name with its first word's abbreviation spelled out: "St. Petersburg" is
    Saint Petersburg's own name."""
    first, _, rest = key.partition(" ")
    return f"{ABBREVIATED_WORDS[first]} {rest}" if first in ABBREVIATED_WORDS and rest else key


def _rank(entries: list[GeoEntry], name: str, context: _Context) -> list[GeoEntry]:
    return sorted(entries, key=lambda e: -_score(e, name, context))


def resolve_places(text: str, mentions: list[Mention], home: Home = NO_HOME) -> list[Place]:
    """Resolve each mention in two passes: first against the unambiguous ones, then
    against the first readings of all the others, the outlet's ``home`` in both. A name has
    one sense in an article, so each name (and way of writing it: place, region, direction)
    is ranked once."""
    keys = [(_key(text[m.start : m.end]), m.kind) for m in mentions]
    candidates: dict[tuple[str, str], list[GeoEntry]] = {}
    for key, mention in zip(keys, mentions, strict=True):
        if key not in candidates:
            candidates[key] = _candidates(text[mention.start : mention.end], key[1])
    # what the other names say of where a name is: not the names of peoples
    located = {k: c for k, c in candidates.items() if k[1] != PEOPLE}
    anchors = [c[0] for c in located.values() if len(c) == 1 or (c and c[0].is_country)]
    possible, shares = _possible(located)
    region_names = {
        key
        for key, found in candidates.items()
        if any((e.is_country or e.level == ADMIN1) and _key(e.name) == key[0] for e in found)
    }
    qualifiers = _qualifiers(text, mentions, keys, candidates, region_names)
    clues = {
        key: _Clues(
            shares.get(key[0], {}),
            _city_regions(found),
            qualifiers.get(key, set()),
            key in region_names,
        )
        for key, found in candidates.items()
    }
    first = {}
    anchored = _Readings(((_key(a.name), a) for a in anchors), possible, home)
    for (name, kind), found in candidates.items():
        context = anchored.context_for(name, clues[(name, kind)])
        first[(name, kind)] = _rank(found, name, context)[0] if found else None
    readings = _Readings(
        ((k[0], r) for k, r in first.items() if r is not None and k in located), possible, home
    )
    ranked = {}
    for (name, kind), found in candidates.items():
        context = readings.context_for(name, clues[(name, kind)])
        ranked[(name, kind)] = (_rank(found, name, context), context)
    return [
        _place(text, mention, *ranked[key], key[0])
        for mention, key in zip(mentions, keys, strict=True)
    ]


def _qualifiers(
    text: str,
    mentions: list[Mention],
    keys: list[tuple[str, str]],
    candidates: dict[tuple[str, str], list[GeoEntry]],
    region_names: set[tuple[str, str]],
) -> dict[tuple[str, str], set[tuple[str, str | None]]]:
    """The countries and first-level regions written right after a name, after a comma
    ("Dublin, Ohio", "Borova, Kharkiv oblast", "Paris, Texas"), name by name. A region or
    country is not qualified: "Maryland, Delaware, Virginia" is a list."""
    found: dict[tuple[str, str], set[tuple[str, str | None]]] = {}
    for index in range(len(mentions) - 1):
        mention, after = mentions[index], mentions[index + 1]
        qualified = _QUALIFIER_GAP.fullmatch(text, mention.end, after.start)
        if not qualified or keys[index] in region_names:
            continue
        for entry in candidates[keys[index + 1]]:
            if entry.is_country and entry.country:
                found.setdefault(keys[index], set()).add((entry.country, None))
            elif entry.level == ADMIN1 and entry.country and entry.admin1:
                found.setdefault(keys[index], set()).add((entry.country, entry.admin1))
    return found


def _city_regions(found: list[GeoEntry]) -> set[int]:
    """The first-level regions among a name's readings whose largest town is their namesake,
    also among the readings: "Kyiv", "Berlin", "Lagos" mean the city, not the region of the
    same name around it; "Quebec" (whose largest town is Montreal) means the province. So
    does a region named like its country's capital ("Washington" is the capital, not the
    state) or like a town elsewhere that has more people than it ("Gaza" is the city, not
    the province of Mozambique)."""
    towns = {(e.country, e.admin1, _key(e.name)) for e in found if e.level == PLACE}
    capitals = gazetteer().capitals
    named_capitals = {(e.country, _key(e.name)) for e in found if e.geonames_id in capitals}
    people: dict[str, int] = {}
    for town in found:
        if town.level == PLACE:
            people[_key(town.name)] = max(people.get(_key(town.name), 0), town.population)
    city_regions = set()
    for region in found:
        if region.level != ADMIN1 or not region.country or not region.admin1:
            continue
        name = _key(region.name)
        if (region.country, name) in named_capitals or people.get(name, 0) > region.population:
            city_regions.add(region.geonames_id)
            continue
        if (region.country, region.admin1, _key(region.name)) not in towns:
            continue
        largest = gazetteer().largest_town(region.country, region.admin1)
        if largest is not None and _key(largest.name) == _key(region.name):
            city_regions.add(region.geonames_id)
    return city_regions


def _possible(
    candidates: dict[tuple[str, str], list[GeoEntry]],
) -> tuple[Counter[tuple[str, str]], dict[str, dict[tuple[str, str], float]]]:
    """How many of the article's names could lie in each first-level region, in all and
    name by name: each name counts in a region by its readings' share of population there
    ("Butler, Clark and Warren counties" could all be in Kentucky, but far more of their
    people live in the Ohio ones), whatever the first readings say."""
    shares: dict[str, dict[tuple[str, str], float]] = {}
    for (name, _kind), found in candidates.items():
        people: Counter[tuple[str, str]] = Counter()
        for entry in found:
            if entry.country and entry.admin1:
                people[(entry.country, entry.admin1)] += entry.population + 1
        everyone = sum(people.values())
        own = shares.setdefault(name, {})
        for region, count in people.items():
            own[region] = max(own.get(region, 0.0), count / everyone)
    total: Counter[tuple[str, str]] = Counter()
    for own in shares.values():
        total.update(own)
    return total, shares


def _place(
    text: str, mention: Mention, ranked: list[GeoEntry], context: _Context, name: str
) -> Place:
    written = text[mention.start : mention.end]
    if not ranked:
        return Place(
            mention.start, mention.end, written, written, None, None, None, None, None, 0.0, []
        )
    best = ranked[0]
    return Place(
        mention.start,
        mention.end,
        written,
        best.name,
        best.lat,
        best.lon,
        best.geonames_id,
        best.country,
        best.admin1,
        _confidence(ranked, name, context),
        [_alternative(e) for e in ranked[1 : 1 + MAX_ALTERNATIVES]],
        best.level,
    )


def _confidence(ranked: list[GeoEntry], name: str, context: _Context) -> float:
    """1.0 for a single reading; else how clearly the context and size picked the first."""
    if len(ranked) == 1:
        return 1.0
    margin = _score(ranked[0], name, context) - _score(ranked[1], name, context)
    return round(min(0.95, 0.5 + margin / 4), 2)


def _alternative(entry: GeoEntry) -> dict[str, object]:
    return {
        "geonames_id": entry.geonames_id,
        "kind": entry.level,
        "name": entry.name,
        "country": entry.country,
        "admin1": entry.admin1,
        "lat": entry.lat,
        "lon": entry.lon,
    }
