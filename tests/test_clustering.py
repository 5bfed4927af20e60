"""Corpus mode end to end: articles analysed and stored, claims clustered, verdicts judged.

Every article was written for these tests; outlets and places are invented. Designed cases:
the same claim relayed by three outlets from one agency (single origin), the same claim from
two unrelated origins (corroborated), a syndicated copy, and a citation loop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sayso.cli import cli
from sayso.clustering import cluster_claims
from sayso.corroboration import CIRCULAR, CORROBORATED, SINGLE_ORIGIN
from sayso.inputs import read_article
from sayso.pipeline import analyze_article
from sayso.store import Store


def store_article(store: Store, text: str, outlet: str, published: str) -> int:
    article = read_article(text, outlet=outlet, published=published)
    added = store.add_article(analyze_article(article, fast=True).to_dict(), source=outlet)
    assert added.stored
    return added.article_id


AGENCY_CLAIM = [
    (
        "Daily Alder",
        "2024-03-02",
        "Water supplies were cut in two districts on Friday. According to Agency North, "
        "twelve soldiers abandoned their positions near the village of Lipky on Thursday. "
        "Repairs to the pumping station are expected to take a week.",
    ),
    (
        "Daily Birch",
        "2024-03-03",
        "According to Agency North, twelve soldiers abandoned their positions near the "
        "village of Lipky on Thursday. The regional council meets on Monday to discuss "
        "the budget for schools and roads.",
    ),
    (
        "Daily Cedar",
        "2024-03-01",
        "Farmers in the valley expect a late harvest this year. According to Agency North, "
        "twelve soldiers abandoned their positions near the village of Lipky on Thursday.",
    ),
]
LOOP = [
    (
        "Site One",
        "2024-04-01",
        "Site Two reported that the dam at Novy Bereg had been mined by retreating units. "
        "The river level has risen by a metre since the weekend.",
    ),
    (
        "Site Two",
        "2024-04-02",
        "Site One reported that the dam at Novy Bereg had been mined by retreating units. "
        "Residents downstream were told to prepare for evacuation.",
    ),
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.db"
    with Store.open(path) as store:
        for outlet, published, text in AGENCY_CLAIM + LOOP:
            store_article(store, text, outlet, published)
        cluster_claims(store)
    return path


def _cluster_with(store: Store, words: str) -> dict:
    (row,) = store.clusters(query=words)
    found = store.cluster(row["id"])
    assert found is not None
    return found


def test_three_outlets_relaying_one_agency_are_a_single_origin(corpus: Path) -> None:
    with Store.open(corpus) as store:
        cluster = _cluster_with(store, "Lipky")
    assert cluster["verdict"] == SINGLE_ORIGIN
    assert cluster["reports"] == 3
    assert "trace to one origin: Agency North" in cluster["reasons"][0]
    assert cluster["first_published"] == "2024-03-01"


def test_outlets_citing_each_other_are_circular(corpus: Path) -> None:
    with Store.open(corpus) as store:
        cluster = _cluster_with(store, "Bereg")
    assert cluster["verdict"] == CIRCULAR
    assert "Site One" in cluster["reasons"][0] and "Site Two" in cluster["reasons"][0]


def test_unrelated_claims_stay_apart(corpus: Path) -> None:
    with Store.open(corpus) as store:
        lipky = _cluster_with(store, "Lipky")
        bereg = _cluster_with(store, "Bereg")
        assert lipky["id"] != bereg["id"]
        assert not store.clusters(query="harvest AND Lipky AND Bereg")


def test_a_second_origin_arriving_later_corroborates_and_a_copy_does_not(corpus: Path) -> None:
    with Store.open(corpus) as store:
        before = store.count("clusters")
        store_article(
            store,
            "The Lipky village council said that twelve soldiers abandoned their positions "
            "near the village of Lipky on Thursday. Schools in the area stay closed.",
            "Valley Radio",
            "2024-03-04",
        )
        copy = store_article(
            store,
            "Farmers in the valley expect a late harvest this year. According to Agency North, "
            "twelve soldiers abandoned their positions near the village of Lipky on Thursday!",
            "Daily Cedar Syndication",
            "2024-03-05",
        )
        run = cluster_claims(store)
        cluster = _cluster_with(store, "Lipky")
        # only the new articles' claims were placed: at most one new cluster each
        assert store.count("clusters") <= before + 2
    assert run.placed >= 2
    assert cluster["verdict"] == CORROBORATED
    assert "Agency North" in cluster["reasons"][0] and "village council" in cluster["reasons"][0]
    assert cluster["copies"] == 1
    assert any(f"(articles {copy})" in reason for reason in cluster["reasons"])


def test_clustering_twice_places_nothing_twice(corpus: Path) -> None:
    with Store.open(corpus) as store:
        clusters = store.count("clusters")
        run = cluster_claims(store)
        assert run.placed == 0
        assert store.count("clusters") == clusters


def test_trace_claims_and_sources_commands(corpus: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["claims", "--db", str(corpus), "--query", "Lipky", "--json"])
    assert listed.exit_code == 0, listed.output
    (cluster,) = json.loads(listed.output)
    traced = runner.invoke(cli, ["trace", str(cluster["id"]), "--db", str(corpus)])
    assert traced.exit_code == 0, traced.output
    assert "verdict: single origin" in traced.output
    lines = traced.output.splitlines()
    agency = next(i for i, line in enumerate(lines) if line.strip() == "Agency North")
    assert all(f"-> Daily {name}" in "\n".join(lines[agency:]) for name in ("Alder", "Birch"))
    as_json = json.loads(
        runner.invoke(cli, ["trace", str(cluster["id"]), "--db", str(corpus), "--json"]).output
    )
    assert [node["name"] for node in as_json["tree"]] == ["Agency North"]
    assert [row["published"] for row in as_json["timeline"]] == [
        "2024-03-01",
        "2024-03-02",
        "2024-03-03",
    ]
    sources = runner.invoke(cli, ["sources", "--db", str(corpus), "--top", "3"])
    assert sources.exit_code == 0
    assert "Agency North" in sources.output.splitlines()[0]


def test_trace_of_a_missing_cluster_is_one_clear_line(corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["trace", "999", "--db", str(corpus)])
    assert result.exit_code != 0
    assert "no cluster 999" in result.output and "Traceback" not in result.output


POLNEAR_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear" / "dev" / "text"


@pytest.mark.skipif(not POLNEAR_DEV.is_dir(), reason="PolNeAR dev texts not found")
def test_real_news_among_the_designed_cases_leaves_their_verdicts_alone(corpus: Path) -> None:
    with Store.open(corpus) as store:
        for path in sorted(POLNEAR_DEV.glob("*.txt"))[:10]:
            text = path.read_text(encoding="utf-8")
            store_article(store, text, f"PolNeAR {path.stem}", "2016-05-01")
        run = cluster_claims(store)
        assert run.placed > 100
        lipky = _cluster_with(store, "Lipky")
        bereg = _cluster_with(store, "Bereg")
        # the designed clusters took in no claim of the real articles
        assert (lipky["size"], lipky["verdict"]) == (3, SINGLE_ORIGIN)
        assert (bereg["size"], bereg["verdict"]) == (2, CIRCULAR)
        every = store.clusters(limit=10_000)
        assert sum(row["reports"] for row in every) == store.count("claims") - run.skipped_short
