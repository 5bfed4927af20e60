"""The report of a claim cluster: one self-contained HTML page for a claim seen across a corpus.

``cluster_report(cluster)`` takes what ``Store.cluster`` returns and writes the claim, its
verdict and the reasons for it, every report (article, outlet, date, the claim's words, the
cue and the chain of sources), the origins, the tree from each origin through its relays to
the articles (``trace.tree``) and the spread over time as an SVG drawn here. The page has no
script at all, so its Content-Security-Policy (``report.document``) allows only its one
inline style, by hash; everything from the store is escaped and only http(s) URLs are links.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from html import escape
from typing import Any

from sayso.report import document, link
from sayso.trace import report_of, trace_record, tree

STYLE = """
:root { color-scheme: light; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #1a1a1a; background: #fff; }
header, section { padding: 0.6rem 1.5rem; }
header { border-bottom: 1px solid #bbb; }
h1 { font-size: 1.5rem; margin: 0 0 0.3rem; }
h2 { font-size: 1.2rem; margin: 1rem 0 0.5rem; }
blockquote { margin: 0.5rem 0; padding-left: 0.7rem; border-left: 4px solid #8a7400;
  font: 17px/1.6 Georgia, "Times New Roman", serif; }
.meta, .note { color: #444; }
.verdict { font-weight: 700; }
a { color: #0b4fb3; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #ddd;
  vertical-align: top; }
.tree ul { margin: 0.2rem 0 0.2rem 1.2rem; padding: 0; }
.figure { overflow-x: auto; }
svg text { font: 12px system-ui, sans-serif; fill: #1a1a1a; }
"""
WIDTH = 760
LABELS = 260  # room on the left for each report's outlet
ROW = 22
MARGIN = 30


def cluster_report(cluster: dict[str, Any]) -> str:
    """The report of one stored cluster as a complete HTML document."""
    record = trace_record(cluster)
    title = f"Claim cluster {int(record['cluster'])}"
    body = "".join(
        [
            _header(record, title),
            _section("reports", "Reports", _reports(cluster)),
            _section("origins", "Origins", _origins(cluster)),
            _section(
                "tree", "From origin through relays to articles", _tree(tree(cluster)) or "none"
            ),
            _section("spread", "Spread over time", _spread(cluster)),
        ]
    )
    return document(title, body, style=STYLE)


def _section(key: str, title: str, content: str) -> str:
    return f'<section id="{key}"><h2>{escape(title)}</h2>{content}</section>'


def _header(record: dict[str, Any], title: str) -> str:
    reasons = "".join(f"<li>{escape(str(reason))}</li>" for reason in record["reasons"])
    first = record["first_published"]
    return (
        f"<header><h1>{escape(title)}</h1>"
        f"<blockquote>{escape(' '.join(str(record['claim']).split()))}</blockquote>"
        f'<p>Verdict: <span class="verdict">{escape(str(record["verdict"]))}</span>; '
        f"{int(record['reports'])} report(s), {int(record['copies'])} copies, "
        f"{int(record['origins'])} origin(s); first published {escape(first or 'undated')}."
        f"</p><ul>{reasons}</ul>"
        '<p class="note">sayso describes who says what on whose authority; it does not rule '
        "on whether the claim is true.</p></header>"
    )


def _reports(cluster: dict[str, Any]) -> str:
    rows = []
    for row in cluster["claims"]:
        report = report_of(row)
        chain = " → ".join(node.name for node in report.path())
        article = _article(row["title"], row["url"])
        copy = f"article {int(row['duplicate_of'])}" if row["duplicate_of"] else ""
        cells = [
            escape(row["published"] or "undated"),
            escape(report.outlet_node().name),
            f"{article} <span class=note>(article {int(row['article'])})</span>",
            escape(" ".join(str(row["text"]).split())),
            escape(row["cue"] or ""),
            escape(chain),
            escape(copy),
        ]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    head = "".join(
        f'<th scope="col">{name}</th>'
        for name in ("published", "outlet", "article", "claim", "cue", "chain", "copy of")
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _origins(cluster: dict[str, Any]) -> str:
    names: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for row in cluster["claims"]:
        origin = report_of(row).origin()
        names.setdefault(origin.key, origin.name)
        counts[origin.key] += 1
    items = "".join(
        f"<li>{escape(names[key])}: {n} report(s)</li>" for key, n in counts.most_common()
    )
    return f"<ul>{items}</ul>"


def _tree(nodes: list[dict[str, Any]]) -> str:
    """Nested lists: each origin or relay, the nodes it relayed to, the articles it reached."""
    return f'<div class="tree"><ul>{_tree_items(nodes)}</ul></div>' if nodes else ""


def _tree_items(nodes: list[dict[str, Any]]) -> str:
    items = []
    for node in nodes:
        articles = "".join(
            f"<li>published by {escape(a['outlet'] or '')}, "
            f"{escape(a['published'] or 'undated')}: {_article(a['title'], a['url'])}"
            f"{' (copy)' if a['copy_of'] else ''}</li>"
            for a in node["articles"]
        )
        items.append(
            f"<li><strong>{escape(node['name'])}</strong>"
            f"<ul>{_tree_items(node['children'])}{articles}</ul></li>"
        )
    return "".join(items)


def _article(title: str | None, url: str | None) -> str:
    text = str(title or "(untitled)")
    return link(url, text) if url else escape(text)


def _day(published: str | None) -> date | None:
    """The date of an ISO ``YYYY-MM-DD`` (or longer) string; None for anything else."""
    try:
        return date.fromisoformat(published[:10]) if published else None
    except ValueError:
        return None


def _spread(cluster: dict[str, Any]) -> str:
    """An SVG with one row per dated report, ordered by date: a filled dot for a report, a
    hollow square for a copy of another article (told by shape, not colour alone); the
    undated reports are listed under it."""
    dated, undated = [], []
    for row in cluster["claims"]:
        day = _day(row["published"])
        (dated if day else undated).append((day, row))
    dated.sort(key=lambda pair: (pair[0], pair[1]["claim"]))
    parts = []
    if dated:
        first, last = dated[0][0], dated[-1][0]
        span = max((last - first).days, 1)
        plot = WIDTH - LABELS - MARGIN
        height = MARGIN * 2 + ROW * len(dated)
        shapes = []
        for i, (day, row) in enumerate(dated):
            x = LABELS + plot * (day - first).days / span
            y = MARGIN + ROW * i + ROW / 2
            outlet = report_of(row).outlet_node().name
            tip = escape(f"{day.isoformat()}: {outlet}, article {int(row['article'])}")
            if row["duplicate_of"]:
                tip += escape(f" (copy of article {int(row['duplicate_of'])})")
                mark = (
                    f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="#fff" '
                    f'stroke="#b3261e" stroke-width="2"><title>{tip}</title></rect>'
                )
            else:
                mark = (
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#1f4e9e">'
                    f"<title>{tip}</title></circle>"
                )
            label = escape(_short(f"{outlet} ({day.isoformat()})", 38))
            shapes.append(
                f'<line x1="{LABELS}" y1="{y:.1f}" x2="{WIDTH - MARGIN}" y2="{y:.1f}" '
                f'stroke="#eee"/><text x="4" y="{y + 4:.1f}">{label}</text>{mark}'
            )
        axis_y = height - MARGIN / 2
        parts.append(
            f'<div class="figure"><svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
            f'height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
            f'aria-label="Reports by date of publication">'
            f"{''.join(shapes)}"
            f'<line x1="{LABELS}" y1="{axis_y:.1f}" x2="{WIDTH - MARGIN}" y2="{axis_y:.1f}" '
            'stroke="#444"/>'
            f'<text x="{LABELS}" y="{axis_y + 13:.1f}">{first.isoformat()}</text>'
            f'<text x="{WIDTH - MARGIN}" y="{axis_y + 13:.1f}" text-anchor="end">'
            f"{last.isoformat()}</text></svg></div>"
            '<p class="note">● a report; □ a copy of another stored article.</p>'
        )
    if undated:
        items = "".join(
            f"<li>{escape(report_of(row).outlet_node().name)}, article {int(row['article'])}"
            f"{' (copy)' if row['duplicate_of'] else ''}</li>"
            for _, row in undated
        )
        parts.append(f"<h3>Undated</h3><ul>{items}</ul>")
    return "".join(parts) or '<p class="note">No reports.</p>'


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
