"""Corpus ingest: folders, JSONL, feeds and WARC into the store; idempotence, near-duplicates,
bad inputs recorded while the batch goes on, the CLI, and a real kill -9 and resume.

Most tests run in this process with one job (the spaCy model loads once); the resumability
test runs ``sayso ingest`` for real with two worker processes and kills it mid-run. Every
article text was written for these tests.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from sayso.cli import cli
from sayso.ingest import IngestSummary, ingest
from sayso.store import Store

COUNCIL = (
    "Council delays vote on new bus lanes\n\n"
    "The city council has postponed a vote on new bus lanes along Harbour Road until "
    "September, its transport committee said on Thursday. According to the committee's "
    "chair, Amira Haddad, officials need more time to study the effect on delivery vans. "
    "Shop owners on the road have collected more than two thousand signatures against the "
    "plan, which would remove forty parking spaces. A cycling group said the delay would "
    "leave riders in danger for another summer. The council expects to publish a revised "
    "plan in August, with a public consultation running for six weeks after that."
)
# A syndicated copy with two words changed.
COUNCIL_COPY = COUNCIL.replace("postponed", "delayed").replace("collected", "gathered")
FLOOD = (
    "Heavy rain flooded dozens of homes in the lower town overnight, the fire service said. "
    "Residents were moved to the sports hall, where volunteers handed out blankets and tea."
)
SCHOOL = (
    "The education department said on Monday that three village schools would merge next "
    "year. Parents told the local radio station that the new school was too far away."
)
ORCHARD = (
    "Frost destroyed much of the apple blossom in the valley last week, growers said. The "
    "farmers' union warned that prices could rise sharply in the autumn."
)
ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry fares to rise | The Island Post</title>
<meta property="og:site_name" content="The Island Post"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Ferry fares to rise</h1>
<p>Ferry fares to the island will rise by eight per cent in January, the operator said on
Wednesday, blaming the cost of fuel and repairs to its oldest vessel.</p>
<p>"Nobody likes paying more, but the alternative is fewer sailings," said Ingrid Solberg,
the operator's chief executive.</p>
</article><footer>Copyright The Island Post</footer></body></html>
"""
NAVIGATION_HTML = (
    "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a> "
    "<a href='/news'>News</a></nav></body></html>"
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(sql).fetchall()
    connection.close()
    return rows


def _count(db: Path, table: str) -> int:
    return _rows(db, f"SELECT COUNT(*) FROM {table}")[0][0]


def test_ingesting_a_folder_twice_stores_nothing_twice(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "corpus",
        {
            "council.txt": COUNCIL,
            "flood.txt": FLOOD,
            "nested/deeper/ferry.html": ARTICLE_HTML,
            "nested/school.htm": SCHOOL,
            "nested/readme.md": "Notes for the archivist; not an article to ingest.",
        },
    )
    db = tmp_path / "sayso.db"
    first = ingest([folder], db=db, jobs=1, fast=True)
    assert (first.stored, first.already_stored, first.errors) == (4, 0, 0)
    claims = _count(db, "claims")
    assert claims > 0
    ferry = _rows(db, "SELECT title, outlet, source FROM articles WHERE text LIKE '%Ferry%'")
    assert ferry == [
        ("Ferry fares to rise", "The Island Post", str(folder / "nested/deeper/ferry.html"))
    ]
    second = ingest([folder, folder / "flood.txt"], db=db, jobs=1, fast=True)
    assert (second.stored, second.already_stored, second.errors) == (0, 5, 0)
    assert _count(db, "articles") == 4
    assert _count(db, "claims") == claims
    assert _count(db, "claims_fts_docsize") == claims


def test_a_syndicated_copy_is_stored_and_linked_to_its_original(tmp_path: Path) -> None:
    db = tmp_path / "sayso.db"
    ingest([_write(tmp_path / "a", {"gazette.txt": COUNCIL})], db=db, jobs=1, fast=True)
    summary = ingest(
        [_write(tmp_path / "b", {"courier.txt": COUNCIL_COPY, "flood.txt": FLOOD})],
        db=db,
        jobs=1,
        fast=True,
    )
    assert (summary.stored, summary.near_duplicates) == (2, 1)
    rows = _rows(db, "SELECT id, source, duplicate_of, similarity FROM articles ORDER BY id")
    (original, _, none, _), (_, copy_source, duplicate_of, similarity), (_, _, unlinked, _) = rows
    assert none is None and unlinked is None
    assert copy_source.endswith("courier.txt") and duplicate_of == original
    assert similarity >= 0.8


def test_bad_inputs_are_recorded_and_the_batch_goes_on(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": SCHOOL, "url": "https://news.example/school", "outlet": "Example"}),
        '{"text": "unterminated',
        json.dumps({"title": "no body"}),
        "",
        json.dumps({"html": ARTICLE_HTML}),
    ]
    folder = _write(
        tmp_path / "batch",
        {
            "empty.txt": "",
            "image.txt": PNG,
            "flood.txt": FLOOD,
            "records.jsonl": "\n".join(lines) + "\n",
            "broken.warc.gz": b"\x1f\x8b not really a gzip archive",
        },
    )
    db = tmp_path / "sayso.db"
    summary = ingest([folder, tmp_path / "missing.txt"], db=db, jobs=1, fast=True)
    assert (summary.stored, summary.errors) == (3, 6)
    with Store.open(db) as store:
        errors = {Path(row["source"]).name: (row["code"], row["line"]) for row in store.errors()}
    assert errors == {
        "broken.warc.gz": ("malformed_warc", None),
        "empty.txt": ("empty_input", None),
        "image.txt": ("binary_input", None),
        "records.jsonl#2": ("malformed_record", 2),
        "records.jsonl#3": ("malformed_record", 3),
        "missing.txt": ("input_error", None),
    }
    school = _rows(db, "SELECT url, outlet, source FROM articles WHERE text LIKE '%village%'")
    assert school == [("https://news.example/school", "Example", f"{folder}/records.jsonl#1")]

    # Fixed inputs: the empty file gets an article, the damaged WARC file is replaced by a
    # good one (whose ferry page is already stored, and whose menu page fails), the bad
    # JSON line is blanked. Their errors are resolved; the others stay open.
    (folder / "empty.txt").write_text(ORCHARD, encoding="utf-8")
    _warc(folder / "broken.warc.gz")
    lines[1] = ""
    (folder / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = ingest([folder, tmp_path / "missing.txt"], db=db, jobs=1, fast=True)
    assert (again.stored, again.already_stored, again.errors) == (1, 4, 4)
    with Store.open(db) as store:
        still_open = {Path(row["source"]).name.split("#<")[0] for row in store.errors()}
        everything = store.errors(include_resolved=True)
    assert still_open == {"image.txt", "records.jsonl#3", "missing.txt", "broken.warc.gz"}
    resolved = {Path(row["source"]).name for row in everything if row["resolved_at"]}
    assert resolved == {"empty.txt", "broken.warc.gz", "records.jsonl#2"}
    assert _rows(db, "SELECT attempts FROM errors WHERE source LIKE '%image.txt'") == [(2,)]


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>The Valley Gazette</title><link>https://gazette.example/</link>
<item><title>Council delays vote on new bus lanes</title>
<link>https://gazette.example/bus-lanes</link><guid>gazette-101</guid>
<pubDate>Mon, 14 Jul 2025 09:30:00 GMT</pubDate>
<description>A short teaser that the full content replaces.</description>
<content:encoded><![CDATA[{council}]]></content:encoded></item>
<item><title>Flooding in the lower town</title><link>https://gazette.example/flood</link>
<pubDate>Tue, 15 Jul 2025 06:00:00 GMT</pubDate><description>{flood}</description></item>
<item><title>An entry with nothing in it</title><link>https://gazette.example/empty</link></item>
</channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Orchard Weekly</title>
<id>urn:example:orchard</id><updated>2025-04-20T08:00:00Z</updated>
<entry><title>Frost hits the blossom</title><id>urn:example:orchard:7</id>
<link href="https://orchard.example/frost"/><updated>2025-04-20T08:00:00Z</updated>
<content type="html">{orchard}</content></entry>
</feed>
"""


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{part}</p>" for part in text.split("\n\n"))


def test_rss_and_atom_entries_are_articles(tmp_path: Path) -> None:
    from xml.sax.saxutils import escape

    folder = _write(
        tmp_path / "feeds",
        {
            "gazette.rss": RSS.format(council=_paragraphs(COUNCIL), flood=escape(FLOOD)),
            "orchard.xml": ATOM.format(orchard=escape(_paragraphs(ORCHARD))),
            "not-a-feed.xml": "<config><setting>1</setting></config>",
        },
    )
    db = tmp_path / "sayso.db"
    summary = ingest([folder], db=db, jobs=1, fast=True)
    assert (summary.stored, summary.errors) == (3, 1)
    rows = _rows(db, "SELECT url, title, outlet, published, source FROM articles ORDER BY id")
    assert [row[:4] for row in rows] == [
        (
            "https://gazette.example/bus-lanes",
            "Council delays vote on new bus lanes",
            "The Valley Gazette",
            "2025-07-14T09:30:00Z",
        ),
        (
            "https://gazette.example/flood",
            "Flooding in the lower town",
            "The Valley Gazette",
            "2025-07-15T06:00:00Z",
        ),
        (
            "https://orchard.example/frost",
            "Frost hits the blossom",
            "Orchard Weekly",
            "2025-04-20T08:00:00Z",
        ),
    ]
    assert rows[0][4] == f"{folder}/gazette.rss#gazette-101"
    text = _rows(db, "SELECT text FROM articles WHERE id = 1")[0][0]
    assert "Amira Haddad" in text and "teaser" not in text and "<p>" not in text
    [(source, code)] = _rows(db, "SELECT source, code FROM errors")
    assert source.endswith("#https://gazette.example/empty") and code == "empty_input"


def _warc(path: Path) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, status, content_type, body in (
            ("https://post.example/ferry", "200 OK", "text/html; charset=utf-8", ARTICLE_HTML),
            ("https://post.example/logo.png", "200 OK", "image/png", PNG),
            ("https://post.example/gone", "404 Not Found", "text/html", ARTICLE_HTML),
            ("https://post.example/menu", "200 OK", "text/html", NAVIGATION_HTML),
        ):
            payload = body.encode("utf-8") if isinstance(body, str) else body
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], "HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(payload), http_headers=headers
            )
            writer.write_record(record)


def test_warc_html_responses_are_articles(tmp_path: Path) -> None:
    _warc(tmp_path / "crawl.warc.gz")
    db = tmp_path / "sayso.db"
    summary = ingest([tmp_path / "crawl.warc.gz"], db=db, jobs=1, fast=True)
    assert (summary.stored, summary.errors) == (1, 1)
    [(url, title, source)] = _rows(db, "SELECT url, title, source FROM articles")
    assert (url, title) == ("https://post.example/ferry", "Ferry fares to rise")
    assert source.startswith(f"{tmp_path}/crawl.warc.gz#<urn:uuid:")
    [(code, line)] = _rows(db, "SELECT code, line FROM errors")
    assert (code, line) == ("no_main_text", 4)


def test_cli_ingest_prints_a_summary_and_errors_lists_failures(tmp_path: Path) -> None:
    folder = _write(tmp_path / "in", {"flood.txt": FLOOD, "empty.txt": ""})
    db = tmp_path / "corpus.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["ingest", str(folder), "--db", str(db), "--jobs", "1", "--fast"])
    assert result.exit_code == 0, result.output
    assert "stored 1, already stored 0, near-duplicates 0, errors 1," in result.stdout
    assert "articles/s" in result.stdout
    assert "see `sayso errors" in result.stderr
    listed = runner.invoke(cli, ["errors", "--db", str(db), "--json"])
    assert listed.exit_code == 0
    [error] = json.loads(listed.stdout)
    assert (error["code"], error["source"]) == ("empty_input", str(folder / "empty.txt"))
    text = runner.invoke(cli, ["errors", "--db", str(db)])
    assert "empty_input" in text.stdout and "empty.txt" in text.stdout
    missing = runner.invoke(cli, ["errors", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no sayso store" in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_summary_line() -> None:
    summary = IngestSummary(stored=3, already_stored=1, near_duplicates=1, errors=1, elapsed=2.0)
    assert summary.line() == (
        "stored 3, already stored 1, near-duplicates 1, errors 1, 2.0 s, 2.5 articles/s"
    )


# The resumability test: 30 articles, an ingest killed with SIGKILL mid-run, then resumed.

TOWNS = ["Northfield", "Millbrook", "Ashby", "Carrow", "Dunmere", "Elsworth", "Fenwick"]
PEOPLE = ["Maria Holm", "Tomas Eriksen", "Priya Natarajan", "Amira Haddad", "Jonas Weber"]
TOPICS = [
    ("the water utility", "raise household bills by {n} pounds a year"),
    ("the hospital trust", "close its night clinic after {n} years"),
    ("the rail operator", "cut {n} evening trains from the timetable"),
    ("the school board", "hire {n} more teachers before September"),
    ("the housing agency", "build {n} homes on the old quarry site"),
    ("the police", "put {n} more officers on patrol at weekends"),
]


def _resume_article(i: int) -> str:
    town, person = TOWNS[i % len(TOWNS)], PEOPLE[i % len(PEOPLE)]
    body, plan = TOPICS[i % len(TOPICS)]
    plan = plan.format(n=12 + 7 * i)
    return (
        f"{town} faces change as {body} sets out plan number {i}\n\n"
        f"{body.capitalize()} in {town} said on Tuesday that it would {plan}, a decision "
        f"that local groups have opposed for months. According to {person}, who chairs the "
        f"residents' association, the plan was drawn up without asking the people it "
        f'affects most. "We read about it in the paper like everyone else," {person} said.\n\n'
        f"Officials told the {town} Courier that the budget left no other choice, and that a "
        f"review would follow in {2026 + i % 5}. The opposition leader reportedly called the "
        f"decision short-sighted and said her party would raise it at the next meeting.\n\n"
        f"Figures seen by the newspaper show that spending in {town} fell by {i + 3} per cent "
        f"over the last {i % 4 + 2} years, while demand rose in every district."
    )


def _stored_count(db: Path) -> int:
    try:
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error:
        return 0


def _run_ingest(folder: Path, db: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "sayso.cli", "ingest", str(folder), "--db", str(db)]
    return subprocess.Popen(
        [*command, "--jobs", "2", "--fast"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _kill_group(process: subprocess.Popen[str]) -> None:
    """SIGKILL the ingest process's session (its orphaned workers, if any)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def test_a_killed_ingest_resumes_and_stores_every_article_once(tmp_path: Path) -> None:
    folder = _write(tmp_path / "many", {f"a{i:02}.txt": _resume_article(i) for i in range(30)})
    db = tmp_path / "sayso.db"
    process = _run_ingest(folder, db)
    try:
        deadline = time.monotonic() + 120
        while _stored_count(db) < 3 and time.monotonic() < deadline:
            if process.poll() is not None:
                break
            time.sleep(0.02)
        process.kill()  # kill -9 of the ingest process itself, mid-run
        process.communicate(timeout=30)
    finally:
        _kill_group(process)
    killed_at = _stored_count(db)
    assert 3 <= killed_at < 30, "the kill must land mid-run for this test to mean anything"
    assert _rows(db, "PRAGMA integrity_check") == [("ok",)]
    # No half-written article: every stored article has all of its claims.
    for analysis, claims in _rows(
        db,
        "SELECT analysis, (SELECT COUNT(*) FROM claims WHERE article_id = articles.id) "
        "FROM articles",
    ):
        assert len(json.loads(analysis)["claims"]) == claims

    resumed = _run_ingest(folder, db)
    try:
        out, err = resumed.communicate(timeout=300)
    finally:
        _kill_group(resumed)
    assert resumed.returncode == 0, err
    assert f"stored {30 - killed_at}, already stored {killed_at}, " in out
    assert "errors 0" in out
    sources = [row[0] for row in _rows(db, "SELECT source FROM articles")]
    assert sorted(sources) == [str(folder / f"a{i:02}.txt") for i in range(30)]
    expected_claims = sum(
        len(json.loads(row[0])["claims"]) for row in _rows(db, "SELECT analysis FROM articles")
    )
    assert _count(db, "claims") == expected_claims
    assert (
        _rows(db, "SELECT article_id, claim_id FROM claims GROUP BY 1, 2 HAVING COUNT(*) > 1") == []
    )
    assert _count(db, "claims_fts_docsize") == expected_claims
    assert _count(db, "errors") == 0


def test_ingest_reads_local_place_names_where_the_outlet_is_based(tmp_path: Path) -> None:
    local = "Firefighters in Dublin put out a blaze at a warehouse on Tuesday, police said."
    folder = _write(tmp_path / "in", {"local.txt": local})
    runner = CliRunner()
    for db, home in (("plain.db", []), ("home.db", ["--home", "Columbus, Ohio"])):
        args = ["ingest", str(folder), "--db", str(tmp_path / db), "--jobs", "1", "--fast"]
        result = runner.invoke(cli, args + home + ["--no-cluster"])
        assert result.exit_code == 0, result.output
    with Store.open(tmp_path / "plain.db") as plain, Store.open(tmp_path / "home.db") as home:
        dublins = [
            [(p["country"], p["admin1"]) for p in store.article(1)["analysis"]["places"]]
            for store in (plain, home)
        ]
    assert dublins == [[("IE", "L")], [("US", "OH")]]
    refused = runner.invoke(
        cli, ["ingest", str(folder), "--db", str(tmp_path / "x.db"), "--home", "Zzyzx"]
    )
    assert refused.exit_code == 1 and "'Zzyzx' names no town" in refused.output
    assert not (tmp_path / "x.db").exists()
