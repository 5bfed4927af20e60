"""Exports of an analysis for other tools: GeoJSON for maps, CSV in ACLED-like columns.

GeoJSON (RFC 7946, coordinates as longitude, latitude) opens in QGIS or geojson.io: one
feature per event that has a place with coordinates, and one per place. The CSV has one row
per event, with the chain of sources of the claim it comes from, so a spreadsheet keeps the
say-so next to the event.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sayso.model import Analysis, Event, Place

CSV_COLUMNS = (
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "location",
    "latitude",
    "longitude",
    "geonames_id",
    "country",
    "admin1",
    "quantities",
    "source_chain",
    "claim_id",
    "notes",
)


def _chains(analysis: Analysis) -> dict[str, str]:
    """Claim id -> "Andrei Marochko <- RIA Novosti" (origin first)."""
    chains: dict[str, str] = {}
    for attribution in analysis.attributions:
        if attribution.claim_id and attribution.claim_id not in chains:
            chains[attribution.claim_id] = " <- ".join(link.name for link in attribution.chain)
    return chains


def _source(event: Event, chains: dict[str, str]) -> str:
    if event.claim_id is None:
        return ""
    return chains.get(event.claim_id, "the article itself (no source given)")


def _point(place: Place | None) -> dict[str, Any] | None:
    if place is None or place.lat is None or place.lon is None:
        return None
    return {"type": "Point", "coordinates": [place.lon, place.lat]}


def to_geojson(analysis: Analysis) -> str:
    """Events with a located place, then every located place, as a FeatureCollection."""
    chains = _chains(analysis)
    features = []
    for event in analysis.events:
        geometry = _point(event.location)
        if geometry is None:
            continue
        properties = {
            "feature": "event",
            "event_type": event.type,
            "sub_event_type": event.sub_type,
            "actor1": event.actor1,
            "actor2": event.actor2,
            "date": event.date.value if event.date else None,
            "location": event.location.name if event.location else None,
            "quantities": [q.text for q in event.quantities],
            "source_chain": _source(event, chains),
            "claim_id": event.claim_id,
            "evidence": event.evidence.text,
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    for place in analysis.places:
        geometry = _point(place)
        if geometry is None:
            continue
        properties = {
            "feature": "place",
            "name": place.name,
            "text": place.text,
            "geonames_id": place.geonames_id,
            "country": place.country,
            "admin1": place.admin1,
            "kind": place.kind,
            "confidence": place.confidence,
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, indent=2)


def to_csv(analysis: Analysis) -> str:
    """One row per event in ACLED-like columns, with the claim's chain of sources."""
    chains = _chains(analysis)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for event in analysis.events:
        place = event.location
        writer.writerow(
            {
                "event_date": event.date.value if event.date else "",
                "event_type": event.type,
                "sub_event_type": event.sub_type,
                "actor1": event.actor1 or "",
                "actor2": event.actor2 or "",
                "location": place.name if place else "",
                "latitude": "" if place is None or place.lat is None else place.lat,
                "longitude": "" if place is None or place.lon is None else place.lon,
                "geonames_id": ""
                if place is None or place.geonames_id is None
                else place.geonames_id,
                "country": place.country if place and place.country else "",
                "admin1": place.admin1 if place and place.admin1 else "",
                "quantities": "; ".join(q.text for q in event.quantities),
                "source_chain": _source(event, chains),
                "claim_id": event.claim_id or "",
                "notes": " ".join(event.evidence.text.split()),
            }
        )
    return out.getvalue()
