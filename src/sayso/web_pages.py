"""The web app's HTML pages (all but the article report, which is ``report.article_report``).

Pages are plain server-rendered HTML with one small stylesheet and no script at all, so the
Content-Security-Policy can forbid every script. Every value from an article, the store or
the request goes through ``escape``; a URL becomes a link only when it is http(s).
"""

from __future__ import annotations

from html import escape
from typing import Any

from sayso.report import http_url

# No script, no third party: only our stylesheet, and forms posting back to us.
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #fafafa; }
header { background: #23395d; color: #fff; padding: .6em 1.2em; }
header a { color: #fff; margin-right: 1.2em; text-decoration: none; }
header a.home { font-weight: bold; }
main { max-width: 60em; margin: 1em auto; padding: 0 1em; }
textarea { width: 100%; min-height: 14em; font: inherit; }
label { display: block; margin: .5em 0 .2em; }
input[type=text] { width: 24em; max-width: 100%; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3em .5em; border-bottom: 1px solid #ddd; vertical-align: top; }
.error { background: #fde8e8; border-left: 4px solid #c0392b; padding: .6em 1em; }
.note { color: #555; }
.tree ul { margin: .2em 0 .2em 1.2em; padding: 0; }
.verdict { font-weight: bold; }
button { font: inherit; padding: .3em 1.2em; }
"""


def layout(title: str, body: str, *, corpus: bool) -> str:
    """A complete page: the navigation (corpus pages only with a store) and ``body``."""
    links = [("/", "Analyse"), ("/batch", "Batch")]
    if corpus:
        links += [
            ("/articles", "Articles"),
            ("/claims", "Claims"),
            ("/events", "Events"),
            ("/sources", "Sources"),
            ("/errors", "Errors"),
        ]
    nav = "".join(f'<a href="{href}">{text}</a>' for href, text in links)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · sayso</title>"
        '<link rel="stylesheet" href="/static/app.css"></head><body>'
        f'<header><a class="home" href="/">sayso</a> {nav}</header>'
        f"<main><h1>{escape(title)}</h1>{body}</main></body></html>\n"
    )


def home_page(store_name: str | None) -> str:
    where = (
        f'<p class="note">Corpus: {escape(store_name)}</p>'
        if store_name
        else '<p class="note">No corpus store (start with <code>--db</code> to browse one).</p>'
    )
    form = (
        '<form method="post" action="/analyze" enctype="multipart/form-data">'
        '<label for="text">Article text (or HTML)</label>'
        '<textarea id="text" name="text"></textarea>'
        '<label for="file">or upload an .html or .txt file</label>'
        '<input id="file" name="file" type="file" accept=".html,.htm,.txt,text/html,text/plain">'
        '<label for="title">Title (optional)</label><input id="title" name="title" type="text">'
        '<label for="outlet">Outlet (optional)</label><input id="outlet" name="outlet" type="text">'
        '<label for="published">Published (optional, e.g. 2025-07-14)</label>'
        '<input id="published" name="published" type="text">'
        '<label for="home">Where the outlet is based (optional, e.g. Norfolk, Neb.)</label>'
        '<input id="home" name="home" type="text">'
        '<label><input id="fast" name="fast" type="checkbox" value="1"> Fast: skip persuasion '
        "techniques, frames and genre</label>"
        '<p><button id="analyse" type="submit">Analyse</button></p></form>'
    )
    return layout("On whose say-so?", where + form, corpus=store_name is not None)


def batch_page(*, corpus: bool) -> str:
    form = (
        '<form method="post" action="/batch" enctype="multipart/form-data">'
        '<label for="file">A .jsonl file: one JSON article a line, with "text" or "html" and '
        'optionally "title", "outlet", "published", "url", "home" and "id" (at most 200 '
        "lines)</label>"
        '<input id="file" name="file" type="file" accept=".jsonl,.ndjson,application/x-ndjson">'
        '<label for="text">or paste the lines</label><textarea id="text" name="text"></textarea>'
        '<label><input id="fast" name="fast" type="checkbox" value="1"> Fast: skip persuasion '
        "techniques, frames and genre</label>"
        '<p><button id="analyse-batch" type="submit">Analyse the batch</button></p></form>'
    )
    return layout("Analyse a batch", form, corpus=corpus)


def batch_results_page(rows: list[tuple[int, Any]], *, corpus: bool) -> str:
    """One row a line: a link to its report (kept in memory, by token), or its error."""
    table_rows = []
    for line, item in rows:
        if isinstance(item, dict):
            error = item["error"]
            table_rows.append(
                [
                    str(int(line)),
                    '<span class="error">error</span>',
                    escape(f"{error['message']} ({error['code']})"),
                    "",
                    "",
                ]
            )
            continue
        token, analysis = item
        title = analysis.meta.title or "(untitled)"
        table_rows.append(
            [
                str(int(line)),
                f'<a href="/batch/reports/{escape(token, quote=True)}">{escape(title)}</a>',
                escape(analysis.meta.outlet or ""),
                str(len(analysis.claims)),
                str(len(analysis.events)),
            ]
        )
    failed = sum(isinstance(item, dict) for _, item in rows)
    summary = (
        f"<p>{len(rows) - failed} article(s) analysed, {failed} line(s) failed. The reports "
        "are kept in memory for a while, not stored.</p>"
    )
    table = _table(["Line", "Report", "Outlet", "Claims", "Events"], table_rows, "no lines")
    return layout("Batch results", summary + table, corpus=corpus)


def error_page(status: int, code: str, message: str, *, corpus: bool) -> str:
    body = (
        f'<div class="error" role="alert"><p><strong>{escape(message)}</strong></p>'
        f'<p class="note">error {status}: {escape(code)}</p></div>'
        '<p><a href="/">Back to the start</a></p>'
    )
    return layout("Something went wrong", body, corpus=corpus)


def _link(url: Any) -> str:
    safe = http_url(url)
    if safe is None:
        return escape(str(url or ""))
    return f'<a href="{escape(safe, quote=True)}" rel="noopener noreferrer">{escape(safe)}</a>'


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f'<p class="note">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _search_form(action: str, query: str | None, extra: str = "") -> str:
    value = escape(query or "", quote=True)
    return (
        f'<form method="get" action="{action}"><label for="query">Full-text search</label>'
        f'<input id="query" name="query" type="text" value="{value}"> {extra}'
        '<button type="submit">Search</button></form>'
    )


def articles_page(rows: list[dict[str, Any]], query: str | None) -> str:
    table = _table(
        ["Title", "Outlet", "Published", "URL"],
        [
            [
                f'<a href="/articles/{int(row["id"])}">{escape(row["title"] or "(untitled)")}</a>',
                escape(row["outlet"] or ""),
                escape(row["published"] or ""),
                _link(row["url"]),
            ]
            for row in rows
        ],
        "no articles match" if query else "no articles stored",
    )
    return layout("Articles", _search_form("/articles", query) + table, corpus=True)


def claims_page(
    rows: list[dict[str, Any]], query: str | None, verdict: str | None, verdicts: tuple[str, ...]
) -> str:
    options = '<option value="">any verdict</option>' + "".join(
        f'<option value="{escape(v, quote=True)}"{" selected" if v == verdict else ""}>'
        f"{escape(v)}</option>"
        for v in verdicts
    )
    select = f'<label for="verdict">Verdict</label><select id="verdict" name="verdict">{options}'
    table = _table(
        ["Claim", "Reports", "Origins", "Verdict"],
        [
            [
                f'<a href="/clusters/{int(row["id"])}">'
                f"{escape(' '.join(row['representative_text'].split()))}</a>",
                str(int(row["reports"])),
                str(int(row["origins"])),
                escape(row["verdict"]),
            ]
            for row in rows
        ],
        "no clusters match" if query or verdict else "no clusters: run sayso cluster",
    )
    form = _search_form("/claims", query, select + "</select>")
    return layout("Claims", form + table, corpus=True)


def events_page(rows: list[dict[str, Any]], filters: dict[str, str | None]) -> str:
    fields = "".join(
        f'<label for="{key}">{label}</label><input id="{key}" name="{key}" type="text" '
        f'value="{escape(filters.get(key) or "", quote=True)}">'
        for key, label in (
            ("type", "Event type (e.g. Battles)"),
            ("country", "Country code (e.g. UA)"),
            ("q", "Place or actor contains"),
        )
    )
    form = (
        f'<form method="get" action="/events">{fields} <button type="submit">Filter</button></form>'
    )
    table = _table(
        ["Event", "Actors", "Place", "Lat, lon", "Date", "Claim", "Article"],
        [
            [
                escape(f"{row['type']}: {row['sub_type']}"),
                escape(" / ".join(a for a in (row["actor1"], row["actor2"]) if a)),
                escape(" ".join(p for p in (row["place"], _paren(row["country"])) if p)),
                escape(_coords(row["lat"], row["lon"])),
                escape(row["date_value"] or row["date_text"] or ""),
                escape(" ".join(str(row["claim"] or "").split())),
                f'<a href="/articles/{int(row["article_id"])}">'
                f"{escape(row['title'] or '(untitled)')}</a> {escape(row['outlet'] or '')}",
            ]
            for row in rows
        ],
        "no events match" if any(filters.values()) else "no events stored",
    )
    return layout("Events", form + table, corpus=True)


def _paren(value: Any) -> str:
    return f"({value})" if value else ""


def _coords(lat: Any, lon: Any) -> str:
    return f"{float(lat):.3f}, {float(lon):.3f}" if lat is not None and lon is not None else ""


def sources_page(rows: list[dict[str, Any]]) -> str:
    table = _table(
        ["Origin", "Kind", "Claims", "Articles", "Clusters", "Registry facts"],
        [
            [
                escape(row["name"] or ""),
                escape(row["kind"] or ""),
                str(int(row["claims"])),
                str(int(row["articles"])),
                str(int(row["clusters"])),
                escape(_facts(row["facts"])),
            ]
            for row in rows
        ],
        "no sources yet",
    )
    return layout("Sources", table, corpus=True)


def _facts(facts: dict[str, Any] | None) -> str:
    facts = facts or {}
    keys = ("kind", "country", "ownership")
    return ", ".join(str(facts[k]).replace("_", " ") for k in keys if facts.get(k))


def errors_page(rows: list[dict[str, Any]], include_resolved: bool) -> str:
    table = _table(
        ["At", "Code", "Source", "Message", "Resolved"],
        [
            [
                escape(row["at"] or ""),
                escape(row["code"] or ""),
                escape(row["source"] or ""),
                escape(row["message"] or ""),
                escape(row["resolved_at"] or ""),
            ]
            for row in rows
        ],
        "no errors recorded" if include_resolved else "no open errors",
    )
    toggle = (
        '<p><a href="/errors">open errors only</a></p>'
        if include_resolved
        else '<p><a href="/errors?all=1">include resolved errors</a></p>'
    )
    return layout("Ingest errors", toggle + table, corpus=True)
