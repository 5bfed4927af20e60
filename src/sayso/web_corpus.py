"""What the web app reads from the corpus store, one store connection per request.

A connection per request, because an SQLite connection belongs to the thread that opened it
and the app answers requests on a pool of threads. The store path comes only from the
command line (``sayso serve --db``); a request never names a file. Listing and fetching
articles by id are here, as the store's API has no such calls yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sayso.errors import SaysoError, StoreError
from sayso.store import Store, display_name


class NotFoundError(SaysoError):
    """A requested article or cluster does not exist (or there is no corpus to look in)."""

    code = "not_found"


class NoStoreError(NotFoundError):
    """The app runs without ``--db``: there is no corpus to browse."""

    code = "no_store"


class BadQueryError(SaysoError):
    """A full-text search query the store cannot parse."""

    code = "bad_query"


class Corpus:
    """The store the app was started with; opened read-only for each request."""

    def __init__(self, location: str | Path | None) -> None:
        self.location = location
        if location is not None:
            with self.open():
                pass  # refuse a missing or newer store at start, not at the first request

    @property
    def name(self) -> str | None:
        return display_name(self.location) if self.location is not None else None

    @contextmanager
    def open(self) -> Iterator[Store]:
        if self.location is None:
            raise NoStoreError("no corpus store: start the app with `sayso serve --db PATH`")
        with Store.open(self.location, readonly=True) as store:
            yield store

    def articles(self, query: str | None, limit: int) -> list[dict[str, Any]]:
        """Articles matching a full-text query, best first; newest first without one."""
        with self.open() as store:
            if query:
                return _searched(lambda: store.search_articles(query, limit))
            return store.recent_articles(limit)

    def article(self, article_id: int) -> dict[str, Any]:
        """One stored article with its analysis record (``analysis``, a dict)."""
        with self.open() as store:
            found = store.article(article_id)
        if found is None:
            raise NotFoundError(f"no article {article_id} in the store")
        return found

    def clusters(
        self, query: str | None, verdict: str | None, min_reports: int, limit: int
    ) -> list[dict[str, Any]]:
        with self.open() as store:
            return _searched(
                lambda: store.clusters(
                    query=query, verdict=verdict, min_reports=min_reports, limit=limit
                )
            )

    def cluster(self, cluster_id: int) -> dict[str, Any]:
        with self.open() as store:
            found = store.cluster(cluster_id)
        if found is None:
            raise NotFoundError(f"no claim cluster {cluster_id} in the store")
        return found

    def events(
        self, type: str | None, country: str | None, text: str | None, limit: int
    ) -> list[dict[str, Any]]:
        with self.open() as store:
            return store.events(type=type, country=country, text=text, limit=limit)

    def sources(self, limit: int) -> list[dict[str, Any]]:
        with self.open() as store:
            return store.top_origins(limit)

    def errors(self, include_resolved: bool) -> list[dict[str, Any]]:
        with self.open() as store:
            return store.errors(include_resolved=include_resolved)


def _searched(search: Any) -> list[dict[str, Any]]:
    """Run a search; a query the store cannot parse is the user's error, not the store's."""
    try:
        return search()
    except StoreError as error:
        if "cannot search for" in str(error):
            raise BadQueryError(str(error)) from error
        raise
