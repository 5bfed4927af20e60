"""Batch analysis in the web app: a JSONL upload, one article a line, as `sayso analyze`.

A batch is bounded (``MAX_LINES`` articles, and the app's 5 MB body limit), and a bad line
yields its own ``{"line", "error": {code, message}}`` entry without ending the batch. Each
article runs as its own job on the analyser's worker, so other requests are answered
between them. The reports of a batch analysed through the page are kept in memory, under a
random token, in a small least-recently-used cache (``Reports``): the app writes nothing.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from threading import Lock
from typing import Any

from sayso.errors import InputTooLargeError, SaysoError
from sayso.inputs import iter_jsonl
from sayso.model import Analysis

MAX_LINES = 200
KEPT_REPORTS = 256


def _error(line: int, error: SaysoError | Exception) -> dict[str, Any]:
    if isinstance(error, SaysoError):
        return {"line": line, "error": {"code": error.code, "message": str(error)}}
    message = f"internal error: {type(error).__name__}: {error}"
    return {"line": line, "error": {"code": "internal_error", "message": message}}


async def analyse_batch(
    data: bytes, analyse: Callable[[Any], Awaitable[Analysis]], *, check_language: bool = True
) -> list[tuple[int, Analysis | dict[str, Any]]]:
    """Each non-blank line's analysis (its ``id`` the input's or ``line-N``) or its error
    entry, in order. Over ``MAX_LINES`` articles, the whole batch is refused up front."""
    lines = data.splitlines()
    count = sum(1 for line in lines if line.strip())
    if count > MAX_LINES:
        raise InputTooLargeError(
            f"the batch has {count} articles; at most {MAX_LINES} are analysed at once "
            "(use `sayso analyze` or `sayso ingest` for more)"
        )
    results: list[tuple[int, Analysis | dict[str, Any]]] = []
    for number, item in iter_jsonl(lines, check_language=check_language):
        if isinstance(item, SaysoError):
            results.append((number, _error(number, item)))
            continue
        if item.id is None:
            item.id = f"line-{number}"
        try:
            results.append((number, await analyse(item)))
        except Exception as error:  # one article's failure must not end the batch
            results.append((number, _error(number, error)))
    return results


class Reports:
    """Analyses kept for the pages that link to them, by random token, newest kept."""

    def __init__(self, size: int = KEPT_REPORTS) -> None:
        self.size = size
        self._kept: OrderedDict[str, Analysis] = OrderedDict()
        self._lock = Lock()

    def keep(self, analysis: Analysis) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._kept[token] = analysis
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return token

    def get(self, token: str) -> Analysis | None:
        with self._lock:
            found = self._kept.get(token)
            if found is not None:
                self._kept.move_to_end(token)
            return found
