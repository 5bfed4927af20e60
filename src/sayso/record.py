"""A saved JSON record (``sayso analyze --format json``) read back into an ``Analysis``.

So a report, or any later view, can be made from an analysis done before, without loading
the pipeline again. The reader is strict about the keys every record has since schema 1.0
(``text``, ``meta``, ``attributions``, ``claims``) and lenient about later ones; a record
that is not an analysis is refused with a typed error naming what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sayso.errors import InputError, MalformedRecordError
from sayso.model import (
    SCHEMA_VERSION,
    Analysis,
    Attribution,
    Claim,
    DateExpression,
    Event,
    Flag,
    Frame,
    Genre,
    Hedge,
    Meta,
    NamedSource,
    Place,
    Provenance,
    Source,
    Span,
    Technique,
)

REQUIRED_KEYS = ("text", "meta", "attributions", "claims")
LIST_FACTS = ("aliases", "domains", "sources")


def read_record(path: str | Path) -> Analysis:
    """The analysis saved in a JSON file; ``InputError`` when it cannot be read or is not
    one analysis record."""
    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise InputError(f"no such file: {path}") from error
    except IsADirectoryError as error:
        raise InputError(f"{path} is a directory, not a JSON record") from error
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path}: {error}") from error
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as error:
        raise MalformedRecordError(f"{path} is not valid JSON: {error}") from error
    return analysis_from_record(record, where=str(path))


def analysis_from_record(record: Any, where: str = "the record") -> Analysis:
    """Rebuild the ``Analysis`` whose ``to_dict()`` gave ``record``."""
    if not isinstance(record, dict):
        raise MalformedRecordError(f"{where} is not a JSON object of a sayso analysis")
    if "error" in record and "text" not in record:
        raise MalformedRecordError(f"{where} is an error record, not an analysis")
    missing = [key for key in REQUIRED_KEYS if key not in record]
    if missing:
        raise MalformedRecordError(
            f"{where} is not a sayso analysis record: missing {', '.join(missing)}"
        )
    try:
        return _analysis(record)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise MalformedRecordError(
            f"{where} is not a valid sayso analysis record: {error!r}"
        ) from error


def _analysis(record: dict[str, Any]) -> Analysis:
    techniques = record.get("techniques")
    frames = record.get("frames")
    genre = record.get("genre")
    return Analysis(
        text=_str(record["text"]),
        meta=Meta(
            **{k: _opt(v) for k, v in record["meta"].items() if k in Meta.__dataclass_fields__}
        ),
        attributions=[_attribution(a) for a in record["attributions"]],
        claims=[_claim(c) for c in record["claims"]],
        sources=[_named_source(s) for s in record.get("sources") or []],
        summary=dict(record.get("summary") or {}),
        dates=[_date(d) for d in record.get("dates") or []],
        places=[_place(p) for p in record.get("places") or []],
        events=[_event(e) for e in record.get("events") or []],
        techniques=None if techniques is None else [_technique(t) for t in techniques],
        frames=None
        if frames is None
        else [Frame(_str(f["frame"]), float(f["score"])) for f in frames],
        genre=None if genre is None else _genre(genre),
        warnings=[str(w) for w in record.get("warnings") or []],
        id=_opt(record.get("id")),
        schema_version=str(record.get("schema_version") or SCHEMA_VERSION),
    )


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _opt(value: Any) -> str | None:
    """An optional text field as text: a hand-edited record may hold any JSON there."""
    return None if value is None else str(value)


def _span(value: dict[str, Any] | None) -> Span | None:
    if value is None:
        return None
    return Span(int(value["start"]), int(value["end"]), _str(value["text"]))


def _required_span(value: dict[str, Any]) -> Span:
    span = _span(value)
    if span is None:
        raise ValueError("a required span is null")
    return span


def _source(value: dict[str, Any] | None) -> Source | None:
    if value is None:
        return None
    return Source(
        name=_str(value["name"]),
        kind=_str(value["kind"]),
        mention=_span(value.get("mention")),
        registry_id=_opt(value.get("registry_id")),
        candidates=list(value.get("candidates") or []),
    )


def _chain(values: list[dict[str, Any]]) -> list[Source]:
    return [link for link in (_source(v) for v in values) if link is not None]


def _named_source(value: dict[str, Any]) -> NamedSource:
    return NamedSource(
        name=_str(value["name"]),
        kind=_str(value["kind"]),
        mentions=[_required_span(m) for m in value.get("mentions") or []],
        registry_id=_opt(value.get("registry_id")),
        candidates=list(value.get("candidates") or []),
        facts=_facts(value.get("facts")),
    )


def _facts(value: Any) -> dict[str, Any] | None:
    """Registry facts with text where text belongs, so no view trips on a hand-edited value."""
    if not isinstance(value, dict):
        return None
    facts: dict[str, Any] = {}
    for key, item in value.items():
        if key == "checked":
            facts[key] = (
                {str(k): _opt(v) for k, v in item.items()} if isinstance(item, dict) else None
            )
        elif key in LIST_FACTS:
            facts[key] = [str(x) for x in item] if isinstance(item, list) else []
        else:
            facts[str(key)] = _opt(item)
    facts["kind"] = facts.get("kind") or "unknown"
    return facts


def _attribution(value: dict[str, Any]) -> Attribution:
    return Attribution(
        id=_str(value["id"]),
        source=_span(value.get("source")),
        cue=_span(value.get("cue")),
        content=_span(value.get("content")),
        chain=_chain(value.get("chain") or []),
        kind=_str(value.get("kind", "indirect")),
        hedges=[Hedge(_str(h["kind"]), _required_span(h)) for h in value.get("hedges") or []],
        claim_id=_opt(value.get("claim_id")),
    )


def _claim(value: dict[str, Any]) -> Claim:
    provenance = value.get("provenance")
    return Claim(
        id=_str(value["id"]),
        start=int(value["start"]),
        end=int(value["end"]),
        text=_str(value["text"]),
        kind=_str(value["kind"]),
        provenance=None if provenance is None else _provenance(provenance),
    )


def _provenance(value: dict[str, Any]) -> Provenance:
    return Provenance(
        origin=_source(value.get("origin")),
        relays=_chain(value.get("relays") or []),
        flags=[
            Flag(_str(f["name"]), _str(f["reason"]), _span(f.get("evidence")))
            for f in value.get("flags") or []
        ],
    )


def _date(value: dict[str, Any]) -> DateExpression:
    return DateExpression(
        start=int(value["start"]),
        end=int(value["end"]),
        text=_str(value["text"]),
        value=_opt(value.get("value")),
        precision=_opt(value.get("precision")),
    )


def _place(value: dict[str, Any]) -> Place:
    return Place(
        start=int(value["start"]),
        end=int(value["end"]),
        text=_str(value["text"]),
        name=_str(value["name"]),
        lat=_coordinate(value.get("lat")),
        lon=_coordinate(value.get("lon")),
        geonames_id=value.get("geonames_id"),
        country=_opt(value.get("country")),
        admin1=_opt(value.get("admin1")),
        confidence=float(value.get("confidence") or 0.0),
        alternatives=list(value.get("alternatives") or []),
        kind=_opt(value.get("kind")),
    )


def _coordinate(value: Any) -> float | None:
    return None if value is None else float(value)


def _event(value: dict[str, Any]) -> Event:
    location, date = value.get("location"), value.get("date")
    return Event(
        type=_str(value["type"]),
        sub_type=_str(value["sub_type"]),
        trigger=_required_span(value["trigger"]),
        actor1=_opt(value.get("actor1")),
        actor2=_opt(value.get("actor2")),
        location=None if location is None else _place(location),
        date=None if date is None else _date(date),
        quantities=[_required_span(q) for q in value.get("quantities") or []],
        evidence=_required_span(value["evidence"]),
        claim_id=_opt(value.get("claim_id")),
    )


def _technique(value: dict[str, Any]) -> Technique:
    return Technique(
        span=_required_span(value),
        technique=_str(value["technique"]),
        group=_str(value["group"]),
        score=float(value["score"]),
        reason=_str(value["reason"]),
    )


def _genre(value: dict[str, Any]) -> Genre:
    scores = {str(k): float(v) for k, v in (value.get("scores") or {}).items()}
    return Genre(label=_str(value["label"]), score=float(value["score"]), scores=scores)
