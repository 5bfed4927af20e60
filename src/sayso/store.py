"""The corpus store: analysed articles in one SQLite file anyone can open (Datasette, sqlite3),
or in a PostgreSQL database a team shares (``store_postgres``).

Why SQLite by default: one file, no server, readable by every tool, and transactional, so a
run killed at any moment leaves whole articles only. The schema is documented table by table
in ``docs/STORE.md``; it is built and upgraded by numbered migrations recorded in the store
(``sayso_store``), and a store from a newer sayso is refused, never modified.

All SQL lives in the store modules: here the SQLite migrations and statements, in
``store_postgres`` the PostgreSQL ones (the same tables and columns, the same version
numbers). ``Store`` holds all the logic and talks to a DB-API connection only through its
backend's ``Statements`` and a few hooks (connection, transaction, locks, version).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from sayso import corroboration, minhash
from sayso.errors import StoreError, StoreVersionError

DEFAULT_DB = "sayso.db"
# What listing an article shows: everything but its text and analysis.
_ARTICLE_COLUMNS = "id, url, title, outlet, published, duplicate_of, similarity, ingested_at"
EMBEDDING_DIMENSIONS = 384
# Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_S = 60.0
# The FTS5 tokenizer: English stemming ("reported" finds "reports"), accents folded.
_FTS_TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"
# Lock keys that serialise the writers of a PostgreSQL store (advisory locks; SQLite's write
# transactions run one at a time anyway): migrations, and cluster placement. Article writers
# lock their LSH band keys, 64-bit hashes that meet these by a 1 in 2**64 chance (a wait).
SCHEMA_LOCK = 0x5341_5953_4F00_0001
CLUSTERS_LOCK = 0x5341_5953_4F00_0002
# Most values bound in one IN (...) list.
_CHUNK = 500

# Version 1: the first corpus schema. Each migration is a tuple of statements run in one
# transaction; MIGRATIONS[n - 1] takes a store from version n - 1 to n. Never edit a
# released migration: add the next one.
_V1: tuple[str, ...] = (
    """CREATE TABLE sayso_store (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        content_hash TEXT NOT NULL UNIQUE,
        url TEXT,
        title TEXT,
        outlet TEXT,
        outlet_id TEXT,
        published TEXT,
        source TEXT NOT NULL,
        text TEXT NOT NULL,
        analysis TEXT NOT NULL,
        schema_version TEXT NOT NULL,
        duplicate_of INTEGER REFERENCES articles (id) ON DELETE SET NULL,
        similarity REAL,
        ingested_at TEXT NOT NULL
    )""",
    "CREATE INDEX articles_url ON articles (url)",
    "CREATE INDEX articles_outlet_id ON articles (outlet_id)",
    "CREATE INDEX articles_duplicate_of ON articles (duplicate_of)",
    """CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        claim_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        text TEXT NOT NULL,
        origin_name TEXT,
        origin_kind TEXT,
        origin_registry_id TEXT,
        chain TEXT NOT NULL,
        flags TEXT NOT NULL,
        cue TEXT,
        UNIQUE (article_id, claim_id)
    )""",
    "CREATE INDEX claims_origin_registry_id ON claims (origin_registry_id)",
    "CREATE INDEX claims_origin_name ON claims (origin_name)",
    """CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        registry_id TEXT,
        mentions INTEGER NOT NULL,
        candidates TEXT NOT NULL,
        facts TEXT
    )""",
    "CREATE INDEX sources_article_id ON sources (article_id)",
    "CREATE INDEX sources_registry_id ON sources (registry_id)",
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        sub_type TEXT NOT NULL,
        trigger TEXT,
        actor1 TEXT,
        actor2 TEXT,
        place TEXT,
        lat REAL,
        lon REAL,
        geonames_id INTEGER,
        country TEXT,
        date_value TEXT,
        date_text TEXT,
        claim_id TEXT,
        evidence TEXT
    )""",
    "CREATE INDEX events_article_id ON events (article_id)",
    """CREATE TABLE errors (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL UNIQUE,
        file TEXT NOT NULL,
        line INTEGER,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 1,
        resolved_at TEXT
    )""",
    """CREATE TABLE minhashes (
        article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        signature BLOB NOT NULL
    )""",
    """CREATE TABLE minhash_bands (
        bucket INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        PRIMARY KEY (bucket, article_id)
    )""",
    "CREATE INDEX minhash_bands_article_id ON minhash_bands (article_id)",
    """CREATE TABLE claim_vectors (
        claim_id INTEGER PRIMARY KEY REFERENCES claims (id) ON DELETE CASCADE,
        vector BLOB NOT NULL
    )""",
    """CREATE TABLE clusters (
        id INTEGER PRIMARY KEY,
        representative INTEGER NOT NULL REFERENCES claims (id),
        size INTEGER NOT NULL,
        reports INTEGER NOT NULL,
        copies INTEGER NOT NULL,
        origins INTEGER NOT NULL,
        verdict TEXT NOT NULL,
        reasons TEXT NOT NULL,
        first_published TEXT,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX clusters_verdict ON clusters (verdict)",
    """CREATE TABLE claim_clusters (
        claim_id INTEGER PRIMARY KEY REFERENCES claims (id) ON DELETE CASCADE,
        cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        similarity REAL NOT NULL
    )""",
    "CREATE INDEX claim_clusters_cluster_id ON claim_clusters (cluster_id)",
    # content="table", written just so: Datasette finds a table's search index by it.
    f"""CREATE VIRTUAL TABLE articles_fts USING fts5 (
        title, text, content="articles", content_rowid="id", {_FTS_TOKENIZE}
    )""",
    f"""CREATE VIRTUAL TABLE claims_fts USING fts5 (
        text, content="claims", content_rowid="id", {_FTS_TOKENIZE}
    )""",
    # The FTS tables index the rows of their content table; these triggers keep them in
    # step inside the very transaction that writes the rows.
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN
        INSERT INTO claims_fts (rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN
        INSERT INTO claims_fts (claims_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER claims_fts_update AFTER UPDATE OF text ON claims BEGIN
        INSERT INTO claims_fts (claims_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO claims_fts (rowid, text) VALUES (new.id, new.text);
    END""",
)
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1,)
STORE_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Statements:
    """Every statement ``Store`` runs, in one backend's dialect: its placeholder (``mark``),
    its full-text search and how it returns a new row's id. ``{marks}`` in a statement
    stands for one placeholder per value of a list (``Statements.listing``)."""

    find_hash: str
    insert_article: str
    insert_claim: str
    insert_source: str
    insert_event: str
    insert_signature: str
    insert_band: str
    band_matches: str
    signatures: str
    upsert_error: str
    resolve_error: str
    open_errors: str
    errors: str
    search_claims: str
    search_articles: str
    meta_value: str
    set_meta: str
    unclustered: str
    clustered_vectors: str
    clusters_of_claims: str
    insert_vector: str
    new_cluster: str
    assign: str
    cluster_reports: str
    set_verdict: str
    clusters: str
    clusters_matching: str
    cluster: str
    cluster_of_claim: str
    top_origins: str
    registry_facts: str
    events: str
    mark: str = "?"

    def listing(self, template: str, count: int) -> str:
        """``template`` with ``{marks}`` made ``count`` placeholders."""
        return template.format(marks=", ".join([self.mark] * count))


CLUSTER_COLUMNS = """clusters.id, clusters.size, clusters.reports, clusters.copies,
    clusters.origins, clusters.verdict, clusters.reasons, clusters.first_published,
    claims.text AS representative_text, claims.article_id AS representative_article"""
# COALESCE(?, verdict) = verdict: a NULL verdict keeps every cluster (NOT NULL column).
CLUSTERS_WHERE = "COALESCE(?, clusters.verdict) = clusters.verdict AND clusters.reports >= ?"
CLUSTERS_ORDER = "ORDER BY clusters.reports DESC, clusters.id LIMIT ?"

# The SQLite dialect. Statements other than the full-text search and the inserts whose id
# is read are standard SQL: the PostgreSQL dialect (store_postgres) reuses them with its
# own placeholder, so keep them free of SQLite-only syntax and of "%".
SQLITE = Statements(
    find_hash="SELECT id FROM articles WHERE content_hash = ?",
    insert_article="""INSERT INTO articles (content_hash, url, title, outlet, outlet_id,
    published, source, text, analysis, schema_version, duplicate_of, similarity, ingested_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
    insert_claim="""INSERT INTO claims (article_id, claim_id, kind, start_char, end_char, text,
    origin_name, origin_kind, origin_registry_id, chain, flags, cue)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
    insert_source="""INSERT INTO sources (article_id, name, kind, registry_id, mentions,
    candidates, facts) VALUES (?, ?, ?, ?, ?, ?, ?)""",
    insert_event="""INSERT INTO events (article_id, type, sub_type, trigger, actor1, actor2,
    place, lat, lon, geonames_id, country, date_value, date_text, claim_id, evidence)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
    insert_signature="INSERT INTO minhashes (article_id, signature) VALUES (?, ?)",
    insert_band="""INSERT INTO minhash_bands (bucket, article_id) VALUES (?, ?)
    ON CONFLICT DO NOTHING""",
    band_matches="SELECT DISTINCT article_id FROM minhash_bands WHERE bucket IN ({marks})",
    signatures="SELECT article_id, signature FROM minhashes WHERE article_id IN ({marks})",
    upsert_error="""INSERT INTO errors (source, file, line, code, message, at)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (source) DO UPDATE SET file = excluded.file, line = excluded.line,
    code = excluded.code,
    message = excluded.message, at = excluded.at, attempts = errors.attempts + 1,
    resolved_at = NULL""",
    resolve_error="UPDATE errors SET resolved_at = ? WHERE source = ? AND resolved_at IS NULL",
    open_errors="SELECT source, file FROM errors WHERE resolved_at IS NULL",
    errors="""SELECT source, file, line, code, message, at, attempts, resolved_at FROM errors
    {where} ORDER BY at, id""",
    search_claims="""SELECT claims.id, claims.article_id, claims.claim_id, claims.kind,
    claims.text, claims.origin_name, articles.url, articles.title
    FROM claims_fts JOIN claims ON claims.id = claims_fts.rowid
    JOIN articles ON articles.id = claims.article_id
    WHERE claims_fts MATCH ? ORDER BY claims_fts.rank LIMIT ?""",
    search_articles="""SELECT articles.id, articles.url, articles.title, articles.outlet,
    articles.published FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid
    WHERE articles_fts MATCH ? ORDER BY articles_fts.rank LIMIT ?""",
    meta_value="SELECT value FROM sayso_store WHERE key = ?",
    set_meta="""INSERT INTO sayso_store (key, value) VALUES (?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value""",
    unclustered="""SELECT claims.id, claims.text FROM claims
    LEFT JOIN claim_clusters ON claim_clusters.claim_id = claims.id
    WHERE claim_clusters.claim_id IS NULL AND claims.id > ? ORDER BY claims.id""",
    clustered_vectors="""SELECT claim_clusters.claim_id, claim_clusters.cluster_id,
    claim_vectors.vector FROM claim_clusters
    JOIN claim_vectors ON claim_vectors.claim_id = claim_clusters.claim_id
    ORDER BY claim_clusters.claim_id""",
    clusters_of_claims="""SELECT claim_id, cluster_id FROM claim_clusters
    WHERE claim_id IN ({marks})""",
    insert_vector="INSERT INTO claim_vectors (claim_id, vector) VALUES (?, ?)",
    new_cluster="""INSERT INTO clusters (representative, size, reports, copies, origins,
    verdict, reasons, updated_at) VALUES (?, 0, 0, 0, 0, '', '[]', ?)""",
    assign="INSERT INTO claim_clusters (claim_id, cluster_id, similarity) VALUES (?, ?, ?)",
    cluster_reports="""SELECT claims.id AS claim, claims.article_id AS article, claims.text,
    claims.kind, claims.chain, claims.cue, articles.outlet, articles.outlet_id,
    articles.published, articles.duplicate_of, articles.title, articles.url,
    claim_clusters.cluster_id, claim_clusters.similarity
    FROM claim_clusters JOIN claims ON claims.id = claim_clusters.claim_id
    JOIN articles ON articles.id = claims.article_id
    WHERE claim_clusters.cluster_id IN ({marks}) ORDER BY claims.id""",
    set_verdict="""UPDATE clusters SET size = ?, reports = ?, copies = ?, origins = ?,
    verdict = ?, reasons = ?, first_published = ?, updated_at = ? WHERE id = ?""",
    clusters=f"""SELECT {CLUSTER_COLUMNS} FROM clusters
    JOIN claims ON claims.id = clusters.representative
    WHERE {CLUSTERS_WHERE} {CLUSTERS_ORDER}""",
    clusters_matching=f"""SELECT {CLUSTER_COLUMNS} FROM clusters
    JOIN claims ON claims.id = clusters.representative
    WHERE clusters.id IN (SELECT claim_clusters.cluster_id FROM claims_fts
        JOIN claim_clusters ON claim_clusters.claim_id = claims_fts.rowid
        WHERE claims_fts MATCH ?)
    AND {CLUSTERS_WHERE} {CLUSTERS_ORDER}""",
    cluster=f"""SELECT {CLUSTER_COLUMNS} FROM clusters
    JOIN claims ON claims.id = clusters.representative WHERE clusters.id = ?""",
    cluster_of_claim="SELECT cluster_id FROM claim_clusters WHERE claim_id = ?",
    top_origins="""SELECT COALESCE(MIN(origin_registry_id), MIN(origin_name)) AS origin,
    MIN(origin_name) AS name, MIN(origin_kind) AS kind, MIN(origin_registry_id) AS registry_id,
    COUNT(*) AS claims, COUNT(DISTINCT claims.article_id) AS articles,
    COUNT(DISTINCT claim_clusters.cluster_id) AS clusters
    FROM claims LEFT JOIN claim_clusters ON claim_clusters.claim_id = claims.id
    WHERE origin_name IS NOT NULL
    GROUP BY COALESCE(origin_registry_id, lower(origin_name))
    ORDER BY claims DESC, articles DESC, name LIMIT ?""",
    registry_facts="""SELECT facts FROM sources WHERE registry_id = ? AND facts IS NOT NULL
    LIMIT 1""",
    # Each filter is (NULL: any) or its value; CAST so PostgreSQL knows the NULL's type.
    events="""SELECT events.id, events.article_id, events.type, events.sub_type,
    events.actor1, events.actor2, events.place, events.lat, events.lon, events.country,
    events.date_value, events.date_text, events.claim_id, claims.text AS claim,
    articles.title, articles.url, articles.outlet
    FROM events JOIN articles ON articles.id = events.article_id
    LEFT JOIN claims ON claims.article_id = events.article_id
        AND claims.claim_id = events.claim_id
    WHERE (CAST(? AS TEXT) IS NULL OR lower(events.type) = lower(CAST(? AS TEXT)))
    AND (CAST(? AS TEXT) IS NULL OR upper(events.country) = upper(CAST(? AS TEXT)))
    AND (CAST(? AS TEXT) IS NULL OR lower(COALESCE(events.place, '') || ' '
        || COALESCE(events.actor1, '') || ' ' || COALESCE(events.actor2, ''))
        LIKE CAST(? AS TEXT) ESCAPE '!')
    ORDER BY events.date_value IS NULL, events.date_value, events.id LIMIT ?""",
)
_TABLE_NAMES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
_COUNTABLE = frozenset(
    {"articles", "claims", "sources", "events", "errors", "minhash_bands", "clusters"}
)
# URL schemes that name a PostgreSQL store instead of an SQLite file.
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_PASSWORD_PARAMETER = re.compile(r"[?&]password=([^&#]*)", re.IGNORECASE)


@dataclass(frozen=True)
class Added:
    """What ``Store.add_article`` did: stored a new row, or found the text already stored.

    ``duplicate_of`` is the earliest stored article the new one nearly duplicates, with
    the estimated Jaccard ``similarity`` to it.
    """

    article_id: int
    stored: bool
    duplicate_of: int | None = None
    similarity: float | None = None


def content_hash(text: str) -> str:
    """sha256 (hex) of the analysed text with every run of whitespace made one space, so
    the same article wrapped or spaced differently is still the same article."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def now() -> str:
    """The current UTC time as ISO 8601, to the second."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_postgres_url(location: str | Path) -> bool:
    """Whether ``location`` names a PostgreSQL store (a ``postgresql://`` or
    ``postgres://`` URL) rather than an SQLite file."""
    return isinstance(location, str) and location.lower().startswith(POSTGRES_SCHEMES)


def mask_url(url: str) -> str:
    """``url`` with its passwords shown as ``***``: what every message prints, so a password
    never reaches a terminal or a log."""
    for password in url_passwords(url):
        url = url.replace(f":{password}@", ":***@", 1).replace(f"={password}", "=***")
    return url


def url_passwords(url: str) -> list[str]:
    """The passwords a URL holds as written: in its user info (``user:password@``, up to the
    last ``@`` before the query, so that a password with an unescaped ``/`` is found whole)
    and in ``password=`` parameters."""
    _, sep, rest = url.partition("://")
    userinfo, at, _ = rest.partition("?")[0].rpartition("@")
    found = [userinfo.partition(":")[2]] if sep and at and ":" in userinfo else []
    found += _PASSWORD_PARAMETER.findall(url)
    return [password for password in found if password]


def display_name(location: str | Path) -> str:
    """How messages name a store: its file name, or its URL with the password masked."""
    return mask_url(location) if is_postgres_url(location) else str(location)


class Store:
    """A sayso store: open it with ``Store.open(path_or_url)``; use it as a context manager.

    This class is the API, all the logic and the SQLite backend; ``PostgresStore``
    (``store_postgres``) runs the same methods with its own statements (``sql``) and its own
    connection, transaction, lock and version hooks (the methods marked as hooks below).
    """

    sql: ClassVar[Statements] = SQLITE
    database_errors: ClassVar[tuple[type[Exception], ...]] = (sqlite3.Error,)

    def __init__(self, connection: Any, path: str | Path) -> None:
        self.connection = connection
        self.path = path
        self.name = display_name(path)

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False, create: bool = True) -> Store:
        """Open (creating or migrating when needed) the store at ``path``: an SQLite file,
        or a ``postgresql://user@host/dbname`` URL for a PostgreSQL store.

        A store from a newer sayso raises ``StoreVersionError`` before anything is written;
        a database that is not a sayso store raises ``StoreError``. ``readonly`` opens an
        up-to-date store for reading only (what ingest workers do); ``create=False``
        refuses a path where no store exists yet.
        """
        if is_postgres_url(path):
            try:
                from sayso.store_postgres import PostgresStore
            except ImportError as error:
                raise StoreError(
                    f"a PostgreSQL store needs psycopg 3 ({error}): pip install 'sayso[postgres]'"
                ) from error
            return PostgresStore.open_url(str(path), readonly=readonly, create=create)
        path = Path(path)
        if (readonly or not create) and not path.exists():
            raise StoreError(f"no sayso store at {path}; create one with `sayso ingest`")
        connection = _connect(path, readonly)
        try:
            store = Store(connection, path)
            store._check_version(store.schema_version(), readonly=readonly)
            if not readonly:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")
                store._migrate()
            return store
        except BaseException:
            connection.close()
            raise

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        """The store's schema version: 0 for an empty database. Reads only. (A hook.)"""
        return _version(self.connection, Path(self.path))

    def has_article(self, text_hash: str) -> bool:
        """Whether an article with this content hash is stored."""
        return bool(self._read(self.sql.find_hash, (text_hash,)))

    def add_article(
        self, record: dict[str, Any], *, source: str, signature: np.ndarray | None = None
    ) -> Added:
        """Store one analysis record (``Analysis.to_dict()``) with its claims, sources,
        events, search index and MinHash bands, all in one transaction.

        A text already stored (same content hash) is not stored again, even by a writer
        racing this one. ``signature`` is the text's MinHash signature when the caller
        computed it already (in a worker).
        """
        text_hash = content_hash(record["text"])
        if signature is None:
            signature = minhash.signature(record["text"])
        keys = minhash.band_keys(signature) if signature is not None else []
        with self._transaction() as cursor:
            existing = _first(cursor.execute(self.sql.find_hash, (text_hash,)))
            if existing is not None:
                return Added(existing, stored=False)
            # Writers of articles that share an LSH bucket, which alone could be each
            # other's near-duplicates, take turns from here to the commit.
            self._lock(cursor, keys)
            duplicate_of, score = self._nearest_original(cursor, signature, keys)
            row = _article_row(record, text_hash, source, duplicate_of, score)
            article_id = self._insert(cursor, self.sql.insert_article, row)
            if article_id is None:  # a racing writer stored the same text first
                found = _first(cursor.execute(self.sql.find_hash, (text_hash,)))
                return Added(found or 0, stored=False)
            cursor.executemany(self.sql.insert_claim, _claim_rows(article_id, record))
            cursor.executemany(self.sql.insert_source, _source_rows(article_id, record))
            cursor.executemany(self.sql.insert_event, _event_rows(article_id, record))
            if signature is not None:
                cursor.execute(self.sql.insert_signature, (article_id, minhash.to_bytes(signature)))
                cursor.executemany(self.sql.insert_band, [(key, article_id) for key in keys])
        return Added(article_id, stored=True, duplicate_of=duplicate_of, similarity=score)

    def record_error(
        self, source: str, line: int | None, code: str, message: str, *, file: str | None = None
    ) -> None:
        """Record that ``source`` (in input ``file``, by default itself) failed. A source
        that failed before keeps one row, with the latest error, its time and the number
        of attempts, and counts as open again."""
        with self._transaction() as cursor:
            row = (source, file or source, line, code, message, now())
            cursor.execute(self.sql.upsert_error, row)

    def resolve_errors(self, sources: Iterable[str]) -> None:
        """Mark the open errors of ``sources`` resolved: they no longer fail."""
        at = now()
        rows = [(at, source) for source in sources]
        if rows:
            with self._transaction() as cursor:
                cursor.executemany(self.sql.resolve_error, rows)

    def open_errors(self) -> dict[str, str]:
        """The sources whose last attempt failed, each with the input file it is in."""
        return {row["source"]: row["file"] for row in self._read(self.sql.open_errors)}

    def errors(self, *, include_resolved: bool = False) -> list[dict[str, Any]]:
        """Recorded errors, oldest first: open ones, or all with ``include_resolved``."""
        where = "" if include_resolved else "WHERE resolved_at IS NULL"
        return self._read(self.sql.errors.format(where=where))

    def search_claims(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Claims matching a full-text query (FTS5 syntax in SQLite, web-search syntax in
        PostgreSQL), best match first."""
        return self._read(self.sql.search_claims, (query, limit), f"cannot search for {query!r}")

    def recent_articles(self, limit: int = 20) -> list[dict[str, Any]]:
        """The last articles stored, newest first (without their text and analysis)."""
        sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY id DESC LIMIT {self.sql.mark}"
        return self._read(sql, (limit,))

    def article(self, article_id: int) -> dict[str, Any] | None:
        """One stored article with its analysis record (``analysis``, a dict)."""
        sql = f"SELECT {_ARTICLE_COLUMNS}, analysis FROM articles WHERE id = {self.sql.mark}"
        rows = self._read(sql, (article_id,))
        if not rows:
            return None
        rows[0]["analysis"] = json.loads(rows[0]["analysis"])
        return rows[0]

    def search_articles(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Articles whose title or text match a full-text query, best match first."""
        return self._read(self.sql.search_articles, (query, limit), f"cannot search for {query!r}")

    def count(self, table: str) -> int:
        """Rows in one of the store's tables."""
        if table not in _COUNTABLE:
            raise ValueError(f"not a countable store table: {table}")
        return int(self._read(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])

    def unclustered_claims(self, after: int = 0) -> list[dict[str, Any]]:
        """Claims (id, text) not yet in a cluster, with ids above ``after``, oldest first."""
        return self._read(self.sql.unclustered, (after,))

    def clustered_vectors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Claim ids, their cluster ids and their embeddings (float32 rows), in claim order."""
        rows = self.connection.execute(self.sql.clustered_vectors).fetchall()
        claims = np.array([row[0] for row in rows], dtype=np.int64)
        clusters = np.array([row[1] for row in rows], dtype=np.int64)
        vectors = np.zeros((len(rows), EMBEDDING_DIMENSIONS), dtype=np.float32)
        for index, row in enumerate(rows):
            vectors[index] = np.frombuffer(row[2], dtype="<f2")
        return claims, clusters, vectors

    def add_to_clusters(
        self,
        placed: Sequence[tuple[int, np.ndarray, int, float]],
        judge: Callable[[list[corroboration.Report]], corroboration.Assessment],
    ) -> dict[int, int]:
        """Store one batch of clustered claims in one transaction: each ``(claim id,
        vector, cluster, similarity)``, where a negative cluster stands for a new one, and
        the verdict ``judge`` gives every cluster the batch touched. Returns the ids the new
        clusters got, by their negative stand-ins.

        Safe beside another clustering run: batches are written one at a time, and a claim
        that run placed meanwhile stays where it is, the new cluster it founded or joined
        in this batch becoming the cluster it is in.
        """
        at = now()
        new_ids: dict[int, int] = {}
        touched: set[int] = set()
        with self._transaction() as cursor:
            self._lock(cursor, [CLUSTERS_LOCK])
            before = self._clusters_of(cursor, [claim_id for claim_id, _, _, _ in placed])
            for claim_id, vector, cluster, similarity in placed:
                if claim_id in before:
                    if cluster < 0:
                        new_ids.setdefault(cluster, before[claim_id])
                    continue
                if cluster < 0 and cluster not in new_ids:
                    new_ids[cluster] = self._insert(cursor, self.sql.new_cluster, (claim_id, at))
                target = new_ids.get(cluster, cluster)
                cursor.execute(self.sql.insert_vector, (claim_id, vector.astype("<f2").tobytes()))
                cursor.execute(self.sql.assign, (claim_id, target, similarity))
                touched.add(target)
            for cluster_id, reports in self._cluster_reports(cursor, sorted(touched)).items():
                verdict = judge(reports)
                earliest = verdict.earliest
                cursor.execute(
                    self.sql.set_verdict,
                    (
                        len(reports),
                        len(verdict.reports),
                        len(verdict.copies),
                        len(verdict.origins),
                        verdict.verdict,
                        _json(verdict.reasons),
                        earliest.published if earliest else None,
                        at,
                        cluster_id,
                    ),
                )
        return new_ids

    def clusters(
        self,
        query: str | None = None,
        verdict: str | None = None,
        min_reports: int = 1,
        limit: int = 50,
    ) -> list[dict[str, Any]]:
        """Clusters with the most reports first; ``query`` (full text, as in
        ``search_claims``) keeps those with a claim that matches, ``verdict`` those with
        that verdict."""
        if query:
            params: tuple[Any, ...] = (query, verdict, min_reports, limit)
            rows = self._read(self.sql.clusters_matching, params, f"cannot search for {query!r}")
        else:
            rows = self._read(self.sql.clusters, (verdict, min_reports, limit))
        for row in rows:
            row["reasons"] = json.loads(row["reasons"])
        return rows

    def cluster(self, cluster_id: int) -> dict[str, Any] | None:
        """One cluster with its reports (claim, article, outlet, date, chain, copy of)."""
        found = self._read(self.sql.cluster, (cluster_id,))
        if not found:
            return None
        cluster = found[0]
        cluster["reasons"] = json.loads(cluster["reasons"])
        reports = self._read(self.sql.listing(self.sql.cluster_reports, 1), (cluster_id,))
        for report in reports:
            report["chain"] = json.loads(report["chain"])
        cluster["claims"] = reports
        return cluster

    def cluster_of_claim(self, claim_id: int) -> int | None:
        rows = self._read(self.sql.cluster_of_claim, (claim_id,))
        return int(rows[0]["cluster_id"]) if rows else None

    def top_origins(self, limit: int = 20) -> list[dict[str, Any]]:
        """The origins the corpus's claims rest on, most claims first, with registry facts."""
        rows = self._read(self.sql.top_origins, (limit,))
        for row in rows:
            registry_id = row["registry_id"]
            facts = self._read(self.sql.registry_facts, (registry_id,)) if registry_id else []
            row["facts"] = json.loads(facts[0]["facts"]) if facts else None
        return rows

    def events(
        self,
        *,
        type: str | None = None,
        country: str | None = None,
        text: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """Stored events, earliest first (undated last), with their article and claim:
        ``type`` (case-insensitive), ``country`` (ISO code) and ``text`` (a substring of the
        place or actors) narrow them. Every value is a parameter, never part of the SQL."""
        pattern = None
        if text:
            escaped = re.sub(r"[!%_]", lambda m: "!" + m.group(), text.lower())
            pattern = f"%{escaped}%"
        params = (type, type, country, country, pattern, pattern, limit)
        return self._read(self.sql.events, params)

    def _read(
        self, sql: str, params: Sequence[Any] = (), what: str | None = None
    ) -> list[dict[str, Any]]:
        """Rows of a query as dicts; a database error becomes a StoreError."""
        try:
            cursor = self.connection.execute(sql, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]
        except self.database_errors as error:
            raise StoreError(f"{what or f'cannot read {self.name}'}: {error}") from error

    def _nearest_original(
        self, cursor: Any, signature: np.ndarray | None, keys: Sequence[int]
    ) -> tuple[int | None, float | None]:
        """The earliest stored article (lowest id) at least DUPLICATE_THRESHOLD similar."""
        if signature is None or not keys:
            return None, None
        cursor.execute(self.sql.listing(self.sql.band_matches, len(keys)), keys)
        candidates = [row[0] for row in cursor.fetchall()]
        if not candidates:
            return None, None
        cursor.execute(self.sql.listing(self.sql.signatures, len(candidates)), candidates)
        for article_id, stored in sorted(cursor.fetchall()):
            score = minhash.similarity(signature, minhash.from_bytes(bytes(stored)))
            if score >= minhash.DUPLICATE_THRESHOLD:
                return article_id, round(score, 4)
        return None, None

    def _clusters_of(self, cursor: Any, claim_ids: Sequence[int]) -> dict[int, int]:
        """The cluster of each of these claims that is in one, read in the transaction."""
        found: dict[int, int] = {}
        for start in range(0, len(claim_ids), _CHUNK):
            chunk = list(claim_ids[start : start + _CHUNK])
            cursor.execute(self.sql.listing(self.sql.clusters_of_claims, len(chunk)), chunk)
            found.update((int(claim), int(cluster)) for claim, cluster in cursor.fetchall())
        return found

    def _cluster_reports(
        self, cursor: Any, cluster_ids: Sequence[int]
    ) -> dict[int, list[corroboration.Report]]:
        """The reports of each cluster, read inside the caller's transaction."""
        found: dict[int, list[corroboration.Report]] = {cluster: [] for cluster in cluster_ids}
        for start in range(0, len(cluster_ids), _CHUNK):
            chunk = list(cluster_ids[start : start + _CHUNK])
            cursor.execute(self.sql.listing(self.sql.cluster_reports, len(chunk)), chunk)
            names = [column[0] for column in cursor.description]
            for values in cursor.fetchall():
                row = dict(zip(names, values, strict=True))
                found[row["cluster_id"]].append(_report(row))
        return found

    def _migrate(self) -> None:
        """Bring the store to the latest version, one migration per transaction."""
        migrations = self._migrations()
        while True:
            with self._transaction() as cursor:
                self._lock(cursor, [SCHEMA_LOCK])
                # Read again under the write lock: another process may have migrated.
                version = self.schema_version()
                if version >= len(migrations):
                    return
                for statement in migrations[version]:
                    cursor.execute(statement)
                cursor.execute(self.sql.set_meta, ("schema_version", str(version + 1)))
                if version == 0:
                    cursor.execute(self.sql.set_meta, ("created_at", now()))

    def _check_version(self, version: int, *, readonly: bool) -> None:
        """Refuse a store from a newer sayso, and one that needs migrating when read-only."""
        latest = len(self._migrations())
        if version > latest:
            raise StoreVersionError(
                f"{self.name} is a version {version} store, written by a newer sayso; this "
                f"sayso reads versions up to {latest}. Upgrade sayso to use it "
                "(the store was not changed)"
            )
        if readonly and version < latest:
            raise StoreError(f"{self.name} needs migrating; open it for writing first")

    # Hooks: what a backend does its own way. These are SQLite's.

    def _migrations(self) -> tuple[tuple[str, ...], ...]:
        """This backend's migrations (read at call time, so tests can add one)."""
        return MIGRATIONS

    def _lock(self, cursor: Any, keys: Sequence[int]) -> None:
        """Hold these keys until the transaction ends. SQLite has nothing to do: its write
        transactions (BEGIN IMMEDIATE) already run one at a time."""

    def _insert(self, cursor: Any, sql: str, params: Sequence[Any]) -> int | None:
        """Run an INSERT; the new row's id, or None when it inserted nothing."""
        cursor.execute(sql, params)
        return int(cursor.lastrowid) if cursor.rowcount > 0 else None

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """One write transaction: committed whole, or rolled back whole on any error."""
        cursor = self.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise StoreError(f"cannot write to {self.name}: {error}") from error
        try:
            yield cursor
            cursor.execute("COMMIT")
        except BaseException as error:
            _rollback(cursor)
            if isinstance(error, sqlite3.Error):
                raise StoreError(f"cannot write to {self.name}: {error}") from error
            raise


def _latest() -> int:
    """The version this sayso writes: one per migration (read at call time, so tests can
    add a migration)."""
    return len(MIGRATIONS)


def _first(cursor: Any) -> int | None:
    """The first column of a query's first row, or None when it has no rows."""
    row = cursor.fetchone()
    return int(row[0]) if row is not None else None


def _rollback(cursor: sqlite3.Cursor) -> None:
    """Roll back the open transaction, if SQLite has not already done so."""
    if cursor.connection.in_transaction:
        cursor.execute("ROLLBACK")


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), foreign keys on."""
    try:
        if readonly:
            target = f"{path.resolve().as_uri()}?mode=ro"
            connection = sqlite3.connect(target, uri=True, timeout=BUSY_TIMEOUT_S)
        else:
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the store {path}: {error}") from error
    connection.isolation_level = None
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _version(connection: sqlite3.Connection, path: Path) -> int:
    """The store's schema version: 0 for an empty database. Reads only."""
    try:
        tables = {row[0] for row in connection.execute(_TABLE_NAMES)}
        if "sayso_store" not in tables:
            if tables:
                raise StoreError(
                    f"{path} is an SQLite database but not a sayso store (it has tables "
                    "and no sayso_store table); give another file name"
                )
            return 0
        row = connection.execute(SQLITE.meta_value, ("schema_version",)).fetchone()
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path} is not a sayso store: {error}") from error
    return parse_version(row, path)


def parse_version(row: Sequence[Any] | None, name: str | Path) -> int:
    """The schema version from its ``sayso_store`` row (None when the row is missing)."""
    try:
        return int(row[0] if row else "")
    except (TypeError, ValueError) as error:
        raise StoreError(f"{name} has no valid schema_version in sayso_store") from error


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _article_row(
    record: dict[str, Any],
    text_hash: str,
    source: str,
    duplicate_of: int | None,
    score: float | None,
) -> tuple[Any, ...]:
    meta = record.get("meta") or {}
    return (
        text_hash,
        meta.get("url"),
        meta.get("title"),
        meta.get("outlet"),
        meta.get("outlet_id"),
        meta.get("published"),
        source,
        record["text"],
        _json(record),
        record["schema_version"],
        duplicate_of,
        score,
        now(),
    )


def _report(row: dict[str, Any]) -> corroboration.Report:
    """A cluster's report from its ``cluster_reports`` row."""
    return corroboration.Report(
        claim=row["claim"],
        article=row["article"],
        text=row["text"],
        kind=row["kind"],
        chain=json.loads(row["chain"]),
        outlet=row["outlet"],
        outlet_id=row["outlet_id"],
        published=row["published"],
        copy_of=row["duplicate_of"],
        cue=row["cue"],
    )


def _claim_rows(article_id: int, record: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows = []
    cues = {
        attribution["claim_id"]: attribution["cue"]["text"]
        for attribution in record.get("attributions", [])
        if attribution.get("claim_id") and attribution.get("cue")
    }
    for claim in record.get("claims", []):
        provenance = claim.get("provenance") or {}
        origin = provenance.get("origin") or {}
        chain = [origin, *provenance.get("relays", [])] if origin else []
        links = [{key: link.get(key) for key in ("name", "kind", "registry_id")} for link in chain]
        flags = [flag["name"] for flag in provenance.get("flags", [])]
        rows.append(
            (
                article_id,
                claim["id"],
                claim["kind"],
                claim["start"],
                claim["end"],
                claim["text"],
                origin.get("name"),
                origin.get("kind"),
                origin.get("registry_id"),
                _json(links),
                _json(flags),
                cues.get(claim["id"]),
            )
        )
    return rows


def _source_rows(article_id: int, record: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            article_id,
            source["name"],
            source["kind"],
            source.get("registry_id"),
            len(source.get("mentions", [])),
            _json(source.get("candidates", [])),
            _json(source["facts"]) if source.get("facts") is not None else None,
        )
        for source in record.get("sources", [])
    ]


def _event_rows(article_id: int, record: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows = []
    for event in record.get("events", []):
        place = event.get("location") or {}
        date = event.get("date") or {}
        rows.append(
            (
                article_id,
                event["type"],
                event["sub_type"],
                (event.get("trigger") or {}).get("text"),
                event.get("actor1"),
                event.get("actor2"),
                place.get("name"),
                place.get("lat"),
                place.get("lon"),
                place.get("geonames_id"),
                place.get("country"),
                date.get("value"),
                date.get("text"),
                event.get("claim_id"),
                (event.get("evidence") or {}).get("text"),
            )
        )
    return rows
