"""Is a claim confirmed by independent sources, or do all its reports trace back to one origin?

A cluster of claims (the same statement in several articles) is judged from its reports'
chains of authority alone, with the same rules for every outlet, country and side:

- each report's **path** runs from its origin (the first link of its chain; for a claim the
  author makes with no source, the outlet that published it) through its relays to the
  outlet that published the article;
- syndicated **copies** (articles stored as near-duplicates of another) are listed but never
  counted as further reports;
- the verdict, in order of precedence:
  ``contested`` (a report denies the claim, or reports give different numbers),
  ``circular`` (the citations form a loop: A cites B, B cites A),
  ``unattributed`` (no report names a source),
  ``independently corroborated`` (two or more origins whose paths share no relay),
  ``single origin`` (every report traces to one origin, or through one common relay).

Every verdict carries reasons a reader can check against the reports.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

CONTESTED = "contested"
CIRCULAR = "circular"
UNATTRIBUTED = "unattributed"
CORROBORATED = "independently corroborated"
SINGLE_ORIGIN = "single origin"
VERDICTS = (CONTESTED, CIRCULAR, UNATTRIBUTED, CORROBORATED, SINGLE_ORIGIN)

# Cues by which a source rejects the statement it is attributed with.
DENIAL_CUES = frozenset(
    {"deny", "denied", "denies", "denying", "reject", "rejected", "rejects", "refute",
     "refuted", "refutes", "dismiss", "dismissed", "dismisses", "debunk", "debunked",
     "disputed", "dispute", "disputes", "contradicted", "contradict", "contradicts"}
)  # fmt: skip
_NUMBER = re.compile(r"\b\d[\d,.]*\b")


@dataclass(frozen=True)
class Node:
    """A source or outlet in a citation path: its registry id when known, else its name."""

    key: str
    name: str


@dataclass
class Report:
    """One claim as one article reports it."""

    claim: int  # the claim's row id in the store
    article: int
    text: str
    kind: str  # "attributed" or "author"
    chain: list[dict[str, Any]]  # origin first: {name, kind, registry_id}
    outlet: str | None = None
    outlet_id: str | None = None
    published: str | None = None
    copy_of: int | None = None  # the article this one is a near-duplicate of
    cue: str | None = None

    def path(self) -> list[Node]:
        """Origin, relays, then the publishing outlet (unless the chain already ends there)."""
        nodes = [_node(link.get("registry_id"), link["name"]) for link in self.chain]
        outlet = self.outlet_node()
        if not nodes or nodes[-1].key != outlet.key:
            nodes.append(outlet)
        return nodes

    def outlet_node(self) -> Node:
        if self.outlet_id or self.outlet:
            return _node(self.outlet_id, self.outlet or self.outlet_id or "")
        return Node(f"article:{self.article}", f"an unnamed outlet (article {self.article})")

    def origin(self) -> Node:
        return self.path()[0]


def _node(registry_id: str | None, name: str) -> Node:
    if registry_id:
        return Node(f"registry:{registry_id}", name)
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return Node("name:" + " ".join(re.sub(r"^the\s+", "", folded).split()), name)


@dataclass
class Assessment:
    """The verdict on one cluster, with reasons, origins and the copies left out."""

    verdict: str
    reasons: list[str]
    origins: list[Node]
    reports: list[Report]
    copies: list[Report] = field(default_factory=list)

    @property
    def earliest(self) -> Report | None:
        dated = [r for r in self.reports if r.published]
        if dated:
            return min(dated, key=lambda r: (r.published or "", r.article))
        return min(self.reports, key=lambda r: r.article, default=None)

    def to_dict(self) -> dict[str, Any]:
        earliest = self.earliest
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "origins": [{"key": o.key, "name": o.name} for o in self.origins],
            "reports": len(self.reports),
            "copies": len(self.copies),
            "earliest": {"article": earliest.article, "published": earliest.published}
            if earliest
            else None,
        }


def assess(reports: list[Report]) -> Assessment:
    """The verdict on the reports of one claim."""
    originals = [r for r in reports if r.copy_of is None]
    copies = [r for r in reports if r.copy_of is not None]
    if not originals:  # only copies stored (their originals' claims fell elsewhere)
        originals, copies = copies, []
    origins = _unique(r.origin() for r in originals)
    reasons = _copy_reasons(copies)

    contest = _contest_reasons(originals)
    if contest:
        return Assessment(CONTESTED, contest + reasons, origins, originals, copies)
    loop = _citation_loop(originals)
    if loop:
        cycle = " -> ".join(node.name for node in loop)
        reason = f"the reports cite each other in a loop: {cycle} (each cited by the next)"
        return Assessment(CIRCULAR, [reason, *reasons], origins, originals, copies)
    if all(r.kind == "author" or not r.chain for r in originals):
        outlets = ", ".join(o.name for o in origins)
        reason = f"no report names a source: {len(originals)} report(s) by {outlets}"
        return Assessment(UNATTRIBUTED, [reason, *reasons], origins, originals, copies)
    groups = _independent_groups(originals)
    if len(groups) >= 2:
        named = "; ".join(_describe_group(group) for group in groups)
        reason = f"{len(groups)} origins with no common relay: {named}"
        return Assessment(CORROBORATED, [reason, *reasons], origins, originals, copies)
    (group,) = groups
    return Assessment(SINGLE_ORIGIN, [_single_reason(group), *reasons], origins, originals, copies)


def _unique(nodes: Any) -> list[Node]:
    seen: dict[str, Node] = {}
    for node in nodes:
        seen.setdefault(node.key, node)
    return list(seen.values())


def _copy_reasons(copies: list[Report]) -> list[str]:
    if not copies:
        return []
    articles = sorted({r.article for r in copies})
    return [
        f"{len(articles)} syndicated or copied article(s) not counted as further reports "
        f"(articles {', '.join(map(str, articles))})"
    ]


def _contest_reasons(reports: list[Report]) -> list[str]:
    reasons = []
    for report in reports:
        if report.cue and report.cue.lower().split()[0] in DENIAL_CUES:
            who = report.chain[0]["name"] if report.chain else report.outlet_node().name
            reasons.append(f"{who} {report.cue} it (article {report.article})")
    numbers: dict[str, list[Report]] = defaultdict(list)
    for report in reports:
        found = tuple(sorted(n.replace(",", "") for n in _NUMBER.findall(report.text)))
        if found:
            numbers[" and ".join(found)].append(report)
    if len(numbers) > 1:
        versions = "; ".join(
            f"{figures} ({', '.join(sorted({r.origin().name for r in group}))})"
            for figures, group in sorted(numbers.items())
        )
        reasons.append(f"the reports give different numbers: {versions}")
    return reasons


def _citation_loop(reports: list[Report]) -> list[Node] | None:
    """A cycle in the graph where an edge runs from a source to whoever relays it."""
    edges: dict[str, set[str]] = defaultdict(set)
    names: dict[str, Node] = {}
    for report in reports:
        path = report.path()
        for cited, citing in pairwise(path):
            names[cited.key], names[citing.key] = cited, citing
            if cited.key != citing.key:
                edges[cited.key].add(citing.key)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(key: str) -> list[str] | None:
        state[key] = 1
        stack.append(key)
        for following in sorted(edges.get(key, ())):
            if state.get(following) == 1:
                return [*stack[stack.index(following) :], following]
            if following not in state:
                found = visit(following)
                if found:
                    return found
        stack.pop()
        state[key] = 2
        return None

    for key in sorted(edges):
        if key not in state:
            cycle = visit(key)
            if cycle:
                return [names[k] for k in cycle]
    return None


def _independent_groups(reports: list[Report]) -> list[list[Report]]:
    """Reports grouped so that two groups share no node on their paths (origin or relay)."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for report in reports:
        path = report.path()
        # the publishing outlet joins the group only when it relays someone else's claim:
        # two outlets quoting one agency are one group; one outlet quoting two unrelated
        # origins does not merge them
        linked = path[:-1] if len(path) > 1 else path
        for node in linked[1:]:
            parent[find(node.key)] = find(linked[0].key)
        find(linked[0].key)
    groups: dict[str, list[Report]] = defaultdict(list)
    for report in reports:
        path = report.path()
        groups[find((path[:-1] if len(path) > 1 else path)[0].key)].append(report)
    return sorted(groups.values(), key=lambda group: min(r.article for r in group))


def _describe_group(group: list[Report]) -> str:
    origins = _unique(r.origin() for r in group)
    outlets = _unique(r.outlet_node() for r in group)
    head = " / ".join(o.name for o in origins)
    return f"{head} (in {len(group)} report(s): {', '.join(o.name for o in outlets)})"


def _single_reason(group: list[Report]) -> str:
    origins = _unique(r.origin() for r in group)
    if len(origins) == 1:
        return (
            f"all {len(group)} report(s) trace to one origin: {origins[0].name} "
            f"(relayed by {', '.join(o.name for o in _unique(r.outlet_node() for r in group))})"
        )
    shared = _shared_relays(group)
    return (
        f"{len(origins)} origins ({', '.join(o.name for o in origins)}) reach the corpus only "
        f"through {', '.join(n.name for n in shared) or 'relays they share'}"
    )


def _shared_relays(group: list[Report]) -> list[Node]:
    counts: dict[str, int] = defaultdict(int)
    names: dict[str, Node] = {}
    for report in group:
        for node in _unique(report.path()[1:-1]):
            counts[node.key] += 1
            names[node.key] = node
    return [names[k] for k, n in counts.items() if n > 1]
