"""The place index: how it is built and replaced, and what a lookup returns."""

from __future__ import annotations

from pathlib import Path

import pytest

from sayso.gazetteer import _build_at, gazetteer


def test_a_failed_build_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "gazetteer-9-x.sqlite"

    def broken(path: Path) -> None:
        path.write_bytes(b"half an index")
        raise OSError("disk full")

    with pytest.raises(OSError):
        _build_at(target, broken)
    assert list(tmp_path.iterdir()) == []


def test_a_new_index_replaces_older_ones_but_not_a_build_in_progress(tmp_path: Path) -> None:
    older = tmp_path / "gazetteer-8-x.sqlite"
    older.write_bytes(b"old")
    in_progress = tmp_path / "gazetteer-9-x.sqlite.4242.tmp"
    in_progress.write_bytes(b"another process")
    target = tmp_path / "gazetteer-9-x.sqlite"
    _build_at(target, lambda path: path.write_bytes(b"new"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, in_progress.name])
    assert target.read_bytes() == b"new"


def test_lookups_list_countries_first_then_by_kind_and_size() -> None:
    found = gazetteer().candidates("Georgia")
    assert (found[0].level, found[0].country) == ("country", "GE")
    assert ("admin1", "US") in [(e.level, e.country) for e in found]
    towns = [e for e in gazetteer().candidates("Borova") if e.level == "place"]
    assert [e.population for e in towns] == sorted((e.population for e in towns), reverse=True)
    assert gazetteer().candidates("Zzyzxograd") == []
    assert gazetteer().region("UA", "07").geonames_id == 706482  # Kharkiv oblast


def test_capitals_peoples_and_news_spellings_are_in_the_index() -> None:
    capitals = gazetteer().capitals
    assert {4140963, 703448, 2643743} <= capitals  # Washington DC, Kyiv, London
    assert 5815135 not in capitals and 4776222 not in capitals  # Washington state; Norfolk
    assert [(e.country, e.admin1) for e in gazetteer().candidates("Hoosiers")] == [("US", "IN")]
    crimea = gazetteer().candidates("Crimeans")
    assert [(e.country, e.admin1, e.level) for e in crimea] == [("UA", "11", "admin1")]
    assert (
        gazetteer().candidates("Kalmykia")[0].geonames_id
        == gazetteer().region("RU", "24").geonames_id
    )
