"""Who cites whom in one article, drawn as inline SVG computed here (no layout library).

Nodes are the sources of the claims' chains and the publishing outlet; an edge A -> B says
B relays what A said, weighted by the claims that travel along it, and every chain's last
relay hands on to the outlet. Columns are chain depth (the longest path from an origin), so
origins stand on the left and the outlet on the right; a citation loop, which has no depth,
is drawn as a curve under the nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from itertools import pairwise
from typing import Any

from sayso.model import Analysis, Source
from sayso.report_text import claim_chains

OUTLET = "outlet:"
NODE_W, NODE_H = 180, 46
COL_GAP, ROW_GAP, MARGIN = 80, 18, 16
PASS_H = 14  # the room an edge takes where it passes a column
NAME_CHARS = 24  # about what fits NODE_W at 13px
SUB_CHARS = 30


@dataclass
class Node:
    key: str
    name: str
    kind: str
    detail: str
    claims: list[str] = field(default_factory=list)  # claims that start here
    column: int = 0
    x: float = 0.0
    y: float = 0.0


@dataclass
class Edge:
    source: str
    target: str
    claims: list[str] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)  # forward edges: source, passes, target


def registry_facts(analysis: Analysis) -> dict[str, dict[str, Any]]:
    """Registry id -> the registry's facts, for every source the analysis links."""
    return {s.registry_id: s.facts for s in analysis.sources if s.registry_id and s.facts}


def describe(kind: str, facts: dict[str, Any] | None) -> str:
    """ "news agency, RU, state owned" from the registry, else the source's kind."""
    if not facts:
        return kind
    words = [str(facts.get("kind") or kind).replace("_", " "), facts.get("country")]
    if facts.get("ownership") not in (None, "unknown"):
        words.append(str(facts["ownership"]).replace("_", " "))
    return ", ".join(str(w) for w in words if w)


def node_key(link: Source) -> str:
    return f"id:{link.registry_id}" if link.registry_id else f"name:{link.name.casefold()}"


def build(analysis: Analysis) -> tuple[dict[str, Node], list[Edge]]:
    """The nodes (outlet last) and the relay edges of the article's chains."""
    facts = registry_facts(analysis)
    outlet = analysis.meta.outlet or "this article"
    nodes: dict[str, Node] = {}
    edges: dict[tuple[str, str], Edge] = {}
    chains = claim_chains(analysis)
    own = [claim.id for claim in analysis.claims if not chains.get(claim.id)]
    for claim in analysis.claims:
        chain = chains.get(claim.id) or []
        keys = []
        for link in chain:
            key = node_key(link)
            detail = describe(link.kind, facts.get(link.registry_id or ""))
            nodes.setdefault(key, Node(key, link.name, link.kind, detail))
            keys.append(key)
        if keys:
            nodes[keys[0]].claims.append(claim.id)
            for source, target in zip(keys, [*keys[1:], OUTLET], strict=True):
                if source != target:
                    edges.setdefault((source, target), Edge(source, target)).claims.append(claim.id)
    nodes[OUTLET] = Node(OUTLET, outlet, "outlet", "publishes the article", own)
    _layer(nodes, list(edges.values()))
    return nodes, list(edges.values())


def _layer(nodes: dict[str, Node], edges: list[Edge]) -> None:
    """Longest-path columns, bounded so a loop cannot push a node forever; outlet last."""
    limit = len(nodes)
    for _ in range(limit):
        changed = False
        for edge in edges:
            if edge.target == OUTLET:
                continue
            wanted = nodes[edge.source].column + 1
            if nodes[edge.target].column < wanted < limit:
                nodes[edge.target].column = wanted
                changed = True
        if not changed:
            break
    others = [n.column for key, n in nodes.items() if key != OUTLET]
    nodes[OUTLET].column = max(others, default=-1) + 1
    ranks = {column: rank for rank, column in enumerate(sorted({n.column for n in nodes.values()}))}
    for node in nodes.values():  # a loop can leave a column empty: close the gap
        node.column = ranks[node.column]


@dataclass(eq=False)
class Slot:
    """A row of a column: a node, or the point where a longer edge passes the column."""

    node: Node | None
    height: float
    y: float = 0.0  # top


def _route(nodes: dict[str, Node], edges: list[Edge]) -> dict[int, list[Slot]]:
    """The slots of every column, and for every forward edge its slots from source to
    target; columns ordered once by the mean row of what feeds them, to cut crossings."""
    columns: dict[int, list[Slot]] = {}
    own: dict[str, Slot] = {}
    for node in nodes.values():
        own[node.key] = Slot(node, NODE_H)
        columns.setdefault(node.column, []).append(own[node.key])
    feeds: dict[int, list[Slot]] = {}
    for edge in edges:
        a, b = nodes[edge.source], nodes[edge.target]
        if b.column <= a.column:
            continue
        passing = [Slot(None, PASS_H) for _ in range(a.column + 1, b.column)]
        for column, slot in enumerate(passing, start=a.column + 1):
            columns[column].append(slot)
        edge.slots = [own[a.key], *passing, own[b.key]]
        for before, after in pairwise(edge.slots):
            feeds.setdefault(id(after), []).append(before)
    for column in sorted(columns)[1:]:
        rows = {id(slot): i for i, slot in enumerate(columns[column - 1])}
        columns[column].sort(key=lambda slot: _barycentre(slot, feeds, rows))
    return columns


def _barycentre(slot: Slot, feeds: dict[int, list[Slot]], rows: dict[int, int]) -> float:
    found = [rows[id(s)] for s in feeds.get(id(slot), []) if id(s) in rows]
    return sum(found) / len(found) if found else float("inf")


def _place(columns: dict[int, list[Slot]]) -> tuple[float, float]:
    """Give every slot (and its node) a position, columns centred; the drawing's size."""
    used = {
        c: sum(s.height for s in slots) + ROW_GAP * (len(slots) - 1) for c, slots in columns.items()
    }
    height = 2 * MARGIN + max(used.values())
    for column, slots in columns.items():
        top = (height - used[column]) / 2
        for slot in slots:
            slot.y = top
            if slot.node is not None:
                slot.node.x = MARGIN + column * (NODE_W + COL_GAP)
                slot.node.y = top
            top += slot.height + ROW_GAP
    width = 2 * MARGIN + len(columns) * NODE_W + (len(columns) - 1) * COL_GAP
    return width, height


def _ports(edges: list[Edge]) -> dict[tuple[int, str], float]:
    """Where each forward edge leaves its source and enters its target: spread over the
    node's side, in the order of the other ends, so arrows do not pile up on one point."""
    sides: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for i, edge in enumerate(edges):
        if edge.slots:
            sides.setdefault((edge.source, "out"), []).append((_middle(edge.slots[1]), i))
            sides.setdefault((edge.target, "in"), []).append((_middle(edge.slots[-2]), i))
    ports = {}
    for (_, side), ends in sides.items():
        for k, (_, i) in enumerate(sorted(ends)):
            slot = edges[i].slots[0 if side == "out" else -1]
            ports[(i, side)] = slot.y + slot.height * (k + 1) / (len(ends) + 1)
    return ports


def _middle(slot: Slot) -> float:
    return slot.y + slot.height / 2


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _forward_path(edge: Edge, y_out: float, y_in: float) -> tuple[str, float, float]:
    """A path through the edge's slots, curving between columns; and where its label goes."""
    points = [(edge.slots[0].node.x + NODE_W, y_out)]  # type: ignore[union-attr]
    for column_x, slot in _passes(edge):
        points += [(column_x, _middle(slot)), (column_x + NODE_W, _middle(slot))]
    target = edge.slots[-1].node
    points.append((target.x - 2, y_in))  # type: ignore[union-attr]
    path = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for (x1, y1), (x2, y2) in pairwise(points):
        if y1 == y2:
            path.append(f"L{x2:.1f},{y2:.1f}")
        else:
            bend = (x2 - x1) / 2
            path.append(f"C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}")
    (x1, y1), (x2, y2) = points[0], points[1]
    return " ".join(path), (x1 + x2) / 2, (y1 + y2) / 2 - 5


def _passes(edge: Edge) -> list[tuple[float, Slot]]:
    first = edge.slots[0].node.column  # type: ignore[union-attr]
    return [
        (MARGIN + (first + k) * (NODE_W + COL_GAP), slot)
        for k, slot in enumerate(edge.slots[1:-1], start=1)
    ]


def _edge_svg(edge: Edge, nodes: dict[str, Node], ports: dict[tuple[int, str], float], i: int):
    a, b = nodes[edge.source], nodes[edge.target]
    n = len(edge.claims)
    if edge.slots:
        path, lx, ly = _forward_path(edge, ports[(i, "out")], ports[(i, "in")])
    else:  # a loop or a relay back to an earlier column: a curve under the nodes
        x1, y1 = a.x + NODE_W / 2, a.y + NODE_H
        x2, y2 = b.x + NODE_W / 2 + 12, b.y + NODE_H + 2
        low = max(y1, y2) + 34
        path = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{low:.1f} {x2:.1f},{low:.1f} {x2:.1f},{y2:.1f}"
        lx, ly = (x1 + x2) / 2, low - 4
    what = f"{a.name} -> {b.name}: relays {n} claim{'s' * (n != 1)} ({', '.join(edge.claims)})"
    return (
        f'<g class="edge"><title>{escape(what)}</title>'
        f'<path d="{path}" fill="none" stroke="#3d3d3d" stroke-width="{min(1 + n, 5)}" '
        f'marker-end="url(#sayso-arrow)"/>'
        f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" class="count">{n}</text></g>'
    )


def _node_svg(node: Node) -> str:
    rx = {"person": 22, "outlet": 4}.get(node.kind, 4)
    dash = ' stroke-dasharray="5 3"' if node.kind in ("anonymous", "unknown") else ""
    stroke = 3 if node.kind == "outlet" else 1.5
    said = (
        f"; origin of {len(node.claims)} claim(s): {', '.join(node.claims)}" if node.claims else ""
    )
    title = f"{node.name} ({node.detail}){said}"
    cx = node.x + NODE_W / 2
    return (
        f'<g class="node n-{escape(node.kind, quote=True)}"><title>{escape(title)}</title>'
        f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{NODE_W}" height="{NODE_H}" '
        f'rx="{rx}" stroke-width="{stroke}"{dash}/>'
        f'<text x="{cx:.1f}" y="{node.y + 19:.1f}" text-anchor="middle" class="name">'
        f"{escape(_short(node.name, NAME_CHARS))}</text>"
        f'<text x="{cx:.1f}" y="{node.y + 36:.1f}" text-anchor="middle" class="sub">'
        f"{escape(_short(node.detail, SUB_CHARS))}</text></g>"
    )


def graph_svg(analysis: Analysis) -> str:
    """The citation graph as an ``<svg>`` element, with a list of its edges for readers
    who do not see it."""
    nodes, edges = build(analysis)
    width, height = _place(_route(nodes, edges))
    ports = _ports(edges)
    if any(not edge.slots for edge in edges):
        height += 40  # room for the curves of loops under the nodes
    parts = [
        f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        'aria-labelledby="graph-title">',
        '<title id="graph-title">Who cites whom: origins on the left, the outlet on the '
        "right</title>",
        '<defs><marker id="sayso-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#3d3d3d"/></marker></defs>',
    ]
    parts += [_edge_svg(edge, nodes, ports, i) for i, edge in enumerate(edges)]
    parts += [_node_svg(node) for node in nodes.values()]
    parts.append("</svg>")
    return "".join(parts) + _edge_list(nodes, edges)


def _edge_list(nodes: dict[str, Node], edges: list[Edge]) -> str:
    if not edges:
        return '<p class="note">No claim in this article is attributed to a source.</p>'
    items = "".join(
        f"<li>{escape(nodes[e.target].name)} relays {escape(nodes[e.source].name)}: "
        f"{len(e.claims)} claim{'s' * (len(e.claims) != 1)} ({escape(', '.join(e.claims))})</li>"
        for e in edges
    )
    return f'<ul class="edges">{items}</ul>'
