"""The article text of a report, with every analysed span marked, as flat HTML.

Spans overlap freely (a cue inside a claim, a technique across two claims, a place inside a
source), and HTML cannot cross-nest elements. So the text is cut at every span boundary into
segments; each segment is one ``<span>`` carrying the classes of all the spans that cover it,
and nothing is nested. A segment's tooltip (``title``) names those spans, and ``data-c`` lists
the claims it belongs to (indices into the report's JSON data), so a click shows the claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from itertools import pairwise

from sayso.model import Analysis, Source
from sayso.render import chain_label

# (layer, what the legend calls it), in the order the legend lists them
LAYERS: tuple[tuple[str, str], ...] = (
    ("claim", "claims: shaded; yellow on a source's say-so, grey on the author's own"),
    ("source", "sources named in a chain"),
    ("cue", "cues of saying"),
    ("hedge", "hedges and distancing"),
    ("technique", "persuasion techniques"),
    ("place", "places"),
)


@dataclass(frozen=True)
class Mark:
    """One analysed span: its layer, a short note for the tooltip, and for claims the index
    of the claim in the report's data (``claim``) and its kind (``variant``)."""

    start: int
    end: int
    layer: str
    note: str
    claim: int | None = None
    variant: str | None = None


def marks(analysis: Analysis) -> list[Mark]:
    """Every span the report highlights, each layer's duplicates dropped."""
    found = _claim_marks(analysis) + _attribution_marks(analysis)
    for technique in analysis.techniques or []:
        note = f"technique: {technique.technique} ({technique.group}, {technique.score:.2f})"
        found.append(Mark(technique.span.start, technique.span.end, "technique", note))
    for place in analysis.places:
        where = ", ".join(p for p in (place.name, place.country) if p)
        found.append(Mark(place.start, place.end, "place", f"place: {where}"))
    length = len(analysis.text)
    seen: set[tuple[int, int, str, str]] = set()
    kept = []
    for mark in found:
        key = (mark.start, mark.end, mark.layer, mark.note)
        if 0 <= mark.start < mark.end <= length and key not in seen:
            seen.add(key)
            kept.append(mark)
    return kept


def _claim_marks(analysis: Analysis) -> list[Mark]:
    chains = claim_chains(analysis)
    found = []
    for index, claim in enumerate(analysis.claims):
        chain = chains.get(claim.id) or []
        rests = chain_label(chain) if chain else "the author's own assertion"
        note = f"claim {claim.id}: {rests}"
        variant = "attributed" if claim.kind == "attributed" else "author"
        found.append(Mark(claim.start, claim.end, "claim", note, index, variant))
    return found


def _attribution_marks(analysis: Analysis) -> list[Mark]:
    found = []
    for attribution in analysis.attributions:
        for link in attribution.chain:
            if link.mention is not None:
                note = f"source: {link.name} ({link.kind})"
                found.append(Mark(link.mention.start, link.mention.end, "source", note))
        if attribution.cue is not None:
            cue = attribution.cue
            found.append(Mark(cue.start, cue.end, "cue", f"cue: {cue.text}"))
        for hedge in attribution.hedges:
            note = f"{hedge.kind.replace('_', ' ')}: {hedge.span.text}"
            found.append(Mark(hedge.span.start, hedge.span.end, "hedge", note))
    return found


def claim_chains(analysis: Analysis) -> dict[str, list[Source]]:
    """Claim id -> its chain, origin first: the provenance's, else its attribution's."""
    chains: dict[str, list[Source]] = {}
    for attribution in analysis.attributions:
        if attribution.claim_id and attribution.claim_id not in chains:
            chains[attribution.claim_id] = list(attribution.chain)
    for claim in analysis.claims:
        record = claim.provenance
        if record is not None and record.origin is not None:
            chains[claim.id] = [record.origin, *record.relays]
    return chains


def segments(length: int, found: list[Mark]) -> list[tuple[int, int, list[Mark]]]:
    """The text [0, length) cut at every mark boundary: (start, end, marks covering it),
    in order, with no gaps; marks are listed shortest first, so a segment's first claim is
    its innermost."""
    cuts = sorted({0, length, *(m.start for m in found), *(m.end for m in found)})
    starting: dict[int, list[Mark]] = {}
    for mark in found:
        starting.setdefault(mark.start, []).append(mark)
    active: list[Mark] = []
    pieces = []
    for start, end in pairwise(cuts):
        active = [m for m in active if m.end > start] + starting.get(start, [])
        covering = sorted(active, key=lambda m: (m.end - m.start, m.start))
        pieces.append((start, end, covering))
    return pieces


def article_html(analysis: Analysis, found: list[Mark] | None = None) -> str:
    """The article as flat segments, a focusable label before each claim; all text escaped."""
    found = marks(analysis) if found is None else found
    text = analysis.text
    starts: dict[int, list[Mark]] = {}
    for mark in found:
        if mark.layer == "claim":
            starts.setdefault(mark.start, []).append(mark)
    out = []
    for start, end, covering in segments(len(text), found):
        out.extend(_claim_label(analysis, mark) for mark in starts.get(start, []))
        out.append(_segment(text[start:end], covering))
    return "".join(out)


def _claim_label(analysis: Analysis, mark: Mark) -> str:
    """The claim's id as a small labelled button where the claim begins."""
    claim = analysis.claims[mark.claim or 0]
    kind = "attributed" if claim.kind == "attributed" else "author"
    label = f"Claim {claim.id} ({kind}): show its chain and flags"
    return (
        f'<span class="badge k-{kind}" id="claim-{escape(claim.id, quote=True)}" '
        f'data-c="{mark.claim}" tabindex="0" role="button" '
        f'aria-label="{escape(label, quote=True)}" title="{escape(mark.note, quote=True)}">'
        f"{escape(claim.id)}</span>"
    )


def _segment(text: str, covering: list[Mark]) -> str:
    if not covering:
        return escape(text, quote=False)
    classes = []
    for mark in covering:
        for name in (f"l-{mark.layer}", f"k-{mark.variant}" if mark.variant else None):
            if name and name not in classes:
                classes.append(name)
    claims = [str(m.claim) for m in covering if m.claim is not None]
    title = "\n".join(dict.fromkeys(m.note for m in covering))
    data = f' data-c="{" ".join(claims)}"' if claims else ""
    return (
        f'<span class="{escape(" ".join(classes), quote=True)}"{data} '
        f'title="{escape(title, quote=True)}">'
        f"{escape(text, quote=False)}</span>"
    )
