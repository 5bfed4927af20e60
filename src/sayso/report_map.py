"""The article's places and events on a map drawn without a tile server: inline SVG.

An equirectangular projection fitted to the points' bounding box (with a margin), its
longitudes scaled by the cosine of the middle latitude so shapes are not stretched, over a
latitude/longitude graticule. A report must work offline and load nothing, so there is no
base map: the graticule, the labels and the table under the map say where things are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

from sayso.model import Analysis, Place

WIDTH = 640
MIN_HEIGHT, MAX_HEIGHT = 260, 520
PAD = 34  # pixels around the plotted area, for graticule labels
MARGIN = 0.15  # share of the box's span added on each side
MIN_SPAN = 1.0  # degrees: a single point still gets a readable neighbourhood
STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 20, 30, 45, 90)
MAX_LINES = 6
LABEL_CHARS = 28
LABEL_PX = 7  # about one character of a 12px label
KEY = (
    "Filled dot: a town or city; ring: the centre of a country, region, sea or other area "
    "(where the gazetteer puts it, not a place the article names more precisely); diamond: an "
    "event reported there."
)


@dataclass
class Point:
    lat: float
    lon: float
    name: str
    country: str | None
    is_area: bool  # a country or region centre rather than a town
    mentions: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


def points(analysis: Analysis) -> list[Point]:
    """One point per located place, with the words that named it and its events."""
    found: dict[tuple[float, float, str], Point] = {}

    def point(place: Place) -> Point | None:
        if place.lat is None or place.lon is None:
            return None
        key = (round(place.lat, 4), round(place.lon, 4), place.name)
        if key not in found:
            # Records from before schema 1.6.0 have no kind: a place without a region then.
            area = place.kind != "place" if place.kind else place.admin1 is None
            found[key] = Point(place.lat, place.lon, place.name, place.country, area)
        return found[key]

    for place in analysis.places:
        located = point(place)
        if located is not None and place.text not in located.mentions:
            located.mentions.append(place.text)
    for event in analysis.events:
        located = point(event.location) if event.location else None
        if located is not None:
            located.events.append(f"{event.sub_type} ({event.claim_id or 'no claim'})")
    return list(found.values())


@dataclass(frozen=True)
class Frame:
    """The projected box: latitude and longitude ranges and the pixel size."""

    lat0: float
    lat1: float
    lon0: float
    lon1: float
    width: float
    height: float

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        x = PAD + (lon - self.lon0) / (self.lon1 - self.lon0) * (self.width - 2 * PAD)
        y = PAD + (self.lat1 - lat) / (self.lat1 - self.lat0) * (self.height - 2 * PAD)
        return x, y


def fit(found: list[Point]) -> Frame:
    """The box around the points, widened by MARGIN, its aspect kept true at its middle
    latitude within the allowed heights (the shorter span grows to fit)."""
    lats, lons = [p.lat for p in found], [p.lon for p in found]
    lat_mid, lon_mid = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    lat_span = max(max(lats) - min(lats), MIN_SPAN) * (1 + 2 * MARGIN)
    lon_span = max(max(lons) - min(lons), MIN_SPAN) * (1 + 2 * MARGIN)
    scale = max(math.cos(math.radians(lat_mid)), 0.05)
    inner = WIDTH - 2 * PAD
    height = inner * lat_span / (lon_span * scale)
    if height > MAX_HEIGHT - 2 * PAD:
        height = MAX_HEIGHT - 2 * PAD
        lon_span = lat_span * inner / (height * scale)
    elif height < MIN_HEIGHT - 2 * PAD:
        height = MIN_HEIGHT - 2 * PAD
        lat_span = height * lon_span * scale / inner
    lat0 = max(lat_mid - lat_span / 2, -90.0)
    lat1 = min(lat0 + lat_span, 90.0)
    lon0 = lon_mid - lon_span / 2
    return Frame(lat0, lat1, lon0, lon0 + lon_span, WIDTH, height + 2 * PAD)


def _step(span: float) -> float:
    return next((s for s in STEPS if span / s <= MAX_LINES), STEPS[-1])


def _degrees(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value >= 0 else negative
    return f"{abs(round(value, 4)):g}°{hemisphere if value else ''}"


def _ticks(low: float, high: float) -> list[float]:
    """Round values every step between low and high, counted by index so no error adds up."""
    step = _step(high - low)
    first, last = math.ceil(low / step), math.floor(high / step)
    return [round(k * step, 6) for k in range(first, last + 1)]


def _graticule(frame: Frame) -> list[str]:
    parts = []
    for lat in _ticks(frame.lat0, frame.lat1):
        _, y = frame.xy(lat, frame.lon0)
        parts.append(
            f'<line x1="{PAD}" y1="{y:.1f}" x2="{frame.width - PAD}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{PAD - 4}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
            f"{_degrees(lat, 'N', 'S')}</text>"
        )
    for lon in _ticks(frame.lon0, frame.lon1):
        x, _ = frame.xy(frame.lat0, lon)
        parts.append(
            f'<line x1="{x:.1f}" y1="{PAD}" x2="{x:.1f}" y2="{frame.height - PAD}" class="grid"/>'
            f'<text x="{x:.1f}" y="{frame.height - PAD + 16:.1f}" text-anchor="middle" '
            f'class="tick">{_degrees(((lon + 180) % 360) - 180, "E", "W")}</text>'
        )
    return parts


def _labels(frame: Frame, found: list[Point]) -> list[tuple[float, float, str]]:
    """A place for each label (x, y, text-anchor): right of its point, else left, above or
    below, whichever overlaps no label placed before and no point; else right, nudged down."""
    marks = [_box(*frame.xy(p.lat, p.lon), 0, "middle", size=20) for p in found]
    placed: list[tuple[float, float, float, float]] = []
    chosen = []
    for point in found:
        x, y = frame.xy(point.lat, point.lon)
        width = LABEL_PX * min(len(point.name), LABEL_CHARS)
        options = [(x + 12, y + 4, "start"), (x - 12, y + 4, "end")]
        options += [(x, y - 12, "middle"), (x, y + 20, "middle")]
        boxes = [(option, _box(*option[:2], width, option[2])) for option in options]
        free = [option for option, box in boxes if _fits(box, placed + marks, frame.width)]
        if free:
            best = free[0]
        else:
            best = (x + 12, y + 4, "start")
            while any(_overlap(_box(*best[:2], width, "start"), other) for other in placed):
                best = (best[0], best[1] + 14, "start")
        placed.append(_box(*best[:2], width, best[2]))
        chosen.append(best)
    return chosen


def _box(
    x: float, y: float, width: float, anchor: str, size: float = 14
) -> tuple[float, float, float, float]:
    """The (left, top, right, bottom) of a label whose baseline starts at x, y; or, with
    width 0, of a square of ``size`` centred on the point."""
    if width == 0:
        return (x - size / 2, y - size / 2, x + size / 2, y + size / 2)
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return (left, y - size + 3, left + width, y + 3)


def _fits(box: tuple[float, ...], others: list[tuple[float, ...]], width: float) -> bool:
    return box[0] >= 0 and box[2] <= width and not any(_overlap(box, o) for o in others)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _point_svg(frame: Frame, point: Point, label: tuple[float, float, str]) -> str:
    x, y = frame.xy(point.lat, point.lon)
    what = "area centre" if point.is_area else "place"
    said = ", ".join(f"'{m}'" for m in point.mentions)
    title = f"{point.name} ({point.country or '?'}; {what}; {point.lat:.4f}, {point.lon:.4f})"
    if said:
        title += f"; named as {said}"
    if point.events:
        title += f"; events: {', '.join(point.events)}"
    shape = (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" class="{"area" if point.is_area else "town"}"/>'
    )
    if point.events:
        shape = (
            f'<rect x="{x - 9:.1f}" y="{y - 9:.1f}" width="18" height="18" '
            f'transform="rotate(45 {x:.1f} {y:.1f})" class="event"/>' + shape
        )
    name = point.name if len(point.name) <= LABEL_CHARS else point.name[: LABEL_CHARS - 1] + "…"
    return (
        f'<g class="point"><title>{escape(title)}</title>{shape}'
        f'<text x="{label[0]:.1f}" y="{label[1]:.1f}" text-anchor="{label[2]}" class="label">'
        f"{escape(name)}</text></g>"
    )


def map_svg(analysis: Analysis) -> str:
    """The map as an ``<svg>`` element and a table of its points; a note when no place of
    the article has coordinates."""
    found = points(analysis)
    unplaced = sorted({p.name for p in analysis.places if p.lat is None or p.lon is None})
    note = ""
    if unplaced:
        named = escape("; ".join(unplaced))
        note = f'<p class="note">Named but not on the map (no coordinates): {named}</p>'
    if not found:
        return '<p class="note">No place in the article could be put on a map.</p>' + note
    frame = fit(found)
    labels = _labels(frame, found)
    parts = [
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" width="{frame.width:.0f}" '
        f'height="{frame.height:.0f}" viewBox="0 0 {frame.width:.0f} {frame.height:.0f}" '
        'role="img" aria-labelledby="map-title">',
        '<title id="map-title">Places and events named in the article, on a '
        "latitude/longitude grid</title>",
        f'<rect x="{PAD}" y="{PAD}" width="{frame.width - 2 * PAD:.1f}" '
        f'height="{frame.height - 2 * PAD:.1f}" class="sea"/>',
        *_graticule(frame),
        *(_point_svg(frame, p, label) for p, label in zip(found, labels, strict=True)),
        "</svg>",
    ]
    return "".join(parts) + f'<p class="note">{escape(KEY)}</p>' + _table(found) + note


def _table(found: list[Point]) -> str:
    rows = "".join(
        f"<tr><td>{escape(p.name)}</td><td>{escape(p.country or '')}</td>"
        f"<td>{p.lat:.4f}, {p.lon:.4f}</td><td>{escape(', '.join(p.mentions))}</td>"
        f"<td>{escape('; '.join(p.events))}</td></tr>"
        for p in found
    )
    return (
        '<table class="points"><thead><tr><th scope="col">place</th><th scope="col">country'
        '</th><th scope="col">lat, lon</th><th scope="col">named as</th>'
        f'<th scope="col">events</th></tr></thead><tbody>{rows}</tbody></table>'
    )
