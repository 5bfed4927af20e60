"""``sayso serve``: a local web app and JSON API over ``analyze_article`` and the corpus store.

``create_app(db)`` builds the FastAPI app; ``serve`` runs it with uvicorn. The pipeline is
loaded once at start-up, and each analysis runs on a worker thread (one at a time, since the
GIL gives nothing to a second) so the app keeps answering while a long analysis runs.
Every ``SaysoError`` becomes ``{"error": {"code", "message"}}`` with a fitting status in
the API and a clear message in a page; anything unexpected is logged and answered with a
generic 500, never a traceback. No request value reaches the file system: the store path
comes from the command line only, and an upload's name only picks HTML or text.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from sayso import __version__, web_pages
from sayso.corroboration import VERDICTS
from sayso.errors import (
    BinaryInputError,
    DecodingError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
    MalformedRecordError,
    NoMainTextError,
    SaysoError,
    UnknownPlaceError,
    UnsupportedLanguageError,
)
from sayso.inputs import read_article
from sayso.pipeline import analyze_article, load_pipeline
from sayso.record import analysis_from_record
from sayso.registry import Registry, default_registry
from sayso.report import article_report, content_security_policy
from sayso.report_cluster import STYLE as CLUSTER_STYLE
from sayso.report_cluster import cluster_report
from sayso.trace import trace_record
from sayso.web_batch import Reports, analyse_batch
from sayso.web_corpus import BadQueryError, Corpus, NotFoundError
from sayso.web_limits import MAX_BODY_BYTES, BodyLimit

log = logging.getLogger("sayso.web")

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
UPLOAD_SUFFIXES = {".html": "upload.html", ".htm": "upload.html", ".txt": None}
UPLOAD_TYPES = {"text/html": "upload.html", "text/plain": None}


class UnsupportedUploadError(InputError):
    code = "unsupported_media_type"


# Statuses of the errors a request can cause; the most specific class listed wins.
STATUSES: tuple[tuple[type[SaysoError], int], ...] = (
    (NotFoundError, 404),
    (InputTooLargeError, 413),
    (UnsupportedUploadError, 415),
    (BinaryInputError, 415),
    (DecodingError, 415),
    (NoMainTextError, 422),
    (UnsupportedLanguageError, 422),
    (MalformedRecordError, 422),
    (UnknownPlaceError, 422),
    (BadQueryError, 400),
    (EmptyInputError, 400),
    (InputError, 400),
)


class AnalyzeRequest(BaseModel):
    """An article to analyse: ``text`` or ``html``, with optional metadata."""

    text: str | None = Field(None, description="Plain text (or HTML, sniffed) of the article.")
    html: str | None = Field(None, description="The article's HTML page.")
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = Field(None, description="ISO date, e.g. 2025-07-14.")
    home: str | None = Field(
        None,
        description="Where the outlet is based ('Norfolk, Neb.'): local place names "
        "with no other clue are read there.",
    )
    fast: bool = Field(False, description="Skip persuasion techniques, frames and genre.")
    any_language: bool = Field(False, description="Skip the check that the text is English.")


@dataclass
class Analyser:
    """Runs analyses on a worker thread, one at a time, with the registry loaded at start."""

    registry: Registry | None
    limiter: anyio.CapacityLimiter | None = None

    def start(self) -> None:
        load_pipeline()
        if self.registry is None:
            self.registry = default_registry()

    async def run(self, data: str | bytes, *, fast: bool, **given: Any) -> Any:
        if self.limiter is None:
            self.limiter = anyio.CapacityLimiter(1)

        def work() -> Any:
            article = read_article(data, **given)
            return analyze_article(article, self.registry, fast=fast)

        return await anyio.to_thread.run_sync(work, limiter=self.limiter)

    async def analyse(self, article: Any, *, fast: bool) -> Any:
        """One article already read (a batch's line), as its own job on the worker."""
        if self.limiter is None:
            self.limiter = anyio.CapacityLimiter(1)
        return await anyio.to_thread.run_sync(
            lambda: analyze_article(article, self.registry, fast=fast), limiter=self.limiter
        )


def status_of(error: SaysoError) -> int:
    """The HTTP status of an expected error: 4xx for the request's fault, 500 otherwise."""
    return next((status for cls, status in STATUSES if isinstance(error, cls)), 500)


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS


def create_app(
    db: str | Path | None = None, *, registry: Registry | None = None, preload: bool = True
) -> FastAPI:
    """The app. ``db`` (a path or PostgreSQL URL) is the corpus to browse, checked now;
    ``preload`` loads the pipeline at start-up rather than at the first analysis."""
    corpus = Corpus(db)
    analyser = Analyser(registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if preload:
            await anyio.to_thread.run_sync(analyser.start)
        yield

    app = FastAPI(
        title="sayso",
        version=__version__,
        description="On whose say-so? Claims, sources and chains of attribution in the news.",
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load their script from a CDN
        redoc_url=None,
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.state.corpus = corpus
    app.state.analyser = analyser
    app.state.reports = Reports()
    _add_error_handlers(app, corpus)
    _add_api(app, corpus, analyser)
    _add_pages(app, corpus, analyser)
    _add_batch(app, analyser, app.state.reports)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _error_response(request: Request, status: int, code: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    corpus = request.app.state.corpus.location is not None
    page = web_pages.error_page(status, code, message, corpus=corpus)
    return html_page(page, status)


def _add_error_handlers(app: FastAPI, corpus: Corpus) -> None:
    async def sayso_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, SaysoError)
        status = status_of(error)
        if status == 500:
            log.error("%s: %s", type(error).__name__, error)
        return _error_response(request, status, error.code, str(error))

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        code = getattr(error, "code", None) or {404: "not_found", 405: "method_not_allowed"}.get(
            error.status_code, "http_error"
        )
        return _error_response(request, error.status_code, code, str(error.detail))

    async def invalid_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in error.errors()
        )
        return _error_response(request, 422, "invalid_request", problems or "invalid request")

    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error answering %s %s", request.method, request.url.path)
        return _error_response(request, 500, "internal_error", "internal error; see the log")

    app.add_exception_handler(SaysoError, sayso_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(Exception, unexpected)


def html_page(page: str, status: int = 200, policy: str = web_pages.PAGE_POLICY) -> HTMLResponse:
    headers = {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff"}
    return HTMLResponse(page, status_code=status, headers=headers)


def report_page(analysis: Any) -> HTMLResponse:
    """The article report exactly as ``article_report`` writes it, under its own policy."""
    return html_page(article_report(analysis), policy=content_security_policy())


def _add_api(app: FastAPI, corpus: Corpus, analyser: Analyser) -> None:
    @app.post("/api/analyze", tags=["analysis"])
    async def api_analyze(body: AnalyzeRequest) -> dict[str, Any]:
        """Analyse one article; returns the analysis record (the JSON schema's shape)."""
        data = body.html if body.html is not None else body.text
        if data is None:
            raise EmptyInputError("give the article as `text` or `html`")
        analysis = await analyser.run(
            data,
            fast=body.fast,
            filename="article.html" if body.html is not None else None,
            title=body.title,
            outlet=body.outlet,
            url=body.url,
            published=body.published,
            home=body.home,
            check_language=not body.any_language,
        )
        return analysis.to_dict()

    @app.get("/api/articles", tags=["corpus"])
    def api_articles(
        query: str | None = None, limit: int = Query(50, ge=1, le=500)
    ) -> list[dict[str, Any]]:
        """Stored articles, newest first, or those matching a full-text ``query``."""
        return corpus.articles(query, limit)

    @app.get("/api/articles/{article_id}", tags=["corpus"])
    def api_article(article_id: int) -> dict[str, Any]:
        """One stored article: its row and its analysis record."""
        return corpus.article(article_id)

    @app.get("/api/claims", tags=["corpus"])
    def api_claims(
        query: str | None = None,
        verdict: str | None = None,
        min_reports: int = Query(1, ge=1),
        limit: int = Query(50, ge=1, le=500),
    ) -> list[dict[str, Any]]:
        """Claim clusters, most reported first, filtered by full text and verdict."""
        return corpus.clusters(query, _verdict(verdict), min_reports, limit)

    @app.get("/api/clusters/{cluster_id}", tags=["corpus"])
    def api_cluster(cluster_id: int) -> dict[str, Any]:
        """A cluster's trace: verdict, reasons, tree of reports and timeline."""
        return trace_record(corpus.cluster(cluster_id))

    @app.get("/api/events", tags=["corpus"])
    def api_events(
        type: str | None = Query(None, description="Event type, e.g. Battles."),
        country: str | None = Query(None, description="ISO country code of the place."),
        q: str | None = Query(None, description="Words in the place or the actors."),
        limit: int = Query(100, ge=1, le=1000),
    ) -> list[dict[str, Any]]:
        """Stored events with their article and claim, earliest first, filtered."""
        return corpus.events(type, country, q, limit)

    @app.get("/api/sources", tags=["corpus"])
    def api_sources(top: int = Query(20, ge=1, le=500)) -> list[dict[str, Any]]:
        """The origins the corpus's claims rest on, most claims first."""
        return corpus.sources(top)

    @app.get("/api/errors", tags=["corpus"])
    def api_errors(
        include_resolved: bool = Query(False, alias="all"),
    ) -> list[dict[str, Any]]:
        """Inputs that failed to ingest (resolved ones too with ``all``)."""
        return corpus.errors(include_resolved)


def _verdict(verdict: str | None) -> str | None:
    if not verdict:
        return None
    if verdict not in VERDICTS:
        raise InputError(f"unknown verdict {verdict!r}; one of {', '.join(VERDICTS)}")
    return verdict


def _add_pages(app: FastAPI, corpus: Corpus, analyser: Analyser) -> None:
    @app.get("/static/app.css", include_in_schema=False)
    def stylesheet() -> Response:
        return Response(web_pages.STYLE, media_type="text/css")

    @app.get("/", include_in_schema=False)
    def home() -> HTMLResponse:
        return html_page(web_pages.home_page(corpus.name))

    @app.post("/analyze", include_in_schema=False)
    async def analyze_form(request: Request) -> HTMLResponse:
        form = await request.form(max_part_size=MAX_BODY_BYTES)
        try:
            data, filename = await _form_input(form.get("text"), form.get("file"))
            given = {key: _field(form.get(key)) for key in ("title", "outlet", "published", "home")}
            fast = bool(form.get("fast"))
        finally:
            await form.close()
        analysis = await analyser.run(data, fast=fast, filename=filename, **given)
        return report_page(analysis)

    def page(render: Callable[[], str]) -> HTMLResponse:
        return html_page(render())

    @app.get("/articles", include_in_schema=False)
    def articles(query: str | None = None) -> HTMLResponse:
        return page(lambda: web_pages.articles_page(corpus.articles(query, 100), query))

    @app.get("/articles/{article_id}", include_in_schema=False)
    def article(article_id: int) -> HTMLResponse:
        row = corpus.article(article_id)
        return report_page(analysis_from_record(row["analysis"], f"article {article_id}"))

    @app.get("/claims", include_in_schema=False)
    def claims(query: str | None = None, verdict: str | None = None) -> HTMLResponse:
        rows = corpus.clusters(query, _verdict(verdict), 1, 100)
        return page(lambda: web_pages.claims_page(rows, query, verdict, VERDICTS))

    @app.get("/clusters/{cluster_id}", include_in_schema=False)
    def cluster(cluster_id: int) -> HTMLResponse:
        """The cluster report exactly as `sayso report --cluster` writes it."""
        policy = content_security_policy(CLUSTER_STYLE, None)
        return html_page(cluster_report(corpus.cluster(cluster_id)), policy=policy)

    @app.get("/events", include_in_schema=False)
    def events(
        type: str | None = None, country: str | None = None, q: str | None = None
    ) -> HTMLResponse:
        filters = {"type": type, "country": country, "q": q}
        rows = corpus.events(type or None, country or None, q or None, 200)
        return page(lambda: web_pages.events_page(rows, filters))

    @app.get("/sources", include_in_schema=False)
    def sources() -> HTMLResponse:
        return page(lambda: web_pages.sources_page(corpus.sources(50)))

    @app.get("/errors", include_in_schema=False)
    def errors(include: bool = Query(False, alias="all")) -> HTMLResponse:
        return page(lambda: web_pages.errors_page(corpus.errors(include), include))


def _add_batch(app: FastAPI, analyser: Analyser, reports: Reports) -> None:
    @app.post(
        "/api/analyze/batch",
        tags=["analysis"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
                "description": "JSONL: one article a line, as `sayso analyze batch.jsonl`.",
            }
        },
    )
    async def api_batch(
        request: Request, fast: bool = False, any_language: bool = False
    ) -> list[dict[str, Any]]:
        """Analyse a JSONL batch (at most 200 articles): one analysis record per line, or
        ``{"line", "error": {code, message}}`` for a line that failed."""
        results = await analyse_batch(
            await request.body(),
            lambda article: analyser.analyse(article, fast=fast),
            check_language=not any_language,
        )
        return [item if isinstance(item, dict) else item.to_dict() for _, item in results]

    @app.get("/batch", include_in_schema=False)
    def batch_form() -> HTMLResponse:
        return html_page(web_pages.batch_page(corpus=app.state.corpus.location is not None))

    @app.post("/batch", include_in_schema=False)
    async def batch_upload(request: Request) -> HTMLResponse:
        form = await request.form(max_part_size=MAX_BODY_BYTES)
        try:
            upload, text = form.get("file"), form.get("text")
            if isinstance(upload, UploadFile) and upload.filename:
                data = await upload.read()
            else:
                data = text.encode("utf-8") if isinstance(text, str) else b""
            fast = bool(form.get("fast"))
        finally:
            await form.close()
        if not data.strip():
            raise EmptyInputError("the batch is empty: give one JSON article a line")
        results = await analyse_batch(data, lambda a: analyser.analyse(a, fast=fast))
        rows = [
            (line, item if isinstance(item, dict) else (reports.keep(item), item))
            for line, item in results
        ]
        corpus = app.state.corpus.location is not None
        return html_page(web_pages.batch_results_page(rows, corpus=corpus))

    @app.get("/batch/reports/{token}", include_in_schema=False)
    def batch_report(token: str) -> HTMLResponse:
        analysis = reports.get(token)
        if analysis is None:
            raise NotFoundError("no such report: batch reports are kept only for a while")
        return report_page(analysis)


def _field(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


async def _form_input(text: Any, upload: Any) -> tuple[str | bytes, str | None]:
    """The article from the form: the uploaded file when one was chosen, else the text."""
    if isinstance(upload, UploadFile) and upload.filename:
        filename = _upload_kind(upload.filename, upload.content_type)
        return await upload.read(), filename
    return (text if isinstance(text, str) else ""), None


def _upload_kind(name: str, content_type: str | None) -> str | None:
    """``upload.html`` for an HTML upload, None for text; other files are refused. The
    uploaded name itself goes no further than this check."""
    suffix = Path(name).suffix.lower()
    if suffix in UPLOAD_SUFFIXES:
        return UPLOAD_SUFFIXES[suffix]
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in UPLOAD_TYPES:
        return UPLOAD_TYPES[kind]
    raise UnsupportedUploadError(
        f"cannot analyse a {suffix or kind or 'file of unknown type'} upload: "
        "upload an .html or .txt file"
    )


def serve(db: str | Path | None, *, host: str, port: int, registry: Registry | None = None) -> None:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(db, registry=registry), host=host, port=port, log_level="info")
