"""Geoparsing evaluation: the gold reader and the scores, on a fixture worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sayso.cli import cli
from sayso.errors import GoldDataError
from sayso.gazetteer import distance_km
from sayso.geoeval import (
    GoldArticle,
    GoldToponym,
    anchored,
    evaluate_geoparse,
    load_geoparse_gold,
    resolve_gold_toponyms,
    split_of,
)
from sayso.model import Place
from sayso.places import NO_HOME, Home

TEXT = "Officials in Kharkiv said the road to Borova was closed."
GOLD = f"""<?xml version="1.0" encoding="utf-8"?>
<articles>
  <article docid="1">
    <text><![CDATA[{TEXT}]]></text>
    <toponyms>
      <toponym><start>13</start><end>20</end><phrase>Kharkiv</phrase>
        <gaztag geonameid="706483"><lat>49.98</lat><lon>36.25</lon></gaztag></toponym>
      <toponym><start>38</start><end>44</end><phrase>Borova</phrase>
        <gaztag geonameid="711623"><lat>49.38</lat><lon>37.62</lon></gaztag></toponym>
    </toponyms>
  </article>
</articles>
"""


def write(tmp_path: Path) -> Path:
    path = tmp_path / "gold.xml"
    path.write_text(GOLD, encoding="utf-8")
    return path


def test_distance() -> None:
    # Kharkiv to Kyiv is about 410 km.
    assert 400 < distance_km(49.98, 36.25, 50.45, 30.52) < 420
    assert distance_km(10.0, 20.0, 10.0, 20.0) == 0.0


def test_gold_reader(tmp_path: Path) -> None:
    (article,) = load_geoparse_gold(write(tmp_path))
    assert [TEXT[t.start : t.end] for t in article.toponyms] == ["Kharkiv", "Borova"]
    assert article.toponyms[1].geonames_id == 711623


def test_scores_worked_out_by_hand(tmp_path: Path) -> None:
    def find(article: GoldArticle, home: Home) -> list[Place]:
        # Kharkiv right, Borova put in the wrong oblast (about 400 km off), one extra place.
        return [
            Place(13, 20, "Kharkiv", "Kharkiv", 49.98, 36.25, 706483, "UA", "07", 1.0),
            Place(38, 44, "Borova", "Borova", 50.18, 30.10, 711621, "UA", "13", 0.5),
            Place(0, 9, "Officials", "Officials", None, None, None, None, None, 0.0),
        ]

    report = evaluate_geoparse(write(tmp_path), find)
    assert (report.n_gold, report.n_predicted, report.n_matched) == (2, 3, 2)
    assert report.precision == pytest.approx(2 / 3) and report.recall == 1.0
    assert report.accuracy_161 == 0.5
    assert report.to_dict()["geocoding"]["same_geonames_entry"] == 0.5


def test_cli(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", "geoparse", "--gold", str(write(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "1 articles: 2 gold toponyms" in result.output
    bad = tmp_path / "bad.xml"
    bad.write_text("<articles><article>", encoding="utf-8")
    with pytest.raises(GoldDataError):
        load_geoparse_gold(bad)


def test_splits_are_fixed_and_disjoint(tmp_path: Path) -> None:
    ids = [str(n) for n in range(200)]
    parts = [split_of(i) for i in ids]
    assert parts == [split_of(i) for i in ids]  # the same every time
    assert 0.2 < parts.count("tune") / len(ids) < 0.4
    gold = tmp_path / "gold.xml"
    articles = "".join(
        f'<article docid="{i}"><text>x</text><toponyms/></article>' for i in ids[:20]
    )
    gold.write_text(f"<articles>{articles}</articles>", encoding="utf-8")
    tune = {a.doc_id for a in load_geoparse_gold(gold, split="tune")}
    test = {a.doc_id for a in load_geoparse_gold(gold, split="test")}
    assert tune and test and not tune & test and tune | test == set(ids[:20])


def test_given_toponyms_resolves_the_gold_spans(tmp_path: Path) -> None:
    (article,) = load_geoparse_gold(write(tmp_path))
    places = resolve_gold_toponyms(article)
    assert [(p.start, p.end, p.geonames_id) for p in places] == [
        (13, 20, 706483),
        (38, 44, 711623),  # the Borova of Kharkiv oblast, as the gold has it
    ]
    result = CliRunner().invoke(
        cli, ["eval", "geoparse", "--gold", str(write(tmp_path)), "--given-toponyms"]
    )
    assert result.exit_code == 0, result.output
    assert "2 places found" in result.output


def test_drifting_gold_offsets_are_moved_onto_their_phrase() -> None:
    # As in some TR-News articles: each paragraph break was one character longer when the
    # text was annotated, so the offsets run ahead of the stored text by one per paragraph.
    text = "Edmonton grew.\nCalgary too.\nEdmonton and Edmonton again."
    given = [
        GoldToponym(0, 8, "Edmonton", 1, 0.0, 0.0),
        GoldToponym(16, 23, "Calgary", 2, 0.0, 0.0),
        GoldToponym(30, 38, "Edmonton", 1, 0.0, 0.0),
        GoldToponym(43, 51, "Edmonton", 1, 0.0, 0.0),
        GoldToponym(5, 10, "Paris", 3, 0.0, 0.0),  # nowhere in the text: left as it is
    ]
    fixed, moved = anchored(text, given)
    assert moved == 3
    spans = {(t.text, t.start, t.end) for t in fixed}
    assert spans == {
        ("Edmonton", 0, 8),
        ("Calgary", 15, 22),
        ("Edmonton", 28, 36),
        ("Edmonton", 41, 49),
        ("Paris", 5, 10),
    }
    assert all(text[t.start : t.end] == t.text for t in fixed if t.text != "Paris")


LOCAL = """<?xml version="1.0" encoding="utf-8"?>
<articles>
  <article docid="1"><domain>www.example-ohio-paper.com</domain>
    <text><![CDATA[The council in Columbus, Ohio, met on Monday.]]></text>
    <toponyms>
      <toponym><start>15</start><end>23</end><phrase>Columbus</phrase>
        <gaztag geonameid="4509177"><lat>39.96</lat><lon>-83.0</lon></gaztag></toponym>
      <toponym><start>25</start><end>29</end><phrase>Ohio</phrase>
        <gaztag geonameid="5165418"><lat>40.25</lat><lon>-83.0</lon></gaztag></toponym>
    </toponyms>
  </article>
  <article docid="2"><domain>example-ohio-paper.com</domain>
    <text><![CDATA[Police in Dublin said the fire started in a garage.]]></text>
    <toponyms>
      <toponym><start>10</start><end>16</end><phrase>Dublin</phrase>
        <gaztag geonameid="5152333"><lat>40.10</lat><lon>-83.11</lon></gaztag></toponym>
    </toponyms>
  </article>
  <article docid="3">
    <text><![CDATA[Police in Dublin said the fire started in a garage.]]></text>
    <toponyms>
      <toponym><start>10</start><end>16</end><phrase>Dublin</phrase>
        <gaztag geonameid="5152333"><lat>40.10</lat><lon>-83.11</lon></gaztag></toponym>
    </toponyms>
  </article>
</articles>
"""


def test_outlet_homes_are_learned_from_the_outlets_other_articles(tmp_path: Path) -> None:
    gold = tmp_path / "local.xml"
    gold.write_text(LOCAL, encoding="utf-8")
    articles = load_geoparse_gold(gold)
    assert [a.outlet for a in articles] == ["example-ohio-paper.com"] * 2 + [None]
    homes: dict[str, Home] = {}

    def find(article: GoldArticle, home: Home) -> list[Place]:
        if home != NO_HOME:
            homes[article.doc_id] = home
        return resolve_gold_toponyms(article, home)

    plain = evaluate_geoparse(gold, find)
    assert plain.same_entry == 2  # Columbus and Ohio; both Dublins read as Ireland's
    assert not homes
    report = evaluate_geoparse(gold, find, outlet_homes=True)
    assert report.same_entry == 3  # the Ohio paper's Dublin; the one of no outlet stays Irish
    # each article's home comes from the outlet's other article alone, not from itself
    assert homes["2"].regions == {("US", "OH"): 0.5}  # one article of two counted
    # the other article's Dublin (Ireland's, for want of clues) was no clear reading
    assert "1" not in homes
    result = CliRunner().invoke(
        cli, ["eval", "geoparse", "--gold", str(gold), "--given-toponyms", "--outlet-homes"]
    )
    assert result.exit_code == 0, result.output
    assert "same GeoNames entry 0.750" in result.output
