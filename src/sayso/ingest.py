"""Corpus ingest: files, folders, JSONL, RSS/Atom feeds and WARC archives become analysed,
stored articles.

Why this shape: reading and analysis run in worker processes (each loads the spaCy
pipeline once); only this process writes to the store, one transaction per article, so a
run killed at any moment leaves whole articles only. Before analysing, a worker skips any
text whose content hash is stored already, which makes ingest idempotent and a killed run
resumable: run it again and it does the rest. A bad input becomes a row in the store's
``errors`` table and the batch goes on. Errors are kept current: an input stored later has
its error marked resolved (kept, with ``resolved_at``), and at the end of a complete run the
open errors of every file it read again and that did not fail again are resolved too (a
WARC file replaced by a good copy, a JSONL line since removed).

Inputs are streamed: at most a few articles per worker are in flight, so memory stays
flat however large the corpus.
"""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sayso import minhash, registry
from sayso.errors import InputError, SaysoError
from sayso.inputs import HTML_EXTENSIONS, iter_jsonl, read_article, read_path
from sayso.model import Article
from sayso.pipeline import analyze_article, load_pipeline
from sayso.places import named_home
from sayso.registry import Registry
from sayso.store import Store, content_hash

TEXT_SUFFIXES = (".txt", ".text")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
FEED_SUFFIXES = (".rss", ".atom")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
# A .xml file is read as a feed when its first bytes hold one of these root elements.
FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf")
FEED_SNIFF_BYTES = 2048
# Folders are searched for these; a file named on the command line is read whatever its name.
FOLDER_SUFFIXES = TEXT_SUFFIXES + HTML_EXTENSIONS + JSONL_SUFFIXES + FEED_SUFFIXES + (".xml",)
# Articles in flight per worker: enough to keep every worker busy, few enough that memory
# does not grow with the corpus.
IN_FLIGHT_PER_JOB = 4
# Largest feed or WARC record body read, in bytes (the input boundary refuses larger text).
MAX_ITEM_BYTES = 64 * 1024 * 1024
CRASHED = (
    "worker_crashed",
    "the worker process analysing this input died (out of memory, or a crash in a native "
    "library); run ingest again to retry it",
)


@dataclass(frozen=True)
class Item:
    """One article to be, as its input holds it: what a worker receives.

    ``source`` names where it came from (``path``, ``path#line`` for JSONL, ``path#id``
    for a feed entry or WARC record) and ``file`` the input file; ``path`` is a file to
    read whole, else ``data`` holds the raw text, HTML or JSONL line; ``meta`` gives
    metadata the container knew.
    """

    source: str
    file: str
    kind: str
    path: str | None = None
    data: bytes | str | None = None
    line: int | None = None
    filename: str | None = None
    meta: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Failure:
    """An input that could not be read or analysed, with its error code and message."""

    source: str
    file: str
    line: int | None
    code: str
    message: str


@dataclass(frozen=True)
class Analysed:
    """A worker's result: the analysis record and the MinHash signature of its text."""

    source: str
    record: dict[str, Any]
    signature: bytes | None


@dataclass(frozen=True)
class Known:
    """An input whose text is already stored: nothing was analysed."""

    source: str


Outcome = Failure | Analysed | Known


@dataclass
class IngestSummary:
    """What one ingest run did; ``line()`` is the summary the CLI prints."""

    stored: int = 0
    already_stored: int = 0
    near_duplicates: int = 0
    errors: int = 0
    started: float = field(default_factory=time.monotonic)
    elapsed: float = 0.0

    @property
    def done(self) -> int:
        return self.stored + self.already_stored + self.errors

    @property
    def rate(self) -> float:
        """Inputs handled per second (stored, skipped or failed)."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    def tick(self) -> None:
        self.elapsed = time.monotonic() - self.started

    def line(self) -> str:
        return (
            f"stored {self.stored}, already stored {self.already_stored}, near-duplicates "
            f"{self.near_duplicates}, errors {self.errors}, {self.elapsed:.1f} s, "
            f"{self.rate:.1f} articles/s"
        )


Progress = Callable[[IngestSummary, int], None]


def default_jobs() -> int:
    """All the cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def ingest(
    paths: Iterable[str | Path],
    *,
    db: str | Path,
    jobs: int | None = None,
    fast: bool = False,
    registry_files: Iterable[str | Path] = (),
    progress: Progress | None = None,
    home: str | None = None,
) -> IngestSummary:
    """Analyse every article under ``paths`` and store it in the store at ``db``.

    ``jobs`` worker processes analyse (default: all cores); ``fast`` skips the persuasion
    model; ``registry_files`` add or override registry records; ``home`` is where the
    outlet of the articles is based (their local place names are read there), for those
    whose input names no home. ``progress`` is called
    before the first input and after each one, with the running summary and the number of
    inputs in all (counted first, in one more read of the inputs). Workers are spawned, so
    a script that calls this with several jobs must do so under ``if __name__ ==
    "__main__":``.
    """
    paths = [str(path) for path in paths]
    files = tuple(str(path) for path in registry_files)
    sources = registry.load(files)  # refuses a bad --registry file before any work
    named_home(home)  # and an unknown home
    summary = IngestSummary()
    with Store.open(db) as store:
        total = sum(1 for _ in iter_items(paths))
        jobs = max(1, min(jobs or default_jobs(), total))
        errors = _ErrorBook(store)
        if progress is not None:
            progress(summary, total)
        items = errors.watch(iter_items(paths))
        if jobs == 1:
            worker = _Worker(sources, store.has_article, fast, home)
            outcomes: Iterator[Outcome] = (
                item if isinstance(item, Failure) else worker(item) for item in items
            )
        else:
            outcomes = _parallel(items, jobs, (str(db), files, fast, home))
        for outcome in outcomes:
            _write(store, outcome, summary, errors)
            summary.tick()
            if progress is not None:
                progress(summary, total)
        errors.sweep()
    summary.tick()
    return summary


class _ErrorBook:
    """Keeps the store's open errors current during a run (see the module docstring).

    Only files with open errors are remembered, so memory does not grow with the corpus.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.open = store.open_errors()
        self.files = set(self.open.values())
        self.reread: set[str] = set()
        self.failed: set[str] = set()

    def watch(self, items: Iterator[Item | Failure]) -> Iterator[Item | Failure]:
        for item in items:
            if item.file in self.files:
                self.reread.add(item.file)
            yield item

    def failure(self, failure: Failure) -> None:
        self.store.record_error(
            failure.source, failure.line, failure.code, failure.message, file=failure.file
        )
        self.failed.add(failure.source)

    def success(self, source: str) -> None:
        if source in self.open:
            self.store.resolve_errors([source])
            del self.open[source]

    def sweep(self) -> None:
        """After a complete run: resolve what was read again and did not fail again."""
        stale = [
            source
            for source, file in self.open.items()
            if file in self.reread and source not in self.failed
        ]
        self.store.resolve_errors(stale)


def _write(store: Store, outcome: Outcome, summary: IngestSummary, errors: _ErrorBook) -> None:
    """Store one worker result and count it."""
    if isinstance(outcome, Failure):
        errors.failure(outcome)
        summary.errors += 1
        return
    if isinstance(outcome, Analysed):
        signature = minhash.from_bytes(outcome.signature) if outcome.signature else None
        added = store.add_article(outcome.record, source=outcome.source, signature=signature)
        summary.stored += added.stored
        summary.already_stored += not added.stored
        summary.near_duplicates += added.duplicate_of is not None
    else:
        summary.already_stored += 1
    errors.success(outcome.source)


# Reading inputs: each reader yields Items, or a Failure for what it cannot read, and
# never raises, so one bad file cannot end the batch.


def iter_items(paths: Iterable[str]) -> Iterator[Item | Failure]:
    """Every article to be in ``paths``: folders are searched recursively, in name order."""
    for given in paths:
        path = Path(os.path.abspath(given))
        if path.is_dir():
            for file in _walk(path):
                yield from _file_items(file, named=False)
        elif path.exists():
            yield from _file_items(path, named=True)
        else:
            message = f"no such file or folder: {given}"
            yield Failure(str(path), str(path), None, "input_error", message)


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            if name.lower().endswith(FOLDER_SUFFIXES + WARC_SUFFIXES):
                yield Path(root, name)


def _file_items(path: Path, *, named: bool) -> Iterator[Item | Failure]:
    """The articles one file holds, by its kind; a folder's .xml must hold a feed."""
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        yield from _jsonl_items(path)
    elif name.endswith(WARC_SUFFIXES):
        yield from _warc_items(path)
    elif name.endswith(FEED_SUFFIXES) or (name.endswith(".xml") and _holds_feed(path)):
        yield from _feed_items(path)
    elif named or not name.endswith(".xml"):
        yield Item(source=str(path), file=str(path), kind="file", path=str(path))


def _holds_feed(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            head = stream.read(FEED_SNIFF_BYTES).lower()
    except OSError:
        return False
    return any(root in head for root in FEED_ROOTS)


def _jsonl_items(path: Path) -> Iterator[Item | Failure]:
    try:
        with path.open("rb") as stream:
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    source = f"{path}#{number}"
                    yield Item(source, str(path), "jsonl", data=line, line=number)
    except OSError as error:
        yield Failure(str(path), str(path), None, "input_error", f"cannot read {path}: {error}")


def _feed_items(path: Path) -> Iterator[Item | Failure]:
    """One item per feed entry: its full content (else its summary) as HTML, with the
    entry's link, title and date, and the feed's title as the outlet."""
    import feedparser

    try:
        data = path.read_bytes()
    except OSError as error:
        yield Failure(str(path), str(path), None, "input_error", f"cannot read {path}: {error}")
        return
    # A stream, never bytes or str: feedparser reads a string as a URL or file name.
    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.entries:
        reason = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
        message = f"{path} holds no RSS or Atom entries{reason}"
        yield Failure(str(path), str(path), None, "malformed_feed", message)
        return
    outlet = parsed.feed.get("title")
    for number, entry in enumerate(parsed.entries, start=1):
        yield _feed_item(path, number, entry, outlet)


def _feed_item(path: Path, number: int, entry: Any, outlet: str | None) -> Item | Failure:
    ref = entry.get("id") or entry.get("link") or f"entry-{number}"
    source = f"{path}#{ref}"
    contents = entry.get("content") or []
    body = contents[0].get("value") if contents else None
    body = body or entry.get("summary")
    if not body:
        message = "feed entry has no content or summary"
        return Failure(source, str(path), number, "empty_input", message)
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    meta = {
        "title": entry.get("title"),
        "url": entry.get("link"),
        "outlet": outlet,
        "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", when) if when else None,
    }
    return Item(
        source=source,
        file=str(path),
        kind="feed",
        data=body,
        line=number,
        meta=tuple((key, value) for key, value in meta.items() if value),
    )


def _warc_items(path: Path) -> Iterator[Item | Failure]:
    """One item per successful HTML response (or resource) record, with its URL."""
    from warcio.archiveiterator import ArchiveIterator

    # warcio reads junk as ARC records; a .warc file must hold at least one WARC record.
    is_warc = path.name.lower().endswith((".warc", ".warc.gz"))
    records = 0
    try:
        with path.open("rb") as stream:
            for number, record in enumerate(ArchiveIterator(stream), start=1):
                records += record.rec_headers.get_header("WARC-Record-ID") is not None
                item = _warc_item(path, number, record)
                if item is not None:
                    yield item
    except Exception as error:  # a damaged archive fails in warcio in many ways
        message = f"cannot read the WARC file {path}: {type(error).__name__}: {error}"
        yield Failure(str(path), str(path), None, "malformed_warc", message)
        return
    if is_warc and not records:
        message = f"{path} is not a WARC file: it holds no WARC records"
        yield Failure(str(path), str(path), None, "malformed_warc", message)


def _warc_item(path: Path, number: int, record: Any) -> Item | None:
    if record.rec_type not in ("response", "resource"):
        return None
    headers = record.http_headers if record.rec_type == "response" else record.rec_headers
    if headers is None or "html" not in (headers.get_header("Content-Type") or "").lower():
        return None
    if record.rec_type == "response" and not str(headers.get_statuscode()).startswith("2"):
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    ref = record.rec_headers.get_header("WARC-Record-ID") or f"record-{number}"
    return Item(
        source=f"{path}#{ref}",
        file=str(path),
        kind="warc",
        data=record.content_stream().read(MAX_ITEM_BYTES),
        line=number,
        filename="record.html",
        meta=(("url", url),) if url else (),
    )


# Analysis: the same _Worker runs in this process (one job) or in each worker process.


class _Worker:
    """Reads an Item into an Article, skips it when its text is stored, else analyses it."""

    def __init__(
        self, sources: Registry, known: Callable[[str], bool], fast: bool, home: str | None
    ) -> None:
        self.sources = sources
        self.known = known
        self.fast = fast
        self.home = home

    def __call__(self, item: Item) -> Outcome:
        try:
            article = _read(item)
            if self.known(content_hash(article.text)):
                return Known(item.source)
            if self.home and not article.meta.home:
                article.meta.home = self.home
            record = analyze_article(article, self.sources, fast=self.fast).to_dict()
        except SaysoError as error:
            return Failure(item.source, item.file, item.line, error.code, str(error))
        except Exception as error:  # one article's failure must not end the batch
            message = f"internal error: {type(error).__name__}: {error}"
            return Failure(item.source, item.file, item.line, "internal_error", message)
        sig = minhash.signature(article.text)
        return Analysed(item.source, record, minhash.to_bytes(sig) if sig is not None else None)


def _read(item: Item) -> Article:
    """The Article an Item holds, through the input boundary; raises InputError."""
    meta = dict(item.meta)
    if item.kind == "jsonl":
        for _, result in iter_jsonl([item.data or b""]):
            if isinstance(result, InputError):
                raise result
            return result
        raise InputError("the line is blank")
    if item.path is not None:
        return read_path(item.path, **meta)
    return read_article(item.data or b"", filename=item.filename, **meta)


_worker: _Worker | None = None
_startup_error: str | None = None


@dataclass(frozen=True)
class _StartupFailed:
    """A worker process could not set itself up: the run stops with this message."""

    message: str


def _start_worker(db: str, registry_files: tuple[str, ...], fast: bool, home: str | None) -> None:
    """Worker process set-up: the registry, the pipeline and a read-only store, once.

    A failure here is kept and reported with the first item: an initializer that raises
    would only show as a broken pool, which looks like a crash.
    """
    global _worker, _startup_error
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    try:
        store = Store.open(db, readonly=True)
        _worker = _Worker(registry.load(registry_files), store.has_article, fast, home)
        load_pipeline()
    except Exception as error:
        _startup_error = f"{type(error).__name__}: {error}"


def _exit_with(parent_sentinel: int) -> None:
    """End this worker when the ingest process dies (killed with -9, say): an orphaned
    worker would otherwise wait for work forever, holding its memory."""
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(1)


def _work(item: Item) -> Outcome | _StartupFailed:
    if _worker is None:
        return _StartupFailed(_startup_error or "not initialised")
    return _worker(item)


def _parallel(
    items: Iterator[Item | Failure], jobs: int, config: tuple[str, tuple[str, ...], bool]
) -> Iterator[Outcome]:
    """Worker results in the order they finish, with at most a few items per worker in
    flight. A worker that dies takes its pool down: the items in flight are recorded as
    failures (a rerun retries them) and a fresh pool goes on with the rest."""
    window = jobs * IN_FLIGHT_PER_JOB
    pool = _new_pool(jobs, config)
    pending: dict[Future[Outcome | _StartupFailed], Item] = {}
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < window:
                item = next(items, None)
                if item is None:
                    exhausted = True
                elif isinstance(item, Failure):
                    yield item
                else:
                    pending[pool.submit(_work, item)] = item
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            crashed: list[Item] = []
            for future in done:
                item = pending.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    crashed.append(item)
                    continue
                if isinstance(outcome, _StartupFailed):
                    raise SaysoError(f"a worker process could not start: {outcome.message}")
                yield outcome
            if crashed:
                for item in [*crashed, *pending.values()]:
                    yield Failure(item.source, item.file, item.line, *CRASHED)
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _new_pool(jobs, config)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _new_pool(jobs: int, config: tuple[str, tuple[str, ...], bool]) -> ProcessPoolExecutor:
    # spawn, not fork: a worker must not inherit this process's open store connection.
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=config,
    )
