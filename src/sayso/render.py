"""The readable terminal summary of an analysis: claims grouped by their chain of sources."""

from __future__ import annotations

import textwrap

from sayso.model import Analysis, Attribution, Source

WIDTH = 100
EXCERPT_CHARS = 240


def chain_label(chain: list[Source]) -> str:
    """ "Andrei Marochko (person) <- RIA Novosti (organisation)": origin first."""
    if not chain:
        return "(no source)"
    return " <- ".join(f"{link.name} ({link.kind})" for link in chain)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def _attribution_lines(attribution: Attribution) -> list[str]:
    content = attribution.content.text if attribution.content else ""
    details = [f"{attribution.kind}"]
    if attribution.cue is not None:
        details.append(f"cue: {attribution.cue.text!r}")
    if attribution.hedges:
        details.append(
            "hedged: " + ", ".join(f"{h.span.text!r} ({h.kind})" for h in attribution.hedges)
        )
    head = f"  [{attribution.claim_id or attribution.id}] "
    body = textwrap.fill(
        _excerpt(content), WIDTH, initial_indent=head, subsequent_indent=" " * len(head)
    )
    return [body, " " * len(head) + "(" + "; ".join(details) + ")"]


def summary(analysis: Analysis) -> str:
    """Plain-text summary: metadata, claims by source chain, then the author's own claims."""
    meta = analysis.meta
    lines = [meta.title or "(untitled)"]
    facts = [f for f in (meta.outlet, meta.published, meta.url) if f]
    if facts:
        lines.append(" · ".join(facts))
    author_claims = [c for c in analysis.claims if c.kind == "author"]
    lines.append(
        f"{len(analysis.attributions)} attributions, {len(analysis.claims)} claims "
        f"({len(analysis.claims) - len(author_claims)} attributed, "
        f"{len(author_claims)} on the author's own authority)"
    )
    groups: dict[str, list[Attribution]] = {}
    for attribution in analysis.attributions:
        groups.setdefault(chain_label(attribution.chain), []).append(attribution)
    for label, members in groups.items():
        lines += ["", label]
        for attribution in members:
            lines += _attribution_lines(attribution)
    if author_claims:
        lines += ["", "The author's own assertions (no source given)"]
        for claim in author_claims:
            head = f"  [{claim.id}] "
            lines.append(
                textwrap.fill(
                    _excerpt(claim.text),
                    WIDTH,
                    initial_indent=head,
                    subsequent_indent=" " * len(head),
                )
            )
    if analysis.warnings:
        lines += ["", "Warnings"] + [f"  - {w}" for w in analysis.warnings]
    return "\n".join(lines)
