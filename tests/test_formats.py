"""GeoJSON and CSV exports of events and places."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from sayso.cli import cli
from sayso.formats import CSV_COLUMNS, to_csv, to_geojson
from sayso.pipeline import analyze

TEXT = (
    "According to Interfax, citing the regional governor, Russian forces shelled the city of "
    "Kharkiv on Monday, damaging two schools."
)


def test_geojson_is_a_feature_collection_with_lon_lat_points() -> None:
    analysis = analyze(TEXT, published="2025-07-16")
    collection = json.loads(to_geojson(analysis))
    assert collection["type"] == "FeatureCollection"
    events = [f for f in collection["features"] if f["properties"]["feature"] == "event"]
    assert len(events) == 1
    lon, lat = events[0]["geometry"]["coordinates"]
    assert 49 < lat < 51 and 35 < lon < 37  # Kharkiv, longitude first
    props = events[0]["properties"]
    assert props["sub_event_type"] == "Shelling/artillery/missile attack"
    assert props["date"] == "2025-07-14"
    assert props["source_chain"].endswith("<- Interfax")
    assert any(f["properties"]["feature"] == "place" for f in collection["features"])


def test_csv_has_acled_like_columns_and_the_source_chain() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(analyze(TEXT, published="2025-07-16")))))
    assert len(rows) == 1
    row = rows[0]
    assert tuple(row) == CSV_COLUMNS
    assert (row["event_type"], row["location"], row["event_date"]) == (
        "Explosions/Remote violence",
        "Kharkiv",
        "2025-07-14",
    )
    assert "Interfax" in row["source_chain"]


def test_cli_formats(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    for fmt, check in (("geojson", '"FeatureCollection"'), ("csv", "event_date,event_type")):
        result = CliRunner().invoke(
            cli, ["analyze", str(path), "--format", fmt, "--published", "2025-07-16"]
        )
        assert result.exit_code == 0, result.output
        assert check in result.output
