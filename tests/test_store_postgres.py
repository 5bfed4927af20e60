"""The corpus store in PostgreSQL: the SQLite store's schema and version, refusal of newer
stores, one transaction per article, near-duplicates, full-text search, errors, clustering
and the corpus commands with ``--db postgresql://...``, and writers racing each other:
threads in one process, and two ``sayso ingest`` processes on the same inputs.

Each test gets a schema of its own (``?options=-csearch_path%3D...``) in the server of the
``postgres_server`` fixture (tests/conftest.py), which skips only where no PostgreSQL
server is installed. The texts are those written for the SQLite store and ingest tests.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from sayso import store
from sayso.cli import cli
from sayso.clustering import cluster_claims
from sayso.corroboration import SINGLE_ORIGIN
from sayso.errors import StoreError, StoreVersionError
from sayso.pipeline import analyze
from sayso.spark import RESULT_COLUMNS
from sayso.store import Store, content_hash, mask_url
from test_clustering import AGENCY_CLAIM, LOOP, store_article
from test_ingest import COUNCIL, COUNCIL_COPY, FLOOD, _resume_article
from test_store import BRIDGE, BRIDGE_COPY, HARBOUR, MUSEUM, _tables

psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL store needs psycopg 3")
store_postgres = pytest.importorskip("sayso.store_postgres")


@pytest.fixture
def new_store(postgres_server: str) -> Iterator[Callable[[], str]]:
    """Makes URLs of the server whose tables go to a new, empty schema; drops them after."""
    made: list[str] = []

    def make() -> str:
        schema = f"sayso_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f"CREATE SCHEMA {schema}")
        made.append(schema)
        joiner = "&" if "?" in postgres_server else "?"
        return f"{postgres_server}{joiner}options=-csearch_path%3D{schema}"

    yield make
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        for schema in made:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def url(new_store: Callable[[], str]) -> str:
    return new_store()


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    texts = {"bridge": BRIDGE, "copy": BRIDGE_COPY, "harbour": HARBOUR, "museum": MUSEUM}
    return {name: analyze(text, fast=True).to_dict() for name, text in texts.items()}


def _sql(url: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement in the store's schema with a plain connection; its rows."""
    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _columns(url: str) -> dict[str, list[str]]:
    rows = _sql(
        url,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    )
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _sqlite_columns(path: Path) -> dict[str, list[str]]:
    """The SQLite store's tables and columns, its FTS5 tables aside."""
    Store.open(path).close()
    return {name: columns for name, columns in _tables(path).items() if "_fts" not in name}


def _snapshot(url: str) -> tuple[Any, ...]:
    return (
        _columns(url),
        _sql(url, "SELECT key, value FROM sayso_store ORDER BY key"),
        _sql(url, "SELECT COUNT(*) FROM articles"),
    )


def test_new_store_has_the_sqlite_schema_and_version(url: str, tmp_path: Path) -> None:
    with Store.open(url) as opened:
        assert isinstance(opened, store_postgres.PostgresStore)
        assert opened.schema_version() == store_postgres.STORE_VERSION == store.STORE_VERSION
    assert len(store_postgres.MIGRATIONS) == len(store.MIGRATIONS)
    assert _columns(url) == _sqlite_columns(tmp_path / "corpus.db")
    assert _sql(url, "SELECT value FROM sayso_store WHERE key = 'schema_version'") == [("1",)]
    indexes = _sql(
        url,
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND "
        "indexdef LIKE %s ORDER BY 1",
        ("%USING gin%",),
    )
    assert indexes == [("articles_search",), ("claims_search",)]
    with Store.open(url.replace("postgresql://", "postgres://", 1)) as again:
        assert again.schema_version() == 1


def test_newer_store_is_refused_and_left_untouched(url: str) -> None:
    Store.open(url).close()
    _sql(url, "UPDATE sayso_store SET value = '7' WHERE key = 'schema_version'")
    before = _snapshot(url)
    with pytest.raises(StoreVersionError, match="version 7 store, written by a newer sayso"):
        Store.open(url)
    with pytest.raises(StoreVersionError):
        Store.open(url, readonly=True)
    assert _snapshot(url) == before


def test_other_schemas_are_refused_untouched(url: str, new_store: Callable[[], str]) -> None:
    _sql(url, "CREATE TABLE notes (body TEXT)")
    with pytest.raises(StoreError, match="not a sayso store"):
        Store.open(url)
    assert _columns(url) == {"notes": ["body"]}
    empty = new_store()
    for readonly, create in ((True, True), (False, False)):
        with pytest.raises(StoreError, match="no sayso store"):
            Store.open(empty, readonly=readonly, create=create)
    assert _columns(empty) == {}


def test_older_store_is_migrated_keeping_its_articles(
    url: str, monkeypatch: pytest.MonkeyPatch, records: dict[str, dict[str, Any]]
) -> None:
    with Store.open(url) as opened:
        opened.add_article(records["harbour"], source="harbour.txt")
    version_2 = ("ALTER TABLE articles ADD COLUMN language TEXT",)
    monkeypatch.setattr(store_postgres, "MIGRATIONS", (*store_postgres.MIGRATIONS, version_2))
    with Store.open(url) as opened:
        assert opened.schema_version() == 2
        assert opened.count("articles") == 1
        assert opened.search_articles("fishermen")
    assert "language" in _columns(url)["articles"]


def test_an_article_is_stored_once_with_its_rows(
    url: str, records: dict[str, dict[str, Any]]
) -> None:
    record = records["bridge"]
    with Store.open(url) as opened:
        added = opened.add_article(record, source="bridge.txt")
        again = opened.add_article(record, source="elsewhere/bridge.txt")
        assert added.stored and not again.stored and again.article_id == added.article_id
        assert opened.count("articles") == 1
        assert opened.count("claims") == len(record["claims"]) > 0
        assert opened.count("sources") == len(record["sources"]) > 0
        assert opened.has_article(content_hash(BRIDGE))
    row = _sql(url, "SELECT title, source, schema_version, duplicate_of FROM articles")
    assert row == [(record["meta"]["title"], "bridge.txt", record["schema_version"], None)]
    [(analysis,)] = _sql(url, "SELECT analysis FROM articles")
    assert json.loads(analysis) == record


def test_a_failed_article_leaves_nothing_behind(
    url: str, records: dict[str, dict[str, Any]]
) -> None:
    broken = dict(records["museum"])
    broken["events"] = [{"type": None, "sub_type": None}]
    with Store.open(url) as opened:
        with pytest.raises(StoreError, match="cannot write"):
            opened.add_article(broken, source="museum.txt")
        for table in ("articles", "claims", "sources", "events", "minhash_bands"):
            assert opened.count(table) == 0, table
        assert opened.search_claims("museum") == []
        assert opened.add_article(records["museum"], source="museum.txt").stored


def test_near_duplicates_are_linked_to_the_earliest_across_runs(
    url: str, records: dict[str, dict[str, Any]]
) -> None:
    with Store.open(url) as opened:
        first = opened.add_article(records["bridge"], source="gazette.txt")
        unrelated = opened.add_article(records["harbour"], source="ledger.txt")
    with Store.open(url) as opened:
        second = opened.add_article(records["copy"], source="courier.txt")
    third_text = BRIDGE_COPY.replace("councillors", "residents")
    with Store.open(url) as opened:
        third = opened.add_article(analyze(third_text, fast=True).to_dict(), source="c.txt")
    assert first.duplicate_of is None and unrelated.duplicate_of is None
    assert second.duplicate_of == third.duplicate_of == first.article_id
    assert second.similarity is not None and 0.8 <= second.similarity < 1.0


def test_full_text_search_uses_web_search_syntax(
    url: str, records: dict[str, dict[str, Any]]
) -> None:
    with Store.open(url) as opened:
        opened.add_article(records["bridge"], source="bridge.txt")
        opened.add_article(records["harbour"], source="harbour.txt")
        hits = opened.search_claims("survey")
        assert [hit["text"] for hit in hits] == [
            '"We will not dig another metre until the survey is finished,"'
        ]
        assert hits[0]["origin_name"] == "Tomas Eriksen"
        bridge_title = records["bridge"]["meta"]["title"]
        # English stemming: "inspector" finds "inspectors".
        assert [hit["title"] for hit in opened.search_articles("inspector")] == [bridge_title]
        assert len(opened.search_articles("fishermen or inspectors")) == 2
        assert opened.search_articles("cracks -Millbrook") == []
        assert [hit["title"] for hit in opened.search_articles('"two million pounds"')] == [
            bridge_title
        ]
        # Unlike FTS5, a query never fails to parse: an unbalanced quote is a phrase.
        assert opened.search_claims('"unbalanced') == []


def test_errors_are_upserted_and_resolved(url: str) -> None:
    with Store.open(url) as opened:
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


def _race(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(n)`` for n in range(count) in threads released together; their results."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[n] = work(n)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    return results


def test_racing_writers_store_each_article_once(
    new_store: Callable[[], str], records: dict[str, dict[str, Any]]
) -> None:
    """Four writers open one new store at once (racing its migration) and add the same
    articles in different orders: each is stored once, and of the original and its copy,
    whichever was stored second points at the other."""
    orders = [
        ["bridge", "copy", "harbour", "museum"],
        ["copy", "bridge", "museum", "harbour"],
        ["harbour", "museum", "copy", "bridge"],
        ["museum", "copy", "harbour", "bridge"],
    ]
    for _ in range(3):
        url = new_store()

        def write(n: int, url: str = url) -> dict[str, Any]:
            with Store.open(url) as opened:
                return {name: opened.add_article(records[name], source=name) for name in orders[n]}

        runs = _race(len(orders), write)
        assert sum(added.stored for run in runs for added in run.values()) == 4
        ids = {name: {run[name].article_id for run in runs} for name in records}
        assert all(len(found) == 1 for found in ids.values()), ids
        rows = dict(_sql(url, "SELECT source, duplicate_of FROM articles"))
        assert len(rows) == 4 and rows["harbour"] is None and rows["museum"] is None
        [bridge], [copy] = ids["bridge"], ids["copy"]
        assert (rows["bridge"], rows["copy"]) in ((None, bridge), (copy, None))
        claims = sum(len(record["claims"]) for record in records.values())
        assert _sql(url, "SELECT COUNT(*) FROM claims") == [(claims,)]


@pytest.fixture
def corpus(url: str) -> str:
    with Store.open(url) as opened:
        for outlet, published, text in AGENCY_CLAIM + LOOP:
            store_article(opened, text, outlet, published)
    return url


def test_two_clustering_runs_at_once_place_each_claim_once(corpus: str) -> None:
    def run(_: int) -> int:
        with Store.open(corpus) as opened:
            return cluster_claims(opened).placed

    placed = _race(2, run)
    assert placed[0] == placed[1] > 0
    assert _sql(corpus, "SELECT claim_id FROM claim_clusters GROUP BY 1 HAVING COUNT(*) > 1") == []
    assert _sql(corpus, "SELECT COUNT(*) FROM claim_clusters") == [(placed[0],)]
    assert _sql(corpus, "SELECT COUNT(*) FROM claim_vectors") == [(placed[0],)]
    with Store.open(corpus) as opened:
        (row,) = opened.clusters(query="Lipky")
        assert (row["verdict"], row["reports"]) == (SINGLE_ORIGIN, 3)
        assert not opened.clusters(query="harvest AND Lipky AND Bereg")
        assert cluster_claims(opened).placed == 0


def test_claims_trace_sources_and_errors_commands(corpus: str) -> None:
    with Store.open(corpus) as opened:
        cluster_claims(opened)
        opened.record_error("empty.txt", None, "empty_input", "input is empty")
    runner = CliRunner()
    listed = runner.invoke(cli, ["claims", "--db", corpus, "--query", "Lipky", "--json"])
    assert listed.exit_code == 0, listed.output
    (cluster,) = json.loads(listed.output)
    assert cluster["verdict"] == SINGLE_ORIGIN
    assert "trace to one origin: Agency North" in cluster["reasons"][0]
    traced = runner.invoke(cli, ["trace", str(cluster["id"]), "--db", corpus])
    assert traced.exit_code == 0, traced.output
    assert "verdict: single origin" in traced.output
    as_json = json.loads(
        runner.invoke(cli, ["trace", str(cluster["id"]), "--db", corpus, "--json"]).output
    )
    assert [node["name"] for node in as_json["tree"]] == ["Agency North"]
    assert [row["published"] for row in as_json["timeline"]] == [
        "2024-03-01",
        "2024-03-02",
        "2024-03-03",
    ]
    sources = runner.invoke(cli, ["sources", "--db", corpus, "--top", "3"])
    assert sources.exit_code == 0 and "Agency North" in sources.output.splitlines()[0]
    errors = runner.invoke(cli, ["errors", "--db", corpus, "--json"])
    assert [row["code"] for row in json.loads(errors.output)] == ["empty_input"]
    assert runner.invoke(cli, ["cluster", "--db", corpus]).output.startswith("placed 0 claim")


def test_passwords_are_masked() -> None:
    assert mask_url("postgresql://ana:s3cret@db.example:5432/news") == (
        "postgresql://ana:***@db.example:5432/news"
    )
    assert mask_url("postgres://ana@db.example/news?password=s3cret&sslmode=require") == (
        "postgres://ana@db.example/news?password=***&sslmode=require"
    )
    assert mask_url("postgresql://db.example/news") == "postgresql://db.example/news"
    assert (
        mask_url("postgresql://ana:pa/ss@db.example/news") == "postgresql://ana:***@db.example/news"
    )
    refused = "postgresql://sayso:s3cret@127.0.0.1:1/news"
    with pytest.raises(StoreError) as caught:
        Store.open(refused)
    assert "s3cret" not in str(caught.value) and "sayso:***@127.0.0.1:1" in str(caught.value)


def test_passwords_are_masked_in_command_messages(url: str) -> None:
    # The throw-away test server trusts local connections: a password is accepted, unused.
    parts = urlsplit(url)
    with_password = url
    if parts.username and not parts.password:
        with_password = url.replace(f"://{parts.username}@", f"://{parts.username}:s3cret@", 1)
    secret = urlsplit(with_password).password
    Store.open(with_password).close()
    result = CliRunner().invoke(cli, ["trace", "999", "--db", with_password])
    assert result.exit_code != 0
    assert f"no cluster 999 in {mask_url(with_password)}" in result.output
    assert not secret or secret not in result.output


def test_spark_results_load_into_postgres(
    url: str, tmp_path: Path, records: dict[str, dict[str, Any]]
) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow
    import pyarrow.parquet

    rows = [
        {
            "id": name,
            "line": line,
            "source": f"{tmp_path}/in.jsonl#{line}",
            "content_hash": content_hash(records[name]["text"]),
            "schema_version": records[name]["schema_version"],
            "analysis": json.dumps(records[name]),
            "error": None,
        }
        for line, name in enumerate(("bridge", "harbour"), start=1)
    ]
    error = {"code": "empty_input", "message": "input is empty"}
    rows.append({"id": "x", "line": 3, "source": f"{tmp_path}/in.jsonl#3", "error": error})
    string = pyarrow.string()
    fields = [(name, pyarrow.int64() if name == "line" else string) for name in _RESULT_TEXT]
    error_type = pyarrow.struct([("code", string), ("message", string)])
    schema = pyarrow.schema([*fields, ("error", error_type)])
    (tmp_path / "results").mkdir()
    table = pyarrow.Table.from_pylist(rows, schema=schema)
    pyarrow.parquet.write_table(table, tmp_path / "results" / "part-0.parquet")
    runner = CliRunner()
    first = runner.invoke(cli, ["spark", "load", str(tmp_path / "results"), "--db", url])
    assert first.exit_code == 0, first.output
    assert "stored 2, already stored 0, near-duplicates 0, errors 1" in first.stdout
    second = runner.invoke(cli, ["spark", "load", str(tmp_path / "results"), "--db", url])
    assert "stored 0, already stored 2" in second.stdout
    assert _sql(url, "SELECT COUNT(*) FROM articles") == [(2,)]


# every result column but the error struct is text (or the line number)
_RESULT_TEXT = tuple(name for name in RESULT_COLUMNS if name != "error")


def _ingest(folder: Path, url: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "sayso.cli", "ingest", str(folder), "--db", url]
    return subprocess.Popen(
        [*command, "--jobs", "1", "--fast"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _processes(*processes: subprocess.Popen[str]) -> Iterator[tuple[int, str, str]]:
    for process in processes:
        try:
            out, err = process.communicate(timeout=240)
        finally:
            process.kill()
        yield process.returncode, out, err


def test_two_ingest_processes_on_the_same_inputs_store_each_article_once(
    url: str, tmp_path: Path
) -> None:
    texts = {f"a{i}.txt": _resume_article(i) for i in range(6)}
    texts |= {"council.txt": COUNCIL, "courier.txt": COUNCIL_COPY, "flood.txt": FLOOD}
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    Store.open(url).close()  # both processes then start writing at once
    other = url.replace("postgresql://", "postgres://", 1)
    results = list(_processes(_ingest(folder, url), _ingest(folder, other)))
    stored = already = 0
    for code, out, err in results:
        assert code == 0, err
        found = re.search(r"stored (\d+), already stored (\d+), .*errors 1,", out)
        assert found, out
        stored, already = stored + int(found[1]), already + int(found[2])
    assert (stored, already) == (len(texts), len(texts))
    sources = sorted(Path(row[0]).name for row in _sql(url, "SELECT source FROM articles"))
    assert sources == sorted(texts)
    analyses = _sql(url, "SELECT analysis FROM articles")
    claims = sum(len(json.loads(row[0])["claims"]) for row in analyses)
    assert _sql(url, "SELECT COUNT(*) FROM claims") == [(claims,)]
    linked = _sql(
        url,
        "SELECT copy.source, original.source FROM articles AS copy "
        "JOIN articles AS original ON original.id = copy.duplicate_of",
    )
    assert [(Path(a).name, Path(b).name) for a, b in linked] in (
        [("courier.txt", "council.txt")],
        [("council.txt", "courier.txt")],
    )
    assert _sql(url, "SELECT code, attempts FROM errors") == [("empty_input", 2)]
    assert _sql(url, "SELECT claim_id FROM claim_clusters GROUP BY 1 HAVING COUNT(*) > 1") == []
    assert _sql(url, "SELECT COUNT(*) FROM clusters WHERE size = 0") == [(0,)]


def test_events_filter_in_postgres(new_store: Callable[[], str]) -> None:
    record = analyze(HARBOUR, fast=True).to_dict()
    record["events"] = [
        {
            "type": "Protests",
            "sub_type": "Peaceful protest",
            "actor1": "50% Club",
            "location": {"name": "Harbour", "country": "GB", "lat": 1.0, "lon": 2.0},
        },
    ]
    with Store.open(new_store()) as pg:
        pg.add_article(record, source="test")
        assert [e["place"] for e in pg.events(type="protests", country="gb")] == ["Harbour"]
        assert len(pg.events(text="50% c")) == 1
        assert pg.events(text="5_%") == [] and pg.events(type="Battles") == []
