"""The tree of a claim's reports, from each origin through its relays to every article, and
its spread over time: what `sayso trace` prints and returns as JSON."""

from __future__ import annotations

from typing import Any

from sayso.corroboration import Report

CLAIM_CHARS = 160


def report_of(row: dict[str, Any]) -> Report:
    """A stored report row (``Store.cluster``'s claims) as a ``Report``."""
    return Report(
        claim=row["claim"],
        article=row["article"],
        text=row["text"],
        kind=row["kind"],
        chain=row["chain"],
        outlet=row["outlet"],
        outlet_id=row["outlet_id"],
        published=row["published"],
        copy_of=row["duplicate_of"],
        cue=row["cue"],
    )


def tree(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    """Nested nodes ``{name, key, children, articles}``: origins at the top, then each relay,
    with the articles that published the claim at the node that relayed it to them."""
    roots: list[dict[str, Any]] = []
    for row in cluster["claims"]:
        report = report_of(row)
        level = roots
        node: dict[str, Any] | None = None
        for link in report.path()[:-1] or report.path():
            node = next((n for n in level if n["key"] == link.key), None)
            if node is None:
                node = {"name": link.name, "key": link.key, "children": [], "articles": []}
                level.append(node)
            level = node["children"]
        assert node is not None  # a path has at least one node
        node["articles"].append(
            {
                "article": row["article"],
                "outlet": report.outlet_node().name,
                "published": row["published"],
                "title": row["title"],
                "url": row["url"],
                "claim": row["claim"],
                "text": row["text"],
                "cue": row["cue"],
                "copy_of": row["duplicate_of"],
            }
        )
    return roots


def timeline(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    """The reports in order of publication (undated ones last, in the order stored)."""
    rows = sorted(
        cluster["claims"], key=lambda r: (r["published"] is None, r["published"] or "", r["claim"])
    )
    reports = [(row, report_of(row)) for row in rows]
    return [
        {
            "published": row["published"],
            "article": row["article"],
            "outlet": report.outlet_node().name,
            "origin": report.origin().name,
            "copy_of": row["duplicate_of"],
        }
        for row, report in reports
    ]


def trace_record(cluster: dict[str, Any]) -> dict[str, Any]:
    """The JSON form of `sayso trace`."""
    return {
        "cluster": cluster["id"],
        "claim": cluster["representative_text"],
        "verdict": cluster["verdict"],
        "reasons": cluster["reasons"],
        "reports": cluster["reports"],
        "copies": cluster["copies"],
        "origins": cluster["origins"],
        "first_published": cluster["first_published"],
        "tree": tree(cluster),
        "timeline": timeline(cluster),
    }


def format_trace(cluster: dict[str, Any]) -> str:
    """The terminal form: verdict and reasons, the tree of reports, the timeline."""
    record = trace_record(cluster)
    lines = [
        f"cluster {record['cluster']}: {_short(record['claim'])!r}",
        f"verdict: {record['verdict']}",
        *(f"  - {reason}" for reason in record["reasons"]),
        "",
        f"reports ({record['reports']}, plus {record['copies']} copies), origin first:",
    ]
    for root in record["tree"]:
        lines += _tree_lines(root, "  ")
    lines += ["", "timeline:"]
    for row in record["timeline"]:
        copy = f", copy of article {row['copy_of']}" if row["copy_of"] else ""
        lines.append(
            f"  {row['published'] or 'undated':<10}  {row['outlet']} "
            f"(article {row['article']}{copy}) <- {row['origin']}"
        )
    return "\n".join(lines)


def _tree_lines(node: dict[str, Any], indent: str) -> list[str]:
    lines = [f"{indent}{node['name']}"]
    for article in node["articles"]:
        copy = f", copy of article {article['copy_of']}" if article["copy_of"] else ""
        cue = f" [{article['cue']}]" if article["cue"] else ""
        lines.append(
            f"{indent}  -> {article['outlet']}, article {article['article']}, "
            f"{article['published'] or 'undated'}{copy}{cue}: {_short(article['text'])!r}"
        )
    for child in node["children"]:
        lines += _tree_lines(child, indent + "  ")
    return lines


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= CLAIM_CHARS else flat[: CLAIM_CHARS - 1] + "…"
