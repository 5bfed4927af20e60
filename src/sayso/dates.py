"""Dates: every date and time expression, resolved against the publication date.

"on July 10th", "last Tuesday", "earlier this week", "in late June", "overnight", "three days
ago": each becomes an ISO date or interval with its precision (day, week, month, year). The
candidates are spaCy's DATE and TIME entities plus the relative words the tagger misses. With
no publication date, relative expressions stay unresolved and say so (``value`` is null).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from spacy.tokens import Doc

from sayso.model import DateExpression
from sayso.spans import doc_text

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
NUMBER_WORDS.update({"a": 1, "an": 1, "a couple of": 2, "several": 3})
# Parts of a month: "early June" is the 1st to the 10th, "mid-June" the 11th to the 20th.
MONTH_PARTS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
# An absolute date without a year more than this far after publication is last year's.
FUTURE_SLACK = timedelta(days=7)

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\.?(?:,?\s+(\d{{4}}))?\b", re.I
)
_MONTH_DAY = re.compile(
    rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", re.I
)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_YEAR = re.compile(rf"\b(?:(early|mid|late)[\s-]+)?({_MONTH})\.?(?:\s+(\d{{4}}))?\b", re.I)
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")
_AGO = re.compile(r"\b(\d+|[a-z]+(?: couple of)?)\s+(day|week|month|year)s?\s+ago\b", re.I)
_WEEKDAY = re.compile(r"\b(?:(last|next|this|on|past)\s+)?(" + "|".join(WEEKDAYS) + r")\b", re.I)
# Relative words spaCy does not always tag as DATE or TIME.
_RELATIVE = re.compile(
    r"\b(?:(?:earlier|later)\s+)?(?:this|last|next|past)\s+(?:week|month|year)\b|\btoday\b|"
    r"\byesterday\b|\btomorrow\b|\bovernight\b|\btonight\b|\blast night\b|"
    r"\b(?:\d+|[a-z]+)\s+(?:day|week|month|year)s?\s+ago\b|"
    r"\b(?:last|next|on|this|past)\s+(?:" + "|".join(WEEKDAYS) + r")\b",
    re.I,
)


def find_dates(doc: Doc, published: str | None) -> list[DateExpression]:
    """Every date expression in reading order, resolved against ``published`` (ISO)."""
    anchor = _anchor(published)
    text = doc_text(doc)
    spans: list[tuple[int, int]] = [
        (ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ in ("DATE", "TIME")
    ]
    spans += [(m.start(), m.end()) for m in _RELATIVE.finditer(text)]
    expressions = []
    for start, end in _merge(spans):
        phrase = text[start:end]
        value, precision = resolve(phrase, anchor)
        expressions.append(DateExpression(start, end, phrase, value, precision))
    return expressions


def _anchor(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping candidate spans joined into one, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def resolve(phrase: str, anchor: date | None) -> tuple[str | None, str | None]:
    """ISO value (a date, or ``start/end``) and precision of one expression; ``(None,
    None)`` when it cannot be resolved (relative with no publication date, or unparsed)."""
    try:
        return _resolve(phrase, anchor)
    except (ValueError, OverflowError):  # "99999 months ago", "June 0000": no calendar date
        return None, None


def _resolve(phrase: str, anchor: date | None) -> tuple[str | None, str | None]:
    lowered = phrase.lower()
    absolute = _absolute(phrase, anchor)
    if absolute is not None:
        return absolute
    if anchor is None:
        return None, None
    for resolver in (_day_words, _ago, _weekday, _period):
        found = resolver(lowered, anchor)
        if found is not None:
            return found
    return None, None


def _absolute(phrase: str, anchor: date | None) -> tuple[str, str] | None:
    """Calendar dates: "2025-07-10", "10 July 2025", "July 10th", "in late June", "2015"."""
    if m := _ISO.search(phrase):
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _DAY_MONTH.search(phrase):
        return _day_of(int(m.group(1)), MONTHS[m.group(2).lower()], m.group(3), anchor)
    if m := _MONTH_DAY.search(phrase):
        return _day_of(int(m.group(2)), MONTHS[m.group(1).lower()], m.group(3), anchor)
    if m := _MONTH_YEAR.search(phrase):
        year = int(m.group(3)) if m.group(3) else _year_for(MONTHS[m.group(2).lower()], 1, anchor)
        if year is None:
            return None
        return _month(year, MONTHS[m.group(2).lower()], m.group(1))
    if m := _YEAR.search(phrase):
        year = int(m.group(1))
        return f"{year}-01-01/{year}-12-31", "year"
    return None


def _day(year: int, month: int, day: int) -> tuple[str, str] | None:
    try:
        return date(year, month, day).isoformat(), "day"
    except ValueError:
        return None


def _day_of(day: int, month: int, year: str | None, anchor: date | None) -> tuple[str, str] | None:
    resolved_year = int(year) if year else _year_for(month, day, anchor)
    return None if resolved_year is None else _day(resolved_year, month, day)


def _year_for(month: int, day: int, anchor: date | None) -> int | None:
    """The year of a date written without one: the publication year, or the year before
    when that would put it well after publication."""
    if anchor is None:
        return None
    try:
        candidate = date(anchor.year, month, min(day, 28))
    except ValueError:
        return None
    return anchor.year - 1 if candidate > anchor + FUTURE_SLACK else anchor.year


def _month(year: int, month: int, part: str | None) -> tuple[str, str]:
    last = calendar.monthrange(year, month)[1]
    first_day, last_day = MONTH_PARTS.get((part or "").lower(), (1, last))
    start = date(year, month, first_day)
    end = date(year, month, min(last_day, last))
    return f"{start.isoformat()}/{end.isoformat()}", "month"


def _interval(start: date, end: date, precision: str) -> tuple[str, str]:
    if start == end:
        return start.isoformat(), precision
    return f"{start.isoformat()}/{end.isoformat()}", precision


def _day_words(phrase: str, anchor: date) -> tuple[str, str] | None:
    if "last night" in phrase or "overnight" in phrase:
        return _interval(anchor - timedelta(days=1), anchor, "day")
    offsets = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
    for word, offset in offsets.items():
        if word in phrase:
            return (anchor + timedelta(days=offset)).isoformat(), "day"
    return None


def _ago(phrase: str, anchor: date) -> tuple[str, str] | None:
    m = _AGO.search(phrase)
    if m is None:
        return None
    amount_text = m.group(1).lower()
    amount = int(amount_text) if amount_text.isdigit() else NUMBER_WORDS.get(amount_text)
    if amount is None:
        return None
    unit = m.group(2).lower()
    if unit == "day":
        return (anchor - timedelta(days=amount)).isoformat(), "day"
    if unit == "week":
        day = anchor - timedelta(weeks=amount)
        return _interval(day - timedelta(days=day.weekday()), _week_end(day), "week")
    if unit == "month":
        year, month = divmod(anchor.year * 12 + anchor.month - 1 - amount, 12)
        return _month(year, month + 1, None)
    year = date(anchor.year - amount, 1, 1).year  # raises ValueError before year 1
    return f"{year:04d}-01-01/{year:04d}-12-31", "year"


def _week_end(day: date) -> date:
    return day + timedelta(days=6 - day.weekday())


def _weekday(phrase: str, anchor: date) -> tuple[str, str] | None:
    """ "on Tuesday" and "last Tuesday": the latest such day up to publication (strictly
    before it for "last"); "next Tuesday": the first after it."""
    m = _WEEKDAY.search(phrase)
    if m is None:
        return None
    modifier = (m.group(1) or "").lower()
    target = WEEKDAYS[m.group(2).lower()]
    if modifier == "next":
        ahead = (target - anchor.weekday()) % 7 or 7
        return (anchor + timedelta(days=ahead)).isoformat(), "day"
    back = (anchor.weekday() - target) % 7
    if modifier in ("last", "past") and back == 0:
        back = 7
    return (anchor - timedelta(days=back)).isoformat(), "day"


def _period(phrase: str, anchor: date) -> tuple[str, str] | None:
    """ "this week", "earlier this month", "last year", "next month"."""
    m = re.search(r"\b(this|last|next|past)\s+(week|month|year)\b", phrase)
    if m is None:
        return None
    which, unit = m.groups()
    earlier = "earlier" in phrase
    if unit == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        if which in ("last", "past"):
            monday -= timedelta(weeks=1)
        elif which == "next":
            monday += timedelta(weeks=1)
        end = anchor if earlier and which == "this" else monday + timedelta(days=6)
        return _interval(monday, end, "week")
    if unit == "month":
        offset = {"last": -1, "past": -1, "next": 1}.get(which, 0)
        year, month = divmod(anchor.year * 12 + anchor.month - 1 + offset, 12)
        value, precision = _month(year, month + 1, None)
        if earlier and which == "this":
            value = f"{date(year, month + 1, 1).isoformat()}/{anchor.isoformat()}"
        return value, precision
    year = anchor.year + {"last": -1, "past": -1, "next": 1}.get(which, 0)
    return f"{year}-01-01/{year}-12-31", "year"
