"""Scoring of place finding and geocoding against the XML gold of geoparsing research.

Reads LGL / TR-News style files (``<article><text>…</text><toponyms><toponym><start>,
<end>, <gaztag geonameid><lat><lon>``) and reports toponym recognition precision, recall and
F1 (a predicted place matches a gold toponym its span overlaps, one to one), and, over the
matched toponyms, geocoding accuracy within 161 km (100 miles), the median error in km and
the share that picked the gold GeoNames entry.

Each gold file is split once and for all by article id: ``tune`` (30%) is where sayso's
geocoding rules are looked at and adjusted, ``test`` (the other 70%) is only ever scored, so
figures on it are held-out figures.

With ``outlet_homes``, each article is geocoded a second time with its outlet's ``Home``
learned from the places sayso found in the outlet's other articles of the same part (the
article's own and all gold left out), as a corpus run of that outlet would know it.
"""

from __future__ import annotations

import math
import re
import statistics
import xml.etree.ElementTree as ElementTree
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sayso.errors import GoldDataError
from sayso.gazetteer import distance_km
from sayso.model import Place
from sayso.places import NO_HOME, Home, given_mentions, resolve_places

# The customary threshold of geocoding evaluations: 161 km is 100 miles.
ACCURACY_KM = 161.0
# how far a gold toponym's offsets may have drifted from its phrase (``anchored``)
MAX_DRIFT = 100


@dataclass(frozen=True)
class GoldToponym:
    start: int
    end: int
    text: str
    geonames_id: int | None
    lat: float | None
    lon: float | None


@dataclass
class GoldArticle:
    doc_id: str
    text: str
    toponyms: list[GoldToponym]
    # gold toponyms whose offsets missed their phrase and were moved onto it (``anchored``)
    moved: int = 0
    # the site that published it ("thetowntalk.com"), when the file says
    outlet: str | None = None


SPLITS = ("tune", "test")


def split_of(doc_id: str) -> str:
    """The fixed part of a gold file an article belongs to: 30% ``tune``, 70% ``test``."""
    return "tune" if zlib.crc32(doc_id.encode()) % 10 < 3 else "test"


def load_geoparse_gold(
    path: str | Path, limit: int | None = None, split: str | None = None
) -> list[GoldArticle]:
    """Articles with their gold toponyms, all or those of one ``split``; a
    ``GoldDataError`` for a missing or broken file."""
    path = Path(path)
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as error:
        raise GoldDataError(f"cannot read geoparsing gold {path}: {error}") from error
    articles = []
    for element in root.iter("article"):
        if split is not None and split_of(element.get("docid", "")) != split:
            continue
        text = element.findtext("text") or ""
        toponyms, moved = anchored(text, [t for t in map(_toponym, element.iter("toponym")) if t])
        domain = (element.findtext("domain") or "").strip().removeprefix("www.") or None
        articles.append(GoldArticle(element.get("docid", ""), text, toponyms, moved, domain))
        if limit is not None and len(articles) >= limit:
            break
    if not articles:
        part = f" in the {split!r} part" if split is not None else ""
        raise GoldDataError(f"no <article> elements{part} of {path}")
    return articles


def anchored(text: str, toponyms: list[GoldToponym]) -> tuple[list[GoldToponym], int]:
    """The toponyms with each one's offsets on its own phrase, and how many were moved.

    Some articles of TR-News carry offsets that drift from the stored text by a character or
    more per paragraph (the text was stored with other line breaks than it was annotated
    with): 117 of its 1,319 toponyms. A toponym whose offsets do not cover its phrase is
    moved to the occurrence of the phrase nearest to where the drift so far puts it, within
    ``MAX_DRIFT`` characters; one with no such occurrence keeps its offsets."""
    fixed = []
    moved = 0
    drift = 0
    taken: set[int] = set()
    for toponym in sorted(toponyms, key=lambda t: t.start):
        if text[toponym.start : toponym.end] == toponym.text or not toponym.text:
            fixed.append(toponym)
            continue
        expected = toponym.start + drift
        starts = [
            m.start()
            for m in re.finditer(re.escape(toponym.text), text)
            if abs(m.start() - expected) <= MAX_DRIFT and m.start() not in taken
        ]
        if not starts:
            fixed.append(toponym)
            continue
        start = min(starts, key=lambda s: (abs(s - expected), s))
        taken.add(start)
        drift = start - toponym.start
        moved += 1
        fixed.append(replace(toponym, start=start, end=start + len(toponym.text)))
    return fixed, moved


def _toponym(element: ElementTree.Element) -> GoldToponym | None:
    try:
        start, end = int(element.findtext("start", "")), int(element.findtext("end", ""))
    except ValueError:
        return None
    gaztag = element.find("gaztag")
    geonames_id = lat = lon = None
    if gaztag is not None:
        geonames_id = int(gaztag.get("geonameid")) if gaztag.get("geonameid") else None
        lat = _number(gaztag.findtext("lat"))
        lon = _number(gaztag.findtext("lon"))
    return GoldToponym(start, end, element.findtext("phrase", ""), geonames_id, lat, lon)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


@dataclass
class GeoReport:
    n_articles: int = 0
    n_gold: int = 0
    n_predicted: int = 0
    n_matched: int = 0
    errors_km: list[float] = field(default_factory=list)
    same_entry: int = 0
    geocodable: int = 0
    moved: int = 0

    @property
    def precision(self) -> float:
        return self.n_matched / self.n_predicted if self.n_predicted else 0.0

    @property
    def recall(self) -> float:
        return self.n_matched / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy_161(self) -> float:
        """Share of matched, geocodable gold toponyms placed within 161 km."""
        if not self.geocodable:
            return 0.0
        return sum(e <= ACCURACY_KM for e in self.errors_km) / self.geocodable

    @property
    def median_error_km(self) -> float | None:
        """Median distance, unplaced toponyms counted as infinitely far; None if that."""
        if not self.errors_km:
            return None
        median = statistics.median(self.errors_km)
        return None if math.isinf(median) else median

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.n_articles,
            "gold_toponyms": self.n_gold,
            "predicted_places": self.n_predicted,
            "gold_toponyms_moved_onto_their_phrase": self.moved,
            "recognition": {"precision": self.precision, "recall": self.recall, "f1": self.f1},
            "geocoding": {
                "matched_with_coordinates": self.geocodable,
                "accuracy_161km": self.accuracy_161,
                "median_error_km": self.median_error_km,
                "same_geonames_entry": self.same_entry / self.geocodable
                if self.geocodable
                else 0.0,
            },
        }

    def format(self) -> str:
        d = self.to_dict()
        rec, geo = d["recognition"], d["geocoding"]
        median = "n/a" if geo["median_error_km"] is None else f"{geo['median_error_km']:.1f} km"
        return "\n".join(
            [
                f"{self.n_articles} articles: {self.n_gold} gold toponyms "
                f"({self.moved} moved onto their phrase), {self.n_predicted} places found",
                f"recognition   P {rec['precision']:.3f}  R {rec['recall']:.3f}  "
                f"F1 {rec['f1']:.3f}",
                f"geocoding     accuracy@161km {geo['accuracy_161km']:.3f}  median error "
                f"{median}  same GeoNames entry {geo['same_geonames_entry']:.3f}  "
                f"(over {geo['matched_with_coordinates']} matched toponyms)",
            ]
        )


def score_article(places: Sequence[Place], gold: GoldArticle, report: GeoReport) -> None:
    """Add one article's counts: one-to-one overlap matching, then distances."""
    report.n_articles += 1
    report.n_gold += len(gold.toponyms)
    report.moved += gold.moved
    report.n_predicted += len(places)
    used: set[int] = set()
    for toponym in gold.toponyms:
        match = next(
            (
                i
                for i, p in enumerate(places)
                if i not in used and p.start < toponym.end and toponym.start < p.end
            ),
            None,
        )
        if match is None:
            continue
        used.add(match)
        report.n_matched += 1
        place = places[match]
        if toponym.lat is None or toponym.lon is None:
            continue
        report.geocodable += 1
        if place.lat is None or place.lon is None:
            report.errors_km.append(math.inf)
            continue
        report.errors_km.append(distance_km(toponym.lat, toponym.lon, place.lat, place.lon))
        report.same_entry += place.geonames_id == toponym.geonames_id


def evaluate_geoparse(
    gold_path: str | Path,
    find: Callable[[GoldArticle, Home], Sequence[Place]],
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    split: str | None = None,
    outlet_homes: bool = False,
) -> GeoReport:
    """Run ``find`` on every gold article (its text exactly as stored, no home) and score
    it; with ``outlet_homes``, run it again with the home learned from the outlet's other
    articles and score that instead."""
    articles = load_geoparse_gold(gold_path, limit, split)
    steps = len(articles) * (2 if outlet_homes else 1)
    found = []
    for done, article in enumerate(articles, start=1):
        found.append(find(article, NO_HOME))
        if progress is not None:
            progress(done, steps)
    if outlet_homes:
        found = _with_outlet_homes(articles, found, find, progress, steps)
    report = GeoReport()
    for article, places in zip(articles, found, strict=True):
        score_article(places, article, report)
    return report


def _with_outlet_homes(
    articles: list[GoldArticle],
    found: list[Sequence[Place]],
    find: Callable[[GoldArticle, Home], Sequence[Place]],
    progress: Callable[[int, int], None] | None,
    steps: int,
) -> list[Sequence[Place]]:
    by_outlet: dict[str, list[int]] = {}
    for index, article in enumerate(articles):
        if article.outlet:
            by_outlet.setdefault(article.outlet, []).append(index)
    again = []
    for index, article in enumerate(articles):
        others = [i for i in by_outlet.get(article.outlet or "", ()) if i != index]
        home = Home.learned(found[i] for i in others)
        again.append(find(article, home) if others else found[index])
        if progress is not None:
            progress(len(articles) + index + 1, steps)
    return again


def resolve_gold_toponyms(article: GoldArticle, home: Home = NO_HOME) -> list[Place]:
    """sayso's reading of each gold toponym, the article's other gold toponyms (and the
    outlet's ``home``) as context."""
    spans = [(t.start, t.end) for t in article.toponyms]
    return resolve_places(article.text, given_mentions(article.text, spans), home)
