"""The readable terminal summary of an analysis: claims grouped by their chain of sources."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from sayso.model import Analysis, Attribution, Claim, Source

WIDTH = 100
EXCERPT_CHARS = 240
ROLE_CHARS = 50


def chain_label(chain: list[Source], facts: dict[str, dict[str, Any]] | None = None) -> str:
    """ "Andrei Marochko (person) <- RIA Novosti (news agency, RU, state-owned)": origin
    first, with the registry's facts for the links it knows."""
    if not chain:
        return "(no source)"
    return " <- ".join(f"{link.name} ({_describe(link, facts or {})})" for link in chain)


def _describe(link: Source, facts: dict[str, dict[str, Any]]) -> str:
    record = facts.get(link.registry_id or "")
    if record is None:
        return link.kind
    words = [record["kind"].replace("_", " "), record.get("country")]
    if record.get("ownership") not in (None, "unknown"):
        words.append(record["ownership"].replace("_", " "))
    if record.get("role"):
        words.append(_short_role(record["role"]))
    return ", ".join(w for w in words if w)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def _attribution_lines(attribution: Attribution, claims: dict[str, Claim]) -> list[str]:
    content = attribution.content.text if attribution.content else ""
    details = [f"{attribution.kind}"]
    if attribution.cue is not None:
        details.append(f"cue: {attribution.cue.text!r}")
    if attribution.hedges:
        details.append(
            "hedged: " + ", ".join(f"{h.span.text!r} ({h.kind})" for h in attribution.hedges)
        )
    claim = claims.get(attribution.claim_id or "")
    if claim is not None and claim.provenance is not None:
        names = [f.name for f in claim.provenance.flags if f.name != "hedged"]
        if names:
            details.append("flags: " + ", ".join(names))
    head = f"  [{attribution.claim_id or attribution.id}] "
    body = textwrap.fill(
        _excerpt(content), WIDTH, initial_indent=head, subsequent_indent=" " * len(head)
    )
    return [body, " " * len(head) + "(" + "; ".join(details) + ")"]


def _short_role(role: str) -> str:
    """The first clause of a role, at most ROLE_CHARS long."""
    first = re.split(r";| \(", role, maxsplit=1)[0].strip()
    return first if len(first) <= ROLE_CHARS else first[: ROLE_CHARS - 1] + "…"


def _rests_on(analysis: Analysis, facts: dict[str, dict[str, Any]]) -> list[str]:
    """ "2 claims rest on Andrei Marochko <- RIA Novosti (news agency, RU, state owned)"."""
    counts = analysis.summary
    if not counts:
        return []
    lines = ["", "What the claims rest on"]
    for group in counts["by_chain"]:
        chain = [
            Source(link["name"], link["kind"], registry_id=link["registry_id"])
            for link in group["chain"]
        ]
        n = len(group["claims"])
        verb = "claim rests" if n == 1 else "claims rest"
        lines.append(f"  {n} {verb} on {chain_label(chain, facts)}")
    if counts["anonymous"]:
        lines.append(f"  {counts['anonymous']} of them on sources the article does not name")
    lines.append(f"  {counts['author']} on the author's own authority")
    return lines


def _persuasion(analysis: Analysis) -> list[str]:
    """Technique spans with their names, then frames and genre; one line when skipped."""
    if analysis.techniques is None:
        return ["", "Persuasion techniques, frames and genre: skipped (--fast)"]
    lines = ["", f"Persuasion techniques ({len(analysis.techniques)} spans)"]
    for technique in analysis.techniques:
        quoted = f"{_excerpt(technique.span.text)!r}"
        lines.append(f"  {technique.technique} {technique.score:.2f}: {quoted}")
    if analysis.frames is not None:
        named = ", ".join(f"{f.frame} {f.score:.2f}" for f in analysis.frames) or "none"
        lines.append(f"Frames: {named}")
    if analysis.genre is not None:
        lines.append(f"Genre: {analysis.genre.label} {analysis.genre.score:.2f}")
    return lines


def summary(analysis: Analysis) -> str:
    """Plain-text summary: metadata, claims by source chain, then the author's own claims."""
    meta = analysis.meta
    lines = [meta.title or "(untitled)"]
    facts = [f for f in (meta.outlet, meta.published, meta.url) if f]
    if meta.home:
        facts.append(f"places read as from an outlet based in {meta.home}")
    if facts:
        lines.append(" · ".join(facts))
    author_claims = [c for c in analysis.claims if c.kind == "author"]
    lines.append(
        f"{len(analysis.attributions)} attributions, {len(analysis.claims)} claims "
        f"({len(analysis.claims) - len(author_claims)} attributed, "
        f"{len(author_claims)} on the author's own authority)"
    )
    facts = {s.registry_id: s.facts for s in analysis.sources if s.registry_id and s.facts}
    lines += _rests_on(analysis, facts)
    claims = {c.id: c for c in analysis.claims}
    groups: dict[str, list[Attribution]] = {}
    for attribution in analysis.attributions:
        groups.setdefault(chain_label(attribution.chain, facts), []).append(attribution)
    for label, members in groups.items():
        lines += ["", label]
        for attribution in members:
            lines += _attribution_lines(attribution, claims)
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
    lines += _persuasion(analysis)
    if analysis.warnings:
        lines += ["", "Warnings"] + [f"  - {w}" for w in analysis.warnings]
    return "\n".join(lines)
