"""The corpus store: schema and its documentation, versions and migration, refusal of newer
stores, one transaction per article, near-duplicates, full-text search and errors.

Every article text was written for these tests.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sayso import minhash, store
from sayso.errors import StoreError, StoreVersionError
from sayso.pipeline import analyze
from sayso.store import Store, content_hash

DOCS = Path(__file__).resolve().parents[1] / "docs" / "STORE.md"

BRIDGE = (
    "Bridge over the Wend closed after inspectors find cracks\n\n"
    "The only road bridge over the Wend River near Northfield was closed on Tuesday after "
    "inspectors found cracks in two of its supporting piers, the regional transport ministry "
    "said. According to the Valley Gazette, the damage was spotted during a routine check "
    "last week. Traffic is being sent on a forty-minute detour through Millbrook, and "
    "shopkeepers in the town centre say trade has already fallen. The ministry said repairs "
    "would take at least three months and cost about two million pounds, and that a "
    "temporary footbridge could open for pedestrians by the end of August. Local councillors "
    "have asked for a public meeting to discuss the closure and its effects on the market."
)
# The same article republished with two words changed, as syndicated copies often are.
BRIDGE_COPY = BRIDGE.replace("forty-minute", "lengthy").replace("shopkeepers", "traders")
HARBOUR = (
    "The port authority has paused its plan to deepen the northern channel, two weeks after "
    'fishermen complained about silt in their nets. "We will not dig another metre until the '
    "survey is finished,\" said Tomas Eriksen, the authority's chief engineer."
)
MUSEUM = (
    "The museum said on Friday that its new wing would open to visitors in the spring, two "
    "years later than planned, after a dispute with the builders over the cost of the roof."
)


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    texts = {"bridge": BRIDGE, "copy": BRIDGE_COPY, "harbour": HARBOUR, "museum": MUSEUM}
    return {name: analyze(text, fast=True).to_dict() for name, text in texts.items()}


def _tables(path: Path) -> dict[str, list[str]]:
    """Every table (FTS5 shadow tables aside) with its columns, read with plain sqlite3."""
    with sqlite3.connect(path) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        fts = [name for name in names if name.endswith("_fts")]
        names = [n for n in names if not any(n.startswith(f"{f}_") for f in fts)]
        return {
            name: [row[1] for row in connection.execute(f"PRAGMA table_info({name})")]
            for name in names
        }


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_store_has_the_documented_schema_and_version(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Store.open(path) as opened:
        assert opened.schema_version() == store.STORE_VERSION == 1
    tables = _tables(path)
    assert set(tables) == {
        "sayso_store",
        "articles",
        "claims",
        "sources",
        "events",
        "errors",
        "minhashes",
        "minhash_bands",
        "claim_vectors",
        "clusters",
        "claim_clusters",
        "articles_fts",
        "claims_fts",
    }
    assert {"content_hash", "duplicate_of", "similarity", "analysis"} <= set(tables["articles"])
    docs = DOCS.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^### |^## |\Z)", docs, re.M | re.S))
    assert set(sections) == set(tables), "every table has a section in docs/STORE.md"
    for table, columns in tables.items():
        documented = re.findall(r"^\| `(\w+)` \|", sections[table], re.M)
        assert documented == columns, f"docs/STORE.md documents {table}'s columns in order"
    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT value FROM sayso_store WHERE key = 'schema_version'")
        assert row.fetchone() == ("1",)


def test_newer_store_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store.open(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE sayso_store SET value = '7' WHERE key = 'schema_version'")
    connection.close()
    before = _digest(path)
    with pytest.raises(StoreVersionError, match="version 7 store, written by a newer sayso"):
        Store.open(path)
    with pytest.raises(StoreVersionError):
        Store.open(path, readonly=True)
    assert _digest(path) == before
    assert StoreVersionError.code == "store_too_new"


def test_other_databases_and_files_are_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    connection.close()
    text_file = tmp_path / "notes.txt"
    text_file.write_text("Not a database at all, just some notes.\n" * 100)
    for path in (other, text_file):
        before = _digest(path)
        with pytest.raises(StoreError, match="not a sayso store"):
            Store.open(path)
        assert _digest(path) == before
    with pytest.raises(StoreError, match="no sayso store"):
        Store.open(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_older_store_is_migrated_keeping_its_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, records: dict[str, dict[str, Any]]
) -> None:
    path = tmp_path / "old.db"
    with Store.open(path) as opened:
        opened.add_article(records["harbour"], source="harbour.txt")
    version_2 = ("ALTER TABLE articles ADD COLUMN language TEXT",)
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, version_2))
    with Store.open(path) as opened:
        assert opened.schema_version() == 2
        assert opened.count("articles") == 1
        assert opened.search_articles("fishermen")
    assert "language" in _tables(path)["articles"]


def test_an_article_is_stored_once_with_its_rows(
    tmp_path: Path, records: dict[str, dict[str, Any]]
) -> None:
    record = records["bridge"]
    with Store.open(tmp_path / "corpus.db") as opened:
        added = opened.add_article(record, source="bridge.txt")
        again = opened.add_article(record, source="elsewhere/bridge.txt")
        assert added.stored and not again.stored and again.article_id == added.article_id
        assert opened.count("articles") == 1
        assert opened.count("claims") == len(record["claims"]) > 0
        assert opened.count("sources") == len(record["sources"]) > 0
        assert opened.has_article(content_hash(BRIDGE))
        row = opened.connection.execute(
            "SELECT title, source, schema_version, duplicate_of FROM articles"
        ).fetchone()
    assert row == (record["meta"]["title"], "bridge.txt", record["schema_version"], None)


def test_a_failed_article_leaves_nothing_behind(
    tmp_path: Path, records: dict[str, dict[str, Any]]
) -> None:
    broken = dict(records["museum"])
    # The claims are written before the events: a bad event fails the article midway.
    broken["events"] = [{"type": None, "sub_type": None}]
    with Store.open(tmp_path / "corpus.db") as opened:
        with pytest.raises(StoreError):
            opened.add_article(broken, source="museum.txt")
        for table in ("articles", "claims", "sources", "events", "minhash_bands"):
            assert opened.count(table) == 0, table
        assert opened.search_claims("museum") == []
        assert opened.add_article(records["museum"], source="museum.txt").stored


def test_a_republication_with_small_edits_is_linked_to_the_original(
    tmp_path: Path, records: dict[str, dict[str, Any]]
) -> None:
    with Store.open(tmp_path / "corpus.db") as opened:
        original = opened.add_article(records["bridge"], source="gazette.txt")
        unrelated = opened.add_article(records["harbour"], source="ledger.txt")
        copy = opened.add_article(records["copy"], source="courier.txt")
    assert original.duplicate_of is None and unrelated.duplicate_of is None
    assert copy.stored and copy.duplicate_of == original.article_id
    assert copy.similarity is not None and 0.8 <= copy.similarity < 1.0


def test_near_duplicates_are_found_across_runs_and_point_to_the_earliest(
    tmp_path: Path, records: dict[str, dict[str, Any]]
) -> None:
    path = tmp_path / "corpus.db"
    with Store.open(path) as opened:
        first = opened.add_article(records["bridge"], source="gazette.txt")
    with Store.open(path) as opened:
        second = opened.add_article(records["copy"], source="courier.txt")
    third_text = BRIDGE_COPY.replace("councillors", "residents")
    with Store.open(path) as opened:
        third = opened.add_article(analyze(third_text, fast=True).to_dict(), source="c.txt")
    assert second.duplicate_of == first.article_id
    assert third.duplicate_of == first.article_id


def test_full_text_search_finds_claims_and_articles(
    tmp_path: Path, records: dict[str, dict[str, Any]]
) -> None:
    with Store.open(tmp_path / "corpus.db") as opened:
        opened.add_article(records["bridge"], source="bridge.txt")
        opened.add_article(records["harbour"], source="harbour.txt")
        # Datasette offers a table's search box when this finds its FTS table.
        for table in ("articles", "claims"):
            found = opened.connection.execute(
                "SELECT name FROM sqlite_master WHERE rootpage = 0 AND sql LIKE ?",
                (f'%VIRTUAL TABLE%USING FTS%content="{table}"%',),
            )
            assert found.fetchall() == [(f"{table}_fts",)]
        hits = opened.search_claims("survey")
        assert [hit["text"] for hit in hits] == [
            '"We will not dig another metre until the survey is finished,"'
        ]
        assert hits[0]["origin_name"] == "Tomas Eriksen"
        # Porter stemming: "inspector" finds "inspectors".
        assert [hit["title"] for hit in opened.search_articles("inspector")] == [
            records["bridge"]["meta"]["title"]
        ]
        with pytest.raises(StoreError, match="cannot search"):
            opened.search_claims('"unbalanced')


def test_errors_are_upserted_and_resolved(tmp_path: Path) -> None:
    with Store.open(tmp_path / "corpus.db") as opened:
        opened.record_error("a.txt", None, "empty_input", "input is empty")
        opened.record_error("a.txt", None, "binary_input", "input is a PNG image")
        opened.record_error(
            "b.jsonl#3", 3, "malformed_record", "line is not valid JSON", file="b.jsonl"
        )
        assert opened.open_errors() == {"a.txt": "a.txt", "b.jsonl#3": "b.jsonl"}
        [first, second] = opened.errors()
        assert (first["source"], first["code"], first["attempts"]) == ("a.txt", "binary_input", 2)
        assert second["line"] == 3
        opened.resolve_errors(["a.txt"])
        assert [row["source"] for row in opened.errors()] == ["b.jsonl#3"]
        everything = opened.errors(include_resolved=True)
        assert len(everything) == 2 and everything[0]["resolved_at"] is not None
        opened.record_error("a.txt", None, "empty_input", "input is empty")
        assert set(opened.open_errors()) == {"a.txt", "b.jsonl#3"}


def test_content_hash_ignores_spacing_only() -> None:
    assert content_hash("Rates rise.\n\nBills  go up.") == content_hash("Rates rise. Bills go up.")
    assert content_hash("Rates rise.") != content_hash("Rates fall.")


def test_minhash_estimates_jaccard_and_is_stable() -> None:
    words = [f"w{i}" for i in range(200)]
    changed = [*words[:150], *(f"x{i}" for i in range(50))]
    first, second = " ".join(words), " ".join(changed)
    a, b = minhash.shingles(first), minhash.shingles(second)
    truth = len(a & b) / len(a | b)
    sig_a, sig_b = minhash.signature(first), minhash.signature(second)
    assert sig_a is not None and sig_b is not None
    assert abs(minhash.similarity(sig_a, sig_b) - truth) < 0.12
    assert minhash.signature("") is None
    assert len(minhash.band_keys(sig_a)) == minhash.BANDS
    assert minhash.from_bytes(minhash.to_bytes(sig_a)).tolist() == sig_a.tolist()
    # Stored signatures must match those later runs compute: pinned, whatever the library.
    pinned = minhash.signature("Water rates will rise in the autumn, the utility said.")
    assert pinned is not None and pinned[:4].tolist() == PINNED_SIGNATURE


PINNED_SIGNATURE = [79579173, 105212060, 34323835, 51500311]
