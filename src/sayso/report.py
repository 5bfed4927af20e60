"""The article report: one self-contained HTML file to see an analysis at a glance.

``article_report(analysis)`` is a pure function from an ``Analysis`` to a page that works
offline and loads nothing: the text with every layer highlighted (``report_text``), a side
panel that shows a claim's chain and flags, the citation graph (``report_graph``), the map
(``report_map``) and panels for provenance, events, techniques, frames and genre.

Everything from the article or its metadata is escaped; the data the script reads sits in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` written as ``\\u003c``
and so on, so no string can close the block; URLs become links only when they are http(s);
and a Content-Security-Policy allows no script or style but the page's own, by hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from html import escape
from typing import Any

from sayso import __version__
from sayso.model import Analysis, Claim, Source
from sayso.provenance import summarise
from sayso.render import chain_label
from sayso.report_assets import SCRIPT, STYLE
from sayso.report_graph import describe, graph_svg, registry_facts
from sayso.report_map import map_svg
from sayso.report_text import LAYERS, article_html, claim_chains, marks

EXCERPT_CHARS = 200
# a URL worth a link: http(s), a host, and no space, quote or control character
HTTP_URL = re.compile(r"https?://[^\s\"'<>\x00-\x1f\x7f]+", re.IGNORECASE)
JSON_ESCAPES = {c: f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"}


def article_report(analysis: Analysis) -> str:
    """The report of one analysed article as a complete HTML document."""
    index = {claim.id: i for i, claim in enumerate(analysis.claims)}
    title = analysis.meta.title or "(untitled)"
    body = "".join(
        [
            _header(analysis, title),
            "<main>",
            '<div class="text">',
            _legend(),
            f'<div id="article" lang="{_lang(analysis)}">{article_html(analysis, marks(analysis))}'
            "</div></div>",
            _detail(),
            "</main>",
            '<div class="panels">',
            _provenance_panel(analysis, index),
            _section("graph", "Who cites whom", f'<div class="figure">{graph_svg(analysis)}</div>'),
            _section("map", "Places and events", f'<div class="figure">{map_svg(analysis)}</div>'),
            _events_panel(analysis, index),
            _techniques_panel(analysis),
            _frames_panel(analysis),
            _warnings_panel(analysis),
            "</div>",
        ]
    )
    return document(title, body, style=STYLE, script=SCRIPT, data=_data(analysis))


def document(
    title: str, body: str, *, style: str, script: str | None = None, data: Any = None
) -> str:
    """The page shell every sayso report shares: its policy in a meta tag (so the saved file
    keeps it), one inline style, the JSON data block and one inline script when given.
    ``title`` is escaped here; ``body`` must be HTML already escaped by its maker."""
    policy = content_security_policy(style, script)
    tail = ""
    if data is not None:
        tail += f'<script type="application/json" id="sayso-data">{script_json(data)}</script>'
    if script is not None:
        tail += f"<script>{script}</script>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="sayso {escape(__version__, quote=True)}">'
        f"<title>{escape(title)} · sayso report</title>"
        f"<style>{style}</style></head><body>{body}{tail}</body></html>\n"
    )


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def content_security_policy(style: str = STYLE, script: str | None = SCRIPT) -> str:
    """Nothing may load or run but the page's own style and script, allowed by hash (no
    script at all for a page without one)."""
    scripts = f"'sha256-{_sha256(script)}'" if script is not None else "'none'"
    return (
        f"default-src 'none'; style-src 'sha256-{_sha256(style)}'; "
        f"script-src {scripts}; img-src data:; base-uri 'none'; "
        "form-action 'none'"
    )


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``</script>`` or ``<!--`` can
    be formed, since every ``<``, ``>`` and ``&`` is written as a ``\\u`` escape."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: JSON_ESCAPES[m.group()], text)


def http_url(value: Any) -> str | None:
    """The value when it is an http(s) URL fit for a link, else None (``javascript:``,
    ``data:``, relative paths and anything with spaces or quotes are never links)."""
    if isinstance(value, str) and HTTP_URL.fullmatch(value):
        return value
    return None


def link(url: str, text: str | None = None) -> str:
    """An ``<a>`` for an http(s) URL, else the escaped text: never a script or data link."""
    safe = http_url(url)
    if safe is None:
        return escape(text or url)
    return (
        f'<a href="{escape(safe, quote=True)}" rel="noopener noreferrer">{escape(text or url)}</a>'
    )


def _lang(analysis: Analysis) -> str:
    language = analysis.meta.language or "en"
    return language if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", language) else "en"


def _header(analysis: Analysis, title: str) -> str:
    meta = analysis.meta
    facts = [escape(f) for f in (meta.outlet, meta.published, meta.author) if f]
    if meta.home:
        # places were read with the outlet's home in mind: the reader should know
        facts.append(f"places read as from an outlet based in {escape(meta.home)}")
    if meta.url:
        facts.append(link(meta.url))
    author = sum(claim.kind == "author" for claim in analysis.claims)
    counts = (
        f"{len(analysis.attributions)} attributions, {len(analysis.claims)} claims "
        f"({len(analysis.claims) - author} attributed, {author} on the author's own authority)"
    )
    return (
        f"<header><h1>{escape(title)}</h1>"
        f'<p class="meta">{" · ".join(facts) or "no metadata"}</p>'
        f'<p class="meta">{counts}. sayso describes who says what on whose authority; it does '
        "not rule on which side is right.</p></header>"
    )


def _legend() -> str:
    boxes = "".join(
        f'<label><input type="checkbox" data-layer="{layer}" checked> '
        f'<span class="l-{layer}{" k-attributed" if layer == "claim" else ""}">{layer}</span> '
        f"{escape(text)}</label>"
        for layer, text in LAYERS
    )
    return f'<fieldset class="legend"><legend>Layers (uncheck to hide)</legend>{boxes}</fieldset>'


def _detail() -> str:
    return (
        '<aside id="detail" aria-label="Claim details">'
        '<div id="detail-body" aria-live="polite"><h2>Claim details</h2>'
        '<p class="note">Click a claim, or move to its label with Tab and press Enter, to see '
        "its chain of sources (origin to relay, with the registry's facts) and its provenance "
        "flags with their reasons.</p></div></aside>"
    )


def _section(key: str, title: str, content: str) -> str:
    return f'<section id="{key}"><h2>{escape(title)}</h2>{content}</section>'


def _claim_link(claim_id: str | None, index: dict[str, int]) -> str:
    if claim_id is None or claim_id not in index:
        return escape(claim_id or "")
    return (
        f'<a href="#claim-{escape(claim_id, quote=True)}" data-c="{index[claim_id]}">'
        f"{escape(claim_id)}</a>"
    )


def _provenance_panel(analysis: Analysis, index: dict[str, int]) -> str:
    """Claims by origin and chain, those on unnamed sources, the author's own, and flags."""
    counts = summarise(analysis.claims)  # from the claims, not a record's saved copy
    facts = registry_facts(analysis)
    rows = []
    for group in counts["by_chain"]:
        chain = [
            Source(link["name"], link["kind"], registry_id=link.get("registry_id"))
            for link in group["chain"]
        ]
        relays = " <- ".join(chain_label([link], facts) for link in chain[1:]) or "(directly)"
        links = ", ".join(_claim_link(c, index) for c in group["claims"])
        rows.append(
            f"<tr><td>{escape(chain_label(chain[:1], facts))}</td><td>{escape(relays)}</td>"
            f"<td>{len(group['claims'])}</td><td>{links}</td></tr>"
        )
    own = [c.id for c in analysis.claims if c.kind == "author"]
    flags = Counter(f.name for c in analysis.claims if c.provenance for f in c.provenance.flags)
    table = (
        '<table><thead><tr><th scope="col">origin</th><th scope="col">through</th>'
        '<th scope="col">claims</th><th scope="col">which</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else '<p class="note">No claim is attributed to a source.</p>'
    )
    flag_items = "".join(f"<li>{escape(name)}: {n}</li>" for name, n in flags.most_common())
    content = (
        f"{table}<p>{counts['anonymous']} claim(s) rest on sources the article does "
        f"not name. {len(own)} claim(s) on the author's own authority: "
        f"{', '.join(_claim_link(c, index) for c in own) or 'none'}.</p>"
        f"<h3>Flags over all claims</h3><ul>{flag_items or '<li>none</li>'}</ul>"
    )
    return _section("provenance", "What the claims rest on", content)


def _events_panel(analysis: Analysis, index: dict[str, int]) -> str:
    if not analysis.events:
        return _section("events", "Events", '<p class="note">No event found.</p>')
    chains = claim_chains(analysis)
    rows = []
    for event in analysis.events:
        chain = chains.get(event.claim_id or "")
        rests = chain_label(chain) if chain else "the article itself"
        cells = [
            f"{event.type}: {event.sub_type}",
            event.actor1 or "",
            event.actor2 or "",
            event.location.name if event.location else "",
            (event.date.value or event.date.text) if event.date else "",
            "; ".join(q.text for q in event.quantities),
        ]
        tds = "".join(f"<td>{escape(cell)}</td>" for cell in cells)
        rows.append(
            f"<tr>{tds}<td>{_claim_link(event.claim_id, index)}</td><td>{escape(rests)}</td></tr>"
        )
    head = "".join(
        f'<th scope="col">{name}</th>'
        for name in ("event", "actor 1", "actor 2", "place", "date", "how many", "claim", "say-so")
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return _section("events", "Events", table)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def _techniques_panel(analysis: Analysis) -> str:
    if analysis.techniques is None:
        note = "Persuasion techniques: skipped (--fast)."
        return _section("techniques", "Persuasion techniques", f'<p class="note">{note}</p>')
    if not analysis.techniques:
        return _section("techniques", "Persuasion techniques", "<p>No technique found.</p>")
    rows = "".join(
        f"<tr><td>{escape(t.technique)}</td><td>{escape(t.group)}</td><td>{t.score:.2f}</td>"
        f"<td>{escape(t.reason)}</td><td>{escape(_excerpt(t.span.text))}</td></tr>"
        for t in analysis.techniques
    )
    head = "".join(
        f'<th scope="col">{name}</th>' for name in ("technique", "group", "score", "reason", "span")
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    return _section("techniques", "Persuasion techniques", table)


def _frames_panel(analysis: Analysis) -> str:
    if analysis.frames is None and analysis.genre is None:
        note = "Frames and genre: skipped (--fast)."
        return _section("frames", "Frames and genre", f'<p class="note">{note}</p>')
    parts = []
    if analysis.genre is not None:
        scores = ", ".join(f"{escape(k)} {v:.2f}" for k, v in analysis.genre.scores.items())
        parts.append(
            f"<p>Genre: <strong>{escape(analysis.genre.label)}</strong> "
            f"({analysis.genre.score:.2f}; {scores})</p>"
        )
    rows = "".join(
        f"<tr><td>{escape(f.frame.replace('_', ' '))}</td><td>{f.score:.2f}</td></tr>"
        for f in analysis.frames or []
    )
    if rows:
        parts.append(
            '<table><thead><tr><th scope="col">frame</th><th scope="col">score</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>"
        )
    return _section("frames", "Frames and genre", "".join(parts) or "<p>None found.</p>")


def _warnings_panel(analysis: Analysis) -> str:
    items = "".join(f"<li>{escape(w)}</li>" for w in analysis.warnings)
    return _section("warnings", "Warnings", f"<ul>{items}</ul>" if items else "<p>None.</p>")


def _data(analysis: Analysis) -> dict[str, Any]:
    """What the script shows for each claim, in the order of ``analysis.claims``."""
    facts = registry_facts(analysis)
    chains = claim_chains(analysis)
    return {
        "outlet": analysis.meta.outlet or "this article",
        "claims": [
            _claim_data(analysis, c, chains.get(c.id) or [], facts) for c in analysis.claims
        ],
    }


def _claim_data(
    analysis: Analysis, claim: Claim, chain: list[Source], facts: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    attribution = next((a for a in analysis.attributions if a.claim_id == claim.id), None)
    words = []
    if attribution is not None:
        if attribution.cue is not None:
            words.append({"kind": "cue", "text": attribution.cue.text})
        words += [
            {"kind": h.kind.replace("_", " "), "text": h.span.text} for h in attribution.hedges
        ]
    if chain:
        how = attribution.kind if attribution else "attributed"
        summary = f"Attributed ({how}): on the say-so of {chain_label(chain, facts)}"
    else:
        summary = "The author's own assertion: the article gives no source for it."
    flags = claim.provenance.flags if claim.provenance else []
    return {
        "id": claim.id,
        "kind": claim.kind,
        "summary": summary,
        "text": claim.text,
        "chain": [_link_data(link, facts.get(link.registry_id or "")) for link in chain],
        "flags": [{"name": f.name, "reason": f.reason} for f in flags],
        "words": words,
        "events": [
            {"type": e.sub_type, "text": _excerpt(e.evidence.text)}
            for e in analysis.events
            if e.claim_id == claim.id
        ],
    }


def _link_data(link: Source, facts: dict[str, Any] | None) -> dict[str, Any]:
    record = None
    if facts:
        checked = facts.get("checked") or {}
        record = {
            key: _plain(facts.get(key))
            for key in ("kind", "country", "ownership", "owner", "role", "affiliation")
        }
        record["checked"] = checked.get("date") if isinstance(checked, dict) else None
        record["citations"] = [u for u in facts.get("sources") or [] if http_url(u)]
    return {
        "name": link.name,
        "detail": describe(link.kind, facts),
        "mention": link.mention.text if link.mention and link.mention.text != link.name else None,
        "candidates": list(link.candidates),
        "facts": record,
    }


def _plain(value: Any) -> str | None:
    return None if value in (None, "") else str(value).replace("_", " ")
